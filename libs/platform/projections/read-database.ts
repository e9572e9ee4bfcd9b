// The embedded read store: one SQLite file beside the event store, holding every projection's tables
// and their checkpoints.
import Database from 'better-sqlite3';

export function openReadDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID');
  return db;
}
