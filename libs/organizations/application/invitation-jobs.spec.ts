// The background work of invitations, on a real (in-memory) event store and the real repository:
// the reactor turns MemberInvited / InvitationResent into two jobs with ids derived from the event
// (ids only in their payload), the email job sends the current link of an open invitation only, and
// the expiry job runs ExpireInvitation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, StoredEvent } from '../../platform/event-store/event-store';
import { openSqliteEventStore } from '../../platform/event-store/sqlite-event-store';
import type { JobQueue, NewJob, RunningJob } from '../../platform/jobs/job-queue';
import { openSqliteJobQueue } from '../../platform/jobs/sqlite-job-queue';
import type { MailMessage, Mailer } from '../../platform/mail/mailer';
import { openSqliteReadStore } from '../../platform/read-store/sqlite-read-store';
import { reactorRunner } from '../../platform/reactions/reactor-runner';
import type { Actor } from '../domain/actor';
import type { OrganizationCommand } from '../domain/commands';
import {
  EXPIRE_INVITATION,
  expireInvitationJob,
  invitationReactor,
  SEND_INVITATION_EMAIL,
  sendInvitationEmailJob,
  type InvitationJobDeps,
} from './invitation-jobs';
import { invitationTokens } from './invitation-token';
import { organizationRepository, type CommandContext, type OrganizationRepository } from './organization-repository';

const OWNER: Actor = { userId: 'olivia', email: 'olivia@example.com', name: 'Olivia Owner' };
const ORG_NAME = 'Acme & Co <Labs>';
const BOB = 'bob@example.com';
const LINK_BASE = 'https://team.example.test/join/';
const TTL = 7 * 86_400;

function recordingQueue(): JobQueue & { added: NewJob[] } {
  const added: NewJob[] = [];
  return {
    added,
    async add(job) {
      added.push(job);
    },
    process: () => undefined,
    remove: async () => undefined,
    counts: async () => ({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 }),
    ping: async () => undefined,
    close: async () => undefined,
  };
}

function recordingMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return { sent, send: async (m) => void sent.push(m), close: () => undefined };
}

const runningJob = (job: NewJob): RunningJob => ({ name: job.name, id: job.id, data: job.data, attempt: 1 });

