// The background work of the service: projections (read models), the invitation reactor and the job
// processors, plus the expiry sweep. On the embedded default it runs inside the API process; with
// API_RUNS_WORKER=false the API only watches the worker's checkpoints (for X-Min-Position) and
// apps/worker runs all of it.
import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { join } from 'node:path';
import { RunOrganizationCommand } from '../../libs/organizations/application/run-organization-command';
import { INVITATION_TOKENS, ORGANIZATION_REPOSITORY } from '../../libs/organizations/application/injection-tokens';
import type { InvitationTokens } from '../../libs/organizations/application/invitation-token';
import {
  EXPIRE_INVITATION,
  expireInvitationJob,
  invitationReactor,
  SEND_INVITATION_EMAIL,
  sendInvitationEmailJob,
  type InvitationJobDeps,
} from '../../libs/organizations/application/invitation-jobs';
import type { OrganizationRepository } from '../../libs/organizations/application/organization-repository';
import { expireDueInvitations } from '../../libs/organizations/read-side/expiry-sweep';
import { OrganizationsCoreModule } from '../../libs/organizations/organizations-core.module';
import type { Config } from '../../libs/platform/config/config';
import type { EventStore } from '../../libs/platform/event-store/event-store';
import { CONFIG, EVENT_STORE, JOB_QUEUE, MAILER, PROJECTION_RUNNER, REACTOR_RUNNER, READ_STORE } from '../../libs/platform/injection-tokens';
import type { ReadStore } from '../../libs/platform/read-store/read-store';
import { LIST_QUERIES } from '../../libs/organizations/read-side/injection-tokens';
import type { ListQueries } from '../../libs/organizations/read-side/lists.query';
import type { JobQueue } from '../../libs/platform/jobs/job-queue';
import { openSqliteJobQueue } from '../../libs/platform/jobs/sqlite-job-queue';
import type { Mailer } from '../../libs/platform/mail/mailer';
import { checkpointWatcher } from '../../libs/platform/projections/checkpoint-watcher';
import { projectionRunner, type ProjectionRunner } from '../../libs/platform/projections/projection-runner';
import { reactorRunner, type ReactorRunner } from '../../libs/platform/reactions/reactor-runner';
import { PROJECTION_NAMES } from './read-models';
import type IORedis from 'ioredis';
import type { LeaseHolder } from '../../libs/platform/lease/redis-lease';

/** How long a worker keeps a lease without renewing it (renewed every third of it). */
const LEASE_TTL_MS = 15_000;

const RUNS_WORKER = Symbol('RunsWorker');
/** Workers of a scaled-out deployment (Redis configured) run each projection and the reactor under a lease. */
const LEASED = Symbol('Leased');

const PROVIDERS = [
  {
    provide: PROJECTION_RUNNER,
    inject: [EVENT_STORE, READ_STORE, RUNS_WORKER, LEASED],
    useFactory: (store: EventStore, readStore: ReadStore, runWorker: boolean, leased: boolean) =>
      runWorker && !leased ? projectionRunner(store, readStore, PROJECTION_NAMES) : checkpointWatcher(readStore, PROJECTION_NAMES),
  },
  {
    provide: JOB_QUEUE,
    inject: [CONFIG],
    useFactory: ({ jobs, ...config }: Config): JobQueue =>
      config.redisUrl
        ? // BullMQ and the Redis client are loaded only when REDIS_URL is set (require, not import: ~40 MB of memory)
          (require('../../libs/platform/jobs/bullmq-job-queue') as typeof import('../../libs/platform/jobs/bullmq-job-queue')).openBullmqJobQueue(
            config.redisUrl,
            { prefix: `${config.redisKeyPrefix}:bull`, retry: jobs.retry, keepCompletedSeconds: Math.max(config.invitationTtlSeconds, 86_400) * 2 },
          )
        : openSqliteJobQueue(join(config.dataDir, 'jobs.sqlite'), { retry: jobs.retry }),
  },
  {
    provide: REACTOR_RUNNER,
    inject: [EVENT_STORE, READ_STORE, JOB_QUEUE],
    useFactory: (store: EventStore, readStore: ReadStore, queue: JobQueue) =>
      reactorRunner(store, readStore, invitationReactor(queue), {
        onError: (error) => new Logger('Reactor').warn(`invitations reactor will retry: ${(error as Error).message}`),
      }),
  },
];

