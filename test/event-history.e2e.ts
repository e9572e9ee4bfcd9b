// GET /orgs/:orgId/events: the organization's immutable domain events for compliance, with a hash chain
// that anyone holding the export can verify without trusting the database.
import { startTestApp, type TestApp, type TestResponse } from './support/test-app';
import { ISO_UTC, createOrg, emailOf, expectProblem, expectValidation, invite, linkFor, uniq } from './support/team';
import { outbox, tokenIn } from './support/outbox';
import { eventStoreOf, getAt, joinAs } from './support/read';
import { firstBrokenLink } from '../libs/platform/event-store/hash-chain';
import type { StoredEvent } from '../libs/platform/event-store/event-store';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const events = (orgId: string, token: string | undefined, query = '') => t.request('GET', `/orgs/${orgId}/events${query ? `?${query}` : ''}`, { token });
const positionOf = (res: TestResponse) => res.headers.get('x-position')!;

/** Every page of the history, following nextCursor with `after`. */
async function history(orgId: string, token: string, limit = 200): Promise<any[]> {
  const items: any[] = [];
  let after: string | null = null;
  for (let pages = 0; ; pages++) {
    const res = await events(orgId, token, `limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    if (res.status !== 200) throw new Error(`GET events answered ${res.status}: ${res.text}`);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    after = res.body.nextCursor;
    if (!after) return items;
    if (pages > 500) throw new Error('pagination does not end');
  }
}

/** An item of the answer in the StoredEvent shape, with the metadata exactly as the item carries it. */
function asStored(orgId: string, item: any): StoredEvent {
  const m = item.metadata ?? item;
  const metadata: Record<string, unknown> = {};
  for (const k of ['eventId', 'actorId', 'occurredAt', 'correlationId', 'causationId', 'schemaVersion', 'prevHash', 'hash']) if (k in m) metadata[k] = m[k];
  return { position: Number(item.position), streamId: `organization-${orgId}`, streamVersion: item.streamVersion, type: item.type, data: item.data, metadata: metadata as StoredEvent['metadata'] };
}

/** A team history: create, two joins, an invitation declined, one pending, a role change, a transfer and back, a removal. */
async function scenario() {
  const { orgId, ownerSub, ownerToken } = await createOrg(t);
  const admin = await joinAs(t, orgId, ownerToken, uniq('adm'), 'admin', 'Ada');
  const member = await joinAs(t, orgId, ownerToken, uniq('mem'), 'member', 'Max');
  const declinedSub = uniq('dec');
  const decInv = await invite(t, orgId, admin.token, emailOf(declinedSub), 'member');
  expect(decInv.status).toBe(201);
  const dec = await t.request('POST', `/invitations/${await linkFor(t, emailOf(declinedSub))}/decline`, { token: await t.token(declinedSub) });
  expect(dec.status).toBe(204);
  const pendingSub = uniq('pen');
  const pending = await invite(t, orgId, ownerToken, emailOf(pendingSub), 'admin');
  expect(pending.status).toBe(201);
  const resend = await t.request('POST', `/orgs/${orgId}/invitations/${pending.body.id}/resend`, { token: ownerToken });
  expect(resend.status).toBe(200);
  const role = await t.request('PATCH', `/orgs/${orgId}/members/${member.sub}`, { token: admin.token, body: { role: 'admin' } });
  expect(role.status).toBe(200);
  expect((await t.request('POST', `/orgs/${orgId}/ownership-transfer`, { token: ownerToken, body: { newOwnerId: admin.sub } })).status).toBe(200);
  expect((await t.request('DELETE', `/orgs/${orgId}/members/${member.sub}`, { token: admin.token })).status).toBe(204);
  const rename = await t.request('PATCH', `/orgs/${orgId}`, { token: admin.token, body: { name: 'Renamed' } });
  expect(rename.status).toBe(200);
  const mails = (await outbox(t.dataDir)).filter((m) => [admin.sub, member.sub, declinedSub, pendingSub].some((s) => m.text.includes('http') && m.to.includes(s)));
  const links = mails.map((m) => tokenIn(m.text));
  return { orgId, ownerSub, ownerToken, admin, member, declinedSub, decInv: decInv.body, pendingSub, pending: pending.body, links, lastPosition: positionOf(rename) };
}

describe('GET /orgs/:orgId/events', () => {
  let s: Awaited<ReturnType<typeof scenario>>;
  let items: any[];
  beforeAll(async () => {
    s = await scenario();
    items = await history(s.orgId, s.admin.token);
  }, 60_000);

  it('the Owner and Admins may read it; a Member gets 403, a non-member 404, no token 401', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const admin = await joinAs(t, orgId, ownerToken, uniq('a'), 'admin');
    const member = await joinAs(t, orgId, ownerToken, uniq('m'), 'member');
    expect((await events(orgId, ownerToken)).status).toBe(200);
    expect((await events(orgId, admin.token)).status).toBe(200);
    expectProblem(await events(orgId, member.token), 403, 'forbidden');
    expectProblem(await events(orgId, await t.token(uniq('stranger'))), 404, 'not_found');
    expectProblem(await events('no-such-org', ownerToken), 404, 'not_found');
    expectProblem(await events(orgId, undefined), 401, 'unauthenticated');
    // demoted: at once
    const down = await t.request('PATCH', `/orgs/${orgId}/members/${admin.sub}`, { token: ownerToken, body: { role: 'member' } });
    expect(down.status).toBe(200);
    expectProblem(await events(orgId, admin.token), 403, 'forbidden');
  });

  it('lists the domain events in append order with the fields of API.md', async () => {
    const { ownerSub, admin, member, declinedSub, pendingSub } = s;
    expect(items.map((e) => e.type)).toEqual([
      'OrganizationCreated',
      'MemberJoined',
      'MemberInvited',
      'InvitationAccepted',
      'MemberJoined',
      'MemberInvited',
      'InvitationAccepted',
      'MemberJoined',
      'MemberInvited',
      'InvitationDeclined',
      'MemberInvited',
      'InvitationResent',
      'RoleChanged',
      'OwnershipTransferred',
      'MemberRemoved',
      'OrganizationRenamed',
    ]);
    expect(items.map((e) => e.streamVersion)).toEqual(items.map((_, i) => i + 1));
    const positions = items.map((e) => Number(e.position));
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
    expect(new Set(items.map((e) => e.eventId)).size).toBe(items.length);
    for (const e of items) {
      expect(e).toEqual(
        expect.objectContaining({
          position: expect.anything(),
          eventId: expect.any(String),
          type: expect.any(String),
          streamVersion: expect.any(Number),
          occurredAt: expect.stringMatching(ISO_UTC),
          actorId: expect.any(String),
          data: expect.any(Object),
        }),
      );
    }
    const occurred = items.map((e) => Date.parse(e.occurredAt));
    for (let i = 1; i < occurred.length; i++) expect(occurred[i]).toBeGreaterThanOrEqual(occurred[i - 1]);

    // who did what, from which role to which
    expect(items[0]).toMatchObject({ actorId: ownerSub, data: { orgId: s.orgId, createdBy: ownerSub } });
    expect(items[1]).toMatchObject({ actorId: ownerSub, data: { userId: ownerSub, role: 'owner' } });
    expect(items[2]).toMatchObject({ actorId: ownerSub, data: { email: emailOf(admin.sub), role: 'admin', invitedBy: ownerSub } });
    expect(items[3]).toMatchObject({ actorId: admin.sub, data: { userId: admin.sub } });
    expect(items[4]).toMatchObject({ actorId: admin.sub, data: { userId: admin.sub, role: 'admin', email: emailOf(admin.sub) } });
    expect(items[8]).toMatchObject({ actorId: admin.sub, data: { invitationId: s.decInv.id, email: emailOf(declinedSub), invitedBy: admin.sub } });
    expect(items[9]).toMatchObject({ actorId: declinedSub, data: { invitationId: s.decInv.id, userId: declinedSub } });
    expect(items[10]).toMatchObject({ actorId: ownerSub, data: { invitationId: s.pending.id, email: emailOf(pendingSub), role: 'admin' } });
    expect(items[11]).toMatchObject({ actorId: ownerSub, data: { invitationId: s.pending.id } });
    expect(items[12]).toEqual(expect.objectContaining({ type: 'RoleChanged', actorId: admin.sub, data: { userId: member.sub, from: 'member', to: 'admin', changedBy: admin.sub } }));
    expect(items[13]).toEqual(expect.objectContaining({ type: 'OwnershipTransferred', actorId: ownerSub, data: { previousOwnerId: ownerSub, newOwnerId: admin.sub } }));
    expect(items[14]).toMatchObject({ type: 'MemberRemoved', actorId: admin.sub, data: { userId: member.sub, role: 'admin', removedBy: admin.sub } });
    expect(items[15]).toMatchObject({ type: 'OrganizationRenamed', actorId: admin.sub, data: { name: 'Renamed' } });
  });

  it('no invitation token (nor its secret part) appears anywhere in the history', async () => {
    expect(s.links.length).toBeGreaterThanOrEqual(5); // two accepted, one declined, one pending sent twice
    const json = JSON.stringify(items);
    // and nowhere in the stored events either (data and metadata of every stream)
    const everything = JSON.stringify(await eventStoreOf(t).readAll(0, 1_000_000));
    for (const link of s.links) {
      const secret = link.split('.').pop()!;
      expect(secret.length).toBeGreaterThanOrEqual(22);
      for (const text of [json, everything]) {
        expect(text).not.toContain(link);
        expect(text).not.toContain(secret);
      }
    }
  });

  it('paginates with limit and after=<nextCursor>: the same items, each once', async () => {
    for (const limit of [1, 2, 5]) {
      const paged = await history(s.orgId, s.admin.token, limit);
      expect(paged.map((e) => e.eventId)).toEqual(items.map((e) => e.eventId));
    }
    const first = await events(s.orgId, s.admin.token, 'limit=3');
    expect(first.body.items).toHaveLength(3);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await events(s.orgId, s.admin.token, `limit=3&after=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((e: any) => e.streamVersion)).toEqual([4, 5, 6]);
    const last = await events(s.orgId, s.admin.token, `limit=${items.length}`);
    expect(last.body.nextCursor).toBeNull();
    const defaults = await events(s.orgId, s.admin.token);
    expect(defaults.body.items).toEqual(items);
    expect(defaults.body.nextCursor).toBeNull();
  });

  it('bad parameters → 400 validation_failed', async () => {
    expectValidation(await events(s.orgId, s.admin.token, 'limit=0'), 'limit');
    expectValidation(await events(s.orgId, s.admin.token, 'limit=201'), 'limit');
    expectValidation(await events(s.orgId, s.admin.token, 'limit=abc'), 'limit');
    expectValidation(await events(s.orgId, s.admin.token, 'bogus=1'), 'bogus');
    const bad = await events(s.orgId, s.admin.token, 'after=garbage');
    expectProblem(bad, 400, 'validation_failed');
  });

  it('the stored stream verifies with firstBrokenLink, and the items are those events', async () => {
    const stored = await eventStoreOf(t).readStream(`organization-${s.orgId}`);
    expect(firstBrokenLink(stored)).toBeNull();
    expect(items.map((e) => [e.eventId, e.type, e.streamVersion, e.occurredAt, e.actorId, e.data])).toEqual(
      stored.map((e) => [e.metadata.eventId, e.type, e.streamVersion, e.metadata.occurredAt, e.metadata.actorId, e.data]),
    );
  });

  it('each item carries every metadata field the hash covers (else an export cannot be verified)', async () => {
    const stored = await eventStoreOf(t).readStream(`organization-${s.orgId}`);
    const covered = Object.keys(stored[0].metadata).sort();
    expect(covered).toEqual(['actorId', 'causationId', 'correlationId', 'eventId', 'hash', 'occurredAt', 'prevHash', 'schemaVersion']);
    const missing = items.map((e) => covered.filter((k) => !(k in (e.metadata ?? e))));
    expect(missing[0]).toEqual([]);
    expect(missing.flat()).toEqual([]);
  });

  it('the hash chain verifies from the answer alone (an export), and tampering one item breaks it at that version', async () => {
    const exported = items.map((e) => asStored(s.orgId, e));
    expect(firstBrokenLink(exported)).toBeNull();

    const roleChange = items.findIndex((e) => e.type === 'RoleChanged');
    const tampered = exported.map((e, i) => (i === roleChange ? { ...e, data: { ...(e.data as object), to: 'owner' } } : e));
    expect(firstBrokenLink(tampered)).toBe(items[roleChange].streamVersion);
    const reordered = [...exported];
    [reordered[3], reordered[4]] = [reordered[4], reordered[3]];
    expect(firstBrokenLink(reordered)).toBe(exported[4].streamVersion);
    expect(firstBrokenLink(exported.slice(0, 5).concat(exported.slice(6)))).toBe(exported[6].streamVersion);
  });

  it('tampering the stored events breaks the chain at the tampered version', async () => {
    const stored = await eventStoreOf(t).readStream(`organization-${s.orgId}`);
    const i = stored.findIndex((e) => e.type === 'MemberRemoved');
    const tampered = stored.map((e, k) => (k === i ? { ...e, metadata: { ...e.metadata, actorId: 'someone-else' } } : e));
    expect(firstBrokenLink(tampered)).toBe(stored[i].streamVersion);
  });
});

describe('deleting the organization', () => {
  it('keeps its history in the store (the route then answers 404)', async () => {
    const { orgId, ownerSub, ownerToken } = await createOrg(t);
    await joinAs(t, orgId, ownerToken, uniq('a'), 'admin');
    const before = await history(orgId, ownerToken);
    const del = await t.request('DELETE', `/orgs/${orgId}`, { token: ownerToken });
    expect(del.status).toBe(204);
    expectProblem(await events(orgId, ownerToken), 404, 'not_found');
    expectProblem(await getAt(t, `/orgs/${orgId}/events`, ownerToken, positionOf(del)), 404, 'not_found');

    const stored = await eventStoreOf(t).readStream(`organization-${orgId}`);
    expect(stored.map((e) => e.metadata.eventId)).toEqual([...before.map((e) => e.eventId), stored[stored.length - 1].metadata.eventId]);
    expect(stored[stored.length - 1]).toMatchObject({ type: 'OrganizationDeleted', data: { deletedBy: ownerSub }, streamVersion: before.length + 1 });
    expect(stored.slice(0, before.length).map((e) => e.data)).toEqual(before.map((e) => e.data));
    expect(firstBrokenLink(stored)).toBeNull();
  });
});
