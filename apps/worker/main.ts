// The production worker process (run the API with API_RUNS_WORKER=false beside it):
//   node dist/apps/worker/main.js
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '../../libs/platform/config/config';
import { WorkerModule } from './worker.module';

const SHUTDOWN_DEADLINE_MS = 9000;

async function main() {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  await app.init(); // runs the bootstrap hooks: projections, reactor, job processors, sweep
  // The runners' timers are unref'd (they must never hold an API process open); the worker has no
  // server, so this is what keeps it running until SIGTERM/SIGINT closes the application.
  const keepAlive = setInterval(() => undefined, 3_600_000);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      clearInterval(keepAlive);
      // A BullMQ worker that saw Redis go away may never finish closing (taskforcesh/bullmq#4656): its
      // jobs run again elsewhere once their locks expire, so exiting is safe; hanging is not.
      setTimeout(() => {
        console.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
  console.log(`team-management worker running (data in ${config.dataDir})`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