@Global()
@Module({})
export class BackgroundModule implements OnApplicationBootstrap, OnApplicationShutdown {
  /** runWorker: run projections, reactors and jobs here (the worker, or the API on the embedded
   * default); otherwise only watch the worker's checkpoints. */
  static forRoot(options: { runWorker: boolean; leased?: boolean }): DynamicModule {
    return {
      module: BackgroundModule,
      imports: [CqrsModule, OrganizationsCoreModule],
      providers: [
        { provide: RUNS_WORKER, useValue: options.runWorker },
        { provide: LEASED, useValue: options.leased ?? false },
        ...PROVIDERS,
      ],
      exports: [PROJECTION_RUNNER, JOB_QUEUE, REACTOR_RUNNER],
    };
  }

  private readonly logger = new Logger('Background');
  private sweep?: NodeJS.Timeout;
  private leases: LeaseHolder[] = [];
  private leaseRedis?: IORedis;

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(REACTOR_RUNNER) private readonly reactor: ReactorRunner,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(LIST_QUERIES) private readonly lists: ListQueries,
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(INVITATION_TOKENS) private readonly tokens: InvitationTokens,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(RUNS_WORKER) private readonly runWorker: boolean,
    @Inject(LEASED) private readonly leased: boolean,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandBus,
  ) {}

  /** Catches the read models up before the server accepts requests, then follows new events. */
  async onApplicationBootstrap() {
    if (!this.runWorker) return;
    if (this.leased) this.startLeased();
    // An engine that does not answer yet must not stop the start: /ready reports it, and the runner
    // retries with backoff until it answers.
    else
      await (this.projections as ProjectionRunner)
        .start()
        .catch((error: Error) => this.logger.warn(`read models will catch up once the stores answer: ${error.message}`));
    const deps: InvitationJobDeps = {
      organizations: this.organizations,
      mailer: this.mailer,
      tokens: this.tokens,
      linkBase: this.config.inviteLinkBase,
      execute: (command, context) => this.commands.execute(new RunOrganizationCommand(command, context)),
    };
    this.queue.process(SEND_INVITATION_EMAIL, (job) => sendInvitationEmailJob(deps, job));
    this.queue.process(EXPIRE_INVITATION, (job) => expireInvitationJob(deps, job));
    if (!this.leased) void this.reactor.start();
    // A safety net behind the expiry jobs (a flushed Redis, a restored backup): past-due pending
    // invitations are expired within one sweep interval. Accepting one is refused by the domain anyway.
    const sweep = () =>
      expireDueInvitations(this.lists, deps, new Date()).catch((error: Error) => this.logger.warn(`expiry sweep: ${error.message}`));
    void sweep();
    this.sweep = setInterval(sweep, this.config.jobs.expirySweepMs);
    this.sweep.unref();
  }

  /** Each projection and the reactor run in exactly one worker at a time; a runner is built anew on
   * every acquisition (it resumes from its stored checkpoint) and stopped when the lease is lost. */
  private startLeased() {
    const { Redis } = require('ioredis') as typeof import('ioredis');
    const { runWithLease } = require('../../libs/platform/lease/redis-lease') as typeof import('../../libs/platform/lease/redis-lease');
    const redis = (this.leaseRedis = new Redis(this.config.redisUrl!, { maxRetriesPerRequest: 1 }));
    redis.on('error', () => undefined);
    const running = new Map<string, { stop(): Promise<void> }>();
    const leased = (name: string, start: () => { start(): Promise<void>; stop(): Promise<void> }) =>
      runWithLease(redis, name, LEASE_TTL_MS, {
        onAcquired: async () => {
          const runner = start();
          running.set(name, runner);
          this.logger.log(`lease ${name} taken`);
          await runner.start();
        },
        onLost: async () => {
          await running.get(name)?.stop();
          running.delete(name);
        },
      }, { keyPrefix: `${this.config.redisKeyPrefix}:lease:` });
    this.leases = [
      ...PROJECTION_NAMES.map((name) => leased(`projection:${name}`, () => projectionRunner(this.store, this.readStore, [name]))),
      leased('reactor:invitations', () =>
        reactorRunner(this.store, this.readStore, invitationReactor(this.queue), {
          onError: (error) => this.logger.warn(`invitations reactor will retry: ${(error as Error).message}`),
        }),
      ),
    ];
  }

  async onApplicationShutdown() {
    clearInterval(this.sweep);
    for (const lease of this.leases) await lease.stop();
    this.leaseRedis?.disconnect();
    await this.reactor.stop();
    if ('stop' in this.projections) await this.projections.stop();
    await this.queue.close();
  }
}
