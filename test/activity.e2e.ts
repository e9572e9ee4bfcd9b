// Activity over HTTP: members and services recording items, and the activity log read back with
// X-Min-Position (read your writes).
import { startTestApp, type TestApp, type TestResponse } from './support/test-app';
import { ISO_UTC, createOrg, emailOf, expectProblem, expectValidation, invite, linkFor, team, uniq } from './support/team';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

type Item = { type: string; id?: string; occurredAt?: string; subject?: string; actorId?: string };
type LogItem = { id: string; type: string; actorId: string | null; actorName: string | null; occurredAt: string; data: any };

const record = (orgId: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  t.request('POST', `/orgs/${orgId}/activity`, { token, body, headers });
const items = (...list: Item[]) => ({ items: list });
const many = (n: number, item: Item = { type: 'audit_run' }) => ({ items: Array.from({ length: n }, () => item) });
const positionOf = (res: TestResponse) => {
  const position = res.headers.get('x-position');
  expect(position).toMatch(/^\d+$/);
  return position!;
};
const getLog = (orgId: string, token: string, query = '', minPosition?: string) =>
  t.request('GET', `/orgs/${orgId}/activity-log${query}`, { token, headers: minPosition ? { 'x-min-position': minPosition } : {} });

/** Every item of the log, following nextCursor; fails on a repeat. */
async function walk(orgId: string, token: string, query: string, minPosition: string) {
  const seen: LogItem[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const sep = query ? '&' : '?';
    const res = await getLog(orgId, token, query + (cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''), minPosition);
    expect(res.status).toBe(200);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  expect(new Set(seen.map((i) => i.id)).size).toBe(seen.length);
  return seen;
}

async function serviceToken(sub = uniq('svc')) {
  return t.token(sub, { scope: 'activity:ingest' });
}

describe('POST /orgs/:orgId/activity with a member token', () => {
  it('202 { accepted } with X-Position; every role may record its own activity', async () => {
    const { orgId, ownerToken, admins, members } = await team(t, { admins: 1, members: 1 });
    const res = await record(orgId, members[0].token, items({ type: 'asset_imported' }, { type: 'asset_deployed', subject: 'x' }, { type: 'audit_run' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 3 });
    positionOf(res);
    expect((await record(orgId, admins[0].token, items({ type: 'audit_run', actorId: admins[0].sub }))).status).toBe(202);
    const owner = await record(orgId, ownerToken, many(1000, { type: 'asset_imported' }));
    expect(owner.status).toBe(202);
    expect(owner.body).toEqual({ accepted: 1000 });
    expect(Number(positionOf(owner))).toBeGreaterThan(Number(positionOf(res)));
  });

  it('validates the body: 0 or 1001 items, unknown type, unknown fields, bad values → 400', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    expectValidation(await record(orgId, ownerToken, many(1001)), 'items');
    expectValidation(await record(orgId, ownerToken, items()), 'items');
    expectValidation(await record(orgId, ownerToken, {}), 'items');
    expectValidation(await record(orgId, ownerToken, items({ type: 'audit_run' }, { type: 'asset_deleted' })), 'items.1.type');
    expectValidation(await record(orgId, ownerToken, { items: [{ type: 'audit_run', extra: true }] }), 'items.0.extra');
    expectValidation(await record(orgId, ownerToken, { items: [{ type: 'audit_run' }], extra: true }), 'extra');
    expectValidation(await record(orgId, ownerToken, items({ type: 'audit_run', occurredAt: '2026-01-01T10:00:00' })), 'items.0.occurredAt');
    expectValidation(await record(orgId, ownerToken, items({ type: 'audit_run', id: '' })), 'items.0.id');
    expectValidation(await record(orgId, ownerToken, items({ type: 'audit_run', subject: 's'.repeat(501) })), 'items.0.subject');
  });

  it('naming another actor → 403 forbidden, and nothing of the request is recorded', async () => {
    const { orgId, ownerSub, ownerToken, members } = await team(t, { members: 1 });
    const res = await record(orgId, members[0].token, items({ type: 'audit_run', id: 'mine' }, { type: 'audit_run', id: 'theirs', actorId: ownerSub }));
    expectProblem(res, 403, 'forbidden');
    const last = positionOf(await record(orgId, ownerToken, items({ type: 'audit_run' })));
    const log = await getLog(orgId, ownerToken, '?type=audit_run', last);
    expect(log.body.items.map((i: LogItem) => i.actorId)).toEqual([ownerSub]);
  });

  it('a non-member, a removed member, an unknown organization → 404 not_found', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    const stranger = await t.token(uniq('stranger'));
    expectProblem(await record(orgId, stranger, items({ type: 'audit_run' })), 404, 'not_found');
    expectProblem(await record('no-such-org', ownerToken, items({ type: 'audit_run' })), 404, 'not_found');
    expect((await t.request('DELETE', `/orgs/${orgId}/members/${members[0].sub}`, { token: ownerToken })).status).toBe(204);
    expectProblem(await record(orgId, members[0].token, items({ type: 'audit_run' })), 404, 'not_found');
  });

  it('without a token → 401', async () => {
    const { orgId } = await createOrg(t);
    expectProblem(await t.request('POST', `/orgs/${orgId}/activity`, { body: items({ type: 'audit_run' }) }), 401, 'unauthenticated');
  });

  it('Idempotency-Key replays the answer without recording twice', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const key = { 'idempotency-key': uniq('key') };
    const first = await record(orgId, ownerToken, items({ type: 'asset_deployed' }), key);
    const again = await record(orgId, ownerToken, items({ type: 'asset_deployed' }), key);
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('x-position')).toBe(first.headers.get('x-position'));
    const log = await getLog(orgId, ownerToken, '?type=asset_deployed', positionOf(first));
    expect(log.body.items).toHaveLength(1);
  });
});

