// Issue #4, background jobs under faults. Each fault is real: a private redis-server that is killed,
// restarted on the same port, or flushed; a real SMTP server that refuses or is not listening yet; the
// built app killed with SIGKILL between sending an email and recording the job as done.
// - Redis down when an invitation is created: 201 all the same, and the email goes out exactly once
//   when Redis is back (the reactor retries from its checkpoint).
// - SMTP refusing, or down: the job retries with backoff, and the email goes out when it is back.
// - Killed after sending, before the job was marked done: at most one duplicate, with a working link.
// - Redis flushed while expiry jobs are pending: accepting after expiry is refused (410) anyway, and the
//   sweep (EXPIRY_SWEEP_SECONDS=1 here) still records InvitationExpired.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdsFor, orgEvents, sqliteJobs, spawnApp, testAppWithJobSettings, waitFor, type SpawnedApp } from './support/jobs';
import { bullmqJobs, redisServerProblem, startRedis, type OwnRedis } from './support/redis';
import { smtpError, startSmtp, type SmtpListener } from './support/smtp';
import { createOrg, emailOf, expectProblem, invite, linkFor, uniq } from './support/team';
import { tokenIn } from './support/outbox';
import { EMBEDDED_ENGINES, type TestApp } from './support/test-app';
import { signToken } from '../libs/platform/auth/sign-token';
import { REACTOR_RUNNER } from '../libs/platform/injection-tokens';
import type { ReactorRunner } from '../libs/platform/reactions/reactor-runner';

const SETTINGS = { JOB_BACKOFF_MS: '100', JOB_ATTEMPTS: '30', EXPIRY_SWEEP_SECONDS: '1' };
const { startTestApp, TEST_JWT_SECRET } = testAppWithJobSettings(SETTINGS);

const LINK_BASE = 'http://localhost:3000/invitations/';
const redisMissing = redisServerProblem();
const withRedis = redisMissing ? describe.skip : describe;

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

