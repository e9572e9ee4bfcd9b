import { ApiError } from '../../platform/http/problem';
import { invited, joined, removed } from '../../organizations/domain/testing/fixtures';
import { ACTIVITY_LOG_TYPES } from './activity-log.projection';
import { activityLogReader, type ActivityLogReader } from './activity-log.query';
import { audited, deployed, imported, logFixture, type LogFixture } from './testing/fixtures';

const ORG = 'org-1';
const olivia = { userId: 'olivia', email: 'olivia@example.com', name: 'Olivia' };
const mia = { userId: 'mia', email: 'mia@example.com', name: 'Mia' };
const at = (day: number, hour = 10) => `2026-01-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

let f: LogFixture;
let read: ActivityLogReader;
beforeAll(async () => {
  f = logFixture();
  read = activityLogReader(f.db);
  await f.team(ORG, at(1), 'olivia', { type: 'OrganizationCreated', data: { orgId: ORG, name: 'Acme', createdBy: 'olivia' } }, joined(olivia, 'owner'));
  await f.team(ORG, at(2), 'olivia', invited('inv-mia', mia.email, 'member', 'olivia'));
  await f.team(ORG, at(2), 'mia', { type: 'InvitationAccepted', data: { invitationId: 'inv-mia', userId: 'mia' } }, joined(mia, 'member', 'inv-mia'));
  // Five items at the same instant (ties broken by position), and some in the past.
  await f.activity(ORG, at(3), ...[1, 2, 3, 4, 5].map((n) => imported('mia', `same-${n}`, at(3))));
  await f.activity(ORG, at(4), deployed('olivia', 'd1', at(1, 12)), audited('mia', 'a1', at(4)));
  await f.team(ORG, at(5), 'olivia', removed('mia', 'member', 'olivia'));
  await f.team('org-2', at(5), 'olivia', { type: 'OrganizationCreated', data: { orgId: 'org-2', name: 'Other', createdBy: 'olivia' } }, joined(olivia, 'owner'));
  await f.runner.catchUp();
});
afterAll(() => f.close());

const types = async (query: Record<string, unknown> = {}) => (await read(ORG, query)).items.map((i) => i.type);

/** Every item, following nextCursor page after page. */
async function walk(query: Record<string, string>) {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await read(ORG, { ...query, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(Number(query.limit ?? 50));
    seen.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return { seen, pages };
}

async function expectInvalid(query: Record<string, unknown>, field: string) {
  try {
    await read(ORG, query);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('validation_failed');
    expect((error as ApiError).errors?.map((e) => e.field)).toEqual([field]);
    return;
  }
  throw new Error(`${JSON.stringify(query)} was accepted`);
}

describe('the activity log query', () => {
  it('lists the organization newest first (occurredAt, then the later event first)', async () => {
    const page = await read(ORG, {});
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((i) => [i.type, i.occurredAt, i.actorName])).toEqual([
      ['member_removed', at(5), 'Olivia'],
      ['audit_run', at(4), 'Mia'],
      ...[5, 4, 3, 2, 1].map(() => ['asset_imported', at(3), 'Mia']),
      ['invitation_accepted', at(2), 'Mia'],
      ['member_invited', at(2), 'Olivia'],
      ['asset_deployed', at(1, 12), 'Olivia'],
      ['org_created', at(1), 'Olivia'],
    ]);
    expect(page.items.slice(2, 7).map((i) => (i.data as { itemId: string }).itemId)).toEqual(['same-5', 'same-4', 'same-3', 'same-2', 'same-1']);
    expect(page.items[0]).toEqual({
      id: expect.any(String),
      type: 'member_removed',
      actorId: 'olivia',
      actorName: 'Olivia',
      occurredAt: at(5),
      data: { userId: 'mia', role: 'member', removedBy: 'olivia' },
    });
  });

  it('filters by actorId, type, from and to (inclusive), combined', async () => {
    expect(await types({ actorId: 'olivia' })).toEqual(['member_removed', 'member_invited', 'asset_deployed', 'org_created']);
    expect(await types({ actorId: 'nobody' })).toEqual([]);
    expect(await types({ type: 'asset_imported' })).toHaveLength(5);
    expect(await types({ type: 'org_renamed' })).toEqual([]);
    expect(await types({ from: at(4) })).toEqual(['member_removed', 'audit_run']);
    expect(await types({ to: at(1, 12) })).toEqual(['asset_deployed', 'org_created']);
    expect(await types({ from: '2026-01-01T11:00:00+00:00', to: '2026-01-02T12:00:00+02:00' })).toEqual(['invitation_accepted', 'member_invited', 'asset_deployed']);
    expect(await types({ from: at(3), to: at(3) })).toHaveLength(5);
    expect(await types({ actorId: 'mia', type: 'audit_run', from: at(4), to: at(4) })).toEqual(['audit_run']);
  });

  it('walks every row once with limit=2, through ties', async () => {
    const all = (await read(ORG, {})).items.map((i) => i.id);
    const { seen, pages } = await walk({ limit: '2' });
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(11);
    expect(pages).toBe(6);
    expect((await walk({ limit: '1', type: 'asset_imported' })).seen).toEqual((await read(ORG, { type: 'asset_imported' })).items.map((i) => i.id));
  });

  it('answers only the asked organization', async () => {
    expect((await read('org-2', {})).items.map((i) => i.type)).toEqual(['org_created']);
    expect(await read('org-unknown', {})).toEqual({ items: [], nextCursor: null });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ sort: 'name' }, 'sort'],
    [{ type: 'asset_removed' }, 'type'],
    [{ type: 'MemberInvited' }, 'type'],
    [{ type: '' }, 'type'],
    [{ actorId: '' }, 'actorId'],
    [{ from: 'yesterday' }, 'from'],
    [{ from: '2026-01-01' }, 'from'],
    [{ to: '2026-01-01T10:00:00' }, 'to'],
    [{ from: at(3), to: at(2) }, 'from'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ cursor: 'nonsense' }, 'cursor'],
    [{ cursor: Buffer.from(JSON.stringify([1, 'x'])).toString('base64url') }, 'cursor'],
    [{ type: ['audit_run', 'asset_imported'] }, 'type'],
  ])('refuses %j → validation_failed on %s', async (query, field) => {
    await expectInvalid(query, field);
  });

  it('knows the 15 types', () => {
    expect([...ACTIVITY_LOG_TYPES].sort()).toEqual(
      [
        'org_created', 'member_invited', 'invitation_resent', 'invitation_revoked', 'invitation_expired', 'invitation_accepted',
        'invitation_declined', 'role_changed', 'ownership_transferred', 'member_removed', 'member_left', 'org_renamed',
        'asset_imported', 'asset_deployed', 'audit_run',
      ].sort(),
    );
  });
});
