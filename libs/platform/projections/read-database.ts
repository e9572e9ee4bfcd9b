// The embedded read store: one SQLite file beside the event store, holding every projection's tables
// and their checkpoints.
import type Database from 'better-sqlite3';
import { openSqlite } from '../sqlite';

export function openReadDatabase(file: string): Database.Database {
  const db = openSqlite(file);
  db.exec('CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID');
  return db;
}
