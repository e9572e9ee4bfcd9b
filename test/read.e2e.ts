// The read side over HTTP: GET /orgs, the roster, invitations lists, authorization of reads, and
// read-your-writes with X-Min-Position. Activity is appended straight to the app's event store (the
// ingestion route is not part of these tests).
import { startTestApp, type TestApp, type TestResponse } from './support/test-app';
import { ISO_UTC, createOrg, emailOf, expectProblem, expectValidation, invite, linkFor, mailsTo, team, uniq, waitUntilPast } from './support/team';
import { tokenIn } from './support/outbox';
import { appendActivity, getAt, headPosition, joinAs, walk } from './support/read';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const members = (orgId: string, token: string, query = '', minPosition?: string | null) =>
  getAt(t, `/orgs/${orgId}/members${query ? `?${query}` : ''}`, token, minPosition);
const positionOf = (res: TestResponse) => {
  const p = res.headers.get('x-position');
  if (!p) throw new Error(`no X-Position on ${res.status} ${res.text}`);
  return p;
};

describe('GET /orgs', () => {
  it("lists the caller's organizations with role and memberCount; not those left, removed from or deleted", async () => {
    const me = uniq('me');
    const myToken = await t.token(me, { name: 'Me' });
    const own = await createOrg(t, me, 'Mine');
    const asAdmin = await team(t, { members: 1 });
    await joinAs(t, asAdmin.orgId, asAdmin.ownerToken, me, 'admin', 'Me');
    const asMember = await team(t, { admins: 1 });
    await joinAs(t, asMember.orgId, asMember.ownerToken, me, 'member', 'Me');
    const left = await createOrg(t);
    await joinAs(t, left.orgId, left.ownerToken, me, 'member', 'Me');
    expect((await t.request('POST', `/orgs/${left.orgId}/leave`, { token: myToken })).status).toBe(204);
    const removedFrom = await createOrg(t);
    await joinAs(t, removedFrom.orgId, removedFrom.ownerToken, me, 'admin', 'Me');
    expect((await t.request('DELETE', `/orgs/${removedFrom.orgId}/members/${me}`, { token: removedFrom.ownerToken })).status).toBe(204);
    const deleted = await createOrg(t, me, 'Doomed');
    const del = await t.request('DELETE', `/orgs/${deleted.orgId}`, { token: myToken });
    expect(del.status).toBe(204);

    const res = await getAt(t, '/orgs', myToken, positionOf(del));
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const byId = Object.fromEntries(res.body.items.map((o: any) => [o.id, o]));
    expect(Object.keys(byId).sort()).toEqual([own.orgId, asAdmin.orgId, asMember.orgId].sort());
    expect(byId[own.orgId]).toEqual({ id: own.orgId, name: 'Mine', ownerId: me, memberCount: 1, createdAt: own.org.createdAt, role: 'owner' });
    expect(byId[asAdmin.orgId]).toEqual({ ...asAdmin.org, memberCount: 3, role: 'admin' });
    expect(byId[asMember.orgId]).toEqual({ ...asMember.org, memberCount: 3, role: 'member' });
    for (const o of res.body.items) expect(o.createdAt).toMatch(ISO_UTC);
  });

  it('follows role changes and ownership transfers', async () => {
    const { orgId, ownerSub, ownerToken, admins } = await team(t, { admins: 1 });
    const tr = await t.request('POST', `/orgs/${orgId}/ownership-transfer`, { token: ownerToken, body: { newOwnerId: admins[0].sub } });
    expect(tr.status).toBe(200);
    const mine = await getAt(t, '/orgs', ownerToken, positionOf(tr));
    expect(mine.body.items).toEqual([expect.objectContaining({ id: orgId, role: 'admin', ownerId: admins[0].sub })]);
    const theirs = await getAt(t, '/orgs', admins[0].token, positionOf(tr));
    expect(theirs.body.items).toEqual([expect.objectContaining({ id: orgId, role: 'owner', ownerId: admins[0].sub })]);
    const down = await t.request('PATCH', `/orgs/${orgId}/members/${ownerSub}`, { token: admins[0].token, body: { role: 'member' } });
    expect(down.status).toBe(200);
    expect((await getAt(t, '/orgs', ownerToken, positionOf(down))).body.items).toEqual([expect.objectContaining({ id: orgId, role: 'member' })]);
  });

  it('paginates with limit and cursor: every organization exactly once', async () => {
    const me = uniq('many');
    const token = await t.token(me);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createOrg(t, me, `Many ${i}`)).orgId);
    const head = await headPosition(t);
    for (const limit of [1, 2, 3]) {
      const { items, pages } = await walk(t, '/orgs', token, limit, head);
      expect(items.map((o) => o.id).sort()).toEqual([...ids].sort());
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(5 / limit));
    }
    const first = await getAt(t, '/orgs?limit=2', token, head);
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe('string');
  });

  it('bad parameters → 400 validation_failed; no token → 401', async () => {
    const token = await t.token(uniq('x'));
    expectValidation(await t.request('GET', '/orgs?limit=0', { token }), 'limit');
    expectValidation(await t.request('GET', '/orgs?limit=201', { token }), 'limit');
    expectValidation(await t.request('GET', '/orgs?limit=abc', { token }), 'limit');
    expectValidation(await t.request('GET', '/orgs?cursor=garbage', { token }), 'cursor');
    expectValidation(await t.request('GET', '/orgs?sort=name', { token }), 'sort');
    expectProblem(await t.request('GET', '/orgs'), 401, 'unauthenticated');
  });
});

