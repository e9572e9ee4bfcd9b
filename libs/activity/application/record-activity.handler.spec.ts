import { openSqliteEventStore } from '../../platform/event-store/sqlite-event-store';
import type { EventStore } from '../../platform/event-store/event-store';
import { organizationRepository, type OrganizationRepository } from '../../organizations/application/organization-repository';
import { OrganizationNotFound } from '../../organizations/domain/errors';
import { ActorNotMember } from '../domain/errors';
import { activityStream } from '../domain/events';
import { RecordActivity, RecordActivityHandler } from './record-activity.handler';

const NOW = new Date('2026-03-01T09:00:00.000Z');
let store: EventStore;
let organizations: OrganizationRepository;
let handler: RecordActivityHandler;

beforeEach(async () => {
  store = openSqliteEventStore(':memory:');
  organizations = organizationRepository(store);
  handler = new RecordActivityHandler(organizations, store);
  const by = { userId: 'olivia', email: 'olivia@example.com', name: 'Olivia' };
  await organizations.execute({ type: 'CreateOrganization', orgId: 'o1', name: 'Acme', by, now: NOW }, { correlationId: 'c0' });
});
afterEach(() => store.close());

const record = (caller: { sub: string; scopes: string[] }, items: RecordActivity['command']['items']) =>
  handler.execute(new RecordActivity({ orgId: 'o1', items, caller, now: NOW }, { correlationId: 'req-1' }));

describe('RecordActivityHandler', () => {
  it('appends every item in one append to the activity stream, answering the count and the position', async () => {
    const result = await record({ sub: 'olivia', scopes: [] }, [
      { type: 'asset_imported', id: 'a', occurredAt: '2026-02-01T00:00:00Z' },
      { type: 'audit_run', subject: 'home' },
    ]);
    const events = await store.readStream(activityStream('o1'));
    expect(result).toEqual({ accepted: 2, position: await store.headPosition() });
    expect(events.map((e) => [e.type, e.data, e.position <= result.position])).toEqual([
      ['AssetImported', { itemId: 'a', actorId: 'olivia', occurredAt: '2026-02-01T00:00:00.000Z', subject: null }, true],
      ['AuditRun', { itemId: null, actorId: 'olivia', occurredAt: NOW.toISOString(), subject: 'home' }, true],
    ]);
    for (const e of events) {
      expect(e.metadata).toEqual({
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        actorId: 'olivia',
        occurredAt: NOW.toISOString(),
        correlationId: 'req-1',
        causationId: null,
        schemaVersion: 1,
      });
    }
    expect(new Set(events.map((e) => e.metadata.eventId)).size).toBe(2);
  });

  it("records a service's items with the named actor in the metadata", async () => {
    await record({ sub: 'svc', scopes: ['activity:ingest'] }, [{ type: 'asset_deployed', actorId: 'olivia' }]);
    const [event] = await store.readStream(activityStream('o1'));
    expect(event.metadata.actorId).toBe('olivia');
  });

  it('appends nothing when the decision refuses', async () => {
    await expect(record({ sub: 'svc', scopes: ['activity:ingest'] }, [{ type: 'audit_run', actorId: 'nora' }])).rejects.toThrow(ActorNotMember);
    await expect(record({ sub: 'nora', scopes: [] }, [{ type: 'audit_run' }])).rejects.toThrow(OrganizationNotFound);
    expect(await store.readStream(activityStream('o1'))).toEqual([]);
  });

  it('leaves the organization stream alone', async () => {
    const before = await store.readStream('organization-o1');
    await record({ sub: 'olivia', scopes: [] }, [{ type: 'audit_run' }]);
    expect(await store.readStream('organization-o1')).toEqual(before);
  });
});
