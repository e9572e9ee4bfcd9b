// A read model built from events. `project` is pure (event -> operations on the model's documents);
// `prepare` gives the store-specific function that carries the operations out. The runner calls it
// inside the transaction that also stores the projection's checkpoint, so an event is applied once.
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../event-store/event-store';

export type SqliteProjection = {
  name: string;
  /** DDL of its tables and indexes (CREATE ... IF NOT EXISTS). */
  schema: string;
  /** Tables dropped by a rebuild. */
  tables: string[];
  /** Prepares statements once; the returned function applies one event. */
  prepare(db: Database.Database): (event: StoredEvent) => void;
};
