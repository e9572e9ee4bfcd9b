// A reactor follows the event store like a projection, but its reactions are side effects (adding
// jobs), so it runs them one event at a time and stores its checkpoint after each batch. A reaction
// that fails is retried with backoff from the same event: nothing is skipped, and because reactions
// are idempotent (job ids derived from event ids) running one twice does no harm.
import type Database from 'better-sqlite3';
import type { EventStore, StoredEvent } from '../event-store/event-store';
import { catchUpLoop } from '../event-store/catch-up-loop';

export type Reactor = { name: string; react(event: StoredEvent): Promise<void> };

export function reactorRunner(
  store: EventStore,
  db: Database.Database,
  reactor: Reactor,
  options: { batchSize?: number; retryMs?: number; maxRetryMs?: number; onError?: (error: unknown) => void } = {},
) {
  const batchSize = options.batchSize ?? 200;
  const checkpointName = `reactor:${reactor.name}`;
  const getCheckpoint = db.prepare<[string], number>('SELECT position FROM checkpoints WHERE projection = ?').pluck();
  const setCheckpoint = db.prepare(
    'INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
  );
  let position = getCheckpoint.get(checkpointName) ?? 0;
  let unsubscribe: (() => void) | null = null;

  async function catchUp() {
    for (;;) {
      const events = await store.readAll(position, batchSize);
      if (events.length === 0 || loop.isStopped()) return;
      for (const event of events) {
        if (loop.isStopped()) return;
        await reactor.react(event);
        position = event.position;
        setCheckpoint.run(checkpointName, position);
      }
    }
  }

  // Stays on a failed event and tries it again later (the queue or mail server may be down).
  const loop = catchUpLoop(catchUp, { onError: options.onError, retryMs: options.retryMs, maxRetryMs: options.maxRetryMs });

  return {
    name: reactor.name,
    async start() {
      unsubscribe = store.onAppended(loop.poke);
      await loop.trigger().catch(() => undefined); // reported through onError, and retried
    },
    catchUp: () => loop.trigger().catch(() => undefined),
    position: () => position,
    async stop() {
      unsubscribe?.();
      await loop.stop();
    },
  };
}
export type ReactorRunner = ReturnType<typeof reactorRunner>;
