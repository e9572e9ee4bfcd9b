// The roster read model (GET /orgs/{orgId}/members): histories generated through the real repository
// and `decide` on an in-memory event store, projected by the real runner, read with rosterQueries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../../platform/event-store/event-store';
import { ApiError } from '../../platform/http/problem';
import { projectionRunner } from '../../platform/projections/projection-runner';
import type { SqliteReadStore } from '../../platform/read-store/read-store';
import { openSqliteReadStore } from '../../platform/read-store/sqlite-read-store';
import { activityLogProjection } from '../../activity/application/activity-log.projection';
import { ALL_PROJECTIONS, actor, readFixture, snapshot, type ReadFixture } from '../../../test/support/read';
import { rosterOps, rosterProjection } from './roster.projection';
import { rosterQueries } from './roster.query';

const olivia = actor('olivia', 'Olivia');
const adam = actor('adam', 'Adam');
const mia = actor('mia', 'Mia');
const ivy = actor('ivy', null);
const bob = actor('bob', 'Bob');

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const FAR_FUTURE = new Date('2030-01-01T00:00:00.000Z');

let h: ReadFixture;
beforeEach(() => {
  h = readFixture();
});
afterEach(() => h.close());

/** Every row of the roster (limit 200), now = the simulated clock unless given. */
const list = async (orgId: string, query: Record<string, unknown> = {}, now = h.now()) => (await h.roster.list(orgId, { limit: '200', ...query }, now)).items;

