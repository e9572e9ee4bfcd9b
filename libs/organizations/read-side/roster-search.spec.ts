// Roster search (q=) on SQLite: a selective q reads its candidates from the trigram index, a frequent
// one walks the sort index, a short one scans; all three must list exactly the rows a plain substring
// filter over every row lists, in the same order. Members are appended as events (no commands), so
// an organization of a few thousand is quick to build.
import type { NewEvent } from '../../platform/event-store/event-store';
import { readFixture, type ReadFixture } from '../../../test/support/read';

let h: ReadFixture;
afterEach(() => h.close());

let seq = 0;
const meta = (actorId: string | null) => ({
  eventId: `ev-${++seq}`, actorId, occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), correlationId: 'c', causationId: null, schemaVersion: 1,
});

const SURNAMES = ['Smith', 'Jones', 'Martin', 'Zoë', 'Nguyen', 'O"Brien', 'Dupont'];

/** An organization of `n` members (Owner first) appended straight to the store. */
async function orgOf(orgId: string, n: number) {
  const events: NewEvent[] = [{ type: 'OrganizationCreated', data: { orgId, name: orgId, createdBy: `${orgId}-u0` }, metadata: meta(`${orgId}-u0`) }];
  for (let i = 0; i < n; i++) {
    const userId = `${orgId}-u${i}`;
    const name = `Person${i} ${SURNAMES[i % SURNAMES.length]}`;
    events.push({
      type: 'MemberJoined',
      data: { userId, email: `p${i}.${SURNAMES[i % SURNAMES.length].toLowerCase().replace('"', '')}@${orgId}.example.com`, name, role: i === 0 ? 'owner' : 'member', invitationId: null },
      metadata: meta(userId),
    });
  }
  await h.store.append(`organization-${orgId}`, 'any', events);
}

/** Every page of the roster for q (limit 200), as (kind, id) keys. */
async function search(orgId: string, q: string, sort = 'name') {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.roster.list(orgId, { q, sort, limit: '200', ...(cursor ? { cursor } : {}) }, h.now());
    keys.push(...page.items.map((r: any) => (r.kind === 'member' ? r.userId : r.invitationId)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return keys;
}

/** What a plain substring filter over every row says, in the same order. */
async function bruteForce(orgId: string, q: string, sort = 'name') {
  const rows: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.roster.list(orgId, { sort, limit: '200', ...(cursor ? { cursor } : {}) }, h.now());
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const needle = q.normalize('NFC').toLowerCase();
  return rows
    .filter((r) => (r.kind === 'member' ? r.name.normalize('NFC').toLowerCase() : r.email).includes(needle) || r.email.includes(needle))
    .map((r) => (r.kind === 'member' ? r.userId : r.invitationId));
}

describe('roster search', () => {
  beforeEach(async () => {
    h = readFixture();
    await orgOf('big', 2600);
    await orgOf('other', 50);
    await h.catchUp();
  });

  it.each([
    ['one member by an email fragment (selective: trigram candidates)', '.p1234.'.slice(1)],
    ['a full name (selective)', 'person77 jones'],
    ['a surname shared by a seventh of the organization (frequent: past the candidate limit)', 'smith'],
    ['a text in every row (frequent)', 'example.com'],
    ['two letters (too short for trigrams)', 'zo'],
    ['a non-ASCII name, any case', 'ZOË'],
    ['FTS syntax taken literally: a double quote', 'o"brien'],
    ['FTS syntax taken literally: operators and a star', 'OR p1*'],
    ['nothing matches', 'zzzqqq'],
  ])('%s', async (_what, q) => {
    const expected = await bruteForce('big', q);
    expect(await search('big', q)).toEqual(expected);
    expect(await search('big', q, '-email')).toEqual(await bruteForce('big', q, '-email'));
  });

  it('matches only the organization asked for, although the index spans every organization', async () => {
    const hits = await search('other', 'person1 ');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((id) => id.startsWith('other-'))).toBe(true);
    expect(await search('other', 'p1234.')).toEqual([]); // a member of 'big' only
  });

  it('finds a selective q in the candidates: the one member of 2,600 whose email holds it', async () => {
    expect(await search('big', 'p2599.')).toEqual(['big-u2599']);
  });
});

describe('the search index follows the rows', () => {
  beforeEach(() => {
    h = readFixture();
  });

  it('a member who leaves is no longer found; a replaced invitation is found once', async () => {
    await orgOf('o', 3);
    await h.store.append('organization-o', 'any', [
      { type: 'MemberLeft', data: { userId: 'o-u1', role: 'member' }, metadata: meta('o-u1') },
      { type: 'MemberInvited', data: { invitationId: 'i1', email: 'newcomer@example.com', role: 'member', invitedBy: 'o-u0', expiresAt: '2026-01-01T00:00:01.000Z'}, metadata: meta('o-u0') },
      { type: 'InvitationExpired', data: { invitationId: 'i1' }, metadata: meta(null) },
      { type: 'MemberInvited', data: { invitationId: 'i2', email: 'newcomer@example.com', role: 'member', invitedBy: 'o-u0', expiresAt: '2099-01-01T00:00:00.000Z'}, metadata: meta('o-u0') },
    ]);
    await h.catchUp();
    expect(await search('o', 'p1.jones')).toEqual([]);
    expect(await search('o', 'newcomer')).toEqual(['i2']);
    // The index holds one entry per roster row: nothing stale left behind by the replaced rows.
    const entries = h.db.prepare(`SELECT COUNT(*) FROM roster_search WHERE roster_search MATCH '"example.com"'`).pluck().get();
    const rows = h.db.prepare('SELECT COUNT(*) FROM roster').pluck().get();
    expect(entries).toBe(rows);
  });
});
