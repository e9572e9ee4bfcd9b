// The event store the configuration selects: EventStoreDB when EVENTSTORE_URL is set, else SQLite in DATA_DIR.
// The EventStoreDB client is loaded only then (require, not import): it costs some 25 MB of memory.
import { join } from 'node:path';
import type { Config } from '../config/config';
import type { EventStore } from './event-store';
import { openSqliteEventStore } from './sqlite-event-store';

export function openEventStore(config: Pick<Config, 'dataDir' | 'eventstoreUrl'>): EventStore {
  if (!config.eventstoreUrl) return openSqliteEventStore(join(config.dataDir, 'events.sqlite'));
  const { openEventStoreDbEventStore } = require('./eventstoredb-event-store') as typeof import('./eventstoredb-event-store');
  return openEventStoreDbEventStore(config.eventstoreUrl);
}