function stored(partial: Partial<StoredEvent> & Pick<StoredEvent, 'type' | 'data' | 'streamId'>, actorId: string | null = 'olivia'): StoredEvent {
  return {
    position: 1,
    streamVersion: 1,
    metadata: { eventId: 'e1', actorId, occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c', causationId: null, schemaVersion: 1 },
    ...partial,
  };
}

describe('rosterOps (pure)', () => {
  it('MemberJoined: the member row, and the actor is active at the event time', () => {
    const ops = rosterOps(
      stored({ streamId: 'organization-o1', type: 'MemberJoined', data: { userId: 'ivy', email: 'ivy@example.com', name: null, role: 'member', invitationId: 'i1' } }, 'ivy'),
    );
    expect(ops).toEqual([
      { op: 'joined', orgId: 'o1', userId: 'ivy', name: 'ivy@example.com', email: 'ivy@example.com', role: 'member', joinedAt: '2026-01-01T00:00:00.000Z' },
      { op: 'active', orgId: 'o1', userId: 'ivy', at: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('an activity event counts for its actor at the time the member did it (normalized to UTC)', () => {
    const ops = rosterOps(
      stored({ streamId: 'activity-o1', type: 'AuditRun', data: { itemId: 'x', actorId: 'mia', occurredAt: '2026-01-01T02:00:00+02:00', subject: null } }, 'mia'),
    );
    expect(ops).toEqual([{ op: 'active', orgId: 'o1', userId: 'mia', at: '2026-01-01T00:00:00.000Z', counter: 'audits', itemId: 'x' }]);
  });

  it("the system's own events (no actor) touch nobody; events of other streams change nothing", () => {
    expect(rosterOps(stored({ streamId: 'organization-o1', type: 'InvitationExpired', data: { invitationId: 'i1' } }, null))).toEqual([
      { op: 'invitation', orgId: 'o1', invitationId: 'i1', status: 'expired' },
    ]);
    expect(rosterOps(stored({ streamId: 'billing-o1', type: 'MemberJoined', data: {} }))).toEqual([]);
    expect(rosterOps(stored({ streamId: 'organization-o1', type: 'OrganizationDeleted', data: { deletedBy: 'olivia' } }))).toEqual([
      { op: 'orgDeleted', orgId: 'o1' },
    ]);
  });
});

describe('member and invitation rows', () => {
  it('lists members and open invitations with exactly the fields of API.md', async () => {
    const orgId = await h.create(olivia);
    const createdAt = h.iso();
    await h.join(orgId, olivia, adam, 'admin');
    const adamJoinedAt = h.iso();
    const invitationId = await h.invite(orgId, adam, ' IVY@Example.com ', 'member');
    const invitedAt = h.iso();
    await h.catchUp();

    const rows = await list(orgId);
    expect(rows).toHaveLength(3);
    const byKey = Object.fromEntries(rows.map((r: any) => [r.kind === 'member' ? r.userId : r.invitationId, r]));
    expect(byKey.olivia).toEqual({
      kind: 'member',
      userId: 'olivia',
      name: 'Olivia',
      email: 'olivia@example.com',
      role: 'owner',
      status: 'active',
      joinedAt: createdAt,
      lastActiveAt: expect.any(String),
      imports: 0,
      deployments: 0,
      audits: 0,
    });
    // Olivia's last action was inviting Adam (the step before Adam accepted)
    expect(byKey.olivia.lastActiveAt).toBe(new Date(Date.parse(adamJoinedAt) - 1000).toISOString());
    expect(byKey.adam).toEqual({
      kind: 'member',
      userId: 'adam',
      name: 'Adam',
      email: 'adam@example.com',
      role: 'admin',
      status: 'active',
      joinedAt: adamJoinedAt,
      lastActiveAt: invitedAt, // inviting Ivy
      imports: 0,
      deployments: 0,
      audits: 0,
    });
    expect(byKey[invitationId]).toEqual({
      kind: 'invitation',
      invitationId,
      email: 'ivy@example.com',
      role: 'member',
      status: 'invited',
      invitedAt,
      invitedBy: 'adam',
      expiresAt: new Date(Date.parse(invitedAt) + 7 * 86_400_000).toISOString(),
    });
    for (const r of rows as any[]) {
      for (const k of ['joinedAt', 'lastActiveAt', 'invitedAt', 'expiresAt']) if (k in r) expect(r[k]).toMatch(ISO_UTC);
    }
    expect(await h.roster.member(orgId, 'adam')).toEqual(byKey.adam);
    expect(await h.roster.member(orgId, 'nobody')).toBeNull();
    expect(await h.roster.member(orgId, invitationId)).toBeNull();
  });

  it('a member whose token carried no name is listed under the email', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, ivy);
    await h.catchUp();
    expect(await h.roster.member(orgId, 'ivy')).toMatchObject({ name: 'ivy@example.com', email: 'ivy@example.com', role: 'member' });
  });

  it('accepted, declined and revoked invitations leave the roster; a resent one stays with its new expiry', async () => {
    const orgId = await h.create(olivia);
    const toAccept = await h.invite(orgId, olivia, mia.email);
    const toDecline = await h.invite(orgId, olivia, bob.email);
    const toRevoke = await h.invite(orgId, olivia, 'carol@example.com');
    const toResend = await h.invite(orgId, olivia, 'dave@example.com');
    await h.catchUp();
    expect((await list(orgId, { status: 'invited' })).map((r: any) => r.invitationId).sort()).toEqual([toAccept, toDecline, toRevoke, toResend].sort());

    await h.accept(orgId, toAccept, mia);
    await h.decline(orgId, toDecline, bob);
    await h.revoke(orgId, olivia, toRevoke);
    h.advance(3_600_000);
    await h.resend(orgId, olivia, toResend);
    const resentAt = h.iso();
    await h.catchUp();

    const rows = (await list(orgId)) as any[];
    expect(rows.filter((r) => r.kind === 'invitation').map((r) => r.invitationId)).toEqual([toResend]);
    expect(rows.find((r) => r.kind === 'invitation')).toMatchObject({ status: 'invited', expiresAt: new Date(Date.parse(resentAt) + 7 * 86_400_000).toISOString() });
    expect(rows.filter((r) => r.kind === 'member').map((r) => r.userId).sort()).toEqual(['mia', 'olivia']);
  });

  it('a member removed or leaving revokes their pending invitations: those rows leave too', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, adam, 'admin');
    await h.invite(orgId, adam, 'x1@example.com');
    await h.invite(orgId, adam, 'x2@example.com');
    const oliviasOwn = await h.invite(orgId, olivia, 'x3@example.com');
    await h.remove(orgId, olivia, 'adam');
    await h.catchUp();
    expect(((await list(orgId)) as any[]).map((r) => r.userId ?? r.invitationId).sort()).toEqual([oliviasOwn, 'olivia'].sort());
  });
});

describe('role changes, transfers, removals', () => {
  it('a role change and a transfer update the rows', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, adam, 'admin');
    await h.join(orgId, olivia, mia, 'member');
    await h.changeRole(orgId, olivia, 'mia', 'admin');
    await h.catchUp();
    expect((await h.roster.member(orgId, 'mia'))!.role).toBe('admin');

    await h.changeRole(orgId, olivia, 'adam', 'member');
    await h.transfer(orgId, olivia, 'mia');
    await h.catchUp();
    expect((await h.roster.member(orgId, 'mia'))!.role).toBe('owner');
    expect((await h.roster.member(orgId, 'olivia'))!.role).toBe('admin');
    expect((await h.roster.member(orgId, 'adam'))!.role).toBe('member');
    expect((await list(orgId, { role: 'owner' })).map((r: any) => r.userId)).toEqual(['mia']);
    expect((await list(orgId, { role: 'admin' })).map((r: any) => r.userId)).toEqual(['olivia']);
    expect((await list(orgId, { role: 'member' })).map((r: any) => r.userId)).toEqual(['adam']);
  });

  it('a removed member leaves the roster; counts and lastActiveAt come back when they rejoin', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, mia, 'member');
    await h.activity(orgId, [
      { type: 'AssetImported', actorId: 'mia', itemId: 'a1', occurredAt: '2026-03-01T10:00:00.000Z' },
      { type: 'AssetImported', actorId: 'mia', itemId: 'a2', occurredAt: '2026-03-01T10:00:00.000Z' },
      { type: 'AssetDeployed', actorId: 'mia', itemId: 'd1', occurredAt: '2026-03-01T11:00:00.000Z' },
      { type: 'AuditRun', actorId: 'mia', itemId: 'r1', occurredAt: '2026-03-01T12:00:00.000Z' },
    ]);
    await h.catchUp();
    const before = (await h.roster.member(orgId, 'mia'))!;
    expect(before).toMatchObject({ imports: 2, deployments: 1, audits: 1, lastActiveAt: '2026-03-01T12:00:00.000Z' });

    await h.remove(orgId, olivia, 'mia');
    await h.catchUp();
    expect(await h.roster.member(orgId, 'mia')).toBeNull();
    expect((await list(orgId)).map((r: any) => r.userId)).toEqual(['olivia']);

    await h.join(orgId, olivia, mia, 'admin');
    await h.catchUp();
    const after = (await h.roster.member(orgId, 'mia'))!;
    expect(after).toMatchObject({ role: 'admin', imports: 2, deployments: 1, audits: 1, lastActiveAt: '2026-03-01T12:00:00.000Z' });
    expect(Date.parse(after.joinedAt)).toBeGreaterThan(Date.parse(before.joinedAt));
  });

  it('the same after leaving; and a rejoin whose accept is later than the recorded activity shows the accept', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, mia);
    await h.activity(orgId, [{ type: 'AuditRun', actorId: 'mia', itemId: 'r1', occurredAt: '2026-03-01T09:00:03.500Z' }]);
    await h.leave(orgId, mia);
    const leftAt = h.iso();
    await h.catchUp();
    expect(await h.roster.member(orgId, 'mia')).toBeNull();
    const inv = await h.invite(orgId, olivia, mia.email);
    await h.accept(orgId, inv, mia);
    const acceptedAt = h.iso();
    await h.catchUp();
    expect(Date.parse(acceptedAt)).toBeGreaterThan(Date.parse(leftAt));
    expect(await h.roster.member(orgId, 'mia')).toMatchObject({ audits: 1, lastActiveAt: acceptedAt, joinedAt: acceptedAt });
  });
});

