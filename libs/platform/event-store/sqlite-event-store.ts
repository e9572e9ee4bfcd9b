// The embedded adapter of the event-store port, on better-sqlite3 (one file, or ':memory:').
// better-sqlite3 is synchronous; the methods are async only to fit the port, so a throw becomes a rejection.
import { openSqlite } from '../sqlite';
import { AppendResult, EventStore, ExpectedVersion, NewEvent, StoredEvent, WrongExpectedVersion } from './event-store';

type Row = {
  position: number;
  stream_id: string;
  stream_version: number;
  type: string;
  data: string;
  metadata: string;
};

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: positions are never reused
    stream_id      TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,
    event_id       TEXT    NOT NULL UNIQUE,
    type           TEXT    NOT NULL,
    data           TEXT    NOT NULL,
    metadata       TEXT    NOT NULL,
    UNIQUE (stream_id, stream_version)
  )`;

function toStored(row: Row): StoredEvent {
  return {
    position: row.position,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
  };
}

// Duck-typed, not `instanceof Error`: better-sqlite3's native binding builds its errors in the realm that
// first loaded it, which is not always ours (jest runs each test file in its own realm).
function isUniqueViolation(err: unknown, columns: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof e.message === 'string' && e.message.includes(columns);
}

export function openSqliteEventStore(file: string, options: { pollMs?: number } = {}): EventStore {
  const pollMs = options.pollMs ?? 100;
  const db = openSqlite(file);
  db.exec(SCHEMA);

  const streamHead = db.prepare<[string], { stream_version: number; position: number }>(
    'SELECT stream_version, position FROM events WHERE stream_id = ? ORDER BY stream_version DESC LIMIT 1',
  );
  const insert = db.prepare(
    `INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const selectStream = db.prepare<[string, number, number], Row>(
    'SELECT * FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version LIMIT ?',
  );
  const selectAll = db.prepare<[number, number], Row>(
    'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
  );
  const selectHead = db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck();
  // Changes only when ANOTHER connection commits: the cheap way to notice other processes' appends.
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();

  const currentVersion = (streamId: string) => streamHead.get(streamId) ?? { stream_version: 0, position: 0 };

  // IMMEDIATE takes the write lock before the version is read, so no other writer can slip in between.
  const appendTx = db.transaction((streamId: string, expected: ExpectedVersion, events: NewEvent[]): AppendResult => {
    const current = currentVersion(streamId);
    if (expected !== 'any' && current.stream_version !== expected) {
      throw new WrongExpectedVersion(streamId, expected, current.stream_version);
    }
    let result: AppendResult = { streamVersion: current.stream_version, position: current.position };
    events.forEach((event, i) => {
      const streamVersion = current.stream_version + i + 1;
      try {
        const { lastInsertRowid } = insert.run(
          streamId,
          streamVersion,
          event.metadata.eventId,
          event.type,
          JSON.stringify(event.data ?? null), // undefined has no JSON form; it comes back as null
          JSON.stringify(event.metadata),
        );
        result = { streamVersion, position: Number(lastInsertRowid) };
      } catch (err) {
        if (isUniqueViolation(err, 'events.event_id')) {
          throw new Error(`duplicate event id ${event.metadata.eventId} (stream ${streamId})`, { cause: err });
        }
        throw err;
      }
    });
    return result;
  });

  const listeners = new Set<(position: number) => void>();
  let timer: NodeJS.Timeout | undefined;
  let lastDataVersion = 0;
  let closed = false;

  const notify = () => {
    if (listeners.size === 0) return;
    const position = selectHead.get() ?? 0;
    for (const listener of [...listeners]) {
      try {
        listener(position);
      } catch (err) {
        // A broken listener must not fail the append that already committed, nor starve the others.
        console.error('event store: onAppended listener threw', err);
      }
    }
  };

  const poll = () => {
    try {
      const version = dataVersion.get() ?? 0;
      if (version !== lastDataVersion) {
        lastDataVersion = version;
        notify();
      }
    } catch (err) {
      console.error('event store: polling data_version failed', err);
    }
  };

  const stopPolling = () => {
    clearInterval(timer);
    timer = undefined;
  };

  return {
    async append(streamId, expectedVersion, events) {
      let result: AppendResult;
      try {
        result = appendTx.immediate(streamId, expectedVersion, events);
      } catch (err) {
        // Cannot happen while the IMMEDIATE lock is honoured, but the constraint is the last line of defence.
        if (isUniqueViolation(err, 'events.stream_id, events.stream_version')) {
          throw new WrongExpectedVersion(streamId, expectedVersion, currentVersion(streamId).stream_version);
        }
        throw err;
      }
      if (events.length > 0) notify();
      return result;
    },

    async readStream(streamId, afterVersion = 0, limit = -1) {
      return selectStream.all(streamId, afterVersion, limit).map(toStored);
    },

    async readAll(afterPosition, limit) {
      if (limit <= 0) return []; // SQLite reads a negative LIMIT as "no limit"
      return selectAll.all(afterPosition, limit).map(toStored);
    },

    async headPosition() {
      return selectHead.get() ?? 0;
    },

    onAppended(listener) {
      // A listener added to a closed store is never called: there is nothing left to watch.
      const wrapped = (position: number) => listener(position);
      listeners.add(wrapped);
      if (!timer && !closed) {
        lastDataVersion = dataVersion.get() ?? 0;
        timer = setInterval(poll, pollMs);
        timer.unref(); // polling must never keep the process alive
      }
      return () => {
        listeners.delete(wrapped);
        if (listeners.size === 0) stopPolling();
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      stopPolling();
      listeners.clear();
      db.close();
    },
  };
}
