// Shared helpers of the read-side tests.
// - `readFixture()`: a real in-memory event store and read database, histories generated through the
//   real repository and `decide` (no HTTP), and the projections fed by a real projection runner.
// - HTTP helpers for the e2e tests: activity appended straight to the app's event store, paging walks.
import type Database from 'better-sqlite3';
import type { EventStore, NewEvent, StoredEvent } from '../../libs/platform/event-store/event-store';
import { openSqliteEventStore } from '../../libs/platform/event-store/sqlite-event-store';
import { projectionRunner } from '../../libs/platform/projections/projection-runner';
import type { ReadStore, SqliteProjection } from '../../libs/platform/read-store/read-store';
import { openSqliteReadStore } from '../../libs/platform/read-store/sqlite-read-store';
import { EVENT_STORE } from '../../libs/platform/injection-tokens';
import { organizationRepository } from '../../libs/organizations/application/organization-repository';
import type { OrganizationCommand } from '../../libs/organizations/domain/commands';
import type { Actor } from '../../libs/organizations/domain/actor';
import { rosterProjection } from '../../libs/organizations/read-side/roster.projection';
import { organizationsProjection } from '../../libs/organizations/read-side/organizations.projection';
import { invitationsProjection } from '../../libs/organizations/read-side/invitations.projection';
import { activityLogProjection } from '../../libs/activity/application/activity-log.projection';
import { readModelQueries } from '../../apps/api/read-models';
import { activityStream, type ActivityEvent } from '../../libs/activity/domain/events';
import type { TestApp, TestResponse } from './test-app';
import { linkFor } from './team';

export const ALL_PROJECTIONS: SqliteProjection[] = [organizationsProjection, rosterProjection, invitationsProjection];

export const T0 = '2026-03-01T09:00:00.000Z';
export const DAY_MS = 86_400_000;
export const TTL_SECONDS = 7 * 86_400;

export const actor = (userId: string, name: string | null = userId[0].toUpperCase() + userId.slice(1), email = `${userId}@example.com`): Actor => ({
  userId,
  email,
  name,
});

export type ActivityKind = 'AssetImported' | 'AssetDeployed' | 'AuditRun';

/** A store, a read store with every projection (or the given ones), and a history builder. The read
 * store is an in-memory SQLite one unless `readStore` is given (with the names of its projections). */