describe('invitations in the roster', () => {
  it('an invitation past its expiry shows as expired by time, without any InvitationExpired event', async () => {
    const orgId = await h.create(olivia);
    const id = await h.invite(orgId, olivia, 'late@example.com', 'admin', 60);
    const invitedAt = h.iso();
    const expiresAt = new Date(Date.parse(invitedAt) + 60_000).toISOString();
    await h.catchUp();

    const justBefore = new Date(Date.parse(expiresAt) - 1);
    expect((await list(orgId, { status: 'invited' }, justBefore)).map((r: any) => r.invitationId)).toEqual([id]);
    expect(await list(orgId, { status: 'expired' }, justBefore)).toEqual([]);

    for (const now of [new Date(expiresAt), FAR_FUTURE]) {
      const row = ((await list(orgId, {}, now)) as any[]).find((r) => r.kind === 'invitation');
      expect(row).toMatchObject({ invitationId: id, status: 'expired', expiresAt });
      expect((await list(orgId, { status: 'expired' }, now)).map((r: any) => r.invitationId)).toEqual([id]);
      expect(await list(orgId, { status: 'invited' }, now)).toEqual([]);
      expect((await list(orgId, { status: 'active' }, now)).map((r: any) => r.userId)).toEqual(['olivia']);
    }
  });

  it('an invitation recorded as expired stays listed as expired; a resend makes it invited again', async () => {
    const orgId = await h.create(olivia);
    const id = await h.invite(orgId, olivia, 'late@example.com', 'member', 60);
    h.advance(120_000);
    await h.expire(orgId, id);
    await h.catchUp();
    expect((await list(orgId, { status: 'expired' })).map((r: any) => r.invitationId)).toEqual([id]);
    await h.resend(orgId, olivia, id);
    const resentAt = h.iso();
    await h.catchUp();
    expect(await list(orgId, { status: 'invited' })).toEqual([
      expect.objectContaining({ invitationId: id, status: 'invited', expiresAt: new Date(Date.parse(resentAt) + 7 * 86_400_000).toISOString() }),
    ]);
  });

  it('re-inviting the email of an expired invitation drops the old row (expired by time, or by event)', async () => {
    const orgId = await h.create(olivia);
    const byTime = await h.invite(orgId, olivia, 'a@example.com', 'member', 60);
    const byEvent = await h.invite(orgId, olivia, 'b@example.com', 'member', 60);
    h.advance(120_000);
    await h.expire(orgId, byEvent);
    await h.catchUp();
    expect((await list(orgId, { status: 'expired' })).map((r: any) => r.invitationId).sort()).toEqual([byTime, byEvent].sort());

    const newA = await h.invite(orgId, olivia, 'A@Example.com', 'admin');
    const newB = await h.invite(orgId, olivia, 'b@example.com', 'member');
    await h.catchUp();
    const invitations = ((await list(orgId)) as any[]).filter((r) => r.kind === 'invitation');
    expect(invitations.map((r) => [r.invitationId, r.email, r.role, r.status]).sort()).toEqual(
      [
        [newA, 'a@example.com', 'admin', 'invited'],
        [newB, 'b@example.com', 'member', 'invited'],
      ].sort(),
    );
  });
});

