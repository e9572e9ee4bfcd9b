// The embedded read store: one SQLite file beside the event store, holding every projection's tables
// and their checkpoints. A batch and its checkpoints commit in one transaction, so a crash mid-batch
// leaves each model exactly at its last checkpoint.
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../event-store/event-store';
import { openSqlite } from '../sqlite';
import type { SqliteProjection, SqliteReadStore } from './read-store';

export function openSqliteReadStore(file: string, projections: SqliteProjection[]): SqliteReadStore {
  const db = openSqlite(file);
  db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
           CREATE TABLE IF NOT EXISTS read_model_schemas (projection TEXT PRIMARY KEY, schema TEXT NOT NULL) WITHOUT ROWID;`);
  const storedSchema = db.prepare<[string], string>('SELECT schema FROM read_model_schemas WHERE projection = ?').pluck();
  const storeSchema = db.prepare('INSERT OR REPLACE INTO read_model_schemas (projection, schema) VALUES (?, ?)');
  const hasCheckpoint = db.prepare<[string], number>('SELECT 1 FROM checkpoints WHERE projection = ?').pluck();

  /** Creates a projection's tables (IF NOT EXISTS) and records the schema they were made with. */
  const create = db.transaction((p: SqliteProjection) => {
    db.exec(p.schema);
    storeSchema.run(p.name, p.schema);
  });
  /** Drops a projection's tables and checkpoint, and creates them anew (empty, at position 0). */
  const recreate = db.transaction((p: SqliteProjection) => {
    for (const table of p.tables) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(p.name);
    create(p);
  });

  // A read model whose schema changed since it was built (or that was built before schemas were recorded)
  // is dropped and rebuilt from the events by the next catch-up: no migration to write. A new one is only
  // created, never dropped: another process opening the same file may be filling it already.
  for (const p of projections) {
    const stored = storedSchema.get(p.name);
    if (stored === p.schema) db.exec(p.schema);
    else if (stored === undefined && !hasCheckpoint.get(p.name)) create(p);
    else recreate(p);
  }
  const getCheckpoint = db.prepare<[string], number>('SELECT position FROM checkpoints WHERE projection = ?').pluck();
  const setCheckpoint = db.prepare(
    'INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
  );
  const lowest = db
    .prepare<[string], number>('SELECT MIN(COALESCE(c.position, 0)) FROM json_each(?) p LEFT JOIN checkpoints c ON c.projection = p.value')
    .pluck();
  const appliers = new Map(projections.map((p) => [p.name, p.prepare(db)]));
  const projectionNamed = (name: string) => {
    const p = projections.find((q) => q.name === name);
    if (!p) throw new Error(`unknown projection ${name}`);
    return p;
  };

  // Re-reads each checkpoint inside the transaction: another runner (a rebuild) may have moved it.
  const applyBatch = db.transaction((names: string[], events: StoredEvent[], from: number): boolean => {
    let complete = true;
    for (const name of names) {
      const apply = appliers.get(name);
      if (!apply) throw new Error(`unknown projection ${name}`);
      const checkpoint = getCheckpoint.get(name) ?? 0;
      if (checkpoint < from) {
        complete = false;
        continue;
      }
      for (const event of events) if (event.position > checkpoint) apply(event);
      setCheckpoint.run(name, Math.max(checkpoint, events[events.length - 1].position));
    }
    return complete;
  });

  return {
    engine: 'sqlite',
    db,
    async applyBatch(names, events, from = 0) {
      return events.length === 0 || applyBatch(names, events, from);
    },
    checkpoint: async (name) => getCheckpoint.get(name) ?? 0,
    lowestCheckpoint: async (names) => lowest.get(JSON.stringify(names)) ?? 0,
    setCheckpoint: async (name, position) => void setCheckpoint.run(name, position),
    async reset(name) {
      const projection = projectionNamed(name);
      recreate(projection);
      appliers.set(name, projection.prepare(db)); // statements of dropped tables are stale
    },
    ping: async () => void db.prepare('SELECT 1').get(),
    close: async () => void db.close(),
  };
}
