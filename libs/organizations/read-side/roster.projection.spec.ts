// The roster read model (GET /orgs/{orgId}/members) on SQLite: the pure rosterOps, and what only the
// SQLite adapter can show (whole-table snapshots, a failed batch on a SQLite file, an activity time it
// cannot read). Histories are generated through the real repository and `decide` on an in-memory event
// store, projected by the real runner.
// What the roster answers through its queries (rows, filters, sorts, counts, lastActiveAt, removals,
// deletion, bad parameters) is in the engine-neutral suite, apps/api/read-models.conformance.ts, which
// runs on SQLite too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../../platform/event-store/event-store';
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
