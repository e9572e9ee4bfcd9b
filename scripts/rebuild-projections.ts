// Drops read models and rebuilds them from the events, on the engines the configuration selects:
//   npm run projections:rebuild [name ...]     (no name: every projection)
// Safe while the service runs: each batch re-checks the checkpoints inside its atomic step.
import { openReadStore, PROJECTION_NAMES } from '../apps/api/read-models';
import { loadConfig } from '../libs/platform/config/config';
import { openEventStore } from '../libs/platform/event-store/open-event-store';
import { projectionRunner } from '../libs/platform/projections/projection-runner';

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !PROJECTION_NAMES.includes(n));
  if (unknown.length > 0) {
    console.error(`unknown projection ${unknown.join(', ')}; known: ${PROJECTION_NAMES.join(', ')}`);
    process.exit(2);
  }
  const chosen = names.length ? names : PROJECTION_NAMES;
  const config = loadConfig();
  const store = openEventStore(config);
  const readStore = openReadStore(config);
  const head = await store.headPosition();
  for (const name of chosen) await readStore.reset(name);

  const started = process.hrtime.bigint();
  let applied = 0;
  const progress = (position: number, count: number) => {
    applied += count;
    const width = 30;
    const done = head === 0 ? 1 : Math.min(1, position / head);
    const bar = '#'.repeat(Math.round(done * width)).padEnd(width, '.');
    if (process.stderr.isTTY) process.stderr.write(`\r[${bar}] ${(done * 100).toFixed(0).padStart(3)}%  ${applied} events`);
  };
  const runner = projectionRunner(store, readStore, chosen, { onBatch: progress });
  await runner.catchUp();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(
    `rebuilt ${chosen.join(', ')}: ${applied} events in ${seconds.toFixed(2)} s ` +
      `(${Math.round(applied / Math.max(seconds, 1e-9))} events/s)`,
  );
  await readStore.close();
  await store.close();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
