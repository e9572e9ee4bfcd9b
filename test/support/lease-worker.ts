// One worker process of test/lease.e2e.ts (loaded through @swc/core by the test, so it needs no build;
// the test's boot script calls main()).
// It competes for the Redis lease 'projection:demo' and, while it holds it, runs a projection runner from
// the shared SQLite event store into the shared read database with a tiny counting projection. It reports
// on stdout: `ready <pid>`, `acquired <pid>`, `lost <pid>`.
//
// Environment: EVENTS_FILE, READ_FILE, REDIS_URL, LEASE_PREFIX, LEASE_TTL_MS, APPLY_MS (a synchronous
// delay per applied event, so that a test can kill the holder in the middle of a catch-up).
import { Redis } from 'ioredis';
import { openSqliteEventStore } from '../../libs/platform/event-store/sqlite-event-store';
import { runWithLease } from '../../libs/platform/lease/redis-lease';
import type { SqliteProjection } from '../../libs/platform/read-store/read-store';
import { projectionRunner, type ProjectionRunner } from '../../libs/platform/projections/projection-runner';
import { openSqliteReadStore } from '../../libs/platform/read-store/sqlite-read-store';

export const LEASE_NAME = 'projection:demo';

const applyMs = Number(process.env.APPLY_MS ?? 0);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Counts events (demo_count.n), and logs which process applied which position (demo_applied). */
export const demoCountProjection: SqliteProjection = {
  name: 'demo-count',
  schema: `
    CREATE TABLE IF NOT EXISTS demo_count (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
    INSERT OR IGNORE INTO demo_count (id, n) VALUES (1, 0);
    CREATE TABLE IF NOT EXISTS demo_applied (position INTEGER NOT NULL, pid INTEGER NOT NULL);`,
  tables: ['demo_count', 'demo_applied'],
  prepare(db) {
    const count = db.prepare('UPDATE demo_count SET n = n + 1 WHERE id = 1');
    const log = db.prepare('INSERT INTO demo_applied (position, pid) VALUES (?, ?)');
    return (event) => {
      if (applyMs > 0) Atomics.wait(sleeper, 0, 0, applyMs); // slow on purpose, inside the batch transaction
      count.run();
      log.run(event.position, process.pid);
    };
  },
};

/** Runs the worker until SIGTERM (the test's boot script calls it). */
export function main() {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`lease worker: ${name} is not set`);
    return value;
  };
  const say = (line: string) => process.stdout.write(`${line} ${process.pid}\n`);
  const store = openSqliteEventStore(env('EVENTS_FILE'), { pollMs: 20 });
  const readStore = openSqliteReadStore(env('READ_FILE'), [demoCountProjection]);
  const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // the lease reports failed commands itself

  let runner: ProjectionRunner | null = null;
  const lease = runWithLease(
    redis,
    LEASE_NAME,
    Number(env('LEASE_TTL_MS')),
    {
      onAcquired: async () => {
        // A new runner per term: a stopped runner does not start again.
        runner = projectionRunner(store, readStore, [demoCountProjection.name], { batchSize: 50 });
        say('acquired');
        await runner.start();
      },
      onLost: async () => {
        await runner?.stop();
        runner = null;
        say('lost');
      },
    },
    { keyPrefix: process.env.LEASE_PREFIX },
  );
  say('ready');

  process.once('SIGTERM', () => {
    void (async () => {
      await lease.stop();
      await store.close();
      await readStore.close();
      redis.disconnect();
      process.exit(0);
    })();
  });
}
