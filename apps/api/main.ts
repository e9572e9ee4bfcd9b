// `npm start`: the whole service on the configured engines (embedded SQLite by default).
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../libs/platform/config/config';
import { createApp } from './create-app';

async function main() {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  console.log(`team-management listening on http://${config.host}:${config.port} (data in ${config.dataDir})`);
}

main().catch((error) => {
  // A configuration error names its variable; anything else is unexpected and shown whole.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
