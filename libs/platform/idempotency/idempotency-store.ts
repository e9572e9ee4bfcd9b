// Responses remembered per (caller, Idempotency-Key) for 24 hours, so that a retried POST replays the
// first answer instead of doing the work again. Embedded adapter: SQLite (one process, or processes
// sharing DATA_DIR on one host).
import { openSqlite } from '../sqlite';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type StoredResponse = {
  requestHash: string;
  status: number;
  body: unknown;
  headers: Record<string, string>;
};

/** The port; SQLite is the embedded adapter, Redis (redis-idempotency-store.ts) the shared one. */
export type IdempotencyStore = {
  /** The answer stored for (caller, key) within the last 24 hours, or null. */
  get(caller: string, key: string, now: Date): Promise<StoredResponse | null>;
  /** Stores the first answer; a later put for a live (caller, key) changes nothing. */
  put(caller: string, key: string, response: StoredResponse, now: Date): Promise<void>;
  close(): Promise<void>;
};

export function openSqliteIdempotencyStore(file: string): IdempotencyStore {
  const db = openSqlite(file);
  db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
    caller TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, status INTEGER NOT NULL,
    body TEXT, headers TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (caller, key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at);`);
  const select = db.prepare<[string, string, number], { request_hash: string; status: number; body: string | null; headers: string }>(
    'SELECT request_hash, status, body, headers FROM idempotency WHERE caller = ? AND key = ? AND created_at > ?',
  );
  // First answer wins: a concurrent second request with the same key must not overwrite it.
  const insert = db.prepare(
    `INSERT INTO idempotency (caller, key, request_hash, status, body, headers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (caller, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
       body = excluded.body, headers = excluded.headers, created_at = excluded.created_at
     WHERE idempotency.created_at <= ?`,
  );
  const purge = db.prepare('DELETE FROM idempotency WHERE created_at <= ?');
  let puts = 0;

  return {
    async get(caller, key, now) {
      const row = select.get(caller, key, now.getTime() - IDEMPOTENCY_TTL_MS);
      if (!row) return null;
      return {
        requestHash: row.request_hash,
        status: row.status,
        body: row.body === null ? undefined : JSON.parse(row.body),
        headers: JSON.parse(row.headers),
      };
    },
    async put(caller, key, response, now) {
      const expired = now.getTime() - IDEMPOTENCY_TTL_MS;
      const body = response.body === undefined ? null : JSON.stringify(response.body);
      insert.run(caller, key, response.requestHash, response.status, body, JSON.stringify(response.headers), now.getTime(), expired);
      if (++puts % 1000 === 0) purge.run(expired);
    },
    close: async () => void db.close(),
  };
}
