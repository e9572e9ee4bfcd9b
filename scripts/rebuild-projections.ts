// Drops read models and rebuilds them from the events:
//   npm run projections:rebuild [name ...]     (no name: every projection)
// Safe while the service runs: each batch re-checks the checkpoint inside its transaction.
import { join } from 'node:path';
import { PROJECTIONS } from '../apps/api/projections';
import { loadConfig } from '../libs/platform/config/config';
import { openSqliteEventStore } from '../libs/platform/event-store/sqlite-event-store';
import { projectionRunner, resetProjection } from '../libs/platform/projections/projection-runner';
import { openReadDatabase } from '../libs/platform/projections/read-database';

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !PROJECTIONS.some((p) => p.name === n));
  if (unknown.length > 0) {
    console.error(`unknown projection ${unknown.join(', ')}; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
    process.exit(2);
  }
  const chosen = names.length ? PROJECTIONS.filter((p) => names.includes(p.name)) : PROJECTIONS;
  const config = loadConfig();
  const store = openSqliteEventStore(join(config.dataDir, 'events.sqlite'));
  const db = openReadDatabase(join(config.dataDir, 'read.sqlite'));
  const head = await store.headPosition();
  for (const projection of chosen) resetProjection(db, projection);

  const started = process.hrtime.bigint();
  let applied = 0;
  const progress = (position: number, count: number) => {
    applied += count;
    const width = 30;
    const done = head === 0 ? 1 : Math.min(1, position / head);
    const bar = '#'.repeat(Math.round(done * width)).padEnd(width, '.');
    if (process.stderr.isTTY) process.stderr.write(`\r[${bar}] ${(done * 100).toFixed(0).padStart(3)}%  ${applied} events`);
  };
  const runner = projectionRunner(store, db, chosen, { onBatch: progress });
  await runner.catchUp();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(
    `rebuilt ${chosen.map((p) => p.name).join(', ')}: ${applied} events in ${seconds.toFixed(2)} s ` +
      `(${Math.round(applied / Math.max(seconds, 1e-9))} events/s)`,
  );
  db.close();
  await store.close();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