describe('POST /orgs/:orgId/activity with a service token (scope activity:ingest)', () => {
  it('records for a named active member → 202', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    const svc = await serviceToken();
    const res = await record(orgId, svc, items({ type: 'asset_deployed', actorId: members[0].sub, id: 'dep-1', subject: 'portal' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1 });
    const log = await getLog(orgId, ownerToken, '?type=asset_deployed', positionOf(res));
    expect(log.body.items).toEqual([
      {
        id: expect.any(String),
        type: 'asset_deployed',
        actorId: members[0].sub,
        actorName: `Name ${members[0].sub}`,
        occurredAt: expect.stringMatching(ISO_UTC),
        data: { itemId: 'dep-1', subject: 'portal' },
      },
    ]);
  });

  it('without actorId → 400 on items.<i>.actorId', async () => {
    const { orgId, ownerSub } = await createOrg(t);
    const res = await record(orgId, await serviceToken(), items({ type: 'audit_run', actorId: ownerSub }, { type: 'audit_run' }));
    expectValidation(res, 'items.1.actorId');
  });

  it('an actor who is not an active member → 422 actor_not_member', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    const svc = await serviceToken();
    expectProblem(await record(orgId, svc, items({ type: 'audit_run', actorId: uniq('nobody') })), 422, 'actor_not_member');
    expect((await t.request('DELETE', `/orgs/${orgId}/members/${members[0].sub}`, { token: ownerToken })).status).toBe(204);
    expectProblem(await record(orgId, svc, items({ type: 'audit_run', actorId: members[0].sub })), 422, 'actor_not_member');
  });

  it('an unknown or deleted organization → 404', async () => {
    const { orgId, ownerSub, ownerToken } = await createOrg(t);
    const svc = await serviceToken();
    expectProblem(await record('no-such-org', svc, items({ type: 'audit_run', actorId: ownerSub })), 404, 'not_found');
    expect((await t.request('DELETE', `/orgs/${orgId}`, { token: ownerToken })).status).toBe(204);
    expectProblem(await record(orgId, svc, items({ type: 'audit_run', actorId: ownerSub })), 404, 'not_found');
  });

  it('gets nothing a non-member would not: GET activity-log → 404, even when its sub is a member', async () => {
    const { orgId, ownerSub } = await createOrg(t);
    expectProblem(await getLog(orgId, await serviceToken()), 404, 'not_found');
    expectProblem(await getLog(orgId, await serviceToken(ownerSub)), 404, 'not_found');
    expectProblem(await t.request('GET', `/orgs/${orgId}`, { token: await serviceToken() }), 404, 'not_found');
  });
});

