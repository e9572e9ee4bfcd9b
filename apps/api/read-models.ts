// Every read model of the service, by name (as `npm run projections:rebuild [name]` knows them), on
// the read store the configuration selects: MongoDB when MONGODB_URL is set, else SQLite in DATA_DIR.
import { join } from 'node:path';
import type { ActivityLogReader } from '../../libs/activity/application/activity-log.query';
import type { ListQueries } from '../../libs/organizations/read-side/lists.query';
import type { RosterQueries } from '../../libs/organizations/read-side/roster.query';
import type { Config } from '../../libs/platform/config/config';
import { openMongoReadStore } from '../../libs/platform/read-store/mongodb-read-store';
import type { ReadStore } from '../../libs/platform/read-store/read-store';
import { openSqliteReadStore } from '../../libs/platform/read-store/sqlite-read-store';
import { MONGODB_PROJECTIONS, mongoReadModelQueries } from './read-models.mongodb';
import { SQLITE_PROJECTIONS, sqliteReadModelQueries } from './read-models.sqlite';

export const PROJECTION_NAMES = SQLITE_PROJECTIONS.map((p) => p.name);

export type ReadModelQueries = { roster: RosterQueries; lists: ListQueries; activityLog: ActivityLogReader };

export function openReadStore(config: Pick<Config, 'dataDir' | 'mongodbUrl'>): ReadStore {
  return config.mongodbUrl
    ? openMongoReadStore(config.mongodbUrl, MONGODB_PROJECTIONS)
    : openSqliteReadStore(join(config.dataDir, 'read.sqlite'), SQLITE_PROJECTIONS);
}

export const readModelQueries = (store: ReadStore): ReadModelQueries =>
  store.engine === 'sqlite' ? sqliteReadModelQueries(store.db) : mongoReadModelQueries(store.db);
