// The embedded job queue: jobs live in a SQLite table, so delayed jobs and retries survive a restart.
// A job that was running when the process died runs again at start (at-least-once, as BullMQ's
// stalled-job recovery does).
import { openSqlite } from '../sqlite';
import { backoffDelay, DEFAULT_RETRY, type JobCounts, type JobHandler, type JobQueue, type RetryPolicy } from './job-queue';

type Row = { id: string; name: string; data: string; attempts: number };

export function openSqliteJobQueue(
  file: string,
  options: { retry?: RetryPolicy; concurrency?: number; keepCompletedMs?: number; pollMs?: number; now?: () => number } = {},
): JobQueue {
  const retry = options.retry ?? DEFAULT_RETRY;
  const concurrency = options.concurrency ?? 4;
  const keepCompletedMs = options.keepCompletedMs ?? 7 * 24 * 3600 * 1000;
  const pollMs = options.pollMs ?? 1000;
  const now = options.now ?? Date.now;
  const db = openSqlite(file);
  db.exec(`CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, data TEXT NOT NULL, run_at INTEGER NOT NULL,
    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, run_at);`);
  // Jobs that were running when the process stopped run again.
  db.prepare(`UPDATE jobs SET state = 'waiting' WHERE state = 'active'`).run();

  const s = {
    add: db.prepare(`INSERT INTO jobs (id, name, data, run_at, state, updated_at) VALUES (?, ?, ?, ?, 'waiting', ?) ON CONFLICT (id) DO NOTHING`),
    claim: db.prepare<{ now: number; names: string }, Row>(
      `UPDATE jobs SET state = 'active', updated_at = @now WHERE id = (
         SELECT id FROM jobs WHERE state = 'waiting' AND run_at <= @now AND name IN (SELECT value FROM json_each(@names)) ORDER BY run_at LIMIT 1
       ) RETURNING id, name, data, attempts`,
    ),
    done: db.prepare(`UPDATE jobs SET state = 'completed', attempts = attempts + 1, updated_at = ? WHERE id = ?`),
    retry: db.prepare(`UPDATE jobs SET state = 'waiting', attempts = attempts + 1, run_at = ?, last_error = ?, updated_at = ? WHERE id = ?`),
    dead: db.prepare(`UPDATE jobs SET state = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`),
    remove: db.prepare(`DELETE FROM jobs WHERE id = ? AND state = 'waiting'`),
    nextDue: db.prepare<[string], number | null>(`SELECT MIN(run_at) FROM jobs WHERE state = 'waiting' AND name IN (SELECT value FROM json_each(?))`).pluck(),
    counts: db.prepare<[number], { state: string; delayed: number; n: number }>(
      `SELECT state, (state = 'waiting' AND run_at > ?) AS delayed, COUNT(*) AS n FROM jobs GROUP BY 1, 2`,
    ),
    purge: db.prepare(`DELETE FROM jobs WHERE state = 'completed' AND updated_at < ?`),
  };

  const handlers = new Map<string, JobHandler>();
  let running = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false; // no new job starts; the running ones finish and record their outcome
  const inFlight = new Set<Promise<void>>();
  const names = () => JSON.stringify([...handlers.keys()]);

  function schedule() {
    if (stopping || handlers.size === 0) return;
    clearTimeout(timer);
    const next = s.nextDue.get(names());
    const wait = next === null || next === undefined ? pollMs : Math.max(0, Math.min(pollMs, next - now()));
    timer = setTimeout(pump, wait);
    timer.unref();
  }

  function pump() {
    while (!stopping && running < concurrency) {
      const row = s.claim.get({ now: now(), names: names() });
      if (!row) break;
      running++;
      const work = run(row).finally(() => {
        running--;
        inFlight.delete(work);
        schedule();
      });
      inFlight.add(work);
    }
    schedule();
  }

  async function run(row: Row) {
    const attempt = row.attempts + 1;
    try {
      await handlers.get(row.name)!({ name: row.name, id: row.id, data: JSON.parse(row.data), attempt });
      s.done.run(now(), row.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= retry.attempts) s.dead.run(message, now(), row.id);
      else s.retry.run(now() + backoffDelay(retry, attempt), message, now(), row.id);
    }
  }

  const purgeTimer = setInterval(() => s.purge.run(now() - keepCompletedMs), 3600_000);
  purgeTimer.unref();

  return {
    async add(job) {
      s.add.run(job.id, job.name, JSON.stringify(job.data), job.runAt?.getTime() ?? now(), now());
      if (handlers.has(job.name)) setImmediate(pump);
    },
    process(name, handler) {
      if (handlers.has(name)) throw new Error(`jobs named ${name} already have a handler`);
      handlers.set(name, handler);
      setImmediate(pump);
    },
    async remove(id) {
      s.remove.run(id);
    },
    async counts() {
      const counts: JobCounts = { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 };
      for (const row of s.counts.all(now())) {
        const key = row.delayed ? 'delayed' : (row.state as keyof JobCounts);
        counts[key] += row.n;
      }
      return counts;
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      clearInterval(purgeTimer);
      // Jobs running now finish (or fail) and record it; a row stays 'active', and runs again at the
      // next start, only if the process dies before this resolves.
      await Promise.allSettled([...inFlight]);
      db.close();
    },
  };
}
