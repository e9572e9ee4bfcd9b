// Issue #4, background jobs, end to end on the in-process app: the invitation email as a real SMTP
// server receives it; what the jobs store at rest (ids only, ids derived from the events, no token);
// a replayed event enqueues nothing new; and an invitation with a short TTL expires by itself (roster,
// list and an InvitationExpired event caused by its expiry job), also after a resend, which the earlier
// expiry job must not expire. On both job adapters: in-process SQLite, and BullMQ on a private
// redis-server (a spare port, so no other test's queue is touched).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { orgEvents, sqliteJobs, sqliteJobsFileText, testAppWithJobSettings, waitFor, type HistoryEvent } from './support/jobs';
import { bullmqJobs, redisServerProblem, startRedis, type OwnRedis } from './support/redis';
import { startSmtp, type SmtpListener } from './support/smtp';
import { createOrg, emailOf, expectProblem, invite, linkFor, mailsTo, uniq } from './support/team';
import { tokenIn } from './support/outbox';
import { EMBEDDED_ENGINES, type TestApp } from './support/test-app';
import { REACTOR_RUNNER } from '../libs/platform/injection-tokens';
import type { ReactorRunner } from '../libs/platform/reactions/reactor-runner';

// The sweep is the safety net behind the expiry jobs; it is pushed out of the way here so that every
// expiry seen in this file is the job's work (jobs-faults.e2e.ts runs it every second).
const { startTestApp } = testAppWithJobSettings({ JOB_BACKOFF_MS: '100', JOB_ATTEMPTS: '20', EXPIRY_SWEEP_SECONDS: '3600' });

const LINK_BASE = 'https://app.example.test/invitations/';

const eventsOf = (t: TestApp, orgId: string, token: string) => orgEvents(t.request, orgId, token);
const eventOf = (events: HistoryEvent[], type: string, invitationId: string) =>
  events.filter((e) => e.type === type && e.data.invitationId === invitationId);

