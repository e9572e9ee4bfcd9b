// Issue #7, logs and metrics: one structured JSON line per request (request id, actor, outcome) with no
// token, Authorization header or email body in it; GET /metrics in Prometheus format, without auth,
// with request durations, commands by type and outcome (conflicts and retries), projection lag and jobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../apps/api/create-app';
import { signToken } from '../libs/platform/auth/sign-token';
import { loadConfig } from '../libs/platform/config/config';
import { WrongExpectedVersion, type EventStore } from '../libs/platform/event-store/event-store';
import { openSqliteEventStore } from '../libs/platform/event-store/sqlite-event-store';
import { EVENT_STORE, JOB_QUEUE } from '../libs/platform/injection-tokens';
import type { JobQueue } from '../libs/platform/jobs/job-queue';
import { createMetrics } from '../libs/platform/observability/metrics';
import { organizationRepository } from '../libs/organizations/application/organization-repository';
import { outbox, invitationToken } from './support/outbox';
import { TEST_JWT_SECRET } from './support/test-app';

type LogLine = Record<string, any>;

let app: NestFastifyApplication;
let url: string;
let dataDir: string;
const written: string[] = [];
const logText = () => written.join('');
const logLines = (): LogLine[] => logText().split('\n').filter(Boolean).map((line) => JSON.parse(line));
const requestLines = () => logLines().filter((l) => l.msg === 'request completed' || l.msg === 'request failed');
const lineOf = (requestId: string) => {
  const lines = requestLines().filter((l) => l.requestId === requestId);
  expect(lines).toHaveLength(1);
  return lines[0];
};

const token = (sub: string, name = sub) => signToken(TEST_JWT_SECRET, { sub, email: `${sub}@example.com`, name });