describe('invitation jobs', () => {
  let store: EventStore;
  let repo: OrganizationRepository;
  let mailer: ReturnType<typeof recordingMailer>;
  let deps: InvitationJobDeps;
  let executed: Array<{ command: OrganizationCommand; context: CommandContext }>;
  const tokens = invitationTokens('unit-test-invitation-secret-0123456789abcdef');
  let seq = 0;

  const ctx = (): CommandContext => ({ correlationId: `corr-${++seq}` });
  const run = (cmd: OrganizationCommand) => repo.execute(cmd, ctx());
  const events = () => store.readAll(0, 1000);
  const last = async (type: string): Promise<StoredEvent> => (await events()).filter((e) => e.type === type).at(-1)!;

  async function orgWithInvitation(options: { invitedAt?: Date; ttlSeconds?: number; ownerName?: string | null } = {}) {
    const orgId = `org-${++seq}`;
    const invitationId = `inv-${++seq}`;
    const owner = { ...OWNER, name: options.ownerName === undefined ? OWNER.name : options.ownerName };
    const now = options.invitedAt ?? new Date();
    await run({ type: 'CreateOrganization', orgId, name: ORG_NAME, by: owner, now });
    await run({ type: 'InviteMember', orgId, invitationId, email: BOB, role: 'admin', by: owner, now, ttlSeconds: options.ttlSeconds ?? TTL });
    return { orgId, invitationId };
  }

  beforeEach(() => {
    store = openSqliteEventStore(':memory:');
    repo = organizationRepository(store);
    mailer = recordingMailer();
    executed = [];
    deps = {
      organizations: repo,
      mailer,
      tokens,
      linkBase: LINK_BASE,
      execute: (command, context) => {
        executed.push({ command, context });
        return repo.execute(command, context);
      },
    };
  });
  afterEach(() => store.close());

  describe('the reactor', () => {
    it('turns MemberInvited into an email job and an expiry job at expiresAt, with ids derived from the event', async () => {
      const { orgId, invitationId } = await orgWithInvitation();
      const queue = recordingQueue();
      const reactor = invitationReactor(queue);
      for (const e of await events()) await reactor.react(e);

      const invited = await last('MemberInvited');
      const eventId = invited.metadata.eventId;
      expect(queue.added).toEqual([
        { name: SEND_INVITATION_EMAIL, id: `email-${eventId}`, data: { orgId, invitationId, sendNumber: 1 } },
        {
          name: EXPIRE_INVITATION,
          id: `expire-${eventId}`,
          data: { orgId, invitationId, causationId: eventId },
          runAt: new Date((invited.data as { expiresAt: string }).expiresAt),
        },
      ]);
    });

    it('turns InvitationResent into the email of that send and an expiry job at the new expiresAt', async () => {
      const { orgId, invitationId } = await orgWithInvitation();
      await run({ type: 'ResendInvitation', orgId, invitationId, by: OWNER.userId, now: new Date(Date.now() + 1000), ttlSeconds: TTL });
      const queue = recordingQueue();
      await invitationReactor(queue).react(await last('InvitationResent'));

      const resent = await last('InvitationResent');
      const data = resent.data as { expiresAt: string; sendNumber: number };
      expect(data.sendNumber).toBe(2);
      expect(queue.added).toEqual([
        { name: SEND_INVITATION_EMAIL, id: `email-${resent.metadata.eventId}`, data: { orgId, invitationId, sendNumber: 2 } },
        {
          name: EXPIRE_INVITATION,
          id: `expire-${resent.metadata.eventId}`,
          data: { orgId, invitationId, causationId: resent.metadata.eventId },
          runAt: new Date(data.expiresAt),
        },
      ]);
    });

    it('adds nothing for the other events, nor for events of other streams', async () => {
      const { orgId, invitationId } = await orgWithInvitation({ invitedAt: new Date(Date.now() - 10_000), ttlSeconds: 1 });
      await run({ type: 'ExpireInvitation', orgId, invitationId, now: new Date() });
      const second = `inv-${++seq}`;
      await run({ type: 'InviteMember', orgId, invitationId: second, email: 'carol@example.com', role: 'member', by: OWNER, now: new Date(), ttlSeconds: TTL });
      await run({ type: 'RevokeInvitation', orgId, invitationId: second, by: OWNER.userId, now: new Date() });
      await run({ type: 'RenameOrganization', orgId, name: 'Renamed', by: OWNER.userId, now: new Date() });
      // A look-alike event on a stream that is not an organization's.
      await store.append('activity-x', 'any', [
        {
          type: 'MemberInvited',
          data: { invitationId: 'i', expiresAt: new Date().toISOString() },
          metadata: { eventId: 'foreign', actorId: null, occurredAt: new Date().toISOString(), correlationId: 'c', causationId: null, schemaVersion: 1 },
        },
      ]);

      const queue = recordingQueue();
      const reactor = invitationReactor(queue);
      const all = await events();
      const others = all.filter((e) => !(e.streamId.startsWith('organization-') && ['MemberInvited', 'InvitationResent'].includes(e.type)));
      expect(others.map((e) => e.type)).toEqual(
        expect.arrayContaining(['OrganizationCreated', 'InvitationExpired', 'InvitationRevoked', 'OrganizationRenamed', 'MemberInvited']),
      );
      for (const e of others) await reactor.react(e);
      expect(queue.added).toEqual([]);
    });

    it('puts ids only in the job payloads: no token, no address, no email text', async () => {
      const { orgId, invitationId } = await orgWithInvitation();
      await run({ type: 'ResendInvitation', orgId, invitationId, by: OWNER.userId, now: new Date(), ttlSeconds: TTL });
      const queue = recordingQueue();
      const reactor = invitationReactor(queue);
      for (const e of await events()) await reactor.react(e);
      expect(queue.added).toHaveLength(4);

      const secrets = [1, 2].map((sendNumber) => tokens.sign({ orgId, invitationId, sendNumber }));
      for (const job of queue.added) {
        expect(Object.keys(job.data).every((k) => ['orgId', 'invitationId', 'sendNumber', 'causationId'].includes(k))).toBe(true);
        for (const value of Object.values(job.data)) expect(['string', 'number']).toContain(typeof value);
        const stored = JSON.stringify(job);
        for (const secret of secrets) expect(stored).not.toContain(secret);
        expect(stored).not.toContain(BOB);
        expect(stored).not.toContain('invited you');
        expect(stored).not.toContain(LINK_BASE);
      }
    });

    it('enqueues nothing new when an event is replayed (real SQLite queue, reactor run twice from scratch)', async () => {
      await orgWithInvitation();
      const { orgId, invitationId } = await orgWithInvitation();
      await run({ type: 'ResendInvitation', orgId, invitationId, by: OWNER.userId, now: new Date(), ttlSeconds: TTL });
      const dir = mkdtempSync(join(tmpdir(), 'invitation-jobs-'));
      const queue = openSqliteJobQueue(join(dir, 'jobs.sqlite'));
      try {
        // Two runners with separate checkpoint databases: the second replays every event.
        for (let i = 0; i < 2; i++) {
          const readStore = openSqliteReadStore(':memory:', []);
          const runner = reactorRunner(store, readStore, invitationReactor(queue));
          await runner.start();
          await runner.stop();
          await readStore.close();
          expect(await queue.counts()).toEqual({ waiting: 3, delayed: 3, active: 0, completed: 0, failed: 0 });
        }
        // Replaying a single event by hand adds nothing either.
        await invitationReactor(queue).react(await last('InvitationResent'));
        expect(await queue.counts()).toEqual({ waiting: 3, delayed: 3, active: 0, completed: 0, failed: 0 });
      } finally {
        await queue.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('fails (so that the runner retries the same event) when the queue cannot take the job', async () => {
      await orgWithInvitation();
      const queue = recordingQueue();
      queue.add = async () => {
        throw new Error('Redis is down');
      };
      await expect(invitationReactor(queue).react(await last('MemberInvited'))).rejects.toThrow('Redis is down');
    });
  });

  describe('the email job', () => {
    async function emailJobs() {
      const queue = recordingQueue();
      const reactor = invitationReactor(queue);
      for (const e of await events()) await reactor.react(e);
      return queue.added.filter((j) => j.name === SEND_INVITATION_EMAIL);
    }

    it('sends the invitee one email with the org, the inviter, the role, the expiry and the link, as text and HTML', async () => {
      const { orgId, invitationId } = await orgWithInvitation();
      const [job] = await emailJobs();
      await sendInvitationEmailJob(deps, runningJob(job));

      expect(mailer.sent).toHaveLength(1);
      const [mail] = mailer.sent;
      const state = await repo.read(orgId);
      const expiresAt = state.invitations.get(invitationId)!.expiresAt;
      expect(mail.to).toBe(BOB);
      expect(mail.id).toBe(`${invitationId}-1`);
      expect(mail.subject).toContain('Olivia Owner');
      expect(mail.subject).toContain(ORG_NAME);

      const link = mail.text.match(/https:\/\/team\.example\.test\/join\/(\S+)/);
      expect(link).not.toBeNull();
      const token = link![1];
      expect(tokens.verify(token)).toEqual({ orgId, invitationId, sendNumber: 1 });
      for (const part of ['Olivia Owner', ORG_NAME, 'admin', new Date(expiresAt).toUTCString(), `${LINK_BASE}${token}`]) {
        expect(mail.text).toContain(part);
      }
      // The HTML part says the same, escaped.
      for (const part of ['Olivia Owner', 'Acme &amp; Co &lt;Labs&gt;', 'admin', new Date(expiresAt).toUTCString(), `href="${LINK_BASE}${token}"`]) {
        expect(mail.html).toContain(part);
      }
      expect(mail.html).not.toContain(ORG_NAME); // never unescaped
    });

    it("names the inviter by email when the inviter's token had no name", async () => {
      await orgWithInvitation({ ownerName: null });
      const [job] = await emailJobs();
      await sendInvitationEmailJob(deps, runningJob(job));
      expect(mailer.sent[0].text).toContain(`${OWNER.email} invited you`);
    });

    it('sends nothing for an earlier send of a resent invitation, and the current link for the latest', async () => {
      const { orgId, invitationId } = await orgWithInvitation();
      await run({ type: 'ResendInvitation', orgId, invitationId, by: OWNER.userId, now: new Date(), ttlSeconds: TTL });
      const [first, second] = await emailJobs();
      expect([first.data.sendNumber, second.data.sendNumber]).toEqual([1, 2]);

      await sendInvitationEmailJob(deps, runningJob(first));
      expect(mailer.sent).toEqual([]);
      await sendInvitationEmailJob(deps, runningJob(second));
      expect(mailer.sent).toHaveLength(1);
      expect(mailer.sent[0].id).toBe(`${invitationId}-2`);
      const token = mailer.sent[0].text.split(LINK_BASE)[1].split(/\s/)[0];
      expect(tokens.verify(token)).toEqual({ orgId, invitationId, sendNumber: 2 });
    });

    it.each([
      ['revoked', async (orgId: string, invitationId: string) => run({ type: 'RevokeInvitation', orgId, invitationId, by: OWNER.userId, now: new Date() })],
      [
        'accepted',
        async (orgId: string, invitationId: string) =>
          run({ type: 'AcceptInvitation', orgId, link: { invitationId, sendNumber: 1 }, by: { userId: 'bob', email: BOB, name: 'Bob', emailVerified: true }, now: new Date() }),
      ],
      [
        'declined',
        async (orgId: string, invitationId: string) =>
          run({ type: 'DeclineInvitation', orgId, link: { invitationId, sendNumber: 1 }, by: { userId: 'bob', email: BOB, name: 'Bob', emailVerified: true }, now: new Date() }),
      ],
      ['in a deleted organization', async (orgId: string) => run({ type: 'DeleteOrganization', orgId, by: OWNER.userId, now: new Date() })],
    ])('sends nothing for an invitation %s since', async (_label, close) => {
      const { orgId, invitationId } = await orgWithInvitation();
      const [job] = await emailJobs();
      await close(orgId, invitationId);
      await sendInvitationEmailJob(deps, runningJob(job));
      expect(mailer.sent).toEqual([]);
    });

    it('sends nothing for an invitation past its expiry (even before InvitationExpired is recorded), nor for an unknown one', async () => {
      const { orgId } = await orgWithInvitation({ invitedAt: new Date(Date.now() - 10_000), ttlSeconds: 5 });
      const [job] = await emailJobs();
      await sendInvitationEmailJob(deps, runningJob(job));
      await sendInvitationEmailJob(deps, { ...runningJob(job), data: { orgId, invitationId: 'no-such-invitation', sendNumber: 1 } });
      await sendInvitationEmailJob(deps, { ...runningJob(job), data: { orgId: 'no-such-org', invitationId: 'x', sendNumber: 1 } });
      expect(mailer.sent).toEqual([]);
    });

    it('fails when the mail server fails (so that the job is retried)', async () => {
      await orgWithInvitation();
      const [job] = await emailJobs();
      mailer.send = async () => {
        throw new Error('451 try again later');
      };
      await expect(sendInvitationEmailJob(deps, runningJob(job))).rejects.toThrow('451 try again later');
    });
  });

  describe('the expiry job', () => {
    async function expiryJobs() {
      const queue = recordingQueue();
      const reactor = invitationReactor(queue);
      for (const e of await events()) await reactor.react(e);
      return queue.added.filter((j) => j.name === EXPIRE_INVITATION);
    }

    it('dispatches ExpireInvitation with its job id as correlation and the causing event as causation', async () => {
      const { orgId, invitationId } = await orgWithInvitation({ invitedAt: new Date(Date.now() - 10_000), ttlSeconds: 5 });
      const [job] = await expiryJobs();
      const before = Date.now();
      await expireInvitationJob(deps, runningJob(job));

      expect(executed).toHaveLength(1);
      const { command, context } = executed[0];
      expect(command).toEqual({ type: 'ExpireInvitation', orgId, invitationId, now: expect.any(Date) });
      expect((command as { now: Date }).now.getTime()).toBeGreaterThanOrEqual(before);
      const invited = await last('MemberInvited');
      expect(context).toEqual({ correlationId: `job:${job.id}`, causationId: invited.metadata.eventId });

      const expired = await last('InvitationExpired');
      expect(expired.data).toEqual({ invitationId });
      expect(expired.metadata).toMatchObject({ correlationId: `job:${job.id}`, causationId: invited.metadata.eventId, actorId: null });
      expect((await repo.read(orgId)).invitations.get(invitationId)!.status).toBe('expired');
    });

    it('records nothing when run twice, or for an invitation that was resent since (not due yet)', async () => {
      const { orgId, invitationId } = await orgWithInvitation({ invitedAt: new Date(Date.now() - 10_000), ttlSeconds: 5 });
      const [job] = await expiryJobs();
      await expireInvitationJob(deps, runningJob(job));
      await expireInvitationJob(deps, runningJob(job));
      expect((await events()).filter((e) => e.type === 'InvitationExpired')).toHaveLength(1);

      // Another invitation, resent before its first expiry job runs: that job changes nothing.
      const other = `inv-${++seq}`;
      await run({ type: 'InviteMember', orgId, invitationId: other, email: 'dan@example.com', role: 'member', by: OWNER, now: new Date(Date.now() - 10_000), ttlSeconds: 5 });
      await run({ type: 'ResendInvitation', orgId, invitationId: other, by: OWNER.userId, now: new Date(), ttlSeconds: TTL });
      const jobs = (await expiryJobs()).filter((j) => j.data.invitationId === other);
      expect(jobs).toHaveLength(2);
      await expireInvitationJob(deps, runningJob(jobs[0]));
      expect((await events()).filter((e) => e.type === 'InvitationExpired')).toHaveLength(1);
      expect((await repo.read(orgId)).invitations.get(other)!.status).toBe('pending');
      expect(invitationId).not.toBe(other);
    });
  });
});