describe('GET /orgs/:orgId/members', () => {
  it('lists member rows and invitation rows exactly as API.md', async () => {
    const { orgId, org, ownerSub, ownerToken } = await createOrg(t);
    const admin = await joinAs(t, orgId, ownerToken, uniq('adm'), 'admin', 'Ada Admin');
    const nameless = await joinAs(t, orgId, ownerToken, uniq('nn'), 'member', null);
    const invited = uniq('inv');
    const inv = await invite(t, orgId, admin.token, ` ${emailOf(invited).toUpperCase()} `, 'admin');
    expect(inv.status).toBe(201);

    const res = await members(orgId, ownerToken, '', positionOf(inv));
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const rows: any[] = res.body.items;
    expect(rows).toHaveLength(4);
    const byKey = Object.fromEntries(rows.map((r) => [r.kind === 'member' ? r.userId : r.invitationId, r]));
    const memberRow = (r: any) => ({
      kind: 'member',
      userId: r.userId,
      name: expect.any(String),
      email: expect.any(String),
      role: expect.any(String),
      status: 'active',
      joinedAt: expect.stringMatching(ISO_UTC),
      lastActiveAt: expect.stringMatching(ISO_UTC),
      imports: 0,
      deployments: 0,
      audits: 0,
    });
    expect(byKey[ownerSub]).toEqual({ ...memberRow(byKey[ownerSub]), name: `Owner ${ownerSub}`, email: emailOf(ownerSub), role: 'owner', joinedAt: org.createdAt });
    expect(byKey[admin.sub]).toEqual({ ...memberRow(byKey[admin.sub]), name: 'Ada Admin', email: emailOf(admin.sub), role: 'admin' });
    expect(byKey[nameless.sub]).toEqual({ ...memberRow(byKey[nameless.sub]), name: emailOf(nameless.sub), email: emailOf(nameless.sub), role: 'member' });
    expect(byKey[inv.body.id]).toEqual({
      kind: 'invitation',
      invitationId: inv.body.id,
      email: emailOf(invited),
      role: 'admin',
      status: 'invited',
      invitedAt: inv.body.invitedAt,
      invitedBy: admin.sub,
      expiresAt: inv.body.expiresAt,
    });
    // the admin's latest action is the invitation just sent
    expect(byKey[admin.sub].lastActiveAt).toBe(inv.body.invitedAt);
    expect(Date.parse(byKey[admin.sub].joinedAt)).toBeLessThanOrEqual(Date.parse(byKey[admin.sub].lastActiveAt));
  });

  it('counts activity (an item id sent twice counted once) and lastActiveAt takes the latest action', async () => {
    const { orgId, ownerToken, members: [m] } = await team(t, { members: 1 });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    await appendActivity(t, orgId, [
      { type: 'AssetImported', actorId: m.sub, itemId: 'i-1' },
      { type: 'AssetImported', actorId: m.sub, itemId: 'i-2' },
      { type: 'AssetDeployed', actorId: m.sub, itemId: 'd-1', occurredAt: later },
      { type: 'AuditRun', actorId: m.sub, itemId: null },
    ]);
    const pos = await appendActivity(t, orgId, [
      { type: 'AssetImported', actorId: m.sub, itemId: 'i-1' }, // again
      { type: 'AuditRun', actorId: m.sub, itemId: 'a-old', occurredAt: '2020-01-01T00:00:00.000Z' },
    ]);
    const row = await getAt(t, `/orgs/${orgId}/members/${m.sub}`, ownerToken, pos);
    expect(row.status).toBe(200);
    expect(row.body).toMatchObject({ userId: m.sub, imports: 2, deployments: 1, audits: 2, lastActiveAt: later });
  });

  it('filters by status (active, invited), role and q (case-insensitive, name or email)', async () => {
    const { orgId, ownerSub, ownerToken } = await createOrg(t);
    const zed = await joinAs(t, orgId, ownerToken, uniq('zed'), 'admin', 'Zed ÄRGER');
    const amy = await joinAs(t, orgId, ownerToken, uniq('amy'), 'member', 'Amy Smith');
    const invEmail = `Ärger.${uniq('inv')}@Example.com`;
    const inv = await invite(t, orgId, ownerToken, invEmail, 'member');
    expect(inv.status).toBe(201);
    const pos = positionOf(inv);
    const ids = async (query: string) => {
      const res = await members(orgId, ownerToken, query, pos);
      expect({ query, status: res.status }).toEqual({ query, status: 200 });
      return res.body.items.map((r: any) => r.userId ?? r.invitationId).sort();
    };
    expect(await ids('status=active')).toEqual([ownerSub, zed.sub, amy.sub].sort());
    expect(await ids('status=invited')).toEqual([inv.body.id]);
    expect(await ids('status=expired')).toEqual([]);
    expect(await ids('role=owner')).toEqual([ownerSub]);
    expect(await ids('role=admin')).toEqual([zed.sub]);
    expect(await ids('role=member')).toEqual([amy.sub, inv.body.id].sort());
    expect(await ids('role=member&status=active')).toEqual([amy.sub]);
    expect(await ids(`q=${encodeURIComponent('smITH')}`)).toEqual([amy.sub]);
    expect(await ids(`q=${encodeURIComponent(amy.sub.toUpperCase())}`)).toEqual([amy.sub]); // in the email
    expect(await ids(`q=${encodeURIComponent('ärger')}`)).toEqual([zed.sub, inv.body.id].sort());
    expect(await ids(`q=${encodeURIComponent('ÄRGER.')}`)).toEqual([inv.body.id]);
    expect(await ids(`q=${encodeURIComponent('ärger')}&status=active`)).toEqual([zed.sub]);
    expect(await ids('q=no-such-text')).toEqual([]);
    expect(await ids('q=%25')).toEqual([]); // '%' and '_' are plain characters, not patterns
    expect(await ids('q=_')).toEqual([]);
  });

  it('invalid parameters → 400 validation_failed naming the field', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const cases: Array<[string, string]> = [
      ['status=bogus', 'status'],
      ['status=pending', 'status'],
      ['role=bogus', 'role'],
      ['sort=bogus', 'sort'],
      ['sort=-', 'sort'],
      ['sort=--name', 'sort'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=-1', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['bogus=1', 'bogus'],
    ];
    for (const [query, field] of cases) {
      const res = await members(orgId, ownerToken, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expectValidation(res, field);
    }
    expect((await members(orgId, ownerToken, 'limit=1')).status).toBe(200);
    expect((await members(orgId, ownerToken, 'limit=200&sort=-audits')).status).toBe(200);
  });

  describe('sorts and pagination over a roster of 25 rows', () => {
    let orgId: string;
    let ownerToken: string;
    let head: string;
    let total: number;

    beforeAll(async () => {
      const o = await createOrg(t, uniq('sorter'), 'Sorted');
      orgId = o.orgId;
      ownerToken = o.ownerToken;
      // duplicate names, so that sorting by name has ties
      const names = ['Kim Park', 'Lee Chan', 'Kim Park', 'Ann Bell', 'Lee Chan', 'Zoe Ray', 'Ann Bell', 'Kim Park', 'Bo Dee', 'Bo Dee', 'Cy Eng', 'Kim Park', 'Ann Bell', 'Lee Chan', 'Zoe Ray', 'Cy Eng', 'Bo Dee'];
      const joined: string[] = [];
      for (let i = 0; i < names.length; i++) {
        joined.push((await joinAs(t, orgId, ownerToken, uniq(`s${String(i).padStart(2, '0')}`), i % 5 === 0 ? 'admin' : 'member', names[i])).sub);
      }
      for (let i = 0; i < 7; i++) expect((await invite(t, orgId, ownerToken, emailOf(uniq('pend')), i % 2 ? 'admin' : 'member')).status).toBe(201);
      // activity with many ties in every counter, and identical lastActiveAt for a few members
      const tie = new Date(Date.now() + 86_400_000).toISOString();
      const items: Parameters<typeof appendActivity>[2] = [];
      joined.forEach((sub, i) => {
        for (let k = 0; k < i % 3; k++) items.push({ type: 'AssetImported', actorId: sub, itemId: `imp-${sub}-${k}` });
        for (let k = 0; k < i % 2; k++) items.push({ type: 'AssetDeployed', actorId: sub, itemId: `dep-${sub}-${k}` });
        for (let k = 0; k < (i * 7) % 4; k++) items.push({ type: 'AuditRun', actorId: sub, itemId: `aud-${sub}-${k}` });
        if (i % 4 === 1) items.push({ type: 'AuditRun', actorId: sub, itemId: `tie-${sub}`, occurredAt: tie });
      });
      head = await appendActivity(t, orgId, items);
      const rows = (await members(orgId, ownerToken, 'limit=200', head)).body.items;
      total = rows.length;
      expect(total).toBe(25);
      // the data has ties in every sort
      expect(rows.filter((r: any) => r.lastActiveAt === tie).length).toBeGreaterThan(2);
    }, 120_000);

    const KEYS: Record<string, (r: any) => string | number | undefined> = {
      name: (r) => (r.kind === 'member' ? r.name.toLowerCase() : undefined),
      email: (r) => r.email,
      lastActiveAt: (r) => (r.kind === 'member' ? r.lastActiveAt : undefined),
      imports: (r) => (r.kind === 'member' ? r.imports : undefined),
      deployments: (r) => (r.kind === 'member' ? r.deployments : undefined),
      audits: (r) => (r.kind === 'member' ? r.audits : undefined),
    };
    const rowKey = (r: any) => (r.kind === 'member' ? `m:${r.userId}` : `i:${r.invitationId}`);

    for (const sort of Object.keys(KEYS)) {
      for (const s of [sort, `-${sort}`]) {
        it(`sort=${s}: walking pages of 2 and of 3 lists every row once, in order, the same way each time`, async () => {
          const whole = await members(orgId, ownerToken, `sort=${encodeURIComponent(s)}&limit=200`, head);
          expect(whole.status).toBe(200);
          expect(whole.body.items).toHaveLength(total);
          for (const limit of [2, 3]) {
            const { items } = await walk(t, `/orgs/${orgId}/members?sort=${encodeURIComponent(s)}`, ownerToken, limit, head);
            expect(items.map(rowKey)).toEqual(whole.body.items.map(rowKey)); // no row skipped or repeated; ties broken stably
          }
          // the order is the sort's (among the rows that have the sorted field)
          const keys = whole.body.items.map(KEYS[sort]).filter((k: unknown) => k !== undefined);
          const expected = [...keys].sort((a: any, b: any) => (a < b ? -1 : a > b ? 1 : 0));
          if (s.startsWith('-')) expected.reverse();
          expect(keys).toEqual(expected);
          expect(new Set(whole.body.items.map(rowKey)).size).toBe(total);
        });
      }
    }

    it('the default order is by name', async () => {
      const byDefault = await members(orgId, ownerToken, 'limit=200', head);
      const byName = await members(orgId, ownerToken, 'limit=200&sort=name', head);
      expect(byDefault.body.items).toEqual(byName.body.items);
    });

    it('the default limit is 50', async () => {
      const res = await members(orgId, ownerToken, '', head);
      expect(res.body.items).toHaveLength(25);
      expect(res.body.nextCursor).toBeNull();
    });
  });

  it('an expired invitation shows as expired, with no job needed; re-inviting the email replaces it', async () => {
    const e = await startTestApp({ INVITATION_TTL_SECONDS: '1' });
    try {
      const { orgId, ownerToken } = await createOrg(e);
      const sub = uniq('late');
      const inv = await invite(e, orgId, ownerToken, emailOf(sub), 'member');
      expect(inv.status).toBe(201);
      await waitUntilPast(inv.body.expiresAt, 5);
      const list = async (query: string) => {
        const res = await getAt(e, `/orgs/${orgId}/members?${query}`, ownerToken, positionOf(inv));
        expect(res.status).toBe(200);
        return res.body.items as any[];
      };
      expect((await list('status=expired')).map((r) => [r.invitationId, r.status, r.expiresAt])).toEqual([[inv.body.id, 'expired', inv.body.expiresAt]]);
      expect(await list('status=invited')).toEqual([]);
      expect((await list('')).filter((r) => r.kind === 'invitation').map((r) => r.status)).toEqual(['expired']);

      const invs = await getAt(e, `/orgs/${orgId}/invitations?status=expired`, ownerToken, positionOf(inv));
      expect(invs.body.items.map((i: any) => [i.id, i.status])).toEqual([[inv.body.id, 'expired']]);
      expect((await getAt(e, `/orgs/${orgId}/invitations?status=pending`, ownerToken, positionOf(inv))).body.items).toEqual([]);
      expect((await getAt(e, '/me/invitations', await e.token(sub), positionOf(inv))).body.items).toEqual([]);

      const again = await invite(e, orgId, ownerToken, emailOf(sub).toUpperCase(), 'admin');
      expect(again.status).toBe(201);
      const rows = (await getAt(e, `/orgs/${orgId}/members`, ownerToken, positionOf(again))).body.items.filter((r: any) => r.kind === 'invitation');
      expect(rows.map((r: any) => r.invitationId)).toEqual([again.body.id]);
    } finally {
      await e.close();
    }
  }, 30_000);
});

describe('GET /orgs/:orgId/members/:userId', () => {
  it('answers the member row; 404 for a non-member, an invitation id, and a removed member', async () => {
    const { orgId, ownerToken, admins, members: [m] } = await team(t, { admins: 1, members: 1 });
    const inv = await invite(t, orgId, ownerToken, emailOf(uniq('p')), 'member');
    const pos = positionOf(inv);
    const list = await members(orgId, m.token, '', pos);
    const row = await getAt(t, `/orgs/${orgId}/members/${admins[0].sub}`, m.token, pos);
    expect(row.status).toBe(200);
    expect(row.body).toEqual(list.body.items.find((r: any) => r.userId === admins[0].sub));
    expectProblem(await getAt(t, `/orgs/${orgId}/members/${uniq('stranger')}`, m.token, pos), 404, 'not_found');
    expectProblem(await getAt(t, `/orgs/${orgId}/members/${inv.body.id}`, m.token, pos), 404, 'not_found');

    const del = await t.request('DELETE', `/orgs/${orgId}/members/${admins[0].sub}`, { token: ownerToken });
    expect(del.status).toBe(204);
    expectProblem(await t.request('GET', `/orgs/${orgId}/members/${admins[0].sub}`, { token: m.token }), 404, 'not_found');
    expectProblem(await getAt(t, `/orgs/${orgId}/members/${admins[0].sub}`, m.token, positionOf(del)), 404, 'not_found');
    const after = await members(orgId, m.token, '', positionOf(del));
    expect(after.body.items.map((r: any) => r.userId)).not.toContain(admins[0].sub);
  });
});

describe('GET /orgs/:orgId/invitations', () => {
  it('lists Invitations filtered by status pending, accepted, declined, revoked', async () => {
    const { orgId, ownerSub, ownerToken } = await createOrg(t);
    const accepted = uniq('acc');
    const acc = await joinAs(t, orgId, ownerToken, accepted);
    const declinedSub = uniq('dec');
    const decInv = await invite(t, orgId, ownerToken, emailOf(declinedSub), 'member');
    const dec = await t.request('POST', `/invitations/${await linkFor(t, emailOf(declinedSub))}/decline`, { token: await t.token(declinedSub) });
    expect(dec.status).toBe(204);
    const revInv = await invite(t, orgId, ownerToken, emailOf(uniq('rev')), 'admin');
    expect((await t.request('DELETE', `/orgs/${orgId}/invitations/${revInv.body.id}`, { token: ownerToken })).status).toBe(204);
    const pending = await invite(t, orgId, ownerToken, emailOf(uniq('pen')), 'admin');
    const pos = positionOf(pending);

    const list = async (query: string) => {
      const res = await getAt(t, `/orgs/${orgId}/invitations${query}`, acc.token, pos); // any member may list
      expect({ query, status: res.status }).toEqual({ query, status: 200 });
      return res.body.items as any[];
    };
    const all = await list('');
    expect(all).toHaveLength(4);
    expect(all.find((i) => i.id === pending.body.id)).toEqual(pending.body);
    expect(Object.keys(all[0]).sort()).toEqual(['email', 'expiresAt', 'id', 'invitedAt', 'invitedBy', 'orgId', 'role', 'status']);
    expect((await list('?status=pending')).map((i) => i.id)).toEqual([pending.body.id]);
    expect((await list('?status=accepted')).map((i) => [i.email, i.status, i.invitedBy])).toEqual([[emailOf(accepted), 'accepted', ownerSub]]);
    expect((await list('?status=declined')).map((i) => [i.id, i.status])).toEqual([[decInv.body.id, 'declined']]);
    expect((await list('?status=revoked')).map((i) => [i.id, i.status])).toEqual([[revInv.body.id, 'revoked']]);
    expect(await list('?status=expired')).toEqual([]);
    expectValidation(await t.request('GET', `/orgs/${orgId}/invitations?status=bogus`, { token: ownerToken }), 'status');
    expectValidation(await t.request('GET', `/orgs/${orgId}/invitations?status=invited`, { token: ownerToken }), 'status');
    expectValidation(await t.request('GET', `/orgs/${orgId}/invitations?limit=0`, { token: ownerToken }), 'limit');

    const { items } = await walk(t, `/orgs/${orgId}/invitations`, ownerToken, 1, pos);
    expect(items.map((i) => i.id).sort()).toEqual(all.map((i) => i.id).sort());
  });
});

describe('GET /me/invitations', () => {
  it("lists pending invitations to the caller's email across organizations (normalized), not revoked or accepted ones", async () => {
    const sub = uniq('invitee');
    const email = emailOf(sub);
    const a = await createOrg(t);
    const b = await createOrg(t);
    const c = await createOrg(t);
    const inA = await invite(t, a.orgId, a.ownerToken, `  ${email.toUpperCase()}`, 'member');
    const inB = await invite(t, b.orgId, b.ownerToken, email, 'admin');
    const inC = await invite(t, c.orgId, c.ownerToken, email, 'member');
    const rev = await t.request('DELETE', `/orgs/${c.orgId}/invitations/${inC.body.id}`, { token: c.ownerToken });
    expect(rev.status).toBe(204);
    await invite(t, a.orgId, a.ownerToken, emailOf(uniq('other')), 'member');
    const d = await createOrg(t);
    expect((await invite(t, d.orgId, d.ownerToken, email, 'member')).status).toBe(201);
    const delD = await t.request('DELETE', `/orgs/${d.orgId}`, { token: d.ownerToken });
    expect(delD.status).toBe(204);

    // the token's email differs in case from the invited one
    const token = await t.token(sub, { email: `${sub.toUpperCase()}@EXAMPLE.com` });
    const res = await getAt(t, '/me/invitations', token, positionOf(delD)); // not the revoked one, nor the deleted org's
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((i: any) => i.id).sort()).toEqual([inA.body.id, inB.body.id].sort());
    expect(res.body.items.find((i: any) => i.id === inB.body.id)).toEqual(inB.body);

    // accept A's invitation (its email file is named after the invitation)
    const mailOfA = (await mailsTo(t.dataDir, email)).find((m) => m.file.startsWith(inA.body.id));
    const firstLink = tokenIn(mailOfA!.text);
    const acc = await t.request('POST', `/invitations/${firstLink}/accept`, { token });
    expect(acc.status).toBe(200);
    const after = await getAt(t, '/me/invitations', token, positionOf(acc));
    expect(after.body.items.map((i: any) => i.id)).toEqual([inB.body.id]);
    expectProblem(await t.request('GET', '/me/invitations'), 401, 'unauthenticated');
    expectValidation(await t.request('GET', '/me/invitations?bogus=1', { token }), 'bogus');
  });
});

