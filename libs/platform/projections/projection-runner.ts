// Follows the event store from each projection's stored checkpoint: catches up at start, then applies
// new events as soon as the store says they exist. Each batch of events and the new checkpoint commit
// in one SQLite transaction, so a crash mid-batch leaves the model exactly at its last checkpoint.
import type Database from 'better-sqlite3';
import type { EventStore, StoredEvent } from '../event-store/event-store';
import type { SqliteProjection } from './projection';
import { catchUpLoop } from '../event-store/catch-up-loop';

export type ProjectionRunner = ReturnType<typeof projectionRunner>;

export function projectionRunner(
  store: EventStore,
  db: Database.Database,
  projections: SqliteProjection[],
  options: { batchSize?: number; onBatch?: (position: number, count: number) => void } = {},
) {
  const batchSize = options.batchSize ?? 1000;
  for (const p of projections) db.exec(p.schema);
  const getCheckpoint = db.prepare<[string], number>('SELECT position FROM checkpoints WHERE projection = ?').pluck();
  const setCheckpoint = db.prepare(
    'INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
  );
  const appliers = projections.map((p) => ({ name: p.name, apply: p.prepare(db) }));

  // Re-reads the checkpoint inside the transaction: another runner (a rebuild) may have moved it.
  const applyBatch = db.transaction((events: StoredEvent[]) => {
    for (const { name, apply } of appliers) {
      const checkpoint = getCheckpoint.get(name) ?? 0;
      for (const event of events) if (event.position > checkpoint) apply(event);
      setCheckpoint.run(name, Math.max(checkpoint, events[events.length - 1].position));
    }
  });

  let position = Math.min(...appliers.map((a) => getCheckpoint.get(a.name) ?? 0));
  let unsubscribe: (() => void) | null = null;
  const waiters = new Set<{ position: number; resolve: (reached: boolean) => void }>();

  async function catchUp() {
    for (;;) {
      const events = await store.readAll(position, batchSize);
      if (events.length === 0 || loop.isStopped()) return;
      applyBatch(events);
      position = events[events.length - 1].position;
      options.onBatch?.(position, events.length);
      for (const w of waiters) if (w.position <= position) (waiters.delete(w), w.resolve(true));
    }
  }

  const loop = catchUpLoop(catchUp, { onError: (error) => console.error('projection runner failed; will retry', error) });

  return {
    /** Catches up with everything stored, then follows new appends. */
    async start() {
      unsubscribe = store.onAppended(loop.poke);
      await loop.trigger();
    },
    /** Catches up once (for rebuilds and tests). */
    catchUp: () => loop.trigger(),
    position: () => position,
    /** Resolves true once every projection includes `target`, false after `timeoutMs`. */
    waitFor(target: number, timeoutMs: number): Promise<boolean> {
      if (position >= target) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = { position: target, resolve };
        waiters.add(waiter);
        loop.poke();
        setTimeout(() => waiters.delete(waiter) && resolve(false), timeoutMs).unref();
      });
    },
    /** Stops following; the batch in progress finishes and its checkpoint is stored. */
    async stop() {
      unsubscribe?.();
      await loop.stop();
      for (const w of waiters) w.resolve(false);
      waiters.clear();
    },
  };
}

/** Drops a projection's tables and checkpoint so that the next catch-up rebuilds it from the first event. */
export function resetProjection(db: Database.Database, projection: SqliteProjection) {
  db.transaction(() => {
    for (const table of projection.tables) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(projection.name);
  })();
  db.exec(projection.schema);
}
