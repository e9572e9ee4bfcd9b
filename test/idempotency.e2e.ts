// API.md "Idempotency": every POST accepts Idempotency-Key (1–255 chars). The same key from the same
// caller within 24 h replays the first response (same status and body) without doing the work again;
// the same key with a different body → 422 idempotency_key_reused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp, type TestResponse } from './support/test-app';
import { invitationToken, outbox } from './support/outbox';
import { redisServerProblem, startRedis, type OwnRedis } from './support/redis';
import { eventStoreOf } from './support/read';

const withKey = (key: string) => ({ 'idempotency-key': key });

function expectProblem(res: TestResponse, status: number, code: string) {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  expect(res.body).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code }));
}

async function mailsTo(dataDir: string, email: string) {
  return (await outbox(dataDir)).filter((m) => m.to.toLowerCase().includes(email));
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

let seq = 0;
/** A fresh key per test, so that tests never share one. */
const newKey = (label: string) => `${label}-${Date.now()}-${++seq}`;

async function newOrg(owner: string, name = 'Acme') {
  const token = await t.token(owner, { name: owner });
  const org = await t.request('POST', '/orgs', { token, body: { name } });
  expect(org.status).toBe(201);
  return { orgId: org.body.id as string, token };
}

describe('POST /orgs', () => {
  it('replays the first answer for the same key and body: same status, body and X-Position, one org', async () => {
    const alice = await t.token('idem-alice');
    const key = newKey('create');
    const first = await t.request('POST', '/orgs', { token: alice, body: { name: 'Once' }, headers: withKey(key) });
    const second = await t.request('POST', '/orgs', { token: alice, body: { name: 'Once' }, headers: withKey(key) });
    expect(first.status).toBe(201);
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('x-position')).toBeTruthy();
    expect(second.headers.get('x-position')).toBe(first.headers.get('x-position'));

    const third = await t.request('POST', '/orgs', { token: alice, body: { name: 'Once' } });
    expect(third.status).toBe(201);
    expect(third.body.id).not.toBe(first.body.id);
  });

  it('replays the first answer even after the org changed (the work is not done again)', async () => {
    const alice = await t.token('idem-alice');
    const key = newKey('create-then-rename');
    const first = await t.request('POST', '/orgs', { token: alice, body: { name: 'Before' }, headers: withKey(key) });
    expect(first.status).toBe(201);
    const renamed = await t.request('PATCH', `/orgs/${first.body.id}`, { token: alice, body: { name: 'After' } });
    expect(renamed.status).toBe(200);
    const replay = await t.request('POST', '/orgs', { token: alice, body: { name: 'Before' }, headers: withKey(key) });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect((await t.request('GET', `/orgs/${first.body.id}`, { token: alice })).body.name).toBe('After');
  });

  it('treats the same JSON with another key order or whitespace as the same body', async () => {
    const alice = await t.token('idem-alice');
    const key = newKey('same-json');
    const first = await t.request('POST', '/orgs', { token: alice, body: '{"name":"Same JSON"}', headers: withKey(key) });
    const second = await t.request('POST', '/orgs', { token: alice, body: '{ "name" : "Same JSON" }\n', headers: withKey(key) });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
  });

  it('refuses the same key with a different body: 422 idempotency_key_reused, and does no work', async () => {
    const alice = await t.token('idem-alice');
    const key = newKey('reused');
    const first = await t.request('POST', '/orgs', { token: alice, body: { name: 'One' }, headers: withKey(key) });
    expect(first.status).toBe(201);
    const other = await t.request('POST', '/orgs', { token: alice, body: { name: 'Two' }, headers: withKey(key) });
    expectProblem(other, 422, 'idempotency_key_reused');
    // The first answer is still the one replayed.
    const again = await t.request('POST', '/orgs', { token: alice, body: { name: 'One' }, headers: withKey(key) });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
  });

  it('keeps keys per caller: the same key from another caller does its own work', async () => {
    const key = newKey('per-caller');
    const alice = await t.token('idem-alice');
    const bob = await t.token('idem-bob');
    const a = await t.request('POST', '/orgs', { token: alice, body: { name: 'Shared key' }, headers: withKey(key) });
    const b = await t.request('POST', '/orgs', { token: bob, body: { name: 'Shared key' }, headers: withKey(key) });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(a.body.ownerId).toBe('idem-alice');
    expect(b.body.ownerId).toBe('idem-bob');
    // Bob's request did not leak Alice's org, nor the other way round.
    expect((await t.request('GET', `/orgs/${a.body.id}`, { token: bob })).status).toBe(404);
    expect((await t.request('GET', `/orgs/${b.body.id}`, { token: alice })).status).toBe(404);
  });

  it('accepts a key of 255 characters and refuses one of 256 (400 validation_failed)', async () => {
    const alice = await t.token('idem-alice');
    const ok = await t.request('POST', '/orgs', { token: alice, body: { name: 'Long key' }, headers: withKey('k'.repeat(255)) });
    expect(ok.status).toBe(201);
    const tooLong = await t.request('POST', '/orgs', { token: alice, body: { name: 'Long key' }, headers: withKey('k'.repeat(256)) });
    expectProblem(tooLong, 400, 'validation_failed');
  });

  it('refuses an empty key (400 validation_failed)', async () => {
    const alice = await t.token('idem-alice');
    const empty = await t.request('POST', '/orgs', { token: alice, body: { name: 'Empty key' }, headers: withKey('') });
    expectProblem(empty, 400, 'validation_failed');
  });

  it('answers 10 parallel requests with one key and body alike, and creates one org', async () => {
    const alice = await t.token('idem-parallel');
    const key = newKey('parallel');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => t.request('POST', '/orgs', { token: alice, body: { name: 'Parallel' }, headers: withKey(key) })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    for (const a of answers) expect(a.body).toEqual(answers[0].body);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.headers.get('x-position'))).size).toBe(1);
  });

  it('lets exactly one of parallel requests with one key but different bodies do the work', async () => {
    const alice = await t.token('idem-parallel-2');
    const key = newKey('parallel-different');
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.request('POST', '/orgs', { token: alice, body: { name: `Parallel ${i}` }, headers: withKey(key) })),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(1);
    for (const a of answers.filter((a) => a.status !== 201)) expectProblem(a, 422, 'idempotency_key_reused');
  });
});

