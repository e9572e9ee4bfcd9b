// The event-store port. Adapters: SQLite (embedded default) and EventStoreDB (production).
// Streams are numbered from 1; `expectedVersion` 0 means "the stream must not exist yet", and 'any'
// appends whatever the stream's version (for streams without invariants, such as activity).

export type EventMetadata = {
  eventId: string;
  actorId: string | null;
  occurredAt: string; // ISO 8601 UTC
  correlationId: string;
  causationId: string | null;
  schemaVersion: number;
  /** Hash chain, on organization streams only: SHA-256 over prevHash and the event's canonical JSON. */
  prevHash?: string;
  hash?: string;
};

export type NewEvent = { type: string; data: unknown; metadata: EventMetadata };

export type StoredEvent = NewEvent & {
  /** Global, strictly increasing append order across all streams (opaque to API clients). */
  position: number;
  streamId: string;
  /** 1-based version of the event within its stream. */
  streamVersion: number;
};

export type AppendResult = { streamVersion: number; position: number };

export class WrongExpectedVersion extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected version ${expected}, found ${actual}`);
    this.name = 'WrongExpectedVersion';
  }
}

export type ExpectedVersion = number | 'any';

export interface EventStore {
  /** Appends atomically, all or nothing; throws WrongExpectedVersion when the stream moved on. */
  append(streamId: string, expectedVersion: ExpectedVersion, events: NewEvent[]): Promise<AppendResult>;
  /** Events of one stream with version > afterVersion, in order (at most `limit` when given). */
  readStream(streamId: string, afterVersion?: number, limit?: number): Promise<StoredEvent[]>;
  /** Events of every stream with position > afterPosition, in append order, at most `limit`. */
  readAll(afterPosition: number, limit: number): Promise<StoredEvent[]>;
  /** Position of the last appended event (0 when empty). */
  headPosition(): Promise<number>;
  /** Calls `listener` after events were appended (by this process, or seen from another); returns an unsubscribe. */
  onAppended(listener: (position: number) => void): () => void;
  close(): Promise<void>;
}
