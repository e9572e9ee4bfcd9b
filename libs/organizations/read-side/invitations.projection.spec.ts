// The invitations list (GET /orgs/{orgId}/invitations) and the caller's invitations (GET /me/invitations).
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { ApiError } from '../../platform/http/problem';
import { projectionRunner } from '../../platform/projections/projection-runner';
import { actor, readFixture, snapshot, type ReadFixture } from '../../../test/support/read';
import { invitationOps, invitationsProjection } from './invitations.projection';

const olivia = actor('olivia', 'Olivia');
const adam = actor('adam', 'Adam');
const mia = actor('mia', 'Mia');
const bob = actor('bob', 'Bob');

let h: ReadFixture;
beforeEach(() => {
  h = readFixture();
});
afterEach(() => h.close());

const DAY = 86_400_000;
const invitations = async (orgId: string, query: Record<string, unknown> = {}, now = h.now()) =>
  (await h.lists.invitations(orgId, { limit: '200', ...query }, now)).items;
const statusOf = async (orgId: string, now = h.now()) => Object.fromEntries((await invitations(orgId, {}, now)).map((i: any) => [i.id, i.status]));
const ids = async (orgId: string, status: string, now = h.now()) => (await invitations(orgId, { status }, now)).map((i: any) => i.id).sort();

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
  it('shows each invitation as the API Invitation, with its status', async () => {
    const orgId = await h.create(olivia);
    await h.join(orgId, olivia, adam, 'admin');
    const id = await h.invite(orgId, adam, ' Ivy@Example.COM ', 'admin');
    const invitedAt = h.iso();
    await h.catchUp();
    const all = await invitations(orgId);
    expect(all).toHaveLength(2); // adam's (accepted) and ivy's
    expect(all.find((i: any) => i.id === id)).toEqual({
      id,
      orgId,
      email: 'ivy@example.com',
      role: 'admin',
      status: 'pending',
      invitedBy: 'adam',
      invitedAt,
      expiresAt: new Date(Date.parse(invitedAt) + 7 * DAY).toISOString(),
    });
  });

  it('filters by status: pending, expired (by time or recorded), accepted, declined, revoked (also by the inviter leaving)', async () => {
    const orgId = await h.create(olivia);
    const accepted = await h.join(orgId, olivia, adam, 'admin');
    const declined = await h.invite(orgId, olivia, bob.email);
    await h.decline(orgId, declined, bob);
    const revoked = await h.invite(orgId, olivia, 'r@example.com');
    await h.revoke(orgId, olivia, revoked);
    const byInviterLeaving = await h.invite(orgId, adam, 'left@example.com');
    const expiredByTime = await h.invite(orgId, olivia, 'late@example.com', 'member', 60);
    const recordedExpired = await h.invite(orgId, olivia, 'late2@example.com', 'member', 60);
    const pending = await h.invite(orgId, olivia, 'p@example.com');
    h.advance(120_000);
    await h.expire(orgId, recordedExpired);
    await h.leave(orgId, adam);
    await h.catchUp();

    expect(await ids(orgId, 'pending')).toEqual([pending]);
    expect(await ids(orgId, 'expired')).toEqual([expiredByTime, recordedExpired].sort());
    expect(await ids(orgId, 'accepted')).toEqual([accepted]);
    expect(await ids(orgId, 'declined')).toEqual([declined]);
    expect(await ids(orgId, 'revoked')).toEqual([revoked, byInviterLeaving].sort());
    expect(await statusOf(orgId)).toEqual({
      [accepted]: 'accepted',
      [declined]: 'declined',
      [revoked]: 'revoked',
      [byInviterLeaving]: 'revoked',
      [expiredByTime]: 'expired',
      [recordedExpired]: 'expired',
      [pending]: 'pending',
    });

    // exactly at the expiry instant the invitation is expired (as the write side decides)
    const p = (await invitations(orgId, { status: 'pending' }))[0] as any;
    expect(await ids(orgId, 'pending', new Date(Date.parse(p.expiresAt) - 1))).toEqual([pending]);
    expect(await ids(orgId, 'pending', new Date(p.expiresAt))).toEqual([]);
    expect(await ids(orgId, 'expired', new Date(p.expiresAt))).toContain(pending);
  });

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

  it('paginates in a stable order and refuses bad parameters', async () => {
    const orgId = await h.create(olivia);
    const all: string[] = [];
    for (let i = 0; i < 9; i++) all.push(await h.invite(orgId, olivia, `p${i}@example.com`));
    await h.catchUp();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.lists.invitations(orgId, cursor ? { limit: '2', cursor } : { limit: '2' }, h.now());
      seen.push(...page.items.map((i: any) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.slice().sort()).toEqual(all.slice().sort());
    expect(new Set(seen).size).toBe(9);
    for (const q of [{ status: 'bogus' }, { status: 'invited' }, { limit: '0' }, { cursor: 'garbage' }, { role: 'admin' }]) {
      let error: unknown;
      try {
        await h.lists.invitations(orgId, q, h.now());
      } catch (e) {
        error = e;
      }
      expect({ q, code: (error as ApiError | undefined)?.code }).toEqual({ q, code: 'validation_failed' });
    }
  });

  it('an organization deletion removes its invitations', async () => {
    const orgId = await h.create(olivia);
    await h.invite(orgId, olivia, 'mia@example.com');
    await h.deleteOrg(orgId, olivia);
    await h.catchUp();
    expect(await invitations(orgId)).toEqual([]);
    expect((await h.lists.invitationsTo('mia@example.com', {}, h.now())).items).toEqual([]);
  });
});

describe("a user's pending invitations across organizations", () => {
  it('lists only pending, unexpired invitations to that (normalized) email', async () => {
    const a = await h.create(olivia, 'A');
    const b = await h.create(adam, 'B');
    const c = await h.create(bob, 'C');
    const d = await h.create(olivia, 'D');
    const inA = await h.invite(a, olivia, 'Mia@Example.com');
    const inB = await h.invite(b, adam, 'mia@example.com', 'admin');
    const revokedInC = await h.invite(c, bob, 'mia@example.com');
    await h.revoke(c, bob, revokedInC);
    const shortInD = await h.invite(d, olivia, 'mia@example.com', 'member', 60);
    await h.invite(a, olivia, 'someone.else@example.com');
    h.advance(120_000);
    await h.catchUp();

    const mine = (await h.lists.invitationsTo('mia@example.com', {}, h.now())).items;
    expect(mine.map((i: any) => i.id).sort()).toEqual([inA, inB].sort());
    expect(mine.find((i: any) => i.id === inB)).toMatchObject({ orgId: b, email: 'mia@example.com', role: 'admin', status: 'pending', invitedBy: 'adam' });
    expect(mine.map((i: any) => i.id)).not.toContain(shortInD);

    await h.accept(a, inA, mia);
    await h.catchUp();
    expect((await h.lists.invitationsTo('mia@example.com', {}, h.now())).items.map((i: any) => i.id)).toEqual([inB]);
  });

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
