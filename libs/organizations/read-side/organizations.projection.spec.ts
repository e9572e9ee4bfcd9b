// The organizations list (GET /orgs): each user's organizations with their role and the member count, on
// SQLite: the pure organizationOps, and what only the SQLite tables show (no row left after a deletion, a
// whole-table snapshot after a replay). What the list answers (fields, roles, counts, renames, leaving,
// removal, rejoining, pagination) is in the engine-neutral suite, apps/api/read-models.conformance.ts,
// which runs on SQLite too.
import type { StoredEvent } from '../../platform/event-store/event-store';
import { projectionRunner } from '../../platform/projections/projection-runner';
import { actor, readFixture, snapshot, type ReadFixture } from '../../../test/support/read';
import { organizationOps, organizationsProjection } from './organizations.projection';

const olivia = actor('olivia', 'Olivia');
const adam = actor('adam', 'Adam');
const mia = actor('mia', 'Mia');

let h: ReadFixture;
beforeEach(() => {
  h = readFixture();
});
afterEach(() => h.close());

const orgsOf = (userId: string, query: Record<string, unknown> = { limit: '200' }) => h.lists.myOrganizations(userId, query);
const summary = async (userId: string) => (await orgsOf(userId)).items.map((o: any) => ({ id: o.id, role: o.role, memberCount: o.memberCount, ownerId: o.ownerId, name: o.name }));

describe('organizationOps (pure)', () => {
  const base = (type: string, data: unknown, streamId = 'organization-o1'): StoredEvent => ({
    position: 3,
    streamId,
    streamVersion: 2,
    type,
    data,
    metadata: { eventId: 'e', actorId: 'olivia', occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c', causationId: null, schemaVersion: 1 },
  });
  it('maps events of organization streams only', () => {
    expect(organizationOps(base('OrganizationCreated', { orgId: 'o1', name: 'Acme', createdBy: 'olivia' }))).toEqual([
      { op: 'created', orgId: 'o1', name: 'Acme', ownerId: 'olivia', createdAt: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(organizationOps(base('OwnershipTransferred', { previousOwnerId: 'olivia', newOwnerId: 'adam' }))).toEqual([
      { op: 'owner', orgId: 'o1', ownerId: 'adam' },
      { op: 'role', orgId: 'o1', userId: 'olivia', role: 'admin' },
      { op: 'role', orgId: 'o1', userId: 'adam', role: 'owner' },
    ]);
    expect(organizationOps(base('AssetImported', { actorId: 'olivia', itemId: null, occurredAt: '2026-01-01T00:00:00.000Z', subject: null }, 'activity-o1'))).toEqual([]);
    expect(organizationOps(base('MemberInvited', { invitationId: 'i', email: 'x@example.com', role: 'member', invitedBy: 'olivia', expiresAt: 'z' }))).toEqual([]);
  });
});

describe('GET /orgs model', () => {
  it('a deleted organization is listed for nobody', async () => {
    const acme = await h.create(olivia, 'Acme');
    const keep = await h.create(olivia, 'Keep');
    await h.join(acme, olivia, adam, 'admin');
    await h.deleteOrg(acme, olivia);
    await h.catchUp();
    expect((await summary('olivia')).map((o) => o.id)).toEqual([keep]);
    expect(await summary('adam')).toEqual([]);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM org_view WHERE org_id = ?').get(acme)).toEqual({ n: 0 });
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM org_memberships WHERE org_id = ?').get(acme)).toEqual({ n: 0 });
  });

  it('replaying the same events (a second runner, catching up again) never counts a member twice', async () => {
    const second = projectionRunner(h.store, h.readStore, [organizationsProjection.name]);
    await second.catchUp(); // reads its checkpoint (0) now, as the old runner did when built: its next pass replays every event
    const acme = await h.create(olivia, 'Acme');
    await h.join(acme, olivia, adam, 'admin');
    await h.leave(acme, adam);
    await h.join(acme, olivia, mia);
    await h.catchUp();
    const first = snapshot(h.db);
    await second.catchUp();
    await h.catchUp();
    expect(snapshot(h.db)).toEqual(first);
    expect(await summary('olivia')).toEqual([expect.objectContaining({ memberCount: 2 })]);
    await second.stop();
  });
});