describe('activity counts and lastActiveAt', () => {
  it('counts imports, deployments and audits; an item id sent twice is counted once; items without id each count', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, mia);
    await h.activity(orgId, [
      { type: 'AssetImported', actorId: 'mia', itemId: 'imp-1' },
      { type: 'AssetImported', actorId: 'mia', itemId: 'imp-2' },
      { type: 'AssetImported', actorId: 'mia', itemId: 'imp-1' }, // duplicate in the same batch
      { type: 'AssetDeployed', actorId: 'mia', itemId: 'dep-1' },
      { type: 'AuditRun', actorId: 'mia', itemId: null },
      { type: 'AuditRun', actorId: 'mia', itemId: null },
    ]);
    await h.catchUp();
    await h.activity(orgId, [
      { type: 'AssetImported', actorId: 'mia', itemId: 'imp-2' }, // duplicate in a later request
      { type: 'AssetDeployed', actorId: 'mia', itemId: 'dep-1' },
      { type: 'AssetImported', actorId: 'olivia', itemId: 'imp-3' },
    ]);
    await h.catchUp();
    expect(await h.roster.member(orgId, 'mia')).toMatchObject({ imports: 2, deployments: 1, audits: 2 });
    expect(await h.roster.member(orgId, 'olivia')).toMatchObject({ imports: 1, deployments: 0, audits: 0 });
  });

  it('item ids are per organization: the same id in another organization counts there', async () => {
    const one = await h.create(olivia);
    const two = await h.create(olivia);
    await h.activity(one, [{ type: 'AssetImported', actorId: 'olivia', itemId: 'same' }]);
    await h.activity(two, [{ type: 'AssetImported', actorId: 'olivia', itemId: 'same' }]);
    await h.catchUp();
    expect((await h.roster.member(one, 'olivia'))!.imports).toBe(1);
    expect((await h.roster.member(two, 'olivia'))!.imports).toBe(1);
  });

  it('lastActiveAt is the latest of team commands and activity; activity that happened earlier never lowers it', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, adam, 'admin');
    await h.invite(orgId, adam, 'x@example.com');
    const commandAt = h.iso();
    await h.catchUp();
    expect((await h.roster.member(orgId, 'adam'))!.lastActiveAt).toBe(commandAt);

    // activity done later than the command (recorded with an offset: shown in UTC)
    await h.activity(orgId, [{ type: 'AssetDeployed', actorId: 'adam', itemId: 'd', occurredAt: '2026-06-01T14:00:00+02:00' }]);
    await h.catchUp();
    expect((await h.roster.member(orgId, 'adam'))!.lastActiveAt).toBe('2026-06-01T12:00:00.000Z');

    // activity that happened in the past does not lower it
    await h.activity(orgId, [{ type: 'AuditRun', actorId: 'adam', itemId: 'old', occurredAt: '2025-01-01T00:00:00.000Z' }]);
    await h.catchUp();
    expect(await h.roster.member(orgId, 'adam')).toMatchObject({ lastActiveAt: '2026-06-01T12:00:00.000Z', audits: 1, deployments: 1 });

    // a later team command moves it on
    h.setClock('2026-07-01T00:00:00.000Z');
    await h.invite(orgId, adam, 'y@example.com');
    const laterCommandAt = h.iso();
    await h.catchUp();
    expect((await h.roster.member(orgId, 'adam'))!.lastActiveAt).toBe(laterCommandAt);

    // commands by others about adam are not adam's activity
    h.setClock('2026-08-01T00:00:00.000Z');
    await h.changeRole(orgId, olivia, 'adam', 'member');
    await h.catchUp();
    expect((await h.roster.member(orgId, 'adam'))!.lastActiveAt).toBe(laterCommandAt);
    expect((await h.roster.member(orgId, 'olivia'))!.lastActiveAt).toBe(h.iso());
  });

  it("the system's expiry of an invitation is nobody's activity", async () => {
    const orgId = await h.create(olivia);
    const id = await h.invite(orgId, olivia, 'x@example.com', 'member', 1);
    const invitedAt = h.iso();
    h.advance(86_400_000);
    await h.expire(orgId, id);
    await h.catchUp();
    expect((await h.roster.member(orgId, 'olivia'))!.lastActiveAt).toBe(invitedAt);
  });
});