describe('POST /orgs/:orgId/invitations', () => {
  it('invites once and sends one email for two requests with one key', async () => {
    const { orgId, token } = await newOrg('inv-owner-1');
    const key = newKey('invite');
    const body = { email: 'idem-invitee-1@example.com', role: 'member' };
    const first = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body, headers: withKey(key) });
    const second = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body, headers: withKey(key) });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('x-position')).toBe(first.headers.get('x-position'));
    expect(await mailsTo(t.dataDir, 'idem-invitee-1@example.com')).toHaveLength(1);

    // Without the key, the second invitation is refused as pending: there is exactly one.
    const third = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body });
    expectProblem(third, 409, 'invitation_pending');
  });

  it('replays an error answer too, even after the situation changed', async () => {
    const { orgId, token } = await newOrg('inv-owner-2');
    await t.request('POST', `/orgs/${orgId}/invitations`, { token, body: { email: 'idem-bob-2@example.com', role: 'member' } });
    const bob = await t.token('idem-bob-2');
    const link = await invitationToken(t.dataDir, 'idem-bob-2@example.com');
    expect((await t.request('POST', `/invitations/${link}/accept`, { token: bob })).status).toBe(200);

    const key = newKey('invite-member');
    const body = { email: 'idem-bob-2@example.com', role: 'admin' };
    const first = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body, headers: withKey(key) });
    expectProblem(first, 409, 'already_member');

    // Bob leaves: inviting him would now succeed, but the key replays the first answer.
    expect((await t.request('POST', `/orgs/${orgId}/leave`, { token: bob })).status).toBe(204);
    const replay = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body, headers: withKey(key) });
    expect(replay.status).toBe(409);
    expect(replay.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
    expect(replay.body).toEqual(first.body);
    const mailsBefore = (await mailsTo(t.dataDir, 'idem-bob-2@example.com')).length;

    const fresh = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body, headers: withKey(newKey('invite-member')) });
    expect(fresh.status).toBe(201);
    expect(await mailsTo(t.dataDir, 'idem-bob-2@example.com')).toHaveLength(mailsBefore + 1);
  });

  it('replays a validation error, and refuses the key with a corrected body', async () => {
    const { orgId, token } = await newOrg('inv-owner-3');
    const key = newKey('invite-invalid');
    const bad = { email: 'not an email', role: 'member' };
    const first = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body: bad, headers: withKey(key) });
    expectProblem(first, 400, 'validation_failed');
    const replay = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body: bad, headers: withKey(key) });
    expect(replay.status).toBe(400);
    expect(replay.body).toEqual(first.body);
    const corrected = await t.request('POST', `/orgs/${orgId}/invitations`, {
      token,
      body: { email: 'idem-carol-3@example.com', role: 'member' },
      headers: withKey(key),
    });
    expectProblem(corrected, 422, 'idempotency_key_reused');
    expect(await mailsTo(t.dataDir, 'idem-carol-3@example.com')).toHaveLength(0);
  });
});

