// The read models on the MongoDB read store: the read-store conformance suite against the server named by
// MONGODB_URL (a replica set: the adapter uses transactions), e.g. after
// `docker compose -f docker/docker-compose.yml up -d mongodb`,
// MONGODB_URL='mongodb://127.0.0.1:27017/?directConnection=true'. Each test gets a database of its own,
// dropped when the suite closes the store. Without MONGODB_URL the suite is a visible skip: no MongoDB
// server can be installed on the development machines, and no fake stands in for one.
import { randomBytes } from 'node:crypto';
import { openMongoReadStore } from '../../libs/platform/read-store/mongodb-read-store';
import type { ReadStore } from '../../libs/platform/read-store/read-store';
import { noServer, readModelConformance } from './read-models.conformance';
import { MONGODB_PROJECTIONS } from './read-models.mongodb';

const url = process.env.MONGODB_URL?.trim();
const RUN = `rmc_${process.pid}_${randomBytes(3).toString('hex')}`; // this run's databases: rmc_<pid>_<random>_<n>
let opened = 0;

/**
 * `url` with its database (the path) replaced by `database`, keeping hosts, credentials and options. A
 * database named in the URL was also where the credentials are checked, unless authSource says otherwise:
 * it stays so.
 */
function withDatabase(url: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/.exec(url);
  if (!match) throw new Error('MONGODB_URL is not a mongodb:// or mongodb+srv:// URL');
  const [, hosts, path = '', query = ''] = match;
  const options = new URLSearchParams(query);
  if (path && !options.has('authSource')) options.set('authSource', decodeURIComponent(path));
  const rest = options.toString();
  return `${hosts}/${database}${rest ? `?${rest}` : ''}`;
}

/** A store on a database of its own; closing it drops that database first. */
async function openOnServer(serverUrl: string): Promise<ReadStore> {
  const store = await openMongoReadStore(withDatabase(serverUrl, `${RUN}_${++opened}`), MONGODB_PROJECTIONS);
  const close = store.close.bind(store);
  let closed = false;
  store.close = async () => {
    if (closed) return;
    closed = true;
    try {
      if (store.engine === 'mongodb') await store.db.dropDatabase();
    } finally {
      await close();
    }
  };
  return store;
}

readModelConformance('mongodb', url ? () => openOnServer(url) : noServer, 'no MONGODB_URL');