describe('the invitation email, as a real SMTP server receives it', () => {
  let smtp: SmtpListener;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url, INVITE_LINK_BASE: LINK_BASE, MAIL_FROM: 'Team <team@example.test>' });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('names the org, the inviter, the role and the expiry, and holds the working link in text and HTML', async () => {
    const { orgId, ownerSub, ownerToken } = await createOrg(t, uniq('owner'), 'Acme & Sons <Rockets>');
    const sub = uniq('ivan');
    const email = emailOf(sub);
    const res = await invite(t, orgId, ownerToken, email, 'admin');
    expect(res.status).toBe(201);

    const [mail] = await waitFor('the email at the SMTP server', () => (smtp.to(email).length > 0 ? smtp.to(email) : null));
    expect(mail.to).toEqual([email]);
    expect(mail.from).toBe('team@example.test');
    const expiry = new Date(res.body.expiresAt).toUTCString();
    const token = tokenIn(mail.text, LINK_BASE);
    for (const part of [`Owner ${ownerSub}`, 'Acme & Sons <Rockets>', 'admin', expiry, `${LINK_BASE}${token}`]) expect(mail.text).toContain(part);
    for (const part of [`Owner ${ownerSub}`, 'Acme &amp; Sons &lt;Rockets&gt;', 'admin', expiry, `href="${LINK_BASE}${token}"`]) expect(mail.html).toContain(part);

    const preview = await t.request('GET', `/invitations/${token}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ orgId, email, role: 'admin', status: 'pending', expiresAt: res.body.expiresAt, invitedBy: { name: `Owner ${ownerSub}` } });
    const accepted = await t.request('POST', `/invitations/${token}/accept`, { token: await t.token(sub) });
    expect(accepted.status).toBe(200);

    await t.settle();
    expect(smtp.to(email)).toHaveLength(1);
  });

  it('sends a resend as a new email with a new link; the earlier link stops working', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('rita');
    const email = emailOf(sub);
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    await waitFor('the first email', () => smtp.to(email).length === 1);
    const resent = await t.request('POST', `/orgs/${orgId}/invitations/${res.body.id}/resend`, { token: ownerToken });
    expect(resent.status).toBe(200);
    const mails = await waitFor('the second email', () => (smtp.to(email).length === 2 ? smtp.to(email) : null));
    const [first, second] = mails.map((m) => tokenIn(m.text, LINK_BASE));
    expect(second).not.toBe(first);
    expectProblem(await t.request('POST', `/invitations/${first}/accept`, { token: await t.token(sub) }), 410, 'invitation_expired');
    expect((await t.request('POST', `/invitations/${second}/accept`, { token: await t.token(sub) })).status).toBe(200);
    await t.settle();
    expect(smtp.to(email)).toHaveLength(2);
  });
});

// ------------------------------------------------------------------ both adapters

type JobView = { id: string; name: string; data: Record<string, unknown>; state: string; runAt: number; keepCompletedSeconds?: number };
type Adapter = {
  name: string;
  env(): Record<string, string>;
  /** The jobs of the app (SQLite: in its $DATA_DIR; BullMQ: in the Redis it shares). */
  jobs(t: TestApp): Promise<JobView[]>;
  /** Everything the queue stores, as text. */
  atRest(t: TestApp): Promise<string>;
  dataDir: string;
};

const redisMissing = redisServerProblem();

const adapters: Array<[string, () => Promise<Adapter & { dispose(): Promise<void> }>]> = [
  [
    'in-process SQLite jobs',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'jobs-e2e-sqlite-'));
      return {
        name: 'sqlite',
        dataDir,
        env: () => EMBEDDED_ENGINES, // this adapter, also under npm run test:engines
        jobs: async (t) =>
          sqliteJobs(t.dataDir).map((r) => ({
            id: r.id,
            name: r.name,
            data: r.data,
            state: r.state === 'waiting' && r.run_at > Date.now() ? 'delayed' : r.state,
            runAt: r.run_at,
          })),
        atRest: async (t) => sqliteJobsFileText(t.dataDir),
        dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'BullMQ on Redis',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'jobs-e2e-bullmq-'));
      const redis: OwnRedis = await startRedis();
      return {
        name: 'bullmq',
        dataDir,
        env: () => ({ REDIS_URL: redis.url }),
        jobs: async () =>
          (await bullmqJobs(redis.url)).map((j) => ({
            id: j.id,
            name: j.name,
            data: j.data,
            state: j.state,
            runAt: j.runAt,
            keepCompletedSeconds: (j.opts.removeOnComplete as { age?: number } | undefined)?.age,
          })),
        atRest: async () => JSON.stringify(await redis.dump()),
        dispose: async () => {
          await redis.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  ],
];

describe.each(adapters)('background jobs with %s', (label, makeAdapter) => {
  if (label.startsWith('BullMQ') && redisMissing) {
    it.skip(`SKIPPED (${redisMissing})`, () => undefined);
    return;
  }
  let adapter: Adapter & { dispose(): Promise<void> };
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string> = {}, dataDir?: string) => {
    const app = await startTestApp({ ...adapter.env(), ...env }, dataDir);
    apps.push(app);
    return app;
  };
  // One app at a time: with BullMQ, a second app's worker would take this app's jobs from the shared queue.
  const stop = async (app: TestApp) => {
    if (!apps.includes(app)) return;
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  };
  afterEach(async () => {
    for (const app of [...apps]) await stop(app);
  });
  beforeAll(async () => {
    adapter = await makeAdapter();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await adapter?.dispose();
  });

  it('stores two jobs per invitation, with ids derived from the event and ids only in their payload; a replayed event enqueues nothing new', async () => {
    // One app on the adapter's data dir, stopped, its reactor checkpoint reset, and started again.
    let t = await start({}, adapter.dataDir);
    const { orgId, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('paula'));
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    const invitationId: string = res.body.id;
    const link = await linkFor(t, email); // settles the background work first
    await t.settle();
    // Without SMTP_URL the email is an .eml in the outbox, with the link in its text and HTML parts.
    const [eml] = await mailsTo(t.dataDir, email);
    expect(eml.text).toContain(`http://localhost:3000/invitations/${link}`);
    expect(eml.html).toContain(`href="http://localhost:3000/invitations/${link}"`);

    const invited = eventOf(await eventsOf(t, orgId, ownerToken), 'MemberInvited', invitationId);
    expect(invited).toHaveLength(1);
    const eventId = invited[0].eventId;
    const mine = async () => (await adapter.jobs(t)).filter((j) => j.data.invitationId === invitationId);
    const jobs = await mine();
    expect(jobs.map((j) => ({ id: j.id, name: j.name, data: j.data, state: j.state }))).toEqual([
      { id: `email-${eventId}`, name: 'send-invitation-email', data: { orgId, invitationId, sendNumber: 1 }, state: 'completed' },
      { id: `expire-${eventId}`, name: 'expire-invitation', data: { orgId, invitationId, causationId: eventId }, state: 'delayed' },
    ]);
    expect(jobs[1].runAt).toBe(Date.parse(res.body.expiresAt));
    if (adapter.name === 'bullmq') {
      // Completed jobs outlive the invitation (default TTL: 7 days), so a replay within it is recognised.
      for (const job of jobs) expect(job.keepCompletedSeconds).toBeGreaterThanOrEqual(604_800);
    }

    // Nothing secret at rest: not the token, not the address, not the email's text.
    const stored = await adapter.atRest(t);
    expect(stored).toContain(invitationId); // (the scan does see the jobs)
    expect(stored).not.toContain(link);
    expect(stored).not.toContain(email);
    expect(stored).not.toContain('invited you');

    // Replay: the reactor's checkpoint is reset while the app is stopped, so it reads every event again.
    await stop(t);
    const read = new Database(join(adapter.dataDir, 'read.sqlite'));
    const reset = read.prepare(`DELETE FROM checkpoints WHERE projection = 'reactor:invitations'`).run();
    read.close();
    expect(reset.changes).toBe(1);
    t = await start({}, adapter.dataDir);
    await t.settle();
    expect(t.app.get<ReactorRunner>(REACTOR_RUNNER).position()).toBeGreaterThanOrEqual(Number(invited[0].position));
    expect((await mine()).map((j) => [j.id, j.state])).toEqual(jobs.map((j) => [j.id, j.state]));
    expect(await mailsTo(t.dataDir, email)).toHaveLength(1);
    await stop(t);
  });

  it('expires an invitation by itself at its expiry: roster, list and an InvitationExpired event from its expiry job', async () => {
    const t = await start({ INVITATION_TTL_SECONDS: '2' });
    const { orgId, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('tess'));
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    const invitationId: string = res.body.id;
    const expiresAt = Date.parse(res.body.expiresAt);
    expect(expiresAt - Date.parse(res.body.invitedAt)).toBe(2000);
    const roster = await t.request('GET', `/orgs/${orgId}/members?status=invited`, { token: ownerToken });
    expect(roster.body.items.map((r: any) => r.invitationId)).toContain(invitationId);

    // Nobody touches the invitation: only reads, until the event is there.
    const expired = await waitFor(
      'an InvitationExpired event',
      async () => eventOf(await eventsOf(t, orgId, ownerToken), 'InvitationExpired', invitationId)[0],
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const invited = eventOf(await eventsOf(t, orgId, ownerToken), 'MemberInvited', invitationId)[0];
    expect(expired).toMatchObject({ actorId: null, correlationId: `job:expire-${invited.eventId}`, causationId: invited.eventId });
    expect(Date.parse(expired.occurredAt)).toBeGreaterThanOrEqual(expiresAt);
    expect(Date.parse(expired.occurredAt) - expiresAt).toBeLessThan(3000); // on time

    const rows = await waitFor('the roster row to show expired', async () => {
      const r = await t.request('GET', `/orgs/${orgId}/members?status=expired`, { token: ownerToken });
      return r.body.items.find((row: any) => row.invitationId === invitationId);
    });
    expect(rows).toMatchObject({ kind: 'invitation', invitationId, email, status: 'expired' });
    const list = await t.request('GET', `/orgs/${orgId}/invitations?status=expired`, { token: ownerToken });
    expect(list.body.items.map((i: any) => [i.id, i.status])).toContainEqual([invitationId, 'expired']);
    expect((await adapter.jobs(t)).find((j) => j.id === `expire-${invited.eventId}`)?.state).toBe('completed');
  }, 20_000);

  it('after a resend, the earlier expiry job leaves the invitation pending, and the new one expires it on time', async () => {
    const t = await start({ INVITATION_TTL_SECONDS: '2' });
    const { orgId, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('rosa'));
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    const invitationId: string = res.body.id;
    const firstExpiry = Date.parse(res.body.expiresAt);

    await waitFor('a second to pass', () => Date.now() >= Date.parse(res.body.invitedAt) + 1000, { timeoutMs: 3000 });
    const resent = await t.request('POST', `/orgs/${orgId}/invitations/${invitationId}/resend`, { token: ownerToken });
    expect(resent.status).toBe(200);
    const secondExpiry = Date.parse(resent.body.expiresAt);
    expect(secondExpiry).toBeGreaterThanOrEqual(firstExpiry + 900);

    const events = await eventsOf(t, orgId, ownerToken);
    const invitedEvent = eventOf(events, 'MemberInvited', invitationId)[0];
    const resentEvent = eventOf(events, 'InvitationResent', invitationId)[0];

    // The first expiry job has run (completed) ...
    await waitFor(
      'the first expiry job to have run',
      async () => (await adapter.jobs(t)).find((j) => j.id === `expire-${invitedEvent.eventId}`)?.state === 'completed',
      { timeoutMs: 6000, describe: () => adapter.jobs(t) },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(firstExpiry);
    // ... and changed nothing: the invitation is still pending.
    expect(Date.now()).toBeLessThan(secondExpiry); // (still before the second expiry, or this proves nothing)
    const pending = await t.request('GET', `/orgs/${orgId}/invitations?status=pending`, { token: ownerToken });
    expect(pending.body.items.map((i: any) => i.id)).toContain(invitationId);
    const expiredEarly = await t.request('GET', `/orgs/${orgId}/invitations?status=expired`, { token: ownerToken });
    expect(expiredEarly.body.items.map((i: any) => i.id)).not.toContain(invitationId);
    expect(eventOf(await eventsOf(t, orgId, ownerToken), 'InvitationExpired', invitationId)).toEqual([]);

    // The second one expires it, on time.
    const expired = await waitFor(
      'the InvitationExpired event of the resent invitation',
      async () => eventOf(await eventsOf(t, orgId, ownerToken), 'InvitationExpired', invitationId)[0],
      { timeoutMs: 8000, intervalMs: 100 },
    );
    expect(expired.correlationId).toBe(`job:expire-${resentEvent.eventId}`);
    expect(Date.parse(expired.occurredAt)).toBeGreaterThanOrEqual(secondExpiry);
    expect(Date.parse(expired.occurredAt) - secondExpiry).toBeLessThan(3000);
    const list = await t.request('GET', `/orgs/${orgId}/invitations?status=expired`, { token: ownerToken });
    expect(list.body.items.map((i: any) => i.id)).toContain(invitationId);
    expect(eventOf(await eventsOf(t, orgId, ownerToken), 'InvitationExpired', invitationId)).toHaveLength(1);
  }, 20_000);

  // Nothing in this one depends on the adapter: it runs on the in-process queue only, to keep the suite fast.
  const itOnSqliteOnly = label.startsWith('BullMQ') ? () => undefined : it;
  itOnSqliteOnly('resending an invitation that expired sends a new, working link, and it expires again by itself', async () => {
    const t = await start({ INVITATION_TTL_SECONDS: '2' });
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('eli');
    const email = emailOf(sub);
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    const invitationId: string = res.body.id;
    const expiredEvents = async () => eventOf(await eventsOf(t, orgId, ownerToken), 'InvitationExpired', invitationId);
    await waitFor('the first expiry', async () => (await expiredEvents()).length === 1, { timeoutMs: 8000, intervalMs: 100 });

    const resent = await t.request('POST', `/orgs/${orgId}/invitations/${invitationId}/resend`, { token: ownerToken });
    expect(resent.status).toBe(200);
    expect(resent.body.status).toBe('pending');
    await t.settle();
    const mails = await mailsTo(t.dataDir, email);
    expect(mails).toHaveLength(2); // the first send, and the resend
    const link = tokenIn(mails[mails.length - 1].text, 'http://localhost:3000/invitations/');
    expect((await t.request('GET', `/invitations/${link}`)).body).toMatchObject({ status: 'pending', expiresAt: resent.body.expiresAt });

    await waitFor('the second expiry', async () => (await expiredEvents()).length === 2, { timeoutMs: 8000, intervalMs: 100 });
    const resentEvent = eventOf(await eventsOf(t, orgId, ownerToken), 'InvitationResent', invitationId)[0];
    expect((await expiredEvents())[1].correlationId).toBe(`job:expire-${resentEvent.eventId}`);
    expectProblem(await t.request('POST', `/invitations/${link}/accept`, { token: await t.token(sub) }), 410, 'invitation_expired');
  }, 20_000);
});