describe('POST without a body', () => {
  it('resends once for two resend requests with one key', async () => {
    const { orgId, token } = await newOrg('inv-owner-4');
    const inv = await t.request('POST', `/orgs/${orgId}/invitations`, { token, body: { email: 'idem-dave-4@example.com', role: 'member' } });
    expect(inv.status).toBe(201);
    const key = newKey('resend');
    const first = await t.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token, headers: withKey(key) });
    const second = await t.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token, headers: withKey(key) });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await mailsTo(t.dataDir, 'idem-dave-4@example.com')).toHaveLength(2); // the invitation and one resend
  });

  it('replays an accepted invitation instead of answering invitation_used', async () => {
    const { orgId, token } = await newOrg('inv-owner-5');
    await t.request('POST', `/orgs/${orgId}/invitations`, { token, body: { email: 'idem-erin-5@example.com', role: 'admin' } });
    const erin = await t.token('idem-erin-5');
    const link = await invitationToken(t.dataDir, 'idem-erin-5@example.com');
    const key = newKey('accept');
    const first = await t.request('POST', `/invitations/${link}/accept`, { token: erin, headers: withKey(key) });
    const second = await t.request('POST', `/invitations/${link}/accept`, { token: erin, headers: withKey(key) });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ orgId, userId: 'idem-erin-5', role: 'admin' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const unkeyed = await t.request('POST', `/invitations/${link}/accept`, { token: erin });
    expectProblem(unkeyed, 410, 'invitation_used');
  });
});

describe('restart', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'team-e2e-idem-restart-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps keys across a restart on the same DATA_DIR', async () => {
    const key = 'restart-key-1';
    const first = await startTestApp({}, dataDir);
    let created: TestResponse;
    try {
      const alice = await first.token('idem-restart');
      created = await first.request('POST', '/orgs', { token: alice, body: { name: 'Durable' }, headers: withKey(key) });
      expect(created.status).toBe(201);
    } finally {
      await first.close();
    }

    const second = await startTestApp({}, dataDir);
    try {
      const alice = await second.token('idem-restart');
      const replay = await second.request('POST', '/orgs', { token: alice, body: { name: 'Durable' }, headers: withKey(key) });
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(created.body);
      expect(replay.headers.get('x-position')).toBe(created.headers.get('x-position'));
      const reused = await second.request('POST', '/orgs', { token: alice, body: { name: 'Other' }, headers: withKey(key) });
      expectProblem(reused, 422, 'idempotency_key_reused');
    } finally {
      await second.close();
    }
  });
});

describe('across API replicas (REDIS_URL: the keys live in Redis)', () => {
  // Two API processes over one event store (a shared DATA_DIR stands in for EventStoreDB) and one
  // private Redis: a retry that reaches the other replica replays the first answer. They run no
  // background work (API_RUNS_WORKER=false: a BullMQ worker that saw Redis die may never finish
  // closing, taskforcesh/bullmq#4656), so organizations are counted in the event store itself.
  const problem = redisServerProblem();
  if (problem) {
    it.skip(`replicas SKIPPED (${problem})`, () => undefined);
    return;
  }
  let redis: OwnRedis;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    redis = await startRedis();
    a = await startTestApp({ REDIS_URL: redis.url, API_RUNS_WORKER: 'false' });
    b = await startTestApp({ REDIS_URL: redis.url, API_RUNS_WORKER: 'false' }, a.dataDir);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
    if (a) rmSync(a.dataDir, { recursive: true, force: true });
  });

  /** How many organizations named `name` `by` created, read from the shared event store. */
  async function created(by: string, name: string) {
    const events = await eventStoreOf(a).readAll(0, 100_000);
    return events.filter((e) => e.type === 'OrganizationCreated' && e.metadata.actorId === by && (e.data as { name: string }).name === name).length;
  }

  it('replays on replica B the answer replica A gave, and creates one organization', async () => {
    const token = await a.token('replica-owner', { name: 'Ro' });
    const key = newKey('replicas');
    const first = await a.request('POST', '/orgs', { token, body: { name: 'Twice' }, headers: withKey(key) });
    expect(first.status).toBe(201);
    const retried = await b.request('POST', '/orgs', { token, body: { name: 'Twice' }, headers: withKey(key) });
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(first.body);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(await created('replica-owner', 'Twice')).toBe(1);
    // The key is taken for every replica: another body with it is refused on B too.
    const other = await b.request('POST', '/orgs', { token, body: { name: 'Else' }, headers: withKey(key) });
    expectProblem(other, 422, 'idempotency_key_reused');
  });

  it('answers 503 unavailable while Redis is down, instead of running the request a second time', async () => {
    const token = await a.token('replica-owner2', { name: 'Ro2' });
    const key = newKey('outage');
    const first = await a.request('POST', '/orgs', { token, body: { name: 'Outage' }, headers: withKey(key) });
    expect(first.status).toBe(201);
    await redis.stop();
    try {
      const during = await b.request('POST', '/orgs', { token, body: { name: 'Outage' }, headers: withKey(key) });
      expectProblem(during, 503, 'unavailable');
      expect(during.headers.get('retry-after')).toBe('1');
    } finally {
      await redis.start();
    }
    // Nothing ran twice while the store could not be asked (the test's Redis keeps nothing on disk, so
    // the key itself is gone with it; production Redis runs with AOF).
    expect(await created('replica-owner2', 'Outage')).toBe(1);
  });
});