export function readFixture(options: { projections?: SqliteProjection[]; readStore?: ReadStore; projectionNames?: string[]; start?: string; stepMs?: number } = {}) {
  const store = openSqliteEventStore(':memory:');
  const projections = options.projections ?? ALL_PROJECTIONS;
  const readStore = options.readStore ?? openSqliteReadStore(':memory:', [...new Set([...projections, activityLogProjection])]);
  const projectionNames = options.projectionNames ?? projections.map((p) => p.name);
  const runner = projectionRunner(store, readStore, projectionNames);
  // The SQLite handle, for the SQLite adapter's own tests (whole-table snapshots).
  const db = (readStore.engine === 'sqlite' ? readStore.db : null) as Database.Database;
  const repo = organizationRepository(store);
  const { roster, lists, activityLog } = readModelQueries(readStore);
  const stepMs = options.stepMs ?? 1000;
  let clock = Date.parse(options.start ?? T0);
  let seq = 0;
  let correlation = 0;

  /** The time of the next command: the clock moves on by `stepMs` before each one. */
  const tick = () => new Date((clock += stepMs));
  const nextId = (prefix: string) => `${prefix}-${String(++seq).padStart(6, '0')}`;

  async function run(cmd: OrganizationCommand) {
    return repo.execute(cmd, { correlationId: `corr-${++correlation}` });
  }

  const h = {
    store,
    db,
    readStore,
    runner,
    repo,
    roster,
    lists,
    activityLog,
    /** The current simulated time. */
    now: () => new Date(clock),
    iso: () => new Date(clock).toISOString(),
    /** Moves the clock forward (or to a given instant). */
    advance: (ms: number) => void (clock += ms),
    setClock: (iso: string) => void (clock = Date.parse(iso)),
    catchUp: () => runner.catchUp(),

    async create(owner: Actor, name = `Org of ${owner.userId}`, orgId = nextId('org')) {
      await run({ type: 'CreateOrganization', orgId, name, by: owner, now: tick() });
      return orgId;
    },
    async invite(orgId: string, by: Actor, email: string, role: 'admin' | 'member' = 'member', ttlSeconds = TTL_SECONDS) {
      const invitationId = nextId('inv');
      await run({ type: 'InviteMember', orgId, invitationId, email, role, by, now: tick(), ttlSeconds });
      return invitationId;
    },
    async accept(orgId: string, invitationId: string, who: Actor) {
      const state = await repo.read(orgId);
      const sendNumber = state.invitations.get(invitationId)!.sendNumber;
      return run({ type: 'AcceptInvitation', orgId, link: { invitationId, sendNumber }, by: { ...who, emailVerified: true }, now: tick() });
    },
    async decline(orgId: string, invitationId: string, who: Actor) {
      const state = await repo.read(orgId);
      const sendNumber = state.invitations.get(invitationId)!.sendNumber;
      return run({ type: 'DeclineInvitation', orgId, link: { invitationId, sendNumber }, by: { ...who, emailVerified: true }, now: tick() });
    },
    /** Invites `who` (at their email) and accepts; answers the invitation id. */
    async join(orgId: string, by: Actor, who: Actor, role: 'admin' | 'member' = 'member') {
      const invitationId = await h.invite(orgId, by, who.email, role);
      await h.accept(orgId, invitationId, who);
      return invitationId;
    },
    resend: (orgId: string, by: Actor, invitationId: string, ttlSeconds = TTL_SECONDS) =>
      run({ type: 'ResendInvitation', orgId, invitationId, by: by.userId, now: tick(), ttlSeconds }),
    revoke: (orgId: string, by: Actor, invitationId: string) => run({ type: 'RevokeInvitation', orgId, invitationId, by: by.userId, now: tick() }),
    expire: (orgId: string, invitationId: string) => run({ type: 'ExpireInvitation', orgId, invitationId, now: tick() }),
    changeRole: (orgId: string, by: Actor, userId: string, role: string) => run({ type: 'ChangeRole', orgId, userId, role, by: by.userId, now: tick() }),
    transfer: (orgId: string, by: Actor, newOwnerId: string) => run({ type: 'TransferOwnership', orgId, newOwnerId, by: by.userId, now: tick() }),
    remove: (orgId: string, by: Actor, userId: string) => run({ type: 'RemoveMember', orgId, userId, by: by.userId, now: tick() }),
    leave: (orgId: string, who: Actor) => run({ type: 'LeaveOrganization', orgId, by: who.userId, now: tick() }),
    rename: (orgId: string, by: Actor, name: string) => run({ type: 'RenameOrganization', orgId, name, by: by.userId, now: tick() }),
    deleteOrg: (orgId: string, by: Actor) => run({ type: 'DeleteOrganization', orgId, by: by.userId, now: tick() }),

    /** Appends activity items to the organization's activity stream (recorded at the current clock). */
    async activity(orgId: string, items: Array<{ type: ActivityKind; actorId: string; itemId?: string | null; occurredAt?: string; subject?: string | null }>) {
      const recordedAt = tick().toISOString();
      const events: NewEvent[] = items.map((i) => ({
        type: i.type,
        data: { itemId: i.itemId ?? null, actorId: i.actorId, occurredAt: i.occurredAt ?? recordedAt, subject: i.subject ?? null },
        metadata: { eventId: nextId('act'), actorId: i.actorId, occurredAt: recordedAt, correlationId: `corr-${++correlation}`, causationId: null, schemaVersion: 1 },
      }));
      return store.append(activityStream(orgId), 'any', events);
    },

    /** Every row of a table in primary-key order (for comparisons of whole models). */
    table(name: string, orderBy: string) {
      return db.prepare(`SELECT * FROM ${name} ORDER BY ${orderBy}`).all();
    },
    async close() {
      await runner.stop();
      await store.close();
      await readStore.close();
    },
  };
  return h;
}
export type ReadFixture = ReturnType<typeof readFixture>;

