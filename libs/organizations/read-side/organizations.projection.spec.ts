// The organizations list (GET /orgs): each user's organizations with their role and the member count.
import type { StoredEvent } from '../../platform/event-store/event-store';
import { projectionRunner } from '../../platform/projections/projection-runner';
import { actor, readFixture, snapshot, type ReadFixture } from '../../../test/support/read';
import { organizationOps, organizationsProjection } from './organizations.projection';

const olivia = actor('olivia', 'Olivia');
const adam = actor('adam', 'Adam');
const mia = actor('mia', 'Mia');
const bob = actor('bob', 'Bob');

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
  it('lists the organizations of a user with role and memberCount (active members), and the Org fields', async () => {
    const acme = await h.create(olivia, 'Acme');
    const createdAt = h.iso();
    await h.join(acme, olivia, adam, 'admin');
    await h.join(acme, olivia, mia);
    await h.invite(acme, olivia, 'pending@example.com'); // an invitation is not a member
    const beta = await h.create(adam, 'Beta');
    await h.catchUp();

    expect(await orgsOf('olivia')).toEqual({
      items: [{ id: acme, name: 'Acme', ownerId: 'olivia', memberCount: 3, createdAt, role: 'owner' }],
      nextCursor: null,
    });
    expect((await summary('adam')).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [
        { id: acme, role: 'admin', memberCount: 3, ownerId: 'olivia', name: 'Acme' },
        { id: beta, role: 'owner', memberCount: 1, ownerId: 'adam', name: 'Beta' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(await summary('mia')).toEqual([{ id: acme, role: 'member', memberCount: 3, ownerId: 'olivia', name: 'Acme' }]);
    expect(await summary('nobody')).toEqual([]);
  });

  it('follows role changes, transfers and renames', async () => {
    const acme = await h.create(olivia, 'Acme');
    await h.join(acme, olivia, adam, 'admin');
    await h.join(acme, olivia, mia);
    await h.changeRole(acme, olivia, 'mia', 'admin');
    await h.transfer(acme, olivia, 'adam');
    await h.rename(acme, adam, 'Acme Two');
    await h.catchUp();
    expect(await summary('olivia')).toEqual([{ id: acme, role: 'admin', memberCount: 3, ownerId: 'adam', name: 'Acme Two' }]);
    expect(await summary('adam')).toEqual([{ id: acme, role: 'owner', memberCount: 3, ownerId: 'adam', name: 'Acme Two' }]);
    expect(await summary('mia')).toEqual([{ id: acme, role: 'admin', memberCount: 3, ownerId: 'adam', name: 'Acme Two' }]);
  });

  it('an organization the user left or was removed from is no longer listed, and the count goes down; a rejoin brings it back', async () => {
    const acme = await h.create(olivia, 'Acme');
    await h.join(acme, olivia, adam, 'admin');
    await h.join(acme, olivia, mia);
    await h.join(acme, olivia, bob);
    await h.leave(acme, mia);
    await h.remove(acme, adam, 'bob');
    await h.catchUp();
    expect(await summary('mia')).toEqual([]);
    expect(await summary('bob')).toEqual([]);
    expect(await summary('olivia')).toEqual([expect.objectContaining({ memberCount: 2 })]);

    await h.join(acme, olivia, mia, 'admin');
    await h.catchUp();
    expect(await summary('mia')).toEqual([expect.objectContaining({ id: acme, role: 'admin', memberCount: 3 })]);
  });

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

  it('paginates: every organization once, in a stable order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await h.create(olivia, `Org ${i}`));
    await h.catchUp();
    for (const limit of [1, 2, 3, 7]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: Array<{ id: string }>; nextCursor: string | null } = await orgsOf('olivia', cursor ? { limit: String(limit), cursor } : { limit: String(limit) });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((o) => o.id));
        cursor = page.nextCursor;
        expect(++pages).toBeLessThan(20);
      } while (cursor);
      expect(seen.slice().sort()).toEqual(ids.slice().sort());
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual((await orgsOf('olivia')).items.map((o: any) => o.id));
    }
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
