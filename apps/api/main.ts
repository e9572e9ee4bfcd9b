// `npm start`: the whole service on the configured engines (embedded SQLite by default).
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../libs/platform/config/config';
import { createApp } from './create-app';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  console.log(`team-management listening on http://${config.host}:${config.port} (data in ${config.dataDir})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