describe('organization deletion', () => {
  it('clears every roster row of the organization, and only of it', async () => {
    const orgId = await h.create(olivia);
    const other = await h.create(adam);
    await h.join(orgId, olivia, mia);
    await h.invite(orgId, olivia, 'pending@example.com');
    await h.activity(orgId, [{ type: 'AssetImported', actorId: 'mia', itemId: 'i' }]);
    await h.catchUp();
    expect(await list(orgId)).toHaveLength(3);

    await h.deleteOrg(orgId, olivia);
    await h.catchUp();
    expect(await list(orgId)).toEqual([]);
    expect(await h.roster.member(orgId, 'olivia')).toBeNull();
    expect(await h.roster.member(orgId, 'mia')).toBeNull();
    expect((await list(other)).map((r: any) => r.userId)).toEqual(['adam']);
  });
});

describe('queries', () => {
  it('filters by q (case-insensitive substring of name or email), role and status together', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, actor('zed', 'Zed Müller', 'zed@corp.example'));
    await h.join(orgId, olivia, actor('amy', 'Amy Smith', 'amy@example.com'), 'admin');
    await h.invite(orgId, olivia, 'muller.inv@Example.com', 'admin');
    await h.catchUp();
    const ids = async (q: Record<string, unknown>) => (await list(orgId, q)).map((r: any) => r.userId ?? r.email);
    expect(await ids({ q: 'MÜLLER' })).toEqual(['zed']);
    expect(await ids({ q: 'CORP.EX' })).toEqual(['zed']);
    expect(await ids({ q: 'muller' })).toEqual(['muller.inv@example.com']);
    expect(await ids({ q: 'smith', role: 'admin' })).toEqual(['amy']);
    expect((await ids({ q: 'example.com', role: 'admin' })).sort()).toEqual(['amy', 'muller.inv@example.com']);
    expect(await ids({ q: 'example.com', role: 'admin', status: 'active' })).toEqual(['amy']);
    expect(await ids({ q: 'example.com', status: 'invited' })).toEqual(['muller.inv@example.com']);
    expect(await ids({ q: 'nobody-here' })).toEqual([]);
  });

  it('refuses bad parameters with validation_failed', async () => {
    const orgId = await h.create(olivia);
    await h.catchUp();
    for (const q of [{ status: 'bogus' }, { role: 'bogus' }, { sort: 'bogus' }, { sort: '-' }, { limit: '0' }, { limit: '201' }, { limit: 'abc' }, { cursor: 'garbage' }, { unknown: '1' }]) {
      let error: unknown;
      try {
        await h.roster.list(orgId, q, h.now());
      } catch (e) {
        error = e;
      }
      expect({ q, code: (error as ApiError | undefined)?.code }).toEqual({ q, code: 'validation_failed' });
    }
  });
});