describe('authorization of reads (decided from the write side)', () => {
  const readRoutes = (orgId: string, someUser: string) => [
    `/orgs/${orgId}`,
    `/orgs/${orgId}/permissions`,
    `/orgs/${orgId}/members`,
    `/orgs/${orgId}/members/${someUser}`,
    `/orgs/${orgId}/invitations`,
    `/orgs/${orgId}/events`,
  ];

  it('a removed member gets 404 on every read route at once (no X-Min-Position needed)', async () => {
    const { orgId, ownerSub, ownerToken, admins: [a] } = await team(t, { admins: 1 });
    for (const path of readRoutes(orgId, ownerSub)) expect({ path, status: (await t.request('GET', path, { token: a.token })).status }).toEqual({ path, status: 200 });
    const del = await t.request('DELETE', `/orgs/${orgId}/members/${a.sub}`, { token: ownerToken });
    expect(del.status).toBe(204);
    for (const path of readRoutes(orgId, ownerSub)) {
      const res = await t.request('GET', path, { token: a.token });
      expect({ path, status: res.status, code: res.body?.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    const orgs = await getAt(t, '/orgs', a.token, positionOf(del));
    expect(orgs.body.items.map((o: any) => o.id)).not.toContain(orgId);
  });

  it('a non-member gets 404; an unknown org 404; no token 401', async () => {
    const { orgId, ownerSub } = await createOrg(t);
    const stranger = await t.token(uniq('stranger'));
    for (const path of [...readRoutes(orgId, ownerSub), ...readRoutes('no-such-org', ownerSub).slice(2)]) {
      const res = await t.request('GET', path, { token: stranger });
      expect({ path, status: res.status, code: res.body?.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    for (const path of [...readRoutes(orgId, ownerSub), '/orgs', '/me/invitations']) {
      const res = await t.request('GET', path);
      expect({ path, status: res.status, code: res.body?.code }).toEqual({ path, status: 401, code: 'unauthenticated' });
    }
  });

  it('a deleted organization: 404 on every read route, for its former members too', async () => {
    const { orgId, ownerSub, ownerToken, admins: [a] } = await team(t, { admins: 1 });
    const del = await t.request('DELETE', `/orgs/${orgId}`, { token: ownerToken });
    expect(del.status).toBe(204);
    for (const token of [ownerToken, a.token]) {
      for (const path of readRoutes(orgId, ownerSub)) {
        const res = await getAt(t, path, token, positionOf(del));
        expect({ path, status: res.status, code: res.body?.code }).toEqual({ path, status: 404, code: 'not_found' });
      }
    }
  });
});

describe('read your writes (X-Min-Position)', () => {
  it('with the X-Position of each command, the next read shows its change', async () => {
    const { orgId, ownerToken, members: [m] } = await team(t, { members: 1 });
    const up = await t.request('PATCH', `/orgs/${orgId}/members/${m.sub}`, { token: ownerToken, body: { role: 'admin' } });
    expect(up.status).toBe(200);
    expect((await getAt(t, `/orgs/${orgId}/members?role=admin`, ownerToken, positionOf(up))).body.items.map((r: any) => r.userId)).toEqual([m.sub]);
    expect((await getAt(t, '/orgs', m.token, positionOf(up))).body.items).toEqual([expect.objectContaining({ id: orgId, role: 'admin' })]);

    const sub = uniq('ryw');
    const inv = await invite(t, orgId, m.token, emailOf(sub), 'member');
    expect(inv.status).toBe(201);
    const seen = await getAt(t, `/orgs/${orgId}/members?status=invited`, ownerToken, positionOf(inv));
    expect(seen.body.items.map((r: any) => r.invitationId)).toEqual([inv.body.id]);
    expect((await getAt(t, '/me/invitations', await t.token(sub), positionOf(inv))).body.items.map((i: any) => i.id)).toEqual([inv.body.id]);

    const accept = await t.request('POST', `/invitations/${await linkFor(t, emailOf(sub))}/accept`, { token: await t.token(sub, { name: 'Ryw' }) });
    expect(accept.status).toBe(200);
    const row = await getAt(t, `/orgs/${orgId}/members/${sub}`, ownerToken, positionOf(accept));
    expect(row.status).toBe(200);
    expect(row.body).toMatchObject({ userId: sub, name: 'Ryw', role: 'member' });
    expect((await getAt(t, '/orgs', await t.token(sub), positionOf(accept))).body.items).toEqual([expect.objectContaining({ id: orgId, role: 'member', memberCount: 3 })]);

    const leave = await t.request('POST', `/orgs/${orgId}/leave`, { token: await t.token(sub) });
    expect(leave.status).toBe(204);
    const after = await getAt(t, `/orgs/${orgId}/members`, ownerToken, positionOf(leave));
    expect(after.body.items.map((r: any) => r.userId)).not.toContain(sub);
    expect((await getAt(t, '/orgs', ownerToken, positionOf(leave))).body.items).toEqual([expect.objectContaining({ id: orgId, memberCount: 2 })]);
  });

  it("X-Min-Position that is not a position → 400 validation_failed", async () => {
    const { ownerToken } = await createOrg(t);
    for (const value of ['abc', '-1', '1.5', '']) {
      const res = await t.request('GET', '/orgs', { token: ownerToken, headers: { 'x-min-position': value } });
      if (value === '') {
        expect([200, 400]).toContain(res.status);
        continue;
      }
      expect({ value, status: res.status }).toEqual({ value, status: 400 });
      expectValidation(res, 'X-Min-Position');
    }
  });

  it('X-Min-Position the read models never reach → 503 read_model_lagging after about 5 s', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const started = Date.now();
    const res = await getAt(t, `/orgs/${orgId}/members`, ownerToken, '999999999');
    const elapsed = Date.now() - started;
    expectProblem(res, 503, 'read_model_lagging');
    expect(elapsed).toBeGreaterThanOrEqual(4500);
    expect(elapsed).toBeLessThan(15_000);
  }, 30_000);
});

describe('PATCH /orgs/:orgId/members/:userId', () => {
  it('answers the full member row, with activity counts and lastActiveAt', async () => {
    const { orgId, ownerToken, members: [m] } = await team(t, { members: 1 });
    const when = new Date(Date.now() + 3_600_000).toISOString();
    await appendActivity(t, orgId, [
      { type: 'AssetImported', actorId: m.sub, itemId: 'a' },
      { type: 'AssetDeployed', actorId: m.sub, itemId: 'b' },
      { type: 'AssetDeployed', actorId: m.sub, itemId: 'c' },
      { type: 'AuditRun', actorId: m.sub, itemId: 'd', occurredAt: when },
    ]);
    const res = await t.request('PATCH', `/orgs/${orgId}/members/${m.sub}`, { token: ownerToken, body: { role: 'admin' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: 'member',
      userId: m.sub,
      name: `Name ${m.sub}`,
      email: emailOf(m.sub),
      role: 'admin',
      status: 'active',
      joinedAt: expect.stringMatching(ISO_UTC),
      lastActiveAt: when,
      imports: 1,
      deployments: 2,
      audits: 1,
    });
    const same = await t.request('PATCH', `/orgs/${orgId}/members/${m.sub}`, { token: ownerToken, body: { role: 'admin' } });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(res.body);
  });
});
