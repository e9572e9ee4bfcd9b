// The projection runner over a real SQLite event store and read store, with a counting projection:
// every event applied exactly once, across restarts, replays, and a reset while it follows.
import type { StoredEvent } from '../event-store/event-store';
import { openSqliteEventStore } from '../event-store/sqlite-event-store';
import type { SqliteProjection } from '../read-store/read-store';
import { openSqliteReadStore } from '../read-store/sqlite-read-store';
import { projectionRunner } from './projection-runner';

/** Counts the events it sees, and remembers each position (a position seen twice fails the insert). */
const counting: SqliteProjection = {
  name: 'counting',
  schema: 'CREATE TABLE IF NOT EXISTS counted (position INTEGER PRIMARY KEY)',
  tables: ['counted'],
  prepare: (db) => {
    const insert = db.prepare('INSERT INTO counted (position) VALUES (?)');
    return (event: StoredEvent) => void insert.run(event.position);
  },
};

function fixture() {
  const store = openSqliteEventStore(':memory:');
  const readStore = openSqliteReadStore(':memory:', [counting]);
  const append = (n: number) =>
    store.append('organization-o', 'any', Array.from({ length: n }, (_, i) => ({ type: 'Something', data: { i }, metadata: { eventId: `e-${Math.random()}`, actorId: null, occurredAt: new Date().toISOString(), correlationId: 'c', causationId: null, schemaVersion: 1 } })));
  const counted = () => readStore.db.prepare('SELECT position FROM counted ORDER BY position').pluck().all() as number[];
  return { store, readStore, append, counted };
}

describe('projection runner', () => {
  it('applies every event once, in batches, and stores the checkpoint', async () => {
    const f = fixture();
    await f.append(25);
    const runner = projectionRunner(f.store, f.readStore, ['counting'], { batchSize: 7 });
    await runner.catchUp();
    expect(f.counted()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await f.readStore.checkpoint('counting')).toBe(25);
    // A second runner resumes from the checkpoint: nothing twice (the primary key would refuse it).
    await f.append(3);
    await projectionRunner(f.store, f.readStore, ['counting']).catchUp();
    expect(f.counted()).toHaveLength(28);
  });

  it('a projection reset while its runner follows is rebuilt in full, not only from where the runner was', async () => {
    const f = fixture();
    await f.append(10);
    const follower = projectionRunner(f.store, f.readStore, ['counting'], { batchSize: 4 });
    await follower.start();
    expect(f.counted()).toHaveLength(10);

    await f.readStore.reset('counting'); // as `npm run projections:rebuild` does, while the service runs
    await f.append(5);
    await follower.catchUp();
    expect(f.counted()).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(await f.readStore.checkpoint('counting')).toBe(15);
    await follower.stop();
  });

  it('applyBatch answers false and applies nothing for a projection whose checkpoint is behind the batch', async () => {
    const f = fixture();
    await f.append(6);
    const events = await f.store.readAll(3, 10);
    expect(await f.readStore.applyBatch(['counting'], events, 3)).toBe(false);
    expect(f.counted()).toEqual([]);
    expect(await f.readStore.checkpoint('counting')).toBe(0);
    expect(await f.readStore.applyBatch(['counting'], await f.store.readAll(0, 10), 0)).toBe(true);
    expect(f.counted()).toHaveLength(6);
  });

  it('waitFor resolves once the position is applied, and false on timeout', async () => {
    const f = fixture();
    const runner = projectionRunner(f.store, f.readStore, ['counting']);
    await runner.start();
    const { position } = await f.append(2);
    expect(await runner.waitFor(position, 2000)).toBe(true);
    expect(await runner.waitFor(position + 100, 50)).toBe(false);
    await runner.stop();
  });
});

describe('read store schemas', () => {
  it('a read model whose schema changed is dropped and rebuilt from the events at the next catch-up', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'read-schema-'));
    try {
      const store = openSqliteEventStore(join(dir, 'events.sqlite'));
      await store.append('organization-o', 'any', [{ type: 'X', data: {}, metadata: { eventId: 'a', actorId: null, occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c', causationId: null, schemaVersion: 1 } }]);
      const first = openSqliteReadStore(join(dir, 'read.sqlite'), [counting]);
      await projectionRunner(store, first, ['counting']).catchUp();
      await first.close();

      // Same schema: kept as it is.
      const same = openSqliteReadStore(join(dir, 'read.sqlite'), [counting]);
      expect(await same.checkpoint('counting')).toBe(1);
      await same.close();

      // A new column: the old table goes, the checkpoint is back at 0, and a catch-up rebuilds it.
      const changed: SqliteProjection = {
        ...counting,
        schema: 'CREATE TABLE IF NOT EXISTS counted (position INTEGER PRIMARY KEY, note TEXT)',
      };
      const next = openSqliteReadStore(join(dir, 'read.sqlite'), [changed]);
      expect(await next.checkpoint('counting')).toBe(0);
      expect(next.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('counted')).toEqual(['position', 'note']);
      await projectionRunner(store, next, ['counting']).catchUp();
      expect(next.db.prepare('SELECT COUNT(*) FROM counted').pluck().get()).toBe(1);
      await next.close();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
