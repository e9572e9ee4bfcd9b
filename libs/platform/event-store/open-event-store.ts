// The event store the configuration selects: EventStoreDB when EVENTSTORE_URL is set, else SQLite in DATA_DIR.
import { join } from 'node:path';
import type { Config } from '../config/config';
import type { EventStore } from './event-store';
import { openEventStoreDbEventStore } from './eventstoredb-event-store';
import { openSqliteEventStore } from './sqlite-event-store';

export const openEventStore = (config: Pick<Config, 'dataDir' | 'eventstoreUrl'>): EventStore =>
  config.eventstoreUrl ? openEventStoreDbEventStore(config.eventstoreUrl) : openSqliteEventStore(join(config.dataDir, 'events.sqlite'));
