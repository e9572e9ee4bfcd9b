// The production job queue (BullMQ) against a real Redis: the port's conformance suite on the shared
// Redis at REDIS_URL (default redis://127.0.0.1:6379) under a key prefix of this test file only, and its
// behaviour during a Redis outage on a private redis-server. An unreachable Redis is a visible skip,
// except with CI=true, where this file fails.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { deleteKeys, redisServerProblem, redisTarget, startRedis, type OwnRedis } from '../../../test/support/redis';
import { waitFor } from '../../../test/support/jobs';
import { jobQueueConformance } from './job-queue.conformance';
import type { JobQueue, RunningJob } from './job-queue';
import { openBullmqJobQueue } from './bullmq-job-queue';

const target = redisTarget();
const PREFIX = `jobq-test-${process.pid}-${randomUUID().slice(0, 8)}`;
let queueSeq = 0;

if ('url' in target) {
  afterAll(() => deleteKeys(target.url, PREFIX));
}

jobQueueConformance(
  'bullmq',
  'url' in target
    ? async ({ retry }) => {
        const queueName = `q${++queueSeq}`;
        const open = () => openBullmqJobQueue(target.url, { queueName, prefix: PREFIX, retry, keepCompletedSeconds: 3600 });
        return { queue: open(), reopen: async () => open(), cleanup: () => deleteKeys(target.url, `${PREFIX}:${queueName}`) };
      }
    : target,
);

const describeWithRedis = 'url' in target ? describe : describe.skip;

describeWithRedis('bullmq job queue: what is stored in Redis', () => {
  const url = (target as { url: string }).url;
  let queue: JobQueue;
  let inspect: Queue;
  let queueName: string;

  beforeEach(() => {
    queueName = `stored${++queueSeq}`;
    queue = openBullmqJobQueue(url, { queueName, prefix: PREFIX, retry: { attempts: 2, backoffMs: 50 }, keepCompletedSeconds: 1234 });
    inspect = new Queue(queueName, { connection: { url }, prefix: PREFIX });
  });
  afterEach(async () => {
    await queue.close();
    await inspect.close();
  });

  it('adds jobs with the id given, exponential backoff, the attempts, and completed jobs kept for keepCompletedSeconds', async () => {
    await queue.add({ name: 'stored', id: 'stored-1', data: { orgId: 'o', invitationId: 'i', sendNumber: 2 }, runAt: new Date(Date.now() + 60_000) });
    const job = await inspect.getJob('stored-1');
    expect(job).toBeDefined();
    expect(job!.name).toBe('stored');
    expect(job!.data).toEqual({ orgId: 'o', invitationId: 'i', sendNumber: 2 });
    expect(job!.opts).toMatchObject({
      attempts: 2,
      backoff: { type: 'exponential', delay: 50 },
      removeOnComplete: { age: 1234 },
      removeOnFail: false,
    });
    expect(await job!.isDelayed()).toBe(true);
    expect(job!.delay).toBeGreaterThan(55_000);
  });

  it('keeps a dead job with its failure reason and attempts made', async () => {
    queue.process('dying', async () => {
      throw new Error('smtp said no');
    });
    await queue.add({ name: 'dying', id: 'dying-1', data: {} });
    await waitFor('the job to be failed', async () => (await inspect.getFailed()).length === 1);
    const [dead] = await inspect.getFailed();
    expect(dead.id).toBe('dying-1');
    expect(dead.failedReason).toBe('smtp said no');
    expect(dead.attemptsMade).toBe(2);
  });
});

const redisServerMissing = redisServerProblem();
const describeWithRedisServer = redisServerMissing ? describe.skip : describe;

describeWithRedisServer('bullmq job queue during a Redis outage (private redis-server)', () => {
  let redis: OwnRedis;
  let queue: JobQueue | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    if (!redis.running()) await redis.start();
    await queue?.close();
    queue = undefined;
  });

  it('add(), counts() and ping() fail fast while Redis is down, and work again once it is back', async () => {
    const runs: RunningJob[] = [];
    queue = openBullmqJobQueue(redis.url, { queueName: 'outage', retry: { attempts: 5, backoffMs: 50 }, keepCompletedSeconds: 3600 });
    queue.process('job', async (job) => void runs.push(job));
    await queue.add({ name: 'job', id: 'before', data: {} });
    await waitFor('the first job to run', () => runs.length === 1);

    await redis.stop();
    for (const call of [() => queue!.add({ name: 'job', id: 'during', data: {} }), () => queue!.counts(), () => queue!.ping()]) {
      const started = Date.now();
      await expect(call()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(3000); // fails fast, so the reactor retries later
    }

    await redis.start(); // same port, empty (no persistence)
    await waitFor('add() to work again', () => queue!.add({ name: 'job', id: 'after', data: {} }).then(() => true), { timeoutMs: 15_000, intervalMs: 100 });
    await waitFor('the worker to run the job added after the outage', () => runs.some((r) => r.id === 'after'), { timeoutMs: 15_000 });
    expect(runs.map((r) => r.id)).toEqual(['before', 'after']);
  }, 40_000);

  it('close() does not hang while Redis is down (else the app cannot shut down during an outage)', async () => {
    // In a child process: a close() that never resolves would otherwise leak into this test run.
    const child = spawn(process.execPath, ['-e', CLOSING_QUEUE, redis.url], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { ...process.env, ADAPTER: join(__dirname, 'bullmq-job-queue.ts') },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor('the child queue to be connected and working', () => out.includes('ready'), { timeoutMs: 15_000 });
      await redis.stop();
      const started = Date.now();
      child.stdin!.write('close\n');
      // main.ts gives the whole shutdown 9 s before it exits 1; the queue gets 5 of them here.
      const closedWithin5s = await waitFor('close() to resolve', () => out.includes('closed'), { timeoutMs: 5000 }).then(
        () => true,
        () => false,
      );
      if (!closedWithin5s) throw new Error(`close() had not resolved ${Date.now() - started} ms after Redis went down`);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  }, 30_000);
});

// Opens the TypeScript adapter (through @swc/core) on the given Redis, runs one job, answers "ready",
// then on "close" on stdin closes the queue and answers "closed".
const CLOSING_QUEUE = `
  const fs = require('node:fs');
  const swc = require('@swc/core');
  require.extensions['.ts'] = (m, f) => m._compile(swc.transformSync(fs.readFileSync(f, 'utf8'),
    { filename: f, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, f);
  const { openBullmqJobQueue } = require(process.env.ADAPTER);
  const queue = openBullmqJobQueue(process.argv[1], { queueName: 'closing', retry: { attempts: 2, backoffMs: 50 }, keepCompletedSeconds: 60 });
  queue.process('job', async () => { process.stdout.write('ready\\n'); });
  queue.add({ name: 'job', id: 'connected', data: {} });
  process.stdin.on('data', (d) => {
    if (String(d).includes('close')) queue.close().then(() => process.stdout.write('closed\\n'), (e) => process.stdout.write('closed with error ' + e + '\\n'));
  });
`;
