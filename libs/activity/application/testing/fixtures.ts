// Helpers of the activity application tests: a real in-memory event store and read database, and
// events appended with the metadata the command handlers give them.
import type { NewEvent } from '../../../platform/event-store/event-store';
import { openSqliteEventStore } from '../../../platform/event-store/sqlite-event-store';
import { projectionRunner } from '../../../platform/projections/projection-runner';
import { openSqliteReadStore } from '../../../platform/read-store/sqlite-read-store';
import type { OrganizationEvent } from '../../../organizations/domain/events';
import { organizationStream } from '../../../organizations/domain/events';
import { activityStream, type ActivityEvent } from '../../domain/events';
import { activityLogProjection } from '../activity-log.projection';

/** A store, an in-memory SQLite read store and the activity-log projection's runner over them. */
export function logFixture() {
  const store = openSqliteEventStore(':memory:');
  const readStore = openSqliteReadStore(':memory:', [activityLogProjection]);
  const db = readStore.db;
  const runner = projectionRunner(store, readStore, [activityLogProjection.name]);
  let seq = 0;
  const envelope = (event: { type: string; data: unknown }, at: string, actorId: string | null): NewEvent => ({
    type: event.type,
    data: event.data,
    metadata: { eventId: `ev-${++seq}`, actorId, occurredAt: at, correlationId: 'test', causationId: null, schemaVersion: 1 },
  });
  return {
    store,
    readStore,
    db,
    runner,
    /** Appends organization events, at `at`, by `actorId` (null: the system). */
    team: (orgId: string, at: string, actorId: string | null, ...events: OrganizationEvent[]) =>
      store.append(organizationStream(orgId), 'any', events.map((e) => envelope(e, at, actorId))),
    /** Appends activity events, recorded at `at`; each event's actor is its data's. */
    activity: (orgId: string, at: string, ...events: ActivityEvent[]) =>
      store.append(activityStream(orgId), 'any', events.map((e) => envelope(e, at, e.data.actorId))),
    other: (streamId: string, at: string, type: string) => store.append(streamId, 'any', [envelope({ type, data: {} }, at, null)]),
    close: async () => {
      await runner.stop();
      await store.close();
      await readStore.close();
    },
  };
}
export type LogFixture = ReturnType<typeof logFixture>;

export const imported = (actorId: string, itemId: string | null, occurredAt: string, subject: string | null = null): ActivityEvent => ({
  type: 'AssetImported',
  data: { itemId, actorId, occurredAt, subject },
});
export const deployed = (actorId: string, itemId: string | null, occurredAt: string, subject: string | null = null): ActivityEvent => ({
  type: 'AssetDeployed',
  data: { itemId, actorId, occurredAt, subject },
});
export const audited = (actorId: string, itemId: string | null, occurredAt: string, subject: string | null = null): ActivityEvent => ({
  type: 'AuditRun',
  data: { itemId, actorId, occurredAt, subject },
});