/** Every table of the read side with its primary key (for whole-model comparisons). */
export const READ_TABLES: Array<[string, string]> = [
  ['org_view', 'org_id'],
  ['org_memberships', 'user_id, org_id'],
  ['roster', 'org_id, row_id'],
  ['roster_stats', 'org_id, user_id'],
  ['roster_seen_items', 'org_id, item_id'],
  ['invitation_view', 'org_id, invitation_id'],
];

export function snapshot(db: Database.Database) {
  return Object.fromEntries(READ_TABLES.map(([table, key]) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all()]));
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

// ---------------------------------------------------------------- HTTP helpers

export const eventStoreOf = (t: TestApp): EventStore => t.app.get<EventStore>(EVENT_STORE as never);

let activitySeq = 0;
/** Appends activity events to the app's event store (as the ingestion route would) and answers the
 * position to send as X-Min-Position. */
export async function appendActivity(
  t: TestApp,
  orgId: string,
  items: Array<{ type: ActivityKind; actorId: string; itemId?: string | null; occurredAt?: string; subject?: string | null }>,
): Promise<string> {
  const recordedAt = new Date().toISOString();
  const events: NewEvent[] = items.map((i) => ({
    type: i.type,
    data: { itemId: i.itemId ?? null, actorId: i.actorId, occurredAt: i.occurredAt ?? recordedAt, subject: i.subject ?? null },
    metadata: {
      eventId: `test-activity-${process.pid}-${++activitySeq}-${Math.random().toString(36).slice(2)}`,
      actorId: i.actorId,
      occurredAt: recordedAt,
      correlationId: `test-activity-${activitySeq}`,
      causationId: null,
      schemaVersion: 1,
    },
  }));
  const { position } = await eventStoreOf(t).append(activityStream(orgId), 'any', events);
  return String(position);
}

/** The position of the app's latest event, as a X-Min-Position value. */
export async function headPosition(t: TestApp): Promise<string> {
  return String(await eventStoreOf(t).headPosition());
}

/** GET with X-Min-Position (read your writes). */
export function getAt(t: TestApp, path: string, token: string | undefined, minPosition?: string | null): Promise<TestResponse> {
  return t.request('GET', path, { token, headers: minPosition ? { 'x-min-position': minPosition } : {} });
}

/** Walks every page of a list; fails on a non-200 or on a loop. */
export async function walk(t: TestApp, path: string, token: string, limit: number, minPosition?: string): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await getAt(t, url, token, minPosition);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${res.text}`);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    if (res.body.nextCursor !== null) expect(res.body.items.length).toBe(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (++pages > 1000) throw new Error('pagination does not end');
  } while (cursor);
  return { items, pages };
}

export type { StoredEvent };

/** Invites `sub` (at `email`, default `${sub}@example.com`) and accepts with a token carrying `name`
 * (null: no name claim). Answers the member's token and the X-Position of the accept. */
export async function joinAs(
  t: TestApp,
  orgId: string,
  byToken: string,
  sub: string,
  role: 'admin' | 'member' = 'member',
  name: string | null = `Name ${sub}`,
): Promise<{ sub: string; token: string; position: string }> {
  const email = `${sub}@example.com`;
  const inv = await t.request('POST', `/orgs/${orgId}/invitations`, { token: byToken, body: { email, role } });
  if (inv.status !== 201) throw new Error(`invite ${sub} answered ${inv.status}: ${inv.text}`);
  const link = await linkFor(t, email);
  const token = await t.token(sub, name === null ? {} : { name });
  const acc = await t.request('POST', `/invitations/${link}/accept`, { token });
  if (acc.status !== 200) throw new Error(`accept ${sub} answered ${acc.status}: ${acc.text}`);
  return { sub, token, position: acc.headers.get('x-position')! };
}