describe('idempotence', () => {
  async function history(f: ReadFixture = h) {
    const orgId = await f.create(olivia);
    await f.join(orgId, olivia, adam, 'admin');
    await f.join(orgId, adam, mia);
    await f.invite(orgId, adam, 'p@example.com');
    await f.activity(orgId, [
      { type: 'AssetImported', actorId: 'mia', itemId: 'x' },
      { type: 'AssetImported', actorId: 'mia', itemId: 'x' },
      { type: 'AuditRun', actorId: 'adam', itemId: null },
    ]);
    await f.changeRole(orgId, olivia, 'mia', 'admin');
    await f.remove(orgId, olivia, 'adam');
    return orgId;
  }

  it('catching up again changes nothing', async () => {
    const orgId = await history();
    await h.catchUp();
    const first = snapshot(h.db);
    const rows = await list(orgId);
    await h.catchUp();
    await h.catchUp();
    expect(snapshot(h.db)).toEqual(first);
    expect(await list(orgId)).toEqual(rows);
    expect(await h.roster.member(orgId, 'mia')).toMatchObject({ imports: 1, audits: 0, role: 'admin' });
  });

  it('a second runner on the same database replays the same events without applying them twice', async () => {
    // created (and its first pass run) before anything is projected: it starts from position 0 and reads every event again
    const second = projectionRunner(h.store, h.readStore, [rosterProjection.name]);
    await second.catchUp();
    const orgId = await history();
    await h.catchUp();
    const first = snapshot(h.db);
    await second.catchUp();
    expect(second.position()).toBe(await h.store.headPosition());
    expect(snapshot(h.db)).toEqual(first);
    expect(await h.roster.member(orgId, 'mia')).toMatchObject({ imports: 1 });
    // and a third one, made now, starts from the stored checkpoint
    const third = projectionRunner(h.store, h.readStore, [rosterProjection.name]);
    await third.catchUp();
    expect(snapshot(h.db)).toEqual(first);
    await second.stop();
    await third.stop();
  });

  it('a batch that fails part-way leaves the model and the checkpoint exactly as they were', async () => {
    // The real projections and the failing one share one read database: a SQLite file opened twice,
    // once with the real projections (the fixture's) and once with the failing roster projection.
    const dir = mkdtempSync(join(tmpdir(), 'roster-failing-batch-'));
    const file = join(dir, 'read.sqlite');
    const g = readFixture({ readStore: openSqliteReadStore(file, [...ALL_PROJECTIONS, activityLogProjection]) });
    let failingStore: SqliteReadStore | undefined;
    try {
      const orgId = await history(g);
      await g.catchUp();
      const before = snapshot(g.db);
      const checkpoints = g.db.prepare('SELECT * FROM checkpoints ORDER BY projection').all();
      // a good event, then one whose application fails (a disk error, a bug), in one batch
      await g.activity(orgId, [{ type: 'AssetImported', actorId: 'mia', itemId: 'fine' }]);
      await g.activity(orgId, [{ type: 'AssetImported', actorId: 'mia', itemId: 'bad' }]);
      const failing = {
        ...rosterProjection,
        prepare(db: Parameters<typeof rosterProjection.prepare>[0]) {
          const apply = rosterProjection.prepare(db);
          return (event: Parameters<typeof apply>[0]) => {
            if ((event.data as { itemId?: string }).itemId === 'bad') throw new Error('cannot apply');
            apply(event);
          };
        },
      };
      failingStore = openSqliteReadStore(file, [failing]);
      const fresh = projectionRunner(g.store, failingStore, [failing.name]);
      await expect(fresh.catchUp()).rejects.toThrow();
      expect(snapshot(g.db)).toEqual(before);
      expect(g.db.prepare('SELECT * FROM checkpoints ORDER BY projection').all()).toEqual(checkpoints);
      await fresh.stop();
    } finally {
      await failingStore?.close();
      await g.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an activity time it cannot read does not stop the read side: it counts, dated when recorded', async () => {
    const orgId = await history();
    await h.activity(orgId, [{ type: 'AssetImported', actorId: 'mia', itemId: 'odd-time', occurredAt: 'not a time' }]);
    await expect(h.catchUp()).resolves.toBeUndefined();
    const row = (await rosterQueries(h.db).member(orgId, 'mia'))!;
    expect(row.imports).toBeGreaterThan(0);
    expect(Date.parse(row.lastActiveAt!)).not.toBeNaN();
  });

  it('catching up event by event (batch size 1) gives the same model as one batch', async () => {
    await history();
    await h.catchUp();
    const other = readFixture();
    try {
      for (const e of await h.store.readAll(0, 10_000)) await other.store.append(e.streamId, 'any', [{ type: e.type, data: e.data, metadata: e.metadata }]);
      const oneByOne = projectionRunner(other.store, other.readStore, [rosterProjection.name], { batchSize: 1 });
      await oneByOne.catchUp();
      const pick = (s: Record<string, unknown>) => ({ roster: s.roster, roster_stats: s.roster_stats, roster_seen_items: s.roster_seen_items });
      // `other` has all projections' tables (its read store has them all); compare the roster's only
      expect(pick(snapshot(other.db))).toEqual(pick(snapshot(h.db)));
      await oneByOne.stop();
    } finally {
      await other.close();
    }
  });
});