describe('GET /orgs/:orgId/activity-log', () => {
  it('newest first, with team changes and activity, each actor named', async () => {
    const { orgId, ownerSub, ownerToken, admins, members } = await team(t, { admins: 1, members: 1 });
    const [admin] = admins;
    const [member] = members;
    expect((await t.request('PATCH', `/orgs/${orgId}/members/${member.sub}`, { token: admin.token, body: { role: 'admin' } })).status).toBe(200);
    expect((await t.request('PATCH', `/orgs/${orgId}`, { token: ownerToken, body: { name: 'Renamed' } })).status).toBe(200);
    const last = await record(orgId, member.token, items({ type: 'asset_imported', subject: 'logo.svg' }));
    expect(last.status).toBe(202);

    const res = await getLog(orgId, member.token, '', positionOf(last));
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const log: LogItem[] = res.body.items;
    for (const item of log) {
      expect(Object.keys(item).sort()).toEqual(['actorId', 'actorName', 'data', 'id', 'occurredAt', 'type']);
      expect(item.occurredAt).toMatch(ISO_UTC);
      expect(item.actorName).toEqual(expect.any(String));
    }
    const sorted = [...log].sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : 0));
    expect(log.map((i) => i.occurredAt)).toEqual(sorted.map((i) => i.occurredAt));
    expect(log.map((i) => [i.type, i.actorId, i.actorName])).toEqual([
      ['asset_imported', member.sub, `Name ${member.sub}`],
      ['org_renamed', ownerSub, `Owner ${ownerSub}`],
      ['role_changed', admin.sub, `Name ${admin.sub}`],
      ['invitation_accepted', member.sub, `Name ${member.sub}`],
      ['member_invited', ownerSub, `Owner ${ownerSub}`],
      ['invitation_accepted', admin.sub, `Name ${admin.sub}`],
      ['member_invited', ownerSub, `Owner ${ownerSub}`],
      ['org_created', ownerSub, `Owner ${ownerSub}`],
    ]);
    expect(log[0].data).toEqual({ itemId: null, subject: 'logo.svg' });
    expect(log[2].data).toEqual({ userId: member.sub, from: 'member', to: 'admin', changedBy: admin.sub });
    expect(log[7].data).toMatchObject({ orgId, createdBy: ownerSub });
  });

  it('filters by actorId, type, from and to; pages with limit=2 without repeats', async () => {
    const { orgId, ownerSub, ownerToken, members } = await team(t, { members: 1 });
    const [member] = members;
    const day = (d: number) => `2020-01-0${d}T12:00:00.000Z`;
    await record(orgId, member.token, items({ type: 'asset_imported', occurredAt: day(1) }, { type: 'audit_run', occurredAt: day(2) }));
    const last = await record(orgId, ownerToken, items({ type: 'asset_deployed', occurredAt: '2020-01-03T13:00:00+01:00' }, { type: 'audit_run', occurredAt: day(4) }));
    const at = positionOf(last);
    const types = async (query: string) => {
      const res = await getLog(orgId, ownerToken, query, at);
      expect(res.status).toBe(200);
      return res.body.items.map((i: LogItem) => i.type);
    };

    expect(await types(`?actorId=${member.sub}`)).toEqual(['invitation_accepted', 'audit_run', 'asset_imported']);
    expect(await types(`?actorId=${ownerSub}&type=audit_run`)).toEqual(['audit_run']);
    expect(await types('?type=member_invited')).toEqual(['member_invited']);
    expect(await types('?type=org_renamed')).toEqual([]);
    expect(await types(`?from=${day(2)}&to=${day(3)}`)).toEqual(['asset_deployed', 'audit_run']);
    expect(await types('?from=2020-01-02T12:00:00.000Z&to=2020-01-02T12:00:00.000Z')).toEqual(['audit_run']);
    expect(await types(`?to=${encodeURIComponent('2020-01-02T13:00:00+01:00')}`)).toEqual(['audit_run', 'asset_imported']);
    expect(await types(`?from=${day(4)}&type=audit_run`)).toEqual(['audit_run']);

    const all = (await getLog(orgId, ownerToken, '', at)).body.items as LogItem[];
    expect(all).toHaveLength(7);
    const walked = await walk(orgId, ownerToken, '?limit=2', at);
    expect(walked.map((i) => i.id)).toEqual(all.map((i) => i.id));
    const first = await getLog(orgId, ownerToken, '?limit=2', at);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const audits = await walk(orgId, ownerToken, '?type=audit_run&limit=1', at);
    expect(audits.map((i) => i.occurredAt)).toEqual([day(4), day(2)]);
  });

  it('invalid filters, unknown parameters, bad limit or cursor → 400 validation_failed', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const expectBad = async (query: string, field: string) => expectValidation(await getLog(orgId, ownerToken, query), field);
    await expectBad('?type=asset_removed', 'type');
    await expectBad('?type=MemberInvited', 'type');
    await expectBad('?from=yesterday', 'from');
    await expectBad('?to=2026-01-01', 'to');
    await expectBad('?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from');
    await expectBad('?actorId=', 'actorId');
    await expectBad('?sort=name', 'sort');
    await expectBad('?limit=0', 'limit');
    await expectBad('?limit=201', 'limit');
    await expectBad('?cursor=garbage', 'cursor');
    await expectBad('?type=audit_run&type=asset_imported', 'type');
  });

  it('a non-member or a removed member → 404; without a token → 401', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    expectProblem(await getLog(orgId, await t.token(uniq('stranger'))), 404, 'not_found');
    expectProblem(await getLog('no-such-org', ownerToken), 404, 'not_found');
    expect((await t.request('DELETE', `/orgs/${orgId}/members/${members[0].sub}`, { token: ownerToken })).status).toBe(204);
    expectProblem(await getLog(orgId, members[0].token), 404, 'not_found');
    expectProblem(await t.request('GET', `/orgs/${orgId}/activity-log`), 401, 'unauthenticated');
  });

  it('an item id sent twice, in one request or in two, appears once', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const first = await record(orgId, ownerToken, items({ type: 'asset_imported', id: 'dup', subject: 'one' }, { type: 'asset_imported', id: 'dup', subject: 'two' }));
    expect(first.body).toEqual({ accepted: 2 });
    const second = await record(orgId, ownerToken, items({ type: 'asset_imported', id: 'dup' }, { type: 'asset_imported', id: 'other' }));
    expect(second.status).toBe(202);
    const other = await createOrg(t);
    const elsewhere = await record(other.orgId, other.ownerToken, items({ type: 'asset_imported', id: 'dup' }));

    const log = await getLog(orgId, ownerToken, '?type=asset_imported', positionOf(elsewhere));
    expect(log.body.items.map((i: LogItem) => i.data)).toEqual([
      { itemId: 'other', subject: null },
      { itemId: 'dup', subject: 'one' },
    ]);
    const otherLog = await getLog(other.orgId, other.ownerToken, '?type=asset_imported', positionOf(elsewhere));
    expect(otherLog.body.items).toHaveLength(1);
  });

  it("a removed member's entries remain, with the name they had", async () => {
    const { orgId, ownerSub, ownerToken, members } = await team(t, { members: 1 });
    const [gone] = members;
    expect((await record(orgId, gone.token, items({ type: 'audit_run', id: 'before' }))).status).toBe(202);
    const removal = await t.request('DELETE', `/orgs/${orgId}/members/${gone.sub}`, { token: ownerToken });
    expect(removal.status).toBe(204);

    const log = await getLog(orgId, ownerToken, '', positionOf(removal));
    expect(log.body.items.slice(0, 3).map((i: LogItem) => [i.type, i.actorId, i.actorName])).toEqual([
      ['member_removed', ownerSub, `Owner ${ownerSub}`],
      ['audit_run', gone.sub, `Name ${gone.sub}`],
      ['invitation_accepted', gone.sub, `Name ${gone.sub}`],
    ]);
    expect(log.body.items[0].data).toEqual({ userId: gone.sub, role: 'member', removedBy: ownerSub });

    // Rejoining under another name changes only what follows.
    expect((await invite(t, orgId, ownerToken, emailOf(gone.sub), 'member')).status).toBe(201);
    const renamed = await t.token(gone.sub, { name: 'New Name' });
    expect((await t.request('POST', `/invitations/${await linkFor(t, emailOf(gone.sub))}/accept`, { token: renamed })).status).toBe(200);
    const after = await record(orgId, renamed, items({ type: 'audit_run', id: 'after' }));
    const byActor = await getLog(orgId, ownerToken, `?actorId=${gone.sub}`, positionOf(after));
    expect(byActor.body.items.map((i: LogItem) => [i.type, i.actorName])).toEqual([
      ['audit_run', 'New Name'],
      ['invitation_accepted', 'New Name'],
      ['audit_run', `Name ${gone.sub}`],
      ['invitation_accepted', `Name ${gone.sub}`],
    ]);
  });
});
