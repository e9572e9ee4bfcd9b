// In an API process that runs no projections (API_RUNS_WORKER=false), X-Min-Position waits by watching
// the checkpoints that the worker process stores.
import type Database from 'better-sqlite3';

export function checkpointWatcher(db: Database.Database, projectionNames: string[], pollMs = 10) {
  const read = db.prepare<[string], number>(
    `SELECT MIN(COALESCE(c.position, 0)) FROM json_each(?) p LEFT JOIN checkpoints c ON c.projection = p.value`,
  ).pluck();
  const position = () => read.get(JSON.stringify(projectionNames)) ?? 0;
  return {
    position,
    async waitFor(target: number, timeoutMs: number): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (position() >= target) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
  };
}
