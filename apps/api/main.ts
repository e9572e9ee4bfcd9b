// `npm start`: the whole service on the configured engines (embedded SQLite by default).
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ConfigError, loadConfig } from '../../libs/platform/config/config';
import { ROOT_LOGGER } from '../../libs/platform/observability/observability.module';
import { createApp } from './create-app';

/** Orchestrators usually kill 10 s after SIGTERM; finish before that or say why not. */
const SHUTDOWN_DEADLINE_MS = 9000;

async function main() {
  const config = loadConfig();
  const app = await createApp(config);
  const logger = app.get<Logger>(ROOT_LOGGER);
  await app.listen(config.port, config.host);
  logger.info({ host: config.host, port: config.port, dataDir: config.dataDir }, `team-management listening on http://${config.host}:${config.port}`);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void shutdown(app, logger, signal);
    });
  }
}

/**
 * Stops accepting connections, lets requests in flight finish (late requests on open connections get
 * 503), then the shutdown hooks stop the runners after their current batch (checkpoints stored) and
 * close the queue and the databases. Exits 0 when all of that is done, 1 past the deadline.
 */
async function shutdown(app: NestFastifyApplication, logger: Logger, signal: string) {
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  try {
    await app.close();
    logger.info('stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}

main().catch((error) => {
  // A configuration error names its variable; anything else is unexpected and shown whole.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
