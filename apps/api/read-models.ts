// Every read model of the service, by name (as `npm run projections:rebuild [name]` knows them), on
// the read store the configuration selects: MongoDB when MONGODB_URL is set, else SQLite in DATA_DIR.
// The MongoDB driver is loaded only then (require, not import): it costs some 20 MB of memory.
import { join } from 'node:path';
import type { ActivityLogReader } from '../../libs/activity/application/activity-log.query';
import type { ListQueries } from '../../libs/organizations/read-side/lists.query';
import type { RosterQueries } from '../../libs/organizations/read-side/roster.query';
import type { Config } from '../../libs/platform/config/config';
import type { ReadStore } from '../../libs/platform/read-store/read-store';
import { openSqliteReadStore } from '../../libs/platform/read-store/sqlite-read-store';
import { SQLITE_PROJECTIONS, sqliteReadModelQueries } from './read-models.sqlite';

export const PROJECTION_NAMES = SQLITE_PROJECTIONS.map((p) => p.name);

export type ReadModelQueries = { roster: RosterQueries; lists: ListQueries; activityLog: ActivityLogReader };

const mongodb = () => ({
  ...(require('../../libs/platform/read-store/mongodb-read-store') as typeof import('../../libs/platform/read-store/mongodb-read-store')),
  ...(require('./read-models.mongodb') as typeof import('./read-models.mongodb')),
});

export function openReadStore(config: Pick<Config, 'dataDir' | 'mongodbUrl'>): ReadStore {
  if (!config.mongodbUrl) return openSqliteReadStore(join(config.dataDir, 'read.sqlite'), SQLITE_PROJECTIONS);
  const { openMongoReadStore, MONGODB_PROJECTIONS } = mongodb();
  return openMongoReadStore(config.mongodbUrl, MONGODB_PROJECTIONS);
}

export const readModelQueries = (store: ReadStore): ReadModelQueries =>
  store.engine === 'sqlite' ? sqliteReadModelQueries(store.db) : mongodb().mongoReadModelQueries(store.db);
