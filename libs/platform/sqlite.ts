// Every embedded SQLite file is opened the same way: WAL (readers never block the writer),
// synchronous NORMAL (durable at checkpoints, safe against corruption in WAL mode), and a busy
// timeout so that another connection's write lock is waited for instead of failing at once.
import Database from 'better-sqlite3';

export function openSqlite(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL'); // ':memory:' stays 'memory', which is fine
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
