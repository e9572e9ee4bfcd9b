// In an API process that runs no projections (API_RUNS_WORKER=false), X-Min-Position waits by watching
// the checkpoints that the worker process stores.
import type { ReadStore } from '../read-store/read-store';

export function checkpointWatcher(readStore: ReadStore, projectionNames: string[], pollMs = 10) {
  let last = 0;
  const position = async () => (last = await readStore.lowestCheckpoint(projectionNames));
  return {
    /** The last position seen (refreshed by waitFor). */
    position: () => last,
    async waitFor(target: number, timeoutMs: number): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if ((await position().catch(() => last)) >= target) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
  };
}
