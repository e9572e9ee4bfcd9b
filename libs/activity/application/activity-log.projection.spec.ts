import { projectionRunner } from '../../platform/projections/projection-runner';
import type { StoredEvent } from '../../platform/event-store/event-store';
import {
  accepted,
  declined,
  deleted,
  expired,
  invited,
  joined,
  left,
  removed,
  resent,
  revoked,
  roleChanged,
  transferred,
} from '../../organizations/domain/testing/fixtures';
import type { OrganizationEvent } from '../../organizations/domain/events';
import { activityLogOps, activityLogProjection } from './activity-log.projection';
import { audited, deployed, imported, logFixture, type LogFixture } from './testing/fixtures';

const ORG = 'org-1';
const OTHER = 'org-2';
const olivia = { userId: 'olivia', email: 'olivia@example.com', name: 'Olivia' };
const mia = { userId: 'mia', email: 'mia@example.com', name: 'Mia' };
const ned = { userId: 'ned', email: 'ned@example.com', name: null }; // a token without a name
const t = (n: number) => `2026-01-${String(n).padStart(2, '0')}T10:00:00.000Z`;
const createdEvents = (orgId: string, owner = olivia): OrganizationEvent[] => [
  { type: 'OrganizationCreated', data: { orgId, name: 'Acme', createdBy: owner.userId } },
  joined(owner, 'owner'),
];

type Row = { id: string; org_id: string; type: string; actor_id: string | null; actor_name: string | null; occurred_at: string; data: unknown };
const rows = (f: LogFixture, orgId = ORG): Row[] =>
  (f.db.prepare('SELECT id, org_id, type, actor_id, actor_name, occurred_at, data FROM activity_log WHERE org_id = ? ORDER BY position').all(orgId) as Row[]).map(
    (r) => ({ ...r, data: JSON.parse(r.data as string) }),
  );
const summary = (f: LogFixture, orgId = ORG) => rows(f, orgId).map((r) => [r.type, r.actor_id, r.actor_name]);

let f: LogFixture;
beforeEach(() => {
  f = logFixture();
});
afterEach(() => f.close());