withRedis('Redis down when an invitation is created', () => {
  it('answers 201, and once Redis is back the email is sent exactly once', async () => {
    const redis: OwnRedis = await startRedis();
    cleanups.push(() => redis.stop());
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const t = await startTestApp({ REDIS_URL: redis.url, SMTP_URL: smtp.url });
    cleanups.push(async () => {
      if (!redis.running()) await redis.start(); // closing the app while Redis is down would hang (see the BullMQ spec)
      await t.close();
    });
    const { orgId, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('dora'));

    await redis.stop(); // killed: an outage
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    const ready = await t.request('GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.detail).toContain('job queue');
    // The reactor cannot enqueue: it stays on the event, and nothing is sent.
    const reactor = t.app.get<ReactorRunner>(REACTOR_RUNNER);
    const head = Number(res.headers.get('x-position'));
    await holdsFor('the reactor to wait before the MemberInvited event', () => reactor.position() < head && smtp.to(email).length === 0, 700);

    await redis.start(); // same port, empty
    await smtp.waitForMessages(1, 20_000);
    await t.settle(15_000);
    const jobs = await waitFor('the email job to be completed and the expiry job delayed', async () => {
      const stored = (await bullmqJobs(redis.url)).filter((j) => j.data.invitationId === res.body.id);
      return stored.length === 2 && stored.some((j) => j.name === 'send-invitation-email' && j.state === 'completed') ? stored : null;
    });
    expect(jobs.map((j) => [j.name, j.state]).sort()).toEqual([
      ['expire-invitation', 'delayed'],
      ['send-invitation-email', 'completed'],
    ]);
    await holdsFor('a single email', () => smtp.to(email).length === 1, 500);
    const token = tokenIn(smtp.to(email)[0].text, LINK_BASE);
    expect((await t.request('GET', `/invitations/${token}`)).status).toBe(200);
    expect((await t.request('GET', '/ready')).status).toBe(200);
  }, 40_000);
});

describe('SMTP refusing or down: the job retries with backoff until the email goes out', () => {
  let t: TestApp;
  let smtp: SmtpListener;
  afterEach(async () => {
    await t?.close();
    await smtp?.close();
  });

  it.each([
    ['refusing RCPT TO (451) twice', { refuseRcpt: (n: number) => (n <= 2 ? smtpError('451 4.3.0 mailbox busy, try later') : null) }],
    ['refusing the message after DATA (451) twice', { refuseData: (n: number) => (n <= 2 ? smtpError('451 4.3.0 queue full, try later') : null) }],
  ])('%s', async (_label, refusal) => {
    smtp = await startSmtp(refusal);
    t = await startTestApp({ ...EMBEDDED_ENGINES, SMTP_URL: smtp.url }); // the SQLite queue's retries
    const { orgId, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('rick'));
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    await smtp.waitForMessages(1);
    await holdsFor('a single email', () => smtp.messages.length === 1, 300);

    const attempts = 'refuseRcpt' in refusal ? smtp.rcptAttempts : smtp.dataAttempts;
    expect(attempts).toHaveLength(3);
    const waits = [attempts[1] - attempts[0], attempts[2] - attempts[1]];
    expect(waits[0]).toBeGreaterThanOrEqual(100 - 5); // JOB_BACKOFF_MS
    expect(waits[1]).toBeGreaterThanOrEqual(200 - 5); // doubled
    const job = sqliteJobs(t.dataDir).find((j) => j.name === 'send-invitation-email' && j.data.invitationId === res.body.id)!;
    expect(job).toMatchObject({ state: 'completed', attempts: 3 });
    expect(job.last_error).toContain('451');
    const token = tokenIn(smtp.messages[0].text, LINK_BASE);
    expect((await t.request('POST', `/invitations/${token}/accept`, { token: await t.token(email.split('@')[0]) })).status).toBe(200);
  }, 20_000);

  it('not listening yet: the email goes out once the server is up', async () => {
    smtp = await startSmtp({ listen: false });
    t = await startTestApp({ ...EMBEDDED_ENGINES, SMTP_URL: smtp.url }); // the SQLite queue's retries
    const { orgId, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('nina'));
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    const emailJob = () => sqliteJobs(t.dataDir).find((j) => j.name === 'send-invitation-email' && j.data.invitationId === res.body.id);
    await waitFor('a failed attempt (connection refused)', () => (emailJob()?.attempts ?? 0) >= 2, { describe: emailJob });
    expect(emailJob()).toMatchObject({ state: 'waiting' });
    expect(emailJob()!.last_error).toMatch(/ECONNREFUSED|connect/i);

    await smtp.listen();
    await smtp.waitForMessages(1, 15_000);
    await waitFor('the job to be completed', () => emailJob()?.state === 'completed');
    await holdsFor('a single email', () => smtp.messages.length === 1, 300);
    expect(smtp.messages[0].to).toEqual([email]);
  }, 30_000);
});

describe('the process killed after sending the email, before the job was marked done', () => {
  it('sends at most one duplicate, and the link in it works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jobs-kill-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let app: SpawnedApp | undefined;
    let killedAfterMessage = false;
    const smtp = await startSmtp({
      // The whole message is in (and counted as delivered); the app dies before it hears the 250, so it
      // cannot record the job as done. (Killing it just after the 250 leaves a race it sometimes wins.)
      beforeAnswer: async () => {
        if (!killedAfterMessage && app) {
          killedAfterMessage = true;
          await app.kill('SIGKILL');
        }
      },
    });
    cleanups.push(() => smtp.close());
    const env = { DATA_DIR: dataDir, AUTH_JWT_SECRET: TEST_JWT_SECRET, SMTP_URL: smtp.url, ...SETTINGS, EXPIRY_SWEEP_SECONDS: '3600' };
    app = await spawnApp(env);
    cleanups.push(() => app?.kill());

    const owner = uniq('owner');
    const ownerToken = await signToken(TEST_JWT_SECRET, { sub: owner, email: emailOf(owner), name: 'Olga Owner' });
    const org = await app.request('POST', '/orgs', { token: ownerToken, body: { name: 'Killed Co' } });
    expect(org.status).toBe(201);
    const sub = uniq('kim');
    const email = emailOf(sub);
    const res = await app.request('POST', `/orgs/${org.body.id}/invitations`, { token: ownerToken, body: { email, role: 'member' } });
    expect(res.status).toBe(201);

    await app.exited;
    expect(killedAfterMessage).toBe(true);
    expect(smtp.to(email)).toHaveLength(1);
    const emailJob = () => sqliteJobs(dataDir).find((j) => j.name === 'send-invitation-email' && j.data.invitationId === res.body.id);
    // The precondition of this test: the send happened, its outcome was not recorded.
    expect(emailJob()).toMatchObject({ state: 'active', attempts: 0 });

    app = await spawnApp(env);
    await waitFor('the email job to be completed after the restart', () => emailJob()?.state === 'completed', {
      timeoutMs: 15_000,
      describe: emailJob,
    });
    await holdsFor('no further email', () => smtp.to(email).length <= 2, 500);
    const mails = smtp.to(email);
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(mails.length).toBeLessThanOrEqual(2);
    const tokens = mails.map((m) => tokenIn(m.text, LINK_BASE));
    expect(new Set(tokens).size).toBe(1); // the duplicate holds the same, current link
    const invitee = await signToken(TEST_JWT_SECRET, { sub, email, name: 'Kim' });
    expect((await app.request('GET', `/invitations/${tokens[0]}`)).status).toBe(200);
    const accepted = await app.request('POST', `/invitations/${tokens[tokens.length - 1]}/accept`, { token: invitee });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ orgId: org.body.id, userId: sub, role: 'member' });
    await app.kill('SIGTERM');
  }, 60_000);
});

withRedis('Redis flushed while expiry jobs are pending', () => {
  it('refuses a late accept with 410, and the sweep still records InvitationExpired', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const t = await startTestApp({ REDIS_URL: redis.url, INVITATION_TTL_SECONDS: '2' });
    cleanups.push(() => t.close());
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('fay');
    const email = emailOf(sub);
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    const invitationId: string = res.body.id;
    const link = await linkFor(t, email);
    await waitFor('the expiry job to be pending in Redis', async () =>
      (await bullmqJobs(redis.url)).some((j) => j.name === 'expire-invitation' && j.data.invitationId === invitationId && j.state === 'delayed'),
    );

    await redis.withClient((r) => r.flushall());
    expect(await bullmqJobs(redis.url)).toEqual([]);

    await waitFor('the expiry time to pass', () => Date.now() > Date.parse(res.body.expiresAt) + 20, { timeoutMs: 5000 });
    expectProblem(await t.request('POST', `/invitations/${link}/accept`, { token: await t.token(sub) }), 410, 'invitation_expired');

    const expired = await waitFor(
      'InvitationExpired from the sweep',
      async () => (await orgEvents(t.request, orgId, ownerToken)).find((e) => e.type === 'InvitationExpired' && e.data.invitationId === invitationId),
      { timeoutMs: 8000, intervalMs: 100 },
    );
    expect(expired).toMatchObject({ correlationId: 'expiry-sweep', actorId: null });
    const roster = await t.request('GET', `/orgs/${orgId}/members?status=expired`, { token: ownerToken });
    expect(roster.body.items.map((r: any) => r.invitationId)).toContain(invitationId);
    expectProblem(await t.request('POST', `/invitations/${link}/accept`, { token: await t.token(sub) }), 410, 'invitation_expired');
  }, 30_000);
});