async function call(method: string, path: string, options: { token?: string; body?: unknown; requestId?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.requestId) headers['x-request-id'] = options.requestId;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'team-e2e-observability-'));
  const config = loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: TEST_JWT_SECRET, PORT: '0', HOST: '127.0.0.1' });
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  app = await createApp(config, { logger: false, logStream });
  await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('logs', () => {
  it('writes one JSON line per request with its request id, route, status, actor and outcome', async () => {
    const alice = await token('alice');
    const created = await call('POST', '/orgs', { token: alice, body: { name: 'Logged' }, requestId: 'obs-create-1' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('obs-create-1');
    const missing = await call('GET', '/orgs/nope', { token: alice, requestId: 'obs-missing-1' });
    const anonymous = await call('POST', '/orgs', { body: { name: 'x' }, requestId: 'obs-anon-1' });
    const invalid = await call('POST', '/orgs', { token: alice, body: { name: 'x', extra: 1 }, requestId: 'obs-invalid-1' });
    const docs = await call('GET', '/docs');
    expect([missing.status, anonymous.status, invalid.status, docs.status]).toEqual([404, 401, 400, 200]);

    expect(lineOf('obs-create-1')).toMatchObject({
      level: 'info',
      msg: 'request completed',
      method: 'POST',
      route: '/orgs',
      path: '/orgs',
      status: 201,
      actorId: 'alice',
      outcome: 'ok',
      durationMs: expect.any(Number),
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(lineOf('obs-missing-1')).toMatchObject({ route: '/orgs/:orgId', status: 404, actorId: 'alice', outcome: 'not_found' });
    expect(lineOf('obs-anon-1')).toMatchObject({ status: 401, actorId: null, outcome: 'unauthenticated' });
    expect(lineOf('obs-invalid-1')).toMatchObject({ status: 400, outcome: 'validation_failed' });
    // A generated request id is echoed too, and logged once.
    expect(lineOf(docs.headers.get('x-request-id')!)).toMatchObject({ route: '/docs', status: 200, actorId: null });
    // Probes and scrapes succeed quietly (debug), failures are logged.
    const health = await call('GET', '/health');
    expect(requestLines().filter((l) => l.requestId === health.headers.get('x-request-id'))).toEqual([]);
    // Unrouted requests share one route label.
    const unknown = await call('GET', '/no/such/route', { requestId: 'obs-unknown-1' });
    expect(unknown.status).toBe(404);
    expect(lineOf('obs-unknown-1')).toMatchObject({ route: 'unmatched', outcome: 'not_found' });
  });

  it("binds the request id to the application's own log lines made during the request", async () => {
    // A store that fails for one organization: the problem filter logs the 500 with its stack.
    const store = app.get<EventStore>(EVENT_STORE);
    const readStream = store.readStream;
    store.readStream = (streamId, ...rest) => (streamId.endsWith('org-boom') ? Promise.reject(new Error('disk on fire')) : readStream(streamId, ...rest));
    try {
      const res = await call('GET', '/orgs/org-boom', { token: await token('alice'), requestId: 'obs-boom-1' });
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ code: 'internal', detail: 'internal error' }); // nothing leaks to the caller
    } finally {
      store.readStream = readStream;
    }
    const lines = logLines().filter((l) => l.requestId === 'obs-boom-1');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', context: 'Errors', msg: expect.stringContaining('disk on fire') }),
      expect.objectContaining({ level: 'error', msg: 'request failed', status: 500, outcome: 'internal' }),
    ]);
  });

  it('carries the request id into the events as their correlationId', async () => {
    const alice = await token('alice');
    const created = await call('POST', '/orgs', { token: alice, body: { name: 'Correlated' }, requestId: 'obs-correlated-1' });
    const renamed = await call('PATCH', `/orgs/${created.body.id}`, { token: alice, body: { name: 'Renamed' }, requestId: 'obs-correlated-2' });
    expect(renamed.status).toBe(200);
    const events = await call('GET', `/orgs/${created.body.id}/events`, { token: alice });
    expect(events.body.items.map((e: LogLine) => [e.type, e.correlationId])).toEqual([
      ['OrganizationCreated', 'obs-correlated-1'],
      ['MemberJoined', 'obs-correlated-1'],
      ['OrganizationRenamed', 'obs-correlated-2'],
    ]);
  });

  it('never logs a bearer token, an Authorization header, an invitation token or an email body', async () => {
    const owner = await token('owner-redact', 'Owner Redact');
    const created = await call('POST', '/orgs', { token: owner, body: { name: 'Redacted' } });
    const invited = await call('POST', `/orgs/${created.body.id}/invitations`, { token: owner, body: { email: 'carol-redact@example.com', role: 'member' } });
    expect(invited.status).toBe(201);
    const link = await invitationToken(dataDir, 'carol-redact@example.com');
    const preview = await call('GET', `/invitations/${link}`, { requestId: 'obs-preview-1' });
    expect(preview.status).toBe(200);
    const carol = await token('carol-redact');
    const accepted = await call('POST', `/invitations/${link}/accept`, { token: carol, requestId: 'obs-accept-1' });
    expect(accepted.status).toBe(200);
    // A wrong token in the path (a guess) is no more logged than a real one.
    await call('GET', '/invitations/guessed-token-value-1234567890', { requestId: 'obs-guess-1' });

    expect(lineOf('obs-preview-1')).toMatchObject({ route: '/invitations/:token', path: '/invitations/[redacted]', status: 200 });
    expect(lineOf('obs-accept-1')).toMatchObject({ path: '/invitations/[redacted]/accept', actorId: 'carol-redact' });
    const log = logText();
    expect(log.length).toBeGreaterThan(0);
    for (const secret of [owner, carol, link, 'guessed-token-value-1234567890']) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/bearer /i);
    expect(log).not.toMatch(/authorization/i);
    const [mail] = (await outbox(dataDir)).filter((m) => m.to.includes('carol-redact@example.com'));
    for (const line of mail.text.split('\n').map((l) => l.trim()).filter((l) => l.length > 15)) expect(log).not.toContain(line);
  });
});