describe('activity-log projection: team events', () => {
  it('one row per team change, with the event id, its time, its actor and the event data', async () => {
    await f.team(ORG, t(1), 'olivia', ...createdEvents(ORG));
    await f.team(ORG, t(2), 'olivia', invited('inv-mia', mia.email, 'member', 'olivia'));
    await f.team(ORG, t(3), 'mia', accepted('inv-mia', 'mia'), joined(mia, 'member', 'inv-mia'));
    await f.team(ORG, t(4), 'olivia', roleChanged('mia', 'member', 'admin', 'olivia'));
    await f.runner.catchUp();

    expect(rows(f)).toEqual([
      { id: 'ev-1', org_id: ORG, type: 'org_created', actor_id: 'olivia', actor_name: 'Olivia', occurred_at: t(1), data: { orgId: ORG, name: 'Acme', createdBy: 'olivia' } },
      {
        id: 'ev-3',
        org_id: ORG,
        type: 'member_invited',
        actor_id: 'olivia',
        actor_name: 'Olivia',
        occurred_at: t(2),
        data: { invitationId: 'inv-mia', email: mia.email, role: 'member', invitedBy: 'olivia', expiresAt: '2026-01-08T00:00:00.000Z' },
      },
      { id: 'ev-4', org_id: ORG, type: 'invitation_accepted', actor_id: 'mia', actor_name: 'Mia', occurred_at: t(3), data: { invitationId: 'inv-mia', userId: 'mia' } },
      { id: 'ev-6', org_id: ORG, type: 'role_changed', actor_id: 'olivia', actor_name: 'Olivia', occurred_at: t(4), data: { userId: 'mia', from: 'member', to: 'admin', changedBy: 'olivia' } },
    ]);
  });

  it('maps every team event to its type; MemberJoined and OrganizationDeleted make no row', async () => {
    await f.team(ORG, t(1), 'olivia', ...createdEvents(ORG));
    await f.team(ORG, t(2), 'olivia', invited('inv-mia', mia.email, 'admin', 'olivia'));
    await f.team(ORG, t(2), 'olivia', resent('inv-mia', 2, t(9), 'olivia'));
    await f.team(ORG, t(3), 'mia', accepted('inv-mia', 'mia'), joined(mia, 'admin', 'inv-mia'));
    await f.team(ORG, t(3), 'olivia', invited('inv-a', 'a@example.com', 'member', 'olivia'), revoked('inv-a', 'olivia'));
    await f.team(ORG, t(3), 'olivia', invited('inv-b', 'b@example.com', 'member', 'olivia'));
    await f.team(ORG, t(4), null, expired('inv-b'));
    await f.team(ORG, t(4), 'olivia', invited('inv-c', 'c@example.com', 'member', 'olivia'));
    await f.team(ORG, t(4), 'cid', declined('inv-c', 'cid'));
    await f.team(ORG, t(5), 'olivia', { type: 'OrganizationRenamed', data: { name: 'Acme 2', previousName: 'Acme', renamedBy: 'olivia' } });
    await f.team(ORG, t(5), 'olivia', transferred('olivia', 'mia'));
    await f.team(ORG, t(6), 'olivia', left('olivia', 'admin'));
    await f.team(ORG, t(6), 'mia', invited('inv-n', ned.email, 'member', 'mia'));
    await f.team(ORG, t(6), 'ned', accepted('inv-n', 'ned'), joined(ned, 'member', 'inv-n'));
    await f.team(ORG, t(7), 'mia', removed('ned', 'member', 'mia'));
    await f.team(ORG, t(8), 'mia', deleted('mia'));
    await f.runner.catchUp();

    expect(summary(f)).toEqual([
      ['org_created', 'olivia', 'Olivia'],
      ['member_invited', 'olivia', 'Olivia'],
      ['invitation_resent', 'olivia', 'Olivia'],
      ['invitation_accepted', 'mia', 'Mia'],
      ['member_invited', 'olivia', 'Olivia'],
      ['invitation_revoked', 'olivia', 'Olivia'],
      ['member_invited', 'olivia', 'Olivia'],
      ['invitation_expired', null, null], // the system's own event: no actor
      ['member_invited', 'olivia', 'Olivia'],
      ['invitation_declined', 'cid', 'c@example.com'], // never a member: named by the invited email
      ['org_renamed', 'olivia', 'Olivia'],
      ['ownership_transferred', 'olivia', 'Olivia'],
      ['member_left', 'olivia', 'Olivia'],
      ['member_invited', 'mia', 'Mia'],
      ['invitation_accepted', 'ned', 'ned@example.com'], // no display name: the email
      ['member_removed', 'mia', 'Mia'],
    ]);
  });

  it('a removed member keeps their name on their rows, and a rejoin under another name changes only newer rows', async () => {
    await f.team(ORG, t(1), 'olivia', ...createdEvents(ORG));
    await f.team(ORG, t(2), 'olivia', invited('inv-1', mia.email, 'member', 'olivia'));
    await f.team(ORG, t(2), 'mia', accepted('inv-1', 'mia'), joined(mia, 'member', 'inv-1'));
    await f.activity(ORG, t(3), imported('mia', 'i1', t(3)));
    await f.team(ORG, t(4), 'olivia', removed('mia', 'member', 'olivia'));
    await f.team(ORG, t(5), 'olivia', invited('inv-2', mia.email, 'member', 'olivia'));
    await f.team(ORG, t(5), 'mia', accepted('inv-2', 'mia'), joined({ ...mia, name: 'Mia Married' }, 'member', 'inv-2'));
    await f.activity(ORG, t(6), audited('mia', 'i2', t(6)));
    await f.runner.catchUp();

    expect(summary(f)).toEqual([
      ['org_created', 'olivia', 'Olivia'],
      ['member_invited', 'olivia', 'Olivia'],
      ['invitation_accepted', 'mia', 'Mia'],
      ['asset_imported', 'mia', 'Mia'],
      ['member_removed', 'olivia', 'Olivia'],
      ['member_invited', 'olivia', 'Olivia'],
      ['invitation_accepted', 'mia', 'Mia Married'], // joining by it, under the new name
      ['audit_run', 'mia', 'Mia Married'],
    ]);
  });

  it('keeps names per organization', async () => {
    await f.team(ORG, t(1), 'olivia', ...createdEvents(ORG));
    await f.team(OTHER, t(1), 'olivia', ...createdEvents(OTHER, { ...olivia, name: 'Liv' }));
    await f.runner.catchUp();
    expect(summary(f, ORG)).toEqual([['org_created', 'olivia', 'Olivia']]);
    expect(summary(f, OTHER)).toEqual([['org_created', 'olivia', 'Liv']]);
  });
});

describe('activity-log projection: activity', () => {
  it('one row per item: the item time, its actor, { itemId, subject }', async () => {
    await f.team(ORG, t(1), 'olivia', ...createdEvents(ORG));
    await f.activity(ORG, t(9), imported('olivia', 'x1', t(5), 'logo.svg'), deployed('olivia', null, t(6)), audited('olivia', 'x2', t(7), 'home'));
    await f.runner.catchUp();
    expect(rows(f).slice(1)).toEqual([
      { id: 'ev-3', org_id: ORG, type: 'asset_imported', actor_id: 'olivia', actor_name: 'Olivia', occurred_at: t(5), data: { itemId: 'x1', subject: 'logo.svg' } },
      { id: 'ev-4', org_id: ORG, type: 'asset_deployed', actor_id: 'olivia', actor_name: 'Olivia', occurred_at: t(6), data: { itemId: null, subject: null } },
      { id: 'ev-5', org_id: ORG, type: 'audit_run', actor_id: 'olivia', actor_name: 'Olivia', occurred_at: t(7), data: { itemId: 'x2', subject: 'home' } },
    ]);
  });

  it('an item id seen before in the organization makes no row (in one append or later); items without id always do', async () => {
    await f.team(ORG, t(1), 'olivia', ...createdEvents(ORG));
    await f.team(OTHER, t(1), 'olivia', ...createdEvents(OTHER));
    await f.activity(ORG, t(2), imported('olivia', 'dup', t(2), 'first'), imported('olivia', 'dup', t(2), 'second'), audited('olivia', null, t(2)));
    await f.activity(ORG, t(3), deployed('olivia', 'dup', t(3)), audited('olivia', null, t(3)));
    await f.activity(OTHER, t(3), imported('olivia', 'dup', t(3)));
    await f.runner.catchUp();
    expect(rows(f).slice(1).map((r) => [r.type, r.data])).toEqual([
      ['asset_imported', { itemId: 'dup', subject: 'first' }],
      ['audit_run', { itemId: null, subject: null }],
      ['audit_run', { itemId: null, subject: null }],
    ]);
    expect(summary(f, OTHER)).toEqual([
      ['org_created', 'olivia', 'Olivia'],
      ['asset_imported', 'olivia', 'Olivia'],
    ]);
  });

  it('ignores events of other streams and unknown event types', async () => {
    await f.other('billing-org-1', t(1), 'InvoicePaid');
    await f.other(`activity-${ORG}`, t(1), 'SomethingNew');
    await f.runner.catchUp();
    expect(f.db.prepare('SELECT COUNT(*) FROM activity_log').pluck().get()).toBe(0);
  });
});

