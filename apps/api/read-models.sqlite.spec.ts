// The read models on the embedded SQLite read store: the read-store conformance suite on a fresh
// in-memory database per test. SQLite is embedded, so this suite always runs.
import { openSqliteReadStore } from '../../libs/platform/read-store/sqlite-read-store';
import { readModelConformance } from './read-models.conformance';
import { SQLITE_PROJECTIONS } from './read-models.sqlite';

readModelConformance('sqlite', async () => openSqliteReadStore(':memory:', SQLITE_PROJECTIONS), 'SQLite is embedded: never skipped');
