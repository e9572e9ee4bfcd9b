// The conformance suite of the read store: the same tests for every engine, written against the port
// (libs/platform/read-store/read-store.ts) and the read-model queries (apps/api/read-models.ts) only — no
// SQL, no collections, nothing an engine could pass by being inspected differently. Call it from the
// engine's spec:
//
//   readModelConformance('sqlite', async () => openSqliteReadStore(':memory:', SQLITE_PROJECTIONS), '…');
//   readModelConformance('mongodb', url ? openOnServer : noServer, 'no MONGODB_URL');
//
// `open` gives a fresh, empty store for every test; the suite closes it (through the fixture), so its
// close() must also drop whatever it created on a server. Histories are written through the real write
// side (test/support/read.ts: an in-memory SQLite event store, the real repository and `decide`) and
// projected into the store under test by the real projection runner.
//
// Skipping: jest collects tests synchronously, so whether there is a server has to be known before `open`
// can be awaited. Pass `noServer` (it resolves null) when there is none: the suite then registers a
// single passing test named `SKIPPED (<reason>)` and warns with the reason, nothing else. Any other
// `open` that resolves null fails the test that called it, loudly, instead of passing it.
import { ApiError } from '../../libs/platform/http/problem';
import type { Page } from '../../libs/platform/http/pagination';
import { projectionRunner } from '../../libs/platform/projections/projection-runner';
import type { ReadStore } from '../../libs/platform/read-store/read-store';
import type { RosterItem } from '../../libs/organizations/read-side/roster.query';
import { actor, readFixture, type ReadFixture } from '../../test/support/read';
import { PROJECTION_NAMES } from './read-models';

/** The `open` of an engine whose server is not configured: the suite becomes one visible skip. */
export const noServer = async (): Promise<ReadStore | null> => null;

const TIMEOUT_MS = 30_000; // generous: a real server is slower than an in-memory SQLite
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const ALL = { limit: '200' };

const olivia = actor('olivia', 'Olivia');
const adam = actor('adam', 'Adam');
const mia = actor('mia', 'Mia');
const bob = actor('bob', 'Bob');
const ivy = actor('ivy', null); // a token without a name claim

// ------------------------------------------------------------------------------------------- helpers

const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const keyOf = (r: RosterItem) => (r.kind === 'member' ? r.userId : r.invitationId);

/** Follows nextCursor from the first page to the last; every page but the last is full. */
async function walk<T>(limit: number, fetch: (page: Record<string, string>) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 1; ; pages++) {
    const page: Page<T> = await fetch({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor !== null) expect(page.items).toHaveLength(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) return items;
    if (pages > 100) throw new Error('pagination does not end');
  }
}

/** The query is refused (by a throw or a rejection) with an ApiError validation_failed naming exactly `field`. */
async function expectValidationFailed(query: () => Promise<unknown>, field: string) {
  const asked = async () => query(); // a synchronous throw becomes a rejection
  await expect(asked).rejects.toBeInstanceOf(ApiError);
  await expect(asked).rejects.toMatchObject({ code: 'validation_failed', errors: [{ field }] });
}

/** The value a roster sort orders by, as the API shows it (name: case-insensitive, NFC; invitations
 * are named by their email; an invitation has no activity, so it sorts as "never" and 0). */
const SORT_VALUE: Record<string, (r: RosterItem) => string | number> = {
  name: (r) => (r.kind === 'member' ? r.name : r.email).normalize('NFC').toLowerCase(),
  email: (r) => r.email,
  lastActiveAt: (r) => (r.kind === 'member' ? (r.lastActiveAt ?? '') : ''),
  imports: (r) => (r.kind === 'member' ? r.imports : 0),
  deployments: (r) => (r.kind === 'member' ? r.deployments : 0),
  audits: (r) => (r.kind === 'member' ? r.audits : 0),
};

/** What the outside can see of a set of organizations, users and emails: every query, every row. */
type World = { orgs: string[]; users: string[]; emails: string[] };
async function everything(h: ReadFixture, world: World, now: Date) {
  const seen: Record<string, unknown> = {};
  for (const orgId of world.orgs) {
    seen[`roster of ${orgId}`] = await h.roster.list(orgId, ALL, now);
    seen[`roster of ${orgId} by -lastActiveAt`] = await h.roster.list(orgId, { ...ALL, sort: '-lastActiveAt' }, now);
    seen[`invitations of ${orgId}`] = await h.lists.invitations(orgId, ALL, now);
    seen[`activity log of ${orgId}`] = await h.activityLog(orgId, ALL);
    for (const userId of world.users) seen[`member ${userId} of ${orgId}`] = await h.roster.member(orgId, userId);
  }
  for (const userId of world.users) seen[`organizations of ${userId}`] = await h.lists.myOrganizations(userId, ALL);
  for (const email of world.emails) seen[`invitations to ${email}`] = await h.lists.invitationsTo(email, ALL, now);
  seen.due = await h.lists.dueInvitations(now, 200);
  return seen;
}

/**
 * A history touching every projection: three organizations (one deleted), joins, a decline, a recorded
 * and a time-only expiry, duplicate activity, a role change, a transfer, a rename, a removal.
 */
async function richHistory(h: ReadFixture) {
  const acme = await h.create(olivia, 'Acme');
  const beta = await h.create(adam, 'Beta');
  const gone = await h.create(mia, 'Gone');
  await h.join(acme, olivia, adam, 'admin');
  await h.join(acme, adam, mia);
  await h.join(beta, adam, mia, 'admin');
  await h.join(gone, mia, bob);
  const declined = await h.invite(acme, olivia, bob.email);
  await h.decline(acme, declined, bob);
  const expiredByEvent = await h.invite(acme, adam, 'late@example.com', 'member', 60);
  await h.invite(beta, adam, 'due@example.com', 'admin', 60);
  await h.invite(beta, mia, 'pending@example.com');
  await h.activity(acme, [
    { type: 'AssetImported', actorId: 'mia', itemId: 'x', subject: 'logo.svg' },
    { type: 'AssetImported', actorId: 'mia', itemId: 'x' }, // a retry: counted once
    { type: 'AuditRun', actorId: 'adam', itemId: null },
    { type: 'AssetDeployed', actorId: 'olivia', itemId: 'd1', subject: 'web' },
  ]);
  await h.activity(beta, [{ type: 'AssetImported', actorId: 'mia', itemId: 'x' }]); // same id, other org
  h.advance(120_000);
  await h.expire(acme, expiredByEvent);
  await h.changeRole(acme, olivia, 'mia', 'admin');
  await h.transfer(acme, olivia, 'adam');
  await h.rename(beta, adam, 'Beta Two');
  await h.remove(acme, adam, 'mia');
  await h.deleteOrg(gone, mia);
  const world: World = {
    orgs: [acme, beta, gone],
    users: ['olivia', 'adam', 'mia', 'bob'],
    emails: ['pending@example.com', 'due@example.com', 'late@example.com', 'bob@example.com'],
  };
  return { acme, beta, gone, world };
}

/** Facts of richHistory that a double application (or a lost event) would change. */
async function expectRichHistoryFacts(h: ReadFixture, { acme, beta, gone }: Awaited<ReturnType<typeof richHistory>>) {
  const orgs = async (userId: string) =>
    (await h.lists.myOrganizations(userId, ALL)).items.map((o) => [o.id, o.name, o.role, o.memberCount]).sort();
  expect(await orgs('olivia')).toEqual([[acme, 'Acme', 'admin', 2]]);
  expect(await orgs('adam')).toEqual([[acme, 'Acme', 'owner', 2], [beta, 'Beta Two', 'owner', 2]].sort());
  expect(await orgs('mia')).toEqual([[beta, 'Beta Two', 'admin', 2]]);
  expect(await orgs('bob')).toEqual([]);
  expect(await h.roster.member(acme, 'adam')).toMatchObject({ role: 'owner', imports: 0, deployments: 0, audits: 1 });
  expect(await h.roster.member(acme, 'olivia')).toMatchObject({ role: 'admin', deployments: 1 });
  expect(await h.roster.member(beta, 'mia')).toMatchObject({ role: 'admin', imports: 1 });
  expect(await h.roster.member(acme, 'mia')).toBeNull();
  expect((await h.roster.list(gone, ALL, h.now())).items).toEqual([]);
  expect((await h.activityLog(acme, ALL)).items).toHaveLength(15);
  expect((await h.lists.dueInvitations(h.now(), 200)).map((d) => d.orgId)).toEqual([beta]);
}