describe('activity-log projection: replays', () => {
  async function history() {
    await f.team(ORG, t(1), 'olivia', ...createdEvents(ORG));
    await f.team(ORG, t(2), 'olivia', invited('inv-1', mia.email, 'member', 'olivia'));
    await f.team(ORG, t(2), 'mia', accepted('inv-1', 'mia'), joined(mia, 'member', 'inv-1'));
    await f.activity(ORG, t(3), imported('mia', 'i1', t(3)), imported('mia', 'i1', t(3)), audited('mia', null, t(3)));
    await f.team(ORG, t(4), 'olivia', removed('mia', 'member', 'olivia'));
  }
  const everything = () =>
    activityLogProjection.tables.map((table) => f.db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all());

  it('catching up twice, or with a second runner, changes nothing (the checkpoint)', async () => {
    await history();
    await f.runner.catchUp();
    const first = everything();
    await f.runner.catchUp();
    await projectionRunner(f.store, f.readStore, [activityLogProjection.name]).catchUp();
    expect(everything()).toEqual(first);
    expect(rows(f)).toHaveLength(6);
  });

  it('applying every event a second time, checkpoint or not, changes nothing', async () => {
    await history();
    await f.runner.catchUp();
    const first = everything();
    const apply = f.db.transaction((events: StoredEvent[]) => events.forEach(activityLogProjection.prepare(f.db)));
    apply(await f.store.readAll(0, 1000));
    expect(everything()).toEqual(first);
  });

  it('a rebuild from the first event gives the same log', async () => {
    await history();
    await f.runner.catchUp();
    const first = everything();
    await f.readStore.reset(activityLogProjection.name);
    expect(f.db.prepare('SELECT COUNT(*) FROM activity_log').pluck().get()).toBe(0);
    await projectionRunner(f.store, f.readStore, [activityLogProjection.name]).catchUp();
    expect(everything()).toEqual(first);
  });
});

describe('activityLogOps (pure)', () => {
  const stored = (streamId: string, type: string, data: unknown, actorId: string | null = 'olivia'): StoredEvent => ({
    streamId,
    position: 7,
    streamVersion: 1,
    type,
    data,
    metadata: { eventId: 'e1', actorId, occurredAt: t(1), correlationId: 'c', causationId: null, schemaVersion: 1 },
  });

  it('turns an event into operations, without a database', () => {
    expect(activityLogOps(stored('organization-o1', 'MemberJoined', joined(mia, 'member', 'inv-1').data, 'mia'))).toEqual([
      { op: 'setName', orgId: 'o1', userId: 'mia', name: 'Mia' },
      { op: 'nameEarlierRows', orgId: 'o1', userId: 'mia', name: 'Mia', invitationId: 'inv-1' },
    ]);
    expect(activityLogOps(stored('activity-o1', 'AuditRun', audited('mia', 'k', t(2), 's').data, 'mia'))).toEqual([
      {
        op: 'addItemRow',
        itemId: 'k',
        row: { id: 'e1', orgId: 'o1', position: 7, type: 'audit_run', actorId: 'mia', occurredAt: t(2), data: { itemId: 'k', subject: 's' } },
      },
    ]);
    expect(activityLogOps(stored('organization-o1', 'OrganizationDeleted', { deletedBy: 'olivia' }))).toEqual([]);
    expect(activityLogOps(stored('organization-o1', 'AuditRun', audited('mia', 'k', t(2)).data))).toEqual([]);
    expect(activityLogOps(stored('activity-o1', 'MemberLeft', { userId: 'mia', role: 'member' }))).toEqual([]);
  });

  it('is the same for the same event', () => {
    const event = stored('organization-o1', 'InvitationDeclined', { invitationId: 'i', userId: 'x' }, 'x');
    expect(activityLogOps(event)).toEqual(activityLogOps(event));
  });
});
