// Issue #7, rate limits (API.md "Invitations"): INVITES_PER_HOUR invitations plus resends per
// organization per hour, and INVITATION_LINK_REQUESTS_PER_MINUTE requests per client address on the
// invitation-link routes; past them, 429 rate_limited (problem+json) with Retry-After.
import { redisServerProblem, startRedis, type OwnRedis } from './support/redis';
import { startTestApp, type TestApp, type TestResponse } from './support/test-app';

function expectRateLimited(res: TestResponse, maxSeconds: number) {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: 429, code: 'rate_limited' });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: 'Too Many Requests', status: 429, detail: expect.any(String) });
  const retryAfter = res.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(maxSeconds);
}

async function metric(t: TestApp, line: RegExp): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const found = text.split('\n').find((l) => line.test(l));
  return found ? Number(found.split(' ').pop()) : 0;
}

describe('invitations per organization (INVITES_PER_HOUR)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ INVITES_PER_HOUR: '3' });
  });
  afterAll(() => t.close());

  const createOrg = async (owner: string) => {
    const token = await t.token(owner);
    const res = await t.request('POST', '/orgs', { token, body: { name: `Org of ${owner}` } });
    expect(res.status).toBe(201);
    return { orgId: res.body.id as string, token };
  };
  const invite = (orgId: string, token: string | undefined, email: string) =>
    t.request('POST', `/orgs/${orgId}/invitations`, { token, body: { email, role: 'member' } });

  it('counts invitations and resends together, answers 429 with Retry-After past the limit, per organization', async () => {
    const a = await createOrg('owner-a');
    const b = await createOrg('owner-b');
    // Requests without a valid token are refused before they are counted.
    for (let i = 0; i < 5; i++) expect((await invite(a.orgId, undefined, `nobody${i}@example.com`)).status).toBe(401);

    const first = await invite(a.orgId, a.token, 'one@example.com');
    expect(first.status).toBe(201);
    expect((await invite(a.orgId, a.token, 'two@example.com')).status).toBe(201);
    const resent = await t.request('POST', `/orgs/${a.orgId}/invitations/${first.body.id}/resend`, { token: a.token });
    expect(resent.status).toBe(200);

    expectRateLimited(await invite(a.orgId, a.token, 'three@example.com'), 3600);
    expectRateLimited(await t.request('POST', `/orgs/${a.orgId}/invitations/${first.body.id}/resend`, { token: a.token }), 3600);
    // Nothing was recorded for the refused attempts.
    const invitations = await t.request('GET', `/orgs/${a.orgId}/invitations`, { token: a.token, headers: { 'x-min-position': resent.headers.get('x-position')! } });
    expect(invitations.body.items.map((i: { email: string }) => i.email).sort()).toEqual(['one@example.com', 'two@example.com']);

    // Another organization has its own count.
    expect((await invite(b.orgId, b.token, 'three@example.com')).status).toBe(201);
    expect(await metric(t, /^rate_limited_total\{limit="invitations"\}/)).toBe(2);
  });
});

describe('invitation-link requests per client address (INVITATION_LINK_REQUESTS_PER_MINUTE)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ INVITATION_LINK_REQUESTS_PER_MINUTE: '4' });
  });
  afterAll(() => t.close());

  it('limits guessing tokens: preview, accept and decline share one count per address', async () => {
    const guesser = await t.token('guesser');
    expect((await t.request('GET', '/invitations/guess-1')).status).toBe(404);
    expect((await t.request('GET', '/invitations/guess-2')).status).toBe(404);
    expect((await t.request('POST', '/invitations/guess-3/accept', { token: guesser })).status).toBe(404);
    expect((await t.request('POST', '/invitations/guess-4/decline', { token: guesser })).status).toBe(404);

    expectRateLimited(await t.request('GET', '/invitations/guess-5'), 60);
    expectRateLimited(await t.request('POST', '/invitations/guess-6/accept', { token: guesser }), 60);
    // X-Forwarded-For is not believed unless TRUST_PROXY says so: a spoofed address changes nothing.
    expectRateLimited(await t.request('GET', '/invitations/guess-7', { headers: { 'x-forwarded-for': '203.0.113.7' } }), 60);
    // Other routes are not limited by it.
    expect((await t.request('GET', '/orgs', { token: guesser })).status).toBe(200);
    expect(await metric(t, /^rate_limited_total\{limit="invitation-link"\}/)).toBe(3);
  });
});

describe('behind a trusted proxy (TRUST_PROXY)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ INVITATION_LINK_REQUESTS_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('counts per forwarded client address', async () => {
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    expect((await t.request('GET', '/invitations/guess-1', from('203.0.113.1'))).status).toBe(404);
    expect((await t.request('GET', '/invitations/guess-2', from('203.0.113.1'))).status).toBe(404);
    expectRateLimited(await t.request('GET', '/invitations/guess-3', from('203.0.113.1')), 60);
    expect((await t.request('GET', '/invitations/guess-4', from('203.0.113.2'))).status).toBe(404);
  });
});

// With REDIS_URL the counters live in Redis: API replicas share one count. A private redis-server
// keeps these counters (and the apps' job queues) away from every other test.
const noRedisServer = redisServerProblem();
(noRedisServer ? describe.skip : describe)('replicas on one Redis (REDIS_URL)', () => {
  let redis: OwnRedis;
  let replicas: TestApp[];
  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, INVITATION_LINK_REQUESTS_PER_MINUTE: '3' };
    replicas = [await startTestApp(env), await startTestApp(env)];
  }, 30_000);
  afterAll(async () => {
    for (const app of replicas ?? []) await app.close();
    await redis?.stop();
  }, 30_000);

  it('share one count per client address', async () => {
    const [a, b] = replicas;
    expect((await a.request('GET', '/invitations/guess-1')).status).toBe(404);
    expect((await b.request('GET', '/invitations/guess-2')).status).toBe(404);
    expect((await a.request('GET', '/invitations/guess-3')).status).toBe(404);
    expectRateLimited(await b.request('GET', '/invitations/guess-4'), 60);
    expectRateLimited(await a.request('GET', '/invitations/guess-5'), 60);
    const keys = await redis.withClient((client) => client.keys('team:rate-limit:*'));
    expect(keys).toEqual(['team:rate-limit:invitation-link:127.0.0.1']);
  });
});