/** Every stored checkpoint of the read models. */
const checkpoints = async (h: ReadFixture) => Promise.all(PROJECTION_NAMES.map(async (name) => [name, await h.readStore.checkpoint(name)]));

// --------------------------------------------------------------------------------------------- suite

export function readModelConformance(engine: string, open: () => Promise<ReadStore | null>, skipReason: string): void {
  describe(`read models on ${engine}`, () => {
    if (open === noServer) {
      // Visible in the run output twice: as a warning and as a test carrying the reason.
      console.warn(`read models on ${engine}: SKIPPED (${skipReason})`);
      it(`SKIPPED (${skipReason})`, () => undefined);
      return;
    }
    defineSuite(engine, open);
  });
}

function defineSuite(engine: string, open: () => Promise<ReadStore | null>) {
  const it = (name: string, fn: () => Promise<void>) => globalThis.it(name, fn, TIMEOUT_MS);

  async function fixture(): Promise<ReadFixture> {
    const readStore = await open();
    if (!readStore) throw new Error(`open() of ${engine} resolved null inside the suite: pass noServer to skip visibly`);
    return readFixture({ readStore, projectionNames: PROJECTION_NAMES });
  }

  /** A fresh store and fixture for every test of the enclosing describe. */
  let h: ReadFixture;
  const freshForEachTest = () => {
    beforeEach(async () => {
      h = await fixture();
    }, TIMEOUT_MS);
    afterEach(async () => {
      const closing = h;
      h = undefined!; // a failed beforeEach must not close the previous test's fixture again
      await closing?.close();
    }, TIMEOUT_MS);
  };

  /** Every row of a roster (one page of 200), now = the simulated clock unless given. */
  const roster = async (orgId: string, query: Record<string, unknown> = {}, now = h.now()) =>
    (await h.roster.list(orgId, { ...ALL, ...query }, now)).items;
  const rosterKeys = async (orgId: string, query: Record<string, unknown> = {}, now = h.now()) => (await roster(orgId, query, now)).map(keyOf);
  const invitations = async (orgId: string, query: Record<string, unknown> = {}, now = h.now()) =>
    (await h.lists.invitations(orgId, { ...ALL, ...query }, now)).items;
  const invitationIds = async (orgId: string, status: string, now = h.now()) =>
    (await invitations(orgId, { status }, now)).map((i) => i.id).sort();
  const log = async (orgId: string, query: Record<string, unknown> = {}) => (await h.activityLog(orgId, { ...ALL, ...query })).items;
  const logTypes = async (orgId: string, query: Record<string, unknown> = {}) => (await log(orgId, query)).map((i) => i.type);

  // ------------------------------------------------------------------------------- roster rows
  describe('roster: rows', () => {
    freshForEachTest();

    it('lists members and open invitations with exactly the fields of API.md; member() answers members only', async () => {
      const orgId = await h.create(olivia);
      const createdAt = h.iso();
      await h.join(orgId, olivia, adam, 'admin');
      const adamJoinedAt = h.iso();
      const invitationId = await h.invite(orgId, adam, ' IVY@Example.com ', 'member');
      const invitedAt = h.iso();
      await h.catchUp();

      const rows = await roster(orgId);
      expect(rows.map(keyOf).sort()).toEqual(['adam', invitationId, 'olivia'].sort());
      const byKey = Object.fromEntries(rows.map((r) => [keyOf(r), r]));
      expect(byKey.olivia).toEqual({
        kind: 'member', userId: 'olivia', name: 'Olivia', email: 'olivia@example.com', role: 'owner', status: 'active',
        joinedAt: createdAt,
        lastActiveAt: later(adamJoinedAt, -1000), // her last action: inviting Adam, the step before he accepted
        imports: 0, deployments: 0, audits: 0,
      });
      expect(byKey.adam).toEqual({
        kind: 'member', userId: 'adam', name: 'Adam', email: 'adam@example.com', role: 'admin', status: 'active',
        joinedAt: adamJoinedAt, lastActiveAt: invitedAt, imports: 0, deployments: 0, audits: 0,
      });
      expect(byKey[invitationId]).toEqual({
        kind: 'invitation', invitationId, email: 'ivy@example.com', role: 'member', status: 'invited',
        invitedAt, invitedBy: 'adam', expiresAt: later(invitedAt, WEEK_MS),
      });
      expect(await h.roster.member(orgId, 'adam')).toEqual(byKey.adam);
      expect(await h.roster.member(orgId, 'nobody')).toBeNull();
      expect(await h.roster.member(orgId, invitationId)).toBeNull();
      expect(await h.roster.member('org-unknown', 'adam')).toBeNull();
    });

    it('a member whose token carried no name is listed under their email', async () => {
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
      expect((await rosterKeys(orgId, { status: 'invited' })).sort()).toEqual([toAccept, toDecline, toRevoke, toResend].sort());

      await h.accept(orgId, toAccept, mia);
      await h.decline(orgId, toDecline, bob);
      await h.revoke(orgId, olivia, toRevoke);
      h.advance(3_600_000);
      await h.resend(orgId, olivia, toResend);
      const resentAt = h.iso();
      await h.catchUp();

      const rows = await roster(orgId);
      expect(rows.map(keyOf).sort()).toEqual(['mia', 'olivia', toResend].sort());
      expect(rows.find((r) => r.kind === 'invitation')).toMatchObject({ status: 'invited', expiresAt: later(resentAt, WEEK_MS) });
    });

    it('a pending invitation past expiresAt is expired at query time, without any event; exactly at expiresAt too', async () => {
      const orgId = await h.create(olivia);
      const id = await h.invite(orgId, olivia, 'late@example.com', 'admin', 60);
      const expiresAt = later(h.iso(), 60_000);
      await h.catchUp();

      const justBefore = new Date(Date.parse(expiresAt) - 1);
      expect(await rosterKeys(orgId, { status: 'invited' }, justBefore)).toEqual([id]);
      expect(await rosterKeys(orgId, { status: 'expired' }, justBefore)).toEqual([]);
      for (const now of [new Date(expiresAt), new Date('2030-01-01T00:00:00.000Z')]) {
        expect((await roster(orgId, {}, now)).find((r) => r.kind === 'invitation')).toMatchObject({ invitationId: id, status: 'expired', expiresAt });
        expect(await rosterKeys(orgId, { status: 'expired' }, now)).toEqual([id]);
        expect(await rosterKeys(orgId, { status: 'invited' }, now)).toEqual([]);
        expect(await rosterKeys(orgId, { status: 'active' }, now)).toEqual(['olivia']);
      }
    });

    it('an invitation recorded as expired stays listed as expired; a resend makes it invited again', async () => {
      const orgId = await h.create(olivia);
      const id = await h.invite(orgId, olivia, 'late@example.com', 'member', 60);
      h.advance(120_000);
      await h.expire(orgId, id);
      await h.catchUp();
      // even at a "now" before its expiry: the recorded status wins
      expect(await rosterKeys(orgId, { status: 'expired' }, new Date(0))).toEqual([id]);
      expect(await rosterKeys(orgId, { status: 'invited' }, new Date(0))).toEqual([]);

      await h.resend(orgId, olivia, id);
      const resentAt = h.iso();
      await h.catchUp();
      expect(await roster(orgId, { status: 'invited' })).toEqual([
        expect.objectContaining({ invitationId: id, status: 'invited', expiresAt: later(resentAt, WEEK_MS) }),
      ]);
    });

    it('re-inviting the email of an expired invitation (by time or recorded) replaces its row', async () => {
      const orgId = await h.create(olivia);
      const byTime = await h.invite(orgId, olivia, 'a@example.com', 'member', 60);
      const byEvent = await h.invite(orgId, olivia, 'b@example.com', 'member', 60);
      h.advance(120_000);
      await h.expire(orgId, byEvent);
      await h.catchUp();
      expect((await rosterKeys(orgId, { status: 'expired' })).sort()).toEqual([byTime, byEvent].sort());

      const freshA = await h.invite(orgId, olivia, 'A@Example.com', 'admin');
      const freshB = await h.invite(orgId, olivia, 'b@example.com', 'member');
      await h.catchUp();
      const rows = (await roster(orgId)).filter((r) => r.kind === 'invitation');
      expect(rows.map((r) => [keyOf(r), r.email, r.role, r.status]).sort()).toEqual(
        [[freshA, 'a@example.com', 'admin', 'invited'], [freshB, 'b@example.com', 'member', 'invited']].sort(),
      );
    });
  });

  // ------------------------------------------------------------------------------ roster filters
  describe('roster: filters', () => {
    freshForEachTest();

    it('filters by role (members and invitations alike) and by status=active (members only)', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, adam, 'admin');
      await h.join(orgId, olivia, mia);
      const adminInvite = await h.invite(orgId, olivia, 'boss@example.com', 'admin');
      const memberInvite = await h.invite(orgId, olivia, 'worker@example.com', 'member');
      await h.catchUp();
      expect(await rosterKeys(orgId, { role: 'owner' })).toEqual(['olivia']);
      expect((await rosterKeys(orgId, { role: 'admin' })).sort()).toEqual(['adam', adminInvite].sort());
      expect((await rosterKeys(orgId, { role: 'member' })).sort()).toEqual(['mia', memberInvite].sort());
      expect((await rosterKeys(orgId, { status: 'active' })).sort()).toEqual(['adam', 'mia', 'olivia']);
      expect((await rosterKeys(orgId, { status: 'invited', role: 'admin' })).sort()).toEqual([adminInvite]);
    });

    it('q is a case-insensitive substring of the name or the email (names compared in NFC)', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, actor('zed', 'Zed Müller', 'zed@corp.example'));
      await h.join(orgId, olivia, actor('amy', 'Amy Smith', 'amy@example.com'), 'admin');
      await h.join(orgId, olivia, actor('chloe', 'Chloe\u0301 Dufour', 'cd@example.com')); // "é" decomposed (NFD)
      await h.invite(orgId, olivia, 'muller.inv@Example.com', 'admin');
      await h.catchUp();
      const keys = async (query: Record<string, unknown>) => (await roster(orgId, query)).map((r) => (r.kind === 'member' ? r.userId : r.email)).sort();
      expect(await keys({ q: 'MÜLLER' })).toEqual(['zed']);
      expect(await keys({ q: 'CORP.EX' })).toEqual(['zed']);
      expect(await keys({ q: 'muller' })).toEqual(['muller.inv@example.com']); // ü is not u
      expect(await keys({ q: 'CHLO\u00c9' })).toEqual(['chloe']); // composed (NFC) query
      expect(await keys({ q: 'smith' })).toEqual(['amy']);
      expect(await keys({ q: 'nobody-here' })).toEqual([]);
    });

    it('q with regular-expression metacharacters matches them literally', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, actor('ann', 'Ann (QA) v1.2', 'ann+qa@example.com'));
      await h.join(orgId, olivia, actor('bo', 'Bo v1x2', 'bo@example.com'));
      await h.join(orgId, olivia, actor('rex', 'Regex .* Fan', 'rex@example.com'));
      await h.catchUp();
      const keys = async (q: string) => (await rosterKeys(orgId, { q })).sort();
      expect(await keys('.*')).toEqual(['rex']); // as a pattern it would match everybody
      expect(await keys('*')).toEqual(['rex']);
      expect(await keys('v1.2')).toEqual(['ann']); // as a pattern it would match "v1x2" too
      expect(await keys('(')).toEqual(['ann']); // as a pattern it would not even compile
      expect(await keys('n (q')).toEqual(['ann']);
      expect(await keys('+qa@')).toEqual(['ann']);
      // neither regular-expression nor SQL LIKE syntax: each matches nobody here
      for (const q of ['[a', '^ann', 'fan$', '\\', 'a|b', '?', '{1}', '%', '_', 'a_n']) expect({ q, keys: await keys(q) }).toEqual({ q, keys: [] });
    });

    it('q, role and status combine', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, actor('amy', 'Amy Smith', 'amy@example.com'), 'admin');
      await h.join(orgId, olivia, actor('sam', 'Sam Smith', 'sam@example.com'));
      const inv = await h.invite(orgId, olivia, 'smith.jr@example.com', 'admin');
      await h.catchUp();
      expect((await rosterKeys(orgId, { q: 'SMITH' })).sort()).toEqual(['amy', 'sam', inv].sort());
      expect((await rosterKeys(orgId, { q: 'smith', role: 'admin' })).sort()).toEqual(['amy', inv].sort());
      expect(await rosterKeys(orgId, { q: 'smith', role: 'admin', status: 'active' })).toEqual(['amy']);
      expect(await rosterKeys(orgId, { q: 'smith', status: 'invited' })).toEqual([inv]);
      expect(await rosterKeys(orgId, { q: 'smith', status: 'expired' })).toEqual([]);
    });
  });

  // ------------------------------------------------------------------------------- roster sorts
  describe('roster: sorts and pages', () => {
    // One roster for every sort (built once): ties in every key — two members named "Sam", two with the
    // same lastActiveAt, zero counts, invitations without activity — and names in mixed case.
    let orgId: string;
    let rowCount: number;
    beforeAll(async () => {
      h = await fixture();
      orgId = await h.create(olivia, 'Sorted');
      const members = [
        actor('alice', 'alice'),
        actor('bob', 'Bob'),
        actor('sam1', 'Sam', 'sam.one@example.com'),
        actor('sam2', 'Sam', 'sam.two@example.com'),
        actor('zed', 'Zed Müller', 'zed@example.com'),
        ivy,
      ];
      for (const m of members) await h.join(orgId, olivia, m);
      await h.invite(orgId, olivia, 'carol@example.com');
      await h.invite(orgId, olivia, 'dan@example.com', 'admin', 60); // expired by the time of the queries
      const same = '2026-06-01T00:00:00.000Z';
      await h.activity(orgId, [
        { type: 'AssetImported', actorId: 'alice', itemId: 'a1', occurredAt: same },
        { type: 'AssetImported', actorId: 'alice', itemId: 'a2', occurredAt: same },
        { type: 'AssetImported', actorId: 'bob', itemId: 'b1', occurredAt: same },
        { type: 'AssetImported', actorId: 'bob', itemId: 'b2', occurredAt: same },
        { type: 'AssetDeployed', actorId: 'sam1', itemId: 's1' },
        { type: 'AuditRun', actorId: 'sam2', itemId: null },
        { type: 'AuditRun', actorId: 'sam2', itemId: null },
        { type: 'AuditRun', actorId: 'zed', itemId: 'z1' },
        { type: 'AssetImported', actorId: 'zed', itemId: 'z2' },
      ]);
      h.advance(120_000);
      await h.catchUp();
      rowCount = (await roster(orgId)).length;
    }, TIMEOUT_MS);
    afterAll(async () => {
      await h?.close();
    }, TIMEOUT_MS);

    it('the roster to sort has 9 rows, with ties', async () => {
      expect(rowCount).toBe(9);
      const rows = await roster(orgId);
      expect(rows.filter((r) => r.kind === 'member' && r.name === 'Sam')).toHaveLength(2);
      expect(rows.filter((r) => r.kind === 'member' && r.lastActiveAt === '2026-06-01T00:00:00.000Z').map(keyOf).sort()).toEqual(['alice', 'bob']);
    });

    for (const sort of Object.keys(SORT_VALUE)) {
      it(`sort=${sort}, ascending and descending: pages of 2 list every row once, in order of the key, ties broken consistently`, async () => {
        const walked: Record<string, RosterItem[]> = {};
        for (const s of [sort, `-${sort}`]) {
          const rows = await walk(2, (page) => h.roster.list(orgId, { ...page, sort: s }, h.now()));
          walked[s] = rows;
          expect({ s, count: rows.length, distinct: new Set(rows.map(keyOf)).size }).toEqual({ s, count: rowCount, distinct: rowCount });
          // the same order as one big page of that sort
          expect(rows).toEqual(await roster(orgId, { sort: s }));
          // ordered by the key, in the asked direction
          const values = rows.map(SORT_VALUE[sort]);
          for (let i = 1; i < values.length; i++) {
            const inOrder = s.startsWith('-') ? values[i - 1] >= values[i] : values[i - 1] <= values[i];
            expect({ s, at: i, pair: [values[i - 1], values[i]], inOrder }).toEqual({ s, at: i, pair: [values[i - 1], values[i]], inOrder: true });
          }
        }
        // ties broken by a stable key: descending is exactly ascending reversed
        expect(walked[`-${sort}`].map(keyOf)).toEqual([...walked[sort]].reverse().map(keyOf));
      });
    }

    it('the default order is by name', async () => {
      expect(await roster(orgId)).toEqual(await roster(orgId, { sort: 'name' }));
      expect((await roster(orgId)).map(keyOf).slice(0, 2)).toEqual(['alice', 'bob']); // case-insensitive: "alice" before "Bob"
    });

    it('a cursor made for another sort is refused with validation_failed', async () => {
      const byName = await h.roster.list(orgId, { limit: '2', sort: 'name' }, h.now());
      const byImports = await h.roster.list(orgId, { limit: '2', sort: '-imports' }, h.now());
      const byLastActive = await h.roster.list(orgId, { limit: '2', sort: 'lastActiveAt' }, h.now());
      expect([byName.nextCursor, byImports.nextCursor, byLastActive.nextCursor]).not.toContain(null);
      await expectValidationFailed(() => h.roster.list(orgId, { limit: '2', sort: 'imports', cursor: byName.nextCursor }, h.now()), 'cursor');
      await expectValidationFailed(() => h.roster.list(orgId, { limit: '2', sort: 'email', cursor: byImports.nextCursor }, h.now()), 'cursor');
      await expectValidationFailed(() => h.roster.list(orgId, { limit: '2', sort: '-audits', cursor: byLastActive.nextCursor }, h.now()), 'cursor');
      // Keys of the same kind too: a cursor names the sort (and direction) it was made for.
      await expectValidationFailed(() => h.roster.list(orgId, { limit: '2', sort: 'email', cursor: byName.nextCursor }, h.now()), 'cursor');
      await expectValidationFailed(() => h.roster.list(orgId, { limit: '2', sort: '-name', cursor: byName.nextCursor }, h.now()), 'cursor');
      await expectValidationFailed(() => h.roster.list(orgId, { limit: '2', sort: 'imports', cursor: byImports.nextCursor }, h.now()), 'cursor');
      const next = await h.roster.list(orgId, { limit: '2', sort: 'name', cursor: byName.nextCursor! }, h.now());
      expect(next.items.length).toBeGreaterThan(0); // and it still continues its own sort
    });

    it('every list refuses bad parameters with validation_failed on the field', async () => {
      const now = h.now();
      for (const [query, field] of [
        [{ status: 'bogus' }, 'status'], [{ role: 'bogus' }, 'role'], [{ sort: 'bogus' }, 'sort'], [{ sort: '-' }, 'sort'],
        [{ limit: '0' }, 'limit'], [{ limit: '201' }, 'limit'], [{ limit: 'abc' }, 'limit'], [{ cursor: 'garbage' }, 'cursor'], [{ q: '' }, 'q'],
        [{ unknown: '1' }, 'unknown'],
      ] as const) await expectValidationFailed(() => h.roster.list(orgId, query, now), field);
      for (const [query, field] of [
        [{ status: 'bogus' }, 'status'], [{ status: 'invited' }, 'status'], [{ limit: '0' }, 'limit'], [{ cursor: 'garbage' }, 'cursor'], [{ role: 'admin' }, 'role'],
      ] as const) await expectValidationFailed(() => h.lists.invitations(orgId, query, now), field);
      await expectValidationFailed(() => h.lists.myOrganizations('olivia', { limit: '201' }), 'limit');
      await expectValidationFailed(() => h.lists.invitationsTo('carol@example.com', { status: 'pending' }, now), 'status');
      await expectValidationFailed(() => h.activityLog(orgId, { type: 'MemberInvited' }), 'type');
      await expectValidationFailed(() => h.activityLog(orgId, { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }), 'from');
    });
  });

  // ------------------------------------------------------------------------ roster activity counts
  describe('roster: activity counts and lastActiveAt', () => {
    freshForEachTest();

    it('counts each kind; an item id seen before in the organization (same batch, later, other actor) counts once; items without id each count', async () => {
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
        { type: 'AssetImported', actorId: 'olivia', itemId: 'imp-1' }, // another actor, an id already seen
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

    it('lastActiveAt is the latest of team commands and activity; earlier activity never lowers it; commands about a member are not theirs', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, adam, 'admin');
      await h.invite(orgId, adam, 'x@example.com');
      const commandAt = h.iso();
      await h.catchUp();
      expect((await h.roster.member(orgId, 'adam'))!.lastActiveAt).toBe(commandAt);

      await h.activity(orgId, [{ type: 'AssetDeployed', actorId: 'adam', itemId: 'd', occurredAt: '2026-06-01T14:00:00+02:00' }]);
      await h.catchUp();
      expect((await h.roster.member(orgId, 'adam'))!.lastActiveAt).toBe('2026-06-01T12:00:00.000Z'); // shown in UTC

      await h.activity(orgId, [{ type: 'AuditRun', actorId: 'adam', itemId: 'old', occurredAt: '2025-01-01T00:00:00.000Z' }]);
      await h.catchUp();
      expect(await h.roster.member(orgId, 'adam')).toMatchObject({ lastActiveAt: '2026-06-01T12:00:00.000Z', audits: 1, deployments: 1 });

      h.setClock('2026-07-01T00:00:00.000Z');
      await h.invite(orgId, adam, 'y@example.com');
      const laterCommandAt = h.iso();
      await h.catchUp();
      expect((await h.roster.member(orgId, 'adam'))!.lastActiveAt).toBe(laterCommandAt);

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
      h.advance(DAY_MS);
      await h.expire(orgId, id);
      await h.catchUp();
      expect((await h.roster.member(orgId, 'olivia'))!.lastActiveAt).toBe(invitedAt);
    });

    it('counts and lastActiveAt survive removal and leaving, and come back when the member rejoins', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, mia);
      await h.join(orgId, olivia, bob);
      await h.activity(orgId, [
        { type: 'AssetImported', actorId: 'mia', itemId: 'a1', occurredAt: '2026-03-01T10:00:00.000Z' },
        { type: 'AssetImported', actorId: 'mia', itemId: 'a2', occurredAt: '2026-03-01T10:00:00.000Z' },
        { type: 'AssetDeployed', actorId: 'mia', itemId: 'd1', occurredAt: '2026-03-01T11:00:00.000Z' },
        { type: 'AuditRun', actorId: 'mia', itemId: 'r1', occurredAt: '2026-03-01T12:00:00.000Z' },
        { type: 'AuditRun', actorId: 'bob', itemId: 'r2', occurredAt: '2026-03-01T08:00:00.000Z' }, // before he joined
      ]);
      await h.catchUp();
      const miaBefore = (await h.roster.member(orgId, 'mia'))!;
      expect(miaBefore).toMatchObject({ imports: 2, deployments: 1, audits: 1, lastActiveAt: '2026-03-01T12:00:00.000Z' });

      await h.remove(orgId, olivia, 'mia');
      await h.leave(orgId, bob);
      const bobLeftAt = h.iso();
      await h.catchUp();
      expect(await h.roster.member(orgId, 'mia')).toBeNull();
      expect(await h.roster.member(orgId, 'bob')).toBeNull();
      expect(await rosterKeys(orgId)).toEqual(['olivia']);

      await h.join(orgId, olivia, mia, 'admin');
      await h.join(orgId, olivia, bob);
      const bobBackAt = h.iso();
      await h.catchUp();
      const miaAfter = (await h.roster.member(orgId, 'mia'))!;
      expect(miaAfter).toMatchObject({ role: 'admin', imports: 2, deployments: 1, audits: 1, lastActiveAt: '2026-03-01T12:00:00.000Z' });
      expect(Date.parse(miaAfter.joinedAt)).toBeGreaterThan(Date.parse(miaBefore.joinedAt));
      // bob's own accept is later than anything he did before: it is his lastActiveAt now
      expect(Date.parse(bobBackAt)).toBeGreaterThan(Date.parse(bobLeftAt));
      expect(await h.roster.member(orgId, 'bob')).toMatchObject({ audits: 1, lastActiveAt: bobBackAt, joinedAt: bobBackAt });
    });
  });

  // ---------------------------------------------------------------------- roster membership changes
  describe('roster: role changes, transfers, removals, deletion', () => {
    freshForEachTest();

    it('a role change and an ownership transfer update the rows', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, adam, 'admin');
      await h.join(orgId, olivia, mia);
      await h.changeRole(orgId, olivia, 'mia', 'admin');
      await h.catchUp();
      expect((await h.roster.member(orgId, 'mia'))!.role).toBe('admin');

      await h.changeRole(orgId, olivia, 'adam', 'member');
      await h.transfer(orgId, olivia, 'mia');
      await h.catchUp();
      expect(await rosterKeys(orgId, { role: 'owner' })).toEqual(['mia']);
      expect(await rosterKeys(orgId, { role: 'admin' })).toEqual(['olivia']);
      expect(await rosterKeys(orgId, { role: 'member' })).toEqual(['adam']);
      const roleOf = async (userId: string) => (await h.roster.member(orgId, userId))!.role;
      expect([await roleOf('mia'), await roleOf('olivia'), await roleOf('adam')]).toEqual(['owner', 'admin', 'member']);
    });

    it("a removed member's row leaves the roster, and so do the invitations they sent", async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, adam, 'admin');
      await h.invite(orgId, adam, 'x1@example.com');
      await h.invite(orgId, adam, 'x2@example.com');
      const oliviasOwn = await h.invite(orgId, olivia, 'x3@example.com');
      await h.catchUp();
      expect(await rosterKeys(orgId)).toHaveLength(5);
      await h.remove(orgId, olivia, 'adam');
      await h.catchUp();
      expect((await rosterKeys(orgId)).sort()).toEqual([oliviasOwn, 'olivia'].sort());
      expect(await h.roster.member(orgId, 'adam')).toBeNull();
    });

    it('deleting an organization empties its roster, its invitations and its place in the lists, and only its', async () => {
      const orgId = await h.create(olivia);
      const other = await h.create(adam);
      await h.join(orgId, olivia, mia);
      await h.invite(orgId, olivia, 'pending@example.com');
      await h.invite(other, adam, 'pending@example.com');
      await h.activity(orgId, [{ type: 'AssetImported', actorId: 'mia', itemId: 'i' }]);
      await h.catchUp();
      expect(await roster(orgId)).toHaveLength(3);

      await h.deleteOrg(orgId, olivia);
      await h.catchUp();
      expect(await roster(orgId)).toEqual([]);
      expect(await h.roster.member(orgId, 'olivia')).toBeNull();
      expect(await h.roster.member(orgId, 'mia')).toBeNull();
      expect(await invitations(orgId)).toEqual([]);
      expect((await h.lists.myOrganizations('mia', ALL)).items).toEqual([]);
      expect((await h.lists.invitationsTo('pending@example.com', ALL, h.now())).items.map((i) => i.orgId)).toEqual([other]);
      expect(await rosterKeys(other)).toEqual(['adam', expect.any(String)]);
    });
  });

  // -------------------------------------------------------------------------------------- lists
  describe('lists: organizations of a user', () => {
    freshForEachTest();

    it('lists the organizations of a user with role, memberCount (active members) and the Org fields', async () => {
      const acme = await h.create(olivia, 'Acme');
      const createdAt = h.iso();
      await h.join(acme, olivia, adam, 'admin');
      await h.join(acme, olivia, mia);
      await h.invite(acme, olivia, 'pending@example.com'); // an invitation is not a member
      const beta = await h.create(adam, 'Beta');
      await h.catchUp();

      expect(await h.lists.myOrganizations('olivia', ALL)).toEqual({
        items: [{ id: acme, name: 'Acme', ownerId: 'olivia', memberCount: 3, createdAt, role: 'owner' }],
        nextCursor: null,
      });
      const adams = (await h.lists.myOrganizations('adam', ALL)).items.map((o) => [o.id, o.role, o.memberCount, o.ownerId, o.name]).sort();
      expect(adams).toEqual([[acme, 'admin', 3, 'olivia', 'Acme'], [beta, 'owner', 1, 'adam', 'Beta']].sort());
      expect((await h.lists.myOrganizations('mia', ALL)).items).toEqual([{ id: acme, name: 'Acme', ownerId: 'olivia', memberCount: 3, createdAt, role: 'member' }]);
      expect((await h.lists.myOrganizations('nobody', ALL)).items).toEqual([]);
    });

    it('follows role changes, transfers, renames, leaving, removal and rejoining', async () => {
      const acme = await h.create(olivia, 'Acme');
      await h.join(acme, olivia, adam, 'admin');
      await h.join(acme, olivia, mia);
      await h.join(acme, olivia, bob);
      await h.changeRole(acme, olivia, 'mia', 'admin');
      await h.transfer(acme, olivia, 'adam');
      await h.rename(acme, adam, 'Acme Two');
      await h.catchUp();
      const summary = async (userId: string) =>
        (await h.lists.myOrganizations(userId, ALL)).items.map((o) => ({ id: o.id, role: o.role, memberCount: o.memberCount, ownerId: o.ownerId, name: o.name }));
      for (const [userId, role] of [['olivia', 'admin'], ['adam', 'owner'], ['mia', 'admin'], ['bob', 'member']]) {
        expect({ userId, orgs: await summary(userId) }).toEqual({ userId, orgs: [{ id: acme, role, memberCount: 4, ownerId: 'adam', name: 'Acme Two' }] });
      }

      await h.leave(acme, mia);
      await h.remove(acme, adam, 'bob');
      await h.catchUp();
      expect(await summary('olivia')).toEqual([{ id: acme, role: 'admin', memberCount: 2, ownerId: 'adam', name: 'Acme Two' }]);
      expect(await summary('adam')).toEqual([{ id: acme, role: 'owner', memberCount: 2, ownerId: 'adam', name: 'Acme Two' }]);
      expect(await summary('mia')).toEqual([]);
      expect(await summary('bob')).toEqual([]);

      await h.join(acme, adam, mia);
      await h.catchUp();
      expect(await summary('mia')).toEqual([{ id: acme, role: 'member', memberCount: 3, ownerId: 'adam', name: 'Acme Two' }]);
    });

    it('paginates: every organization once, in the order of one big page', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await h.create(olivia, `Org ${i}`));
      await h.create(adam, 'Not hers');
      await h.catchUp();
      const whole = (await h.lists.myOrganizations('olivia', ALL)).items;
      expect(whole.map((o) => o.id).sort()).toEqual([...ids].sort());
      for (const limit of [1, 2, 3, 7]) {
        const walked = await walk(limit, (page) => h.lists.myOrganizations('olivia', page));
        expect({ limit, walked }).toEqual({ limit, walked: whole });
      }
    });
  });

  describe('lists: invitations', () => {
    freshForEachTest();

    it('shows each invitation as the API Invitation (email normalized)', async () => {
      const orgId = await h.create(olivia);
      const accepted = await h.join(orgId, olivia, adam, 'admin');
      const id = await h.invite(orgId, adam, ' Ivy@Example.COM ', 'admin');
      const invitedAt = h.iso();
      await h.catchUp();
      const all = await invitations(orgId);
      expect(all.map((i) => i.id).sort()).toEqual([accepted, id].sort());
      expect(all.find((i) => i.id === id)).toEqual({
        id, orgId, email: 'ivy@example.com', role: 'admin', status: 'pending', invitedBy: 'adam', invitedAt, expiresAt: later(invitedAt, WEEK_MS),
      });
    });

    it('filters by status: pending, expired (by time or recorded), accepted, declined, revoked (also by the inviter leaving)', async () => {
      const orgId = await h.create(olivia);
      const accepted = await h.join(orgId, olivia, adam, 'admin');
      const declined = await h.invite(orgId, olivia, bob.email);
      await h.decline(orgId, declined, bob);
      const revoked = await h.invite(orgId, olivia, 'r@example.com');
      await h.revoke(orgId, olivia, revoked);
      const byInviterLeaving = await h.invite(orgId, adam, 'left@example.com');
      const expiredByTime = await h.invite(orgId, olivia, 'late@example.com', 'member', 60);
      const recordedExpired = await h.invite(orgId, olivia, 'late2@example.com', 'member', 60);
      const pending = await h.invite(orgId, olivia, 'p@example.com');
      h.advance(120_000);
      await h.expire(orgId, recordedExpired);
      await h.leave(orgId, adam);
      await h.catchUp();

      expect(await invitationIds(orgId, 'pending')).toEqual([pending]);
      expect(await invitationIds(orgId, 'expired')).toEqual([expiredByTime, recordedExpired].sort());
      expect(await invitationIds(orgId, 'accepted')).toEqual([accepted]);
      expect(await invitationIds(orgId, 'declined')).toEqual([declined]);
      expect(await invitationIds(orgId, 'revoked')).toEqual([revoked, byInviterLeaving].sort());
      expect(Object.fromEntries((await invitations(orgId)).map((i) => [i.id, i.status]))).toEqual({
        [accepted]: 'accepted', [declined]: 'declined', [revoked]: 'revoked', [byInviterLeaving]: 'revoked',
        [expiredByTime]: 'expired', [recordedExpired]: 'expired', [pending]: 'pending',
      });
      // exactly at its expiry instant a pending invitation is expired (as the write side decides)
      const { expiresAt } = (await invitations(orgId, { status: 'pending' }))[0];
      expect(await invitationIds(orgId, 'pending', new Date(Date.parse(expiresAt) - 1))).toEqual([pending]);
      expect(await invitationIds(orgId, 'pending', new Date(expiresAt))).toEqual([]);
      expect(await invitationIds(orgId, 'expired', new Date(expiresAt))).toContain(pending);
    });

    it('paginates, unfiltered and filtered: every invitation once, in the order of one big page', async () => {
      const orgId = await h.create(olivia);
      const all: string[] = [];
      for (let i = 0; i < 9; i++) all.push(await h.invite(orgId, olivia, `p${i}@example.com`, 'member', i % 3 === 0 ? 60 : 7 * 86_400));
      h.advance(120_000);
      await h.catchUp();
      for (const query of [{}, { status: 'pending' }, { status: 'expired' }]) {
        const whole = await invitations(orgId, query);
        const walked = await walk(2, (page) => h.lists.invitations(orgId, { ...query, ...page }, h.now()));
        expect({ query, walked }).toEqual({ query, walked: whole });
      }
      expect((await invitations(orgId)).map((i) => i.id).sort()).toEqual([...all].sort());
      expect(await invitationIds(orgId, 'expired')).toEqual([all[0], all[3], all[6]].sort());
    });

    it("the caller's invitations: pending, unexpired invitations to that (normalized) email, across organizations, paginated", async () => {
      const a = await h.create(olivia, 'A');
      const b = await h.create(adam, 'B');
      const c = await h.create(bob, 'C');
      const d = await h.create(olivia, 'D');
      const e = await h.create(bob, 'E');
      const inA = await h.invite(a, olivia, 'Mia@Example.com');
      const inB = await h.invite(b, adam, 'mia@example.com', 'admin');
      const revokedInC = await h.invite(c, bob, 'mia@example.com');
      await h.revoke(c, bob, revokedInC);
      const shortInD = await h.invite(d, olivia, 'mia@example.com', 'member', 60);
      const inE = await h.invite(e, bob, 'mia@example.com');
      await h.invite(a, olivia, 'someone.else@example.com');
      h.advance(120_000);
      await h.catchUp();

      const mine = (await h.lists.invitationsTo('mia@example.com', ALL, h.now())).items;
      expect(mine.map((i) => i.id).sort()).toEqual([inA, inB, inE].sort());
      expect(mine.map((i) => i.id)).not.toContain(shortInD);
      expect(mine.find((i) => i.id === inB)).toMatchObject({ orgId: b, email: 'mia@example.com', role: 'admin', status: 'pending', invitedBy: 'adam' });
      expect(await walk(1, (page) => h.lists.invitationsTo('mia@example.com', page, h.now()))).toEqual(mine);

      await h.accept(a, inA, mia);
      await h.catchUp();
      expect((await h.lists.invitationsTo('mia@example.com', ALL, h.now())).items.map((i) => i.id).sort()).toEqual([inB, inE].sort());
      expect((await h.lists.invitationsTo('nobody@example.com', ALL, h.now())).items).toEqual([]);
    });

    it('due invitations: pending ones past their expiry only, oldest expiry first, at most `limit`', async () => {
      const a = await h.create(olivia);
      const b = await h.create(adam);
      const due2 = await h.invite(a, olivia, 'due2@example.com', 'member', 120);
      const due1 = await h.invite(a, olivia, 'due1@example.com', 'member', 60);
      await h.invite(a, olivia, 'later@example.com'); // a week
      const recorded = await h.invite(a, olivia, 'recorded@example.com', 'member', 60);
      const acceptedInv = await h.invite(a, olivia, mia.email, 'member', 60);
      await h.accept(a, acceptedInv, mia);
      const revokedInv = await h.invite(a, olivia, 'revoked@example.com', 'member', 60);
      await h.revoke(a, olivia, revokedInv);
      const due3 = await h.invite(b, adam, 'due3@example.com', 'member', 200);
      h.advance(3_600_000);
      await h.expire(a, recorded);
      await h.catchUp();

      const expiresAt = Object.fromEntries([...(await invitations(a)), ...(await invitations(b))].map((i) => [i.id, i.expiresAt]));
      expect(expiresAt[due1] < expiresAt[due2] && expiresAt[due2] < expiresAt[due3]).toBe(true);
      const now = h.now();
      expect(await h.lists.dueInvitations(now, 10)).toEqual([
        { orgId: a, invitationId: due1 },
        { orgId: a, invitationId: due2 },
        { orgId: b, invitationId: due3 },
      ]);
      expect(await h.lists.dueInvitations(now, 2)).toEqual([
        { orgId: a, invitationId: due1 },
        { orgId: a, invitationId: due2 },
      ]);
      // exactly at its expiry an invitation is due; a millisecond before, it is not
      expect(await h.lists.dueInvitations(new Date(expiresAt[due1]), 10)).toEqual([{ orgId: a, invitationId: due1 }]);
      expect(await h.lists.dueInvitations(new Date(Date.parse(expiresAt[due1]) - 1), 10)).toEqual([]);
    });
  });

  // ------------------------------------------------------------------------------- activity log
  describe('activity log', () => {
    freshForEachTest();

    const SAME = '2026-03-02T00:00:00.000Z';
    /** A log with five items at the same instant, one item dated before the organization existed. */
    async function logHistory() {
      const acme = await h.create(olivia, 'Acme');
      await h.join(acme, olivia, mia);
      await h.activity(acme, [
        ...[1, 2, 3, 4, 5].map((n) => ({ type: 'AssetImported' as const, actorId: 'mia', itemId: `same-${n}`, occurredAt: SAME })),
        { type: 'AssetDeployed', actorId: 'olivia', itemId: 'd1', occurredAt: '2026-03-01T08:00:00.000Z', subject: 'web' },
        { type: 'AuditRun', actorId: 'mia', itemId: 'a1', occurredAt: '2026-03-03T00:00:00.000Z' },
      ]);
      await h.remove(acme, olivia, 'mia');
      const removedAt = h.iso();
      const beta = await h.create(adam, 'Beta');
      await h.catchUp();
      return { acme, beta, removedAt };
    }

    it('lists the organization newest first (occurredAt, then the later event first), with the fields of API.md', async () => {
      const { acme, beta, removedAt } = await logHistory();
      const page = await h.activityLog(acme, {}); // the default limit holds the whole log
      expect(page.nextCursor).toBeNull();
      const { items } = page;
      const times = items.map((i) => i.occurredAt);
      expect(times).toEqual([...times].sort().reverse());
      expect(times.slice(1, 6)).toEqual(Array(5).fill(SAME));
      expect(items.map((i) => [i.type, i.actorName, (i.data as { itemId?: string }).itemId ?? null])).toEqual([
        ['audit_run', 'Mia', 'a1'],
        ...[5, 4, 3, 2, 1].map((n) => ['asset_imported', 'Mia', `same-${n}`]),
        ['member_removed', 'Olivia', null],
        ['invitation_accepted', 'Mia', null],
        ['member_invited', 'Olivia', null],
        ['org_created', 'Olivia', null],
        ['asset_deployed', 'Olivia', 'd1'],
      ]);
      expect(items[6]).toEqual({
        id: expect.any(String), type: 'member_removed', actorId: 'olivia', actorName: 'Olivia', occurredAt: removedAt,
        data: { userId: 'mia', role: 'member', removedBy: 'olivia' },
      });
      expect(items[10]).toEqual({
        id: expect.any(String), type: 'asset_deployed', actorId: 'olivia', actorName: 'Olivia', occurredAt: '2026-03-01T08:00:00.000Z',
        data: { itemId: 'd1', subject: 'web' },
      });
      expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
      // only the asked organization
      expect(await logTypes(beta)).toEqual(['org_created']);
      expect(await h.activityLog('org-unknown', {})).toEqual({ items: [], nextCursor: null });
    });

    it('filters by actorId, type, and an inclusive from/to range (with offsets), combined', async () => {
      const { acme } = await logHistory();
      expect(await logTypes(acme, { actorId: 'olivia' })).toEqual(['member_removed', 'member_invited', 'org_created', 'asset_deployed']);
      expect(await logTypes(acme, { actorId: 'nobody' })).toEqual([]);
      expect(await logTypes(acme, { type: 'asset_imported' })).toEqual(Array(5).fill('asset_imported'));
      expect(await logTypes(acme, { type: 'org_renamed' })).toEqual([]);
      expect(await logTypes(acme, { from: SAME })).toEqual(['audit_run', ...Array(5).fill('asset_imported')]);
      expect(await logTypes(acme, { from: '2026-03-02T01:00:00+01:00' })).toEqual(['audit_run', ...Array(5).fill('asset_imported')]);
      expect(await logTypes(acme, { to: '2026-03-01T08:00:00.000Z' })).toEqual(['asset_deployed']);
      expect(await logTypes(acme, { to: '2026-03-01T10:00:00+02:00' })).toEqual(['asset_deployed']);
      expect(await logTypes(acme, { from: SAME, to: SAME })).toEqual(Array(5).fill('asset_imported'));
      expect(await logTypes(acme, { from: '2026-03-01T08:00:00.001Z', to: '2026-03-01T23:59:59.999Z' })).toEqual([
        'member_removed', 'invitation_accepted', 'member_invited', 'org_created',
      ]);
      expect(await logTypes(acme, { actorId: 'mia', type: 'audit_run', from: SAME })).toEqual(['audit_run']);
      expect(await logTypes(acme, { actorId: 'mia', type: 'audit_run', to: SAME })).toEqual([]);
      expect(await logTypes(acme, { actorId: 'mia', type: 'audit_run', from: SAME, to: '2026-03-03T00:00:00.000Z' })).toEqual(['audit_run']);
    });

    it('walks every row once, page by page, through ties (also filtered)', async () => {
      const { acme } = await logHistory();
      const whole = await log(acme);
      expect(whole).toHaveLength(11);
      expect(await walk(2, (page) => h.activityLog(acme, page))).toEqual(whole);
      expect(await walk(1, (page) => h.activityLog(acme, { ...page, type: 'asset_imported' }))).toEqual(await log(acme, { type: 'asset_imported' }));
      expect(await walk(3, (page) => h.activityLog(acme, { ...page, actorId: 'olivia' }))).toEqual(await log(acme, { actorId: 'olivia' }));
    });

    it('actorName is the name at that moment: a removed member keeps theirs, a rejoin under a new name changes only newer rows', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, mia);
      await h.activity(orgId, [{ type: 'AssetImported', actorId: 'mia', itemId: 'i1' }]);
      await h.remove(orgId, olivia, 'mia');
      await h.join(orgId, olivia, actor('mia', 'Mia Married'));
      await h.activity(orgId, [{ type: 'AuditRun', actorId: 'mia', itemId: 'i2' }]);
      await h.catchUp();
      expect((await log(orgId, { actorId: 'mia' })).map((i) => [i.type, i.actorName])).toEqual([
        ['audit_run', 'Mia Married'],
        ['invitation_accepted', 'Mia Married'], // joining by it, under the new name
        ['asset_imported', 'Mia'],
        ['invitation_accepted', 'Mia'],
      ]);
    });

    it('an invitee is named by the invitation email: when declining, and when joining without a name', async () => {
      const orgId = await h.create(olivia);
      const declined = await h.invite(orgId, olivia, ' Bob@Example.com ');
      await h.decline(orgId, declined, bob);
      await h.join(orgId, olivia, ivy);
      await h.activity(orgId, [{ type: 'AuditRun', actorId: 'ivy', itemId: null }]);
      await h.catchUp();
      expect((await log(orgId)).filter((i) => i.actorId !== 'olivia').map((i) => [i.type, i.actorId, i.actorName])).toEqual([
        ['audit_run', 'ivy', 'ivy@example.com'],
        ['invitation_accepted', 'ivy', 'ivy@example.com'],
        ['invitation_declined', 'bob', 'bob@example.com'], // never a member: the email of the invitation
      ]);
    });

    it('an item id seen before in the organization makes no new row; the same id elsewhere makes its own', async () => {
      const acme = await h.create(olivia);
      const beta = await h.create(olivia);
      await h.activity(acme, [
        { type: 'AssetImported', actorId: 'olivia', itemId: 'dup', subject: 'first' },
        { type: 'AssetImported', actorId: 'olivia', itemId: 'dup', subject: 'second' },
        { type: 'AuditRun', actorId: 'olivia', itemId: null },
      ]);
      await h.catchUp();
      await h.activity(acme, [{ type: 'AssetDeployed', actorId: 'olivia', itemId: 'dup' }, { type: 'AuditRun', actorId: 'olivia', itemId: null }]);
      await h.activity(beta, [{ type: 'AssetImported', actorId: 'olivia', itemId: 'dup' }]);
      await h.catchUp();
      const items = (orgId: string) => log(orgId, { actorId: 'olivia' }).then((all) => all.filter((i) => i.type !== 'org_created').map((i) => [i.type, i.data]));
      expect(await items(acme)).toEqual([
        ['audit_run', { itemId: null, subject: null }],
        ['audit_run', { itemId: null, subject: null }],
        ['asset_imported', { itemId: 'dup', subject: 'first' }],
      ]);
      expect(await items(beta)).toEqual([['asset_imported', { itemId: 'dup', subject: null }]]);
    });
  });

  // --------------------------------------------------------------------------------- the port
  describe('the port: checkpoints and ping', () => {
    freshForEachTest();

    it('after a catch-up every read model is at the head; an unknown name is at 0', async () => {
      const { acme } = await richHistory(h);
      expect(await checkpoints(h)).toEqual(PROJECTION_NAMES.map((name) => [name, 0]));
      await h.catchUp();
      const head = await h.store.headPosition();
      expect(head).toBeGreaterThan(0);
      expect(await checkpoints(h)).toEqual(PROJECTION_NAMES.map((name) => [name, head]));
      expect(await h.readStore.checkpoint('no-such-projection')).toBe(0);

      await h.activity(acme, [{ type: 'AuditRun', actorId: 'adam', itemId: null }]);
      await h.catchUp();
      expect(await h.readStore.checkpoint('roster')).toBe(await h.store.headPosition());
      expect(await h.readStore.checkpoint('roster')).toBeGreaterThan(head);
    });

    it('lowestCheckpoint is the lowest of the named ones, 0 when one of them was never stored', async () => {
      await h.readStore.setCheckpoint('reactor-a', 40);
      await h.readStore.setCheckpoint('reactor-b', 25);
      await h.readStore.setCheckpoint('reactor-c', 90);
      expect(await h.readStore.lowestCheckpoint(['reactor-a', 'reactor-b', 'reactor-c'])).toBe(25);
      expect(await h.readStore.lowestCheckpoint(['reactor-c'])).toBe(90);
      expect(await h.readStore.lowestCheckpoint(['reactor-a', 'reactor-c'])).toBe(40);
      expect(await h.readStore.lowestCheckpoint(['reactor-a', 'never-stored'])).toBe(0);
      expect(await h.readStore.lowestCheckpoint(['never-stored'])).toBe(0);

      await richHistory(h);
      await h.catchUp();
      const head = await h.store.headPosition();
      expect(await h.readStore.lowestCheckpoint(PROJECTION_NAMES)).toBe(head);
      expect(await h.readStore.lowestCheckpoint([...PROJECTION_NAMES, 'reactor-b'])).toBe(Math.min(25, head));
    });

    it("setCheckpoint stores a reactor's position and the next call replaces it; the read models' own are untouched", async () => {
      await richHistory(h);
      await h.catchUp();
      const models = await checkpoints(h);
      await h.readStore.setCheckpoint('mail-reactor', 7);
      expect(await h.readStore.checkpoint('mail-reactor')).toBe(7);
      await h.readStore.setCheckpoint('mail-reactor', 1234);
      expect(await h.readStore.checkpoint('mail-reactor')).toBe(1234);
      await h.readStore.setCheckpoint('expiry-reactor', 3);
      expect(await h.readStore.checkpoint('mail-reactor')).toBe(1234);
      expect(await h.readStore.checkpoint('expiry-reactor')).toBe(3);
      expect(await checkpoints(h)).toEqual(models);
    });

    it('ping resolves while the store is open', async () => {
      await expect(h.readStore.ping()).resolves.toBeUndefined();
    });
  });

  // -------------------------------------------------------------------------- replays, rebuilds
  describe('atomicity, replays and rebuilds', () => {
    freshForEachTest();

    /** richHistory, caught up: the simulated now, what every query shows of it then, and the checkpoints. */
    async function projectedRichHistory() {
      const history = await richHistory(h);
      await h.catchUp();
      const now = h.now();
      return { history, now, seen: await everything(h, history.world, now), marks: await checkpoints(h) };
    }

    it('applyBatch of an already-applied batch (the whole history, or a part of it) changes nothing', async () => {
      const { history, now, seen: before, marks } = await projectedRichHistory();
      const events = await h.store.readAll(0, 10_000);
      await h.readStore.applyBatch(PROJECTION_NAMES, events);
      await h.readStore.applyBatch(PROJECTION_NAMES, events.slice(5, 20));
      await h.readStore.applyBatch(['roster'], events.slice(-3));
      expect(await everything(h, history.world, now)).toEqual(before);
      expect(await checkpoints(h)).toEqual(marks);
      await expectRichHistoryFacts(h, history);
    });

    it('a batch overlapping the checkpoint applies only the events after it', async () => {
      const orgId = await h.create(olivia);
      await h.join(orgId, olivia, mia);
      await h.activity(orgId, [{ type: 'AssetImported', actorId: 'mia', itemId: null }]);
      await h.catchUp();
      const applied = await h.store.headPosition();
      await h.activity(orgId, [{ type: 'AssetImported', actorId: 'mia', itemId: null }, { type: 'AuditRun', actorId: 'mia', itemId: null }]);
      await h.join(orgId, olivia, bob);

      await h.readStore.applyBatch(PROJECTION_NAMES, await h.store.readAll(0, 10_000)); // old and new together
      const head = await h.store.headPosition();
      expect(head).toBeGreaterThan(applied);
      expect(await checkpoints(h)).toEqual(PROJECTION_NAMES.map((name) => [name, head]));
      expect(await h.roster.member(orgId, 'mia')).toMatchObject({ imports: 2, audits: 1 });
      expect((await h.lists.myOrganizations('olivia', ALL)).items[0].memberCount).toBe(3);
      expect(await logTypes(orgId, { actorId: 'mia' })).toEqual(['audit_run', 'asset_imported', 'asset_imported', 'invitation_accepted']);
    });

    it('a second runner replaying every event applies nothing twice; one started from the stored checkpoints reads nothing', async () => {
      let replayed = 0;
      const second = projectionRunner(h.store, h.readStore, PROJECTION_NAMES, { onBatch: (_, count) => void (replayed += count) });
      await second.catchUp(); // before any event: it will read the whole history again from position 0
      const { history, now, seen: first } = await projectedRichHistory();
      await second.catchUp();
      const head = await h.store.headPosition();
      expect(second.position()).toBe(head);
      expect(replayed).toBe((await h.store.readAll(0, 10_000)).length);
      expect(await everything(h, history.world, now)).toEqual(first);
      await expectRichHistoryFacts(h, history);

      let read = 0;
      const third = projectionRunner(h.store, h.readStore, PROJECTION_NAMES, { onBatch: (_, count) => void (read += count) });
      await third.catchUp();
      expect(third.position()).toBe(head);
      expect(read).toBe(0);
      await second.stop();
      await third.stop();
    });

    it('one read model reset and caught up gives identical results; the others are not applied twice', async () => {
      const { history, now, seen: live } = await projectedRichHistory();
      const head = await h.store.headPosition();
      for (const name of PROJECTION_NAMES) {
        await h.readStore.reset(name);
        expect({ name, checkpoint: await h.readStore.checkpoint(name) }).toEqual({ name, checkpoint: 0 });
        expect({ name, changed: JSON.stringify(await everything(h, history.world, now)) !== JSON.stringify(live) }).toEqual({ name, changed: true });
        const rebuild = projectionRunner(h.store, h.readStore, PROJECTION_NAMES, { batchSize: 7 });
        await rebuild.catchUp(); // from the lowest checkpoint: 0, so every event passes the others again
        await rebuild.stop();
        expect({ name, seen: await everything(h, history.world, now) }).toEqual({ name, seen: live });
        expect(await checkpoints(h)).toEqual(PROJECTION_NAMES.map((n) => [n, head]));
      }
      await expectRichHistoryFacts(h, history);
    });

    it('every read model reset: all queries are empty, and a rebuild one event at a time gives identical results', async () => {
      const { history, now, seen: live } = await projectedRichHistory();
      for (const name of PROJECTION_NAMES) await h.readStore.reset(name);
      expect(await h.readStore.lowestCheckpoint(PROJECTION_NAMES)).toBe(0);
      for (const orgId of history.world.orgs) {
        expect(await roster(orgId, {}, now)).toEqual([]);
        expect(await invitations(orgId, {}, now)).toEqual([]);
        expect(await log(orgId)).toEqual([]);
      }
      expect((await h.lists.myOrganizations('adam', ALL)).items).toEqual([]);
      expect(await h.lists.dueInvitations(now, 10)).toEqual([]);

      const rebuild = projectionRunner(h.store, h.readStore, PROJECTION_NAMES, { batchSize: 1 });
      await rebuild.catchUp();
      await rebuild.stop();
      expect(await everything(h, history.world, now)).toEqual(live);
      await expectRichHistoryFacts(h, history);
    });

    it('a batch that cannot be applied (an unknown read model in it) is refused whole: checkpoints and results unchanged', async () => {
      const { history, now, seen: before, marks } = await projectedRichHistory();
      const applied = await h.store.headPosition();
      const { acme } = history;
      await h.activity(acme, [{ type: 'AssetDeployed', actorId: 'adam', itemId: 'new' }]);
      await h.join(acme, adam, bob);
      const fresh = await h.store.readAll(applied, 100);
      expect(fresh.length).toBeGreaterThan(1);

      // the known read models come first, so they have applied the batch by the time the unknown one fails
      for (const names of [[...PROJECTION_NAMES, 'no-such-projection'], ['roster', 'no-such-projection', 'organizations']]) {
        await expect(h.readStore.applyBatch(names, fresh)).rejects.toThrow();
        expect(await checkpoints(h)).toEqual(marks);
        expect(await h.readStore.checkpoint('no-such-projection')).toBe(0);
        expect(await everything(h, history.world, now)).toEqual(before);
      }

      // the same events through the real runner do change the results: the refusal above was not a no-op by chance
      await h.catchUp();
      expect(await h.roster.member(acme, 'adam')).toMatchObject({ deployments: 1 });
      expect(await h.roster.member(acme, 'bob')).toMatchObject({ role: 'member' });
    });
  });
}
