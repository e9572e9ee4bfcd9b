// A reactor follows the event store like a projection, but its reactions are side effects (adding
// jobs), so it runs them one event at a time and stores its checkpoint after each batch. A reaction
// that fails is retried with backoff from the same event: nothing is skipped, and because reactions
// are idempotent (job ids derived from event ids) running one twice does no harm.
import type { EventStore, StoredEvent } from '../event-store/event-store';
import { catchUpLoop } from '../event-store/catch-up-loop';
import type { ReadStore } from '../read-store/read-store';

export type Reactor = { name: string; react(event: StoredEvent): Promise<void> };

export function reactorRunner(
  store: EventStore,
  readStore: ReadStore,
  reactor: Reactor,
  options: { batchSize?: number; retryMs?: number; maxRetryMs?: number; onError?: (error: unknown) => void } = {},
) {
  const batchSize = options.batchSize ?? 200;
  const checkpointName = `reactor:${reactor.name}`;
  let position: number | null = null; // read from the checkpoint on the first pass
  let unsubscribe: (() => void) | null = null;

  async function catchUp() {
    position ??= await readStore.checkpoint(checkpointName);
    for (;;) {
      const events = await store.readAll(position, batchSize);
      if (events.length === 0 || loop.isStopped()) return;
      for (const event of events) {
        if (loop.isStopped()) return;
        await reactor.react(event);
        position = event.position;
        await readStore.setCheckpoint(checkpointName, position);
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
    position: () => position ?? 0,
    async stop() {
      unsubscribe?.();
      await loop.stop();
    },
  };
}
export type ReactorRunner = ReturnType<typeof reactorRunner>;
