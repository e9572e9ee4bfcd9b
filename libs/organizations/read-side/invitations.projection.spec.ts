// The invitations list (GET /orgs/{orgId}/invitations) and the caller's invitations (GET /me/invitations) on
// SQLite: the pure invitationOps, a whole-table snapshot after a replay, and two histories the engine-neutral
// suite (apps/api/read-models.conformance.ts, run on SQLite too) does not build. The rest of what the lists
// answer (fields, statuses, pagination, bad parameters, deletion, the caller's invitations) is there.
import type { StoredEvent } from '../../platform/event-store/event-store';
import { projectionRunner } from '../../platform/projections/projection-runner';
import { actor, readFixture, snapshot, type ReadFixture } from '../../../test/support/read';
import { invitationOps, invitationsProjection } from './invitations.projection';

const olivia = actor('olivia', 'Olivia');

let h: ReadFixture;
beforeEach(() => {
  h = readFixture();
});
afterEach(() => h.close());

const DAY = 86_400_000;
const invitations = async (orgId: string, query: Record<string, unknown> = {}, now = h.now()) =>
  (await h.lists.invitations(orgId, { limit: '200', ...query }, now)).items;
const statusOf = async (orgId: string, now = h.now()) => Object.fromEntries((await invitations(orgId, {}, now)).map((i: any) => [i.id, i.status]));

describe('invitationOps (pure)', () => {
  it('an InvitationResent reopens the invitation with its new expiry', () => {
    const e: StoredEvent = {
      position: 9,
      streamId: 'organization-o1',
      streamVersion: 4,
      type: 'InvitationResent',
      data: { invitationId: 'i1', sendNumber: 2, expiresAt: '2026-02-01T00:00:00.000Z', resentBy: 'olivia' },
      metadata: { eventId: 'e', actorId: 'olivia', occurredAt: '2026-01-25T00:00:00.000Z', correlationId: 'c', causationId: null, schemaVersion: 1 },
    };
    expect(invitationOps(e)).toEqual([{ op: 'status', orgId: 'o1', invitationId: 'i1', status: 'pending', expiresAt: '2026-02-01T00:00:00.000Z' }]);
    expect(invitationOps({ ...e, streamId: 'activity-o1' })).toEqual([]);
  });
});

describe('invitations of an organization', () => {
  it('a resend of an expired invitation makes it pending again with the new expiry', async () => {
    const orgId = await h.create(olivia);
    const id = await h.invite(orgId, olivia, 'x@example.com', 'member', 60);
    h.advance(120_000);
    await h.expire(orgId, id);
    await h.resend(orgId, olivia, id);
    const resentAt = h.iso();
    await h.catchUp();
    expect(await invitations(orgId)).toEqual([expect.objectContaining({ id, status: 'pending', expiresAt: new Date(Date.parse(resentAt) + 7 * DAY).toISOString() })]);
  });

  it('re-inviting an expired email: the old one is expired, the new one pending', async () => {
    const orgId = await h.create(olivia);
    const old = await h.invite(orgId, olivia, 'x@example.com', 'member', 60);
    h.advance(120_000);
    const fresh = await h.invite(orgId, olivia, 'x@example.com', 'admin');
    await h.catchUp();
    expect(await statusOf(orgId)).toEqual({ [old]: 'expired', [fresh]: 'pending' });
  });
});

describe('replays', () => {
  it('replaying the same events (a second runner) changes nothing', async () => {
    const second = projectionRunner(h.store, h.readStore, [invitationsProjection.name]);
    await second.catchUp(); // reads its checkpoint (0) now, as the old runner did when built: its next pass replays every event
    const orgId = await h.create(olivia);
    const id = await h.invite(orgId, olivia, 'x@example.com', 'member', 60);
    h.advance(120_000);
    await h.expire(orgId, id);
    await h.resend(orgId, olivia, id);
    await h.catchUp();
    const first = snapshot(h.db);
    await second.catchUp();
    await h.catchUp();
    expect(snapshot(h.db)).toEqual(first);
    await second.stop();
  });
});
