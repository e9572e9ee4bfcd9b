// A reactor follows the event store like a projection, but its reactions are side effects (adding
// jobs), so it runs them one event at a time and stores its checkpoint after each batch. A reaction
// that fails is retried with backoff from the same event: nothing is skipped, and because reactions
// are idempotent (job ids derived from event ids) running one twice does no harm.
import type Database from 'better-sqlite3';
import type { EventStore, StoredEvent } from '../event-store/event-store';

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
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let unsubscribe: (() => void) | null = null;

  async function catchUp() {
    for (;;) {
      const events = await store.readAll(position, batchSize);
      if (events.length === 0 || stopped) return;
      for (const event of events) {
        if (stopped) return;
        await reactor.react(event);
        position = event.position;
        setCheckpoint.run(checkpointName, position);
      }
    }
  }

  function trigger(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await catchUp();
        } while (again && !stopped);
        failures = 0;
      } catch (error) {
        // Stay on the failed event and try again later (the queue or mail server may be down).
        failures++;
        options.onError?.(error);
        const delay = Math.min(options.maxRetryMs ?? 30_000, (options.retryMs ?? 500) * 2 ** (failures - 1));
        clearTimeout(retryTimer);
        if (!stopped) retryTimer = setTimeout(() => void trigger(), delay).unref();
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    name: reactor.name,
    async start() {
      unsubscribe = store.onAppended(() => void trigger());
      await trigger();
    },
    catchUp: () => trigger(),
    position: () => position,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      unsubscribe?.();
      await running;
    },
  };
}
export type ReactorRunner = ReturnType<typeof reactorRunner>;
