// The read store port: where projections keep their read models and checkpoints. Two adapters, chosen
// by configuration: SQLite (embedded default, one file in DATA_DIR) and MongoDB (MONGODB_URL). The
// engine-neutral parts (runner, checkpoint watcher, reactors, health) use only this port; the read
// models' own writes and queries are written once per engine beside their pure `...Ops` functions.
import type Database from 'better-sqlite3';
import type { ClientSession, Db } from 'mongodb';
import type { StoredEvent } from '../event-store/event-store';

type Common = {
  /** Applies a batch to each named projection and moves its checkpoint in the same atomic step.
   * Events at or before a projection's stored checkpoint are skipped, so a replayed batch changes nothing.
   * `from` is the position the batch was read after: a projection whose checkpoint is behind it was reset
   * meanwhile (a rebuild); it is left alone and the answer is false, so that the caller reads again from
   * the checkpoints instead of building on an empty model. */
  applyBatch(projections: string[], events: StoredEvent[], from?: number): Promise<boolean>;
  /** The last position applied by a projection or reactor (0 if none). */
  checkpoint(name: string): Promise<number>;
  /** The lowest checkpoint of the named projections (0 for one never stored). */
  lowestCheckpoint(names: string[]): Promise<number>;
  /** Stores a reactor's checkpoint (reactors have side effects, so they are not applied in batches). */
  setCheckpoint(name: string, position: number): Promise<void>;
  /** Drops a projection's documents and checkpoint: the next catch-up rebuilds it from the first event. */
  reset(projection: string): Promise<void>;
  /** Rejects when the engine does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

export type SqliteReadStore = Common & { engine: 'sqlite'; db: Database.Database };
export type MongoReadStore = Common & { engine: 'mongodb'; db: Db };
export type ReadStore = SqliteReadStore | MongoReadStore;

/** A read model on SQLite: its tables, and the statements that apply one event (inside the batch's transaction). */
export type SqliteProjection = {
  name: string;
  /** DDL of its tables and indexes (CREATE ... IF NOT EXISTS). */
  schema: string;
  /** Tables dropped by a rebuild. */
  tables: string[];
  /** Prepares statements once; the returned function applies one event. */
  prepare(db: Database.Database): (event: StoredEvent) => void;
};

/** A read model on MongoDB: its collections and indexes, and how one event is applied inside the
 * batch's transaction (every write must pass `session`). */
export type MongoProjection = {
  name: string;
  /** Collections dropped by a rebuild. */
  collections: string[];
  /** Creates the indexes its queries need (idempotent, run at start). */
  createIndexes(db: Db): Promise<void>;
  apply(db: Db, session: ClientSession, event: StoredEvent): Promise<void>;
};