/** The value of one sample of the Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('metrics', () => {
  const scrape = async () => {
    const res = await fetch(`${url}/metrics`); // no Authorization: Prometheus scrapes without one
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('exposes request durations by route and status, and they move', async () => {
    const before = await scrape();
    const alice = await token('alice');
    await call('POST', '/orgs', { token: alice, body: { name: 'Counted' } });
    await call('POST', '/orgs', { token: alice, body: { name: 'Counted too' } });
    const after = await scrape();
    const count = (text: string) => sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/orgs', status: '201' }) ?? 0;
    expect(count(after) - count(before)).toBe(2);
    expect(sample(after, 'http_request_duration_seconds_bucket', { method: 'POST', route: '/orgs', status: '201', le: '+Inf' })).toBe(count(after));
    expect(sample(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts commands by type and outcome', async () => {
    const owner = await token('owner-metrics');
    const before = await scrape();
    const created = await call('POST', '/orgs', { token: owner, body: { name: 'Metered' } });
    await call('PATCH', `/orgs/${created.body.id}`, { token: owner, body: { name: 'Metered' } }); // same name: nothing recorded
    const invite = () => call('POST', `/orgs/${created.body.id}/invitations`, { token: owner, body: { email: 'dave-metrics@example.com', role: 'member' } });
    expect((await invite()).status).toBe(201);
    expect((await invite()).status).toBe(409);
    const after = await scrape();
    const delta = (labels: Record<string, string>) => (sample(after, 'commands_total', labels) ?? 0) - (sample(before, 'commands_total', labels) ?? 0);
    expect(delta({ type: 'CreateOrganization', outcome: 'ok', code: '' })).toBe(1);
    expect(delta({ type: 'RenameOrganization', outcome: 'unchanged', code: '' })).toBe(1);
    expect(delta({ type: 'InviteMember', outcome: 'ok', code: '' })).toBe(1);
    expect(delta({ type: 'InviteMember', outcome: 'rejected', code: 'invitation_pending' })).toBe(1);
  });

  it('shows the projection lag, the event store head and the jobs by state', async () => {
    const text = await scrape();
    expect(sample(text, 'event_store_head_position')).toBeGreaterThan(0);
    expect(sample(text, 'projection_lag_positions')).toBeGreaterThanOrEqual(0);
    for (const state of ['waiting', 'active', 'delayed', 'completed', 'failed']) expect(sample(text, 'jobs', { state })).toBeGreaterThanOrEqual(0);
    // Every invitation so far went through the email job.
    expect(sample(text, 'jobs', { state: 'completed' })).toBeGreaterThan(0);
  });
});

describe('GET /ready', () => {
  it('answers 200 while every part answers, and 503 naming the part that does not', async () => {
    expect(await call('GET', '/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const queue = app.get<JobQueue>(JOB_QUEUE);
    const ping = queue.ping;
    queue.ping = () => Promise.reject(new Error('connection refused'));
    try {
      const res = await call('GET', '/ready');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'unavailable', detail: 'not ready: job queue not answering' });
    } finally {
      queue.ping = ping;
    }
  });
});

describe('command metrics of concurrency conflicts', () => {
  // Another process appending first is what makes a version conflict; a store that refuses the first
  // appends plays that process here.
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'team-conflicts-'));
    store = openSqliteEventStore(join(dir, 'events.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const conflicting = (refusals: number): EventStore => {
    let left = refusals;
    return {
      ...store,
      append: (streamId, expected, events) => (left-- > 0 ? Promise.reject(new WrongExpectedVersion(streamId, expected, 99)) : store.append(streamId, expected, events)),
    };
  };
  const create = (orgId: string) => ({
    type: 'CreateOrganization' as const,
    orgId,
    name: 'Contended',
    by: { userId: 'u1', email: 'u1@example.com', name: 'U1' },
    now: new Date(),
  });

  it('counts the retries of a command that succeeded after conflicts', async () => {
    const metrics = createMetrics();
    const repository = organizationRepository(conflicting(2));
    repository.onCommand((report) => metrics.observeCommand(report));
    await repository.execute(create('org-retried'), { correlationId: 'c1' });
    const text = await metrics.registry.metrics();
    expect(sample(text, 'command_retries_total', { type: 'CreateOrganization' })).toBe(2);
    expect(sample(text, 'commands_total', { type: 'CreateOrganization', outcome: 'ok' })).toBe(1);
  });

  it('counts a command that still conflicted after its retries as a conflict', async () => {
    const metrics = createMetrics();
    const repository = organizationRepository(conflicting(100), { retries: 3 });
    repository.onCommand((report) => metrics.observeCommand(report));
    await expect(repository.execute(create('org-conflicted'), { correlationId: 'c2' })).rejects.toMatchObject({ code: 'concurrency_conflict' });
    const text = await metrics.registry.metrics();
    expect(sample(text, 'commands_total', { type: 'CreateOrganization', outcome: 'conflict', code: 'concurrency_conflict' })).toBe(1);
    expect(sample(text, 'command_retries_total', { type: 'CreateOrganization' })).toBe(3);
  });
});
