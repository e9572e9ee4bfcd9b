// Redis for the job tests.
// - `redisTarget()`: the shared Redis at REDIS_URL (default redis://127.0.0.1:6379) for the BullMQ
//   conformance suite, checked synchronously when the test file is collected, so that an unreachable
//   server is a visible skip (with its reason) — or, with CI=true, fails the test file outright.
// - `startRedis()`: a private `redis-server` child process on a spare port (no persistence), which a
//   test may stop, start again on the same port, or FLUSHALL without touching anybody else's data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { freePort, waitFor } from './jobs';

export const SHARED_REDIS_URL = process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
const inCi = () => process.env.CI === 'true';

// Runs in a child process so that the answer is known synchronously (jest collects tests synchronously).
const PING_SCRIPT = `
  const { Socket } = require('node:net');
  const [host, port] = process.argv.slice(1);
  const s = new Socket();
  let out = '';
  const finish = (code, why) => { if (why) process.stdout.write(why); s.destroy(); process.exit(code); };
  s.setTimeout(1000, () => finish(1, 'no answer within 1 s'));
  s.once('error', (e) => finish(1, e.code || e.message));
  s.on('data', (d) => { out += d; if (out.includes('\\r\\n')) out.startsWith('+PONG') ? finish(0) : finish(1, 'answered ' + JSON.stringify(out.trim())); });
  s.connect(Number(port), host, () => s.write('PING\\r\\n'));
`;

/** Null when Redis at `url` answers PING; otherwise why not. Synchronous. */
export function redisProblemSync(url: string): string | null {
  const { hostname, port } = new URL(url);
  const result = spawnSync(process.execPath, ['-e', PING_SCRIPT, hostname || '127.0.0.1', port || '6379'], { encoding: 'utf8', timeout: 5000 });
  if (result.status === 0) return null;
  return `Redis at ${url} does not answer: ${(result.stdout || result.error?.message || 'unknown error').trim()}`;
}

/**
 * The shared Redis for a test file, or the reason to skip. With CI=true an unreachable Redis throws,
 * which fails the whole test file ("Test suite failed to run") instead of skipping it.
 */
export function redisTarget(url = SHARED_REDIS_URL): { url: string } | { skip: string } {
  const problem = redisProblemSync(url);
  if (problem === null) return { url };
  if (inCi()) throw new Error(`${problem} (CI=true: the BullMQ tests require it)`);
  console.warn(`SKIPPING the BullMQ tests: ${problem} (set REDIS_URL, or start redis-server)`);
  return { skip: problem };
}

/** Null when a `redis-server` binary can be started here; otherwise why not (fails in CI like above). */
export function redisServerProblem(): string | null {
  const result = spawnSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (result.status === 0) return null;
  const problem = `redis-server cannot be started here: ${result.error?.message ?? result.stderr}`;
  if (inCi()) throw new Error(`${problem} (CI=true: the BullMQ fault tests require it)`);
  console.warn(`SKIPPING: ${problem}`);
  return problem;
}

/** Answers whether a Redis at host:port answers PING within `timeoutMs`. */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let out = '';
    const finish = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.on('data', (d) => {
      out += d;
      if (out.includes('\r\n')) finish(out.startsWith('+PONG'));
    });
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

export type OwnRedis = {
  port: number;
  url: string;
  running(): boolean;
  /** Starts the server (again) on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops the server (SIGKILL by default: an outage, not a maintenance window); resolves once it exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** A short-lived client to inspect or change the data. */
  withClient<T>(fn: (redis: IORedis) => Promise<T>): Promise<T>;
  /** Every key with its value, as text (for "this secret is stored nowhere" assertions). */
  dump(): Promise<Array<{ key: string; type: string; value: string }>>;
};

/** A private redis-server on a spare port, started. Stop it in afterAll (`stop()`). */
export async function startRedis(port?: number): Promise<OwnRedis> {
  const chosen = port ?? (await freePort());
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const own: OwnRedis = {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    running: () => child !== undefined,
    async start() {
      if (child) return;
      const proc = spawn(
        'redis-server',
        ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = proc;
      proc.stdout!.on('data', (d) => (output += d));
      proc.stderr!.on('data', (d) => (output += d));
      exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      void exited.then(() => {
        if (child === proc) child = undefined;
      });
      await waitFor(`redis-server on port ${chosen} to answer`, () => pingRedis(chosen), {
        timeoutMs: 10_000,
        describe: () => output,
      });
    },
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      const proc = child;
      if (!proc) return;
      proc.kill(signal);
      await exited;
      child = undefined;
    },
    async withClient(fn) {
      const redis = new IORedis(own.url, { maxRetriesPerRequest: 1, lazyConnect: true });
      redis.on('error', () => undefined);
      await redis.connect();
      try {
        return await fn(redis);
      } finally {
        redis.disconnect();
      }
    },
    dump: () => dumpRedis(own.url),
  };
  await own.start();
  return own;
}

/** Every key (matching `pattern`) with its value rendered as text, whatever its type. */
export async function dumpRedis(url: string, pattern = '*'): Promise<Array<{ key: string; type: string; value: string }>> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const out: Array<{ key: string; type: string; value: string }> = [];
    for (const key of keys.sort()) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      else value = `<${type}>`;
      out.push({ key, type, value: JSON.stringify(value) });
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under `prefix:` (the keys of one test file's queues on the shared Redis). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (batch.length > 0) await redis.del(...batch);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export type StoredJob = {
  id: string;
  name: string;
  data: Record<string, unknown>;
  state: string;
  /** When it is (or was) due: added time + delay. */
  runAt: number;
  attemptsMade: number;
  failedReason: string | undefined;
  opts: Record<string, unknown>;
};

/** Every job BullMQ holds for a queue (the app's: 'team-jobs' under prefix 'team:bull'), with its state. */
export async function bullmqJobs(url: string, queueName = 'team-jobs', prefix = 'team:bull'): Promise<StoredJob[]> {
  const queue = new Queue(queueName, { connection: { url, maxRetriesPerRequest: 1 }, prefix });
  queue.on('error', () => undefined);
  try {
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized', 'waiting-children']);
    const out: StoredJob[] = [];
    for (const job of jobs) {
      if (!job?.id) continue;
      out.push({
        id: job.id,
        name: job.name,
        data: job.data as Record<string, unknown>,
        state: await job.getState(),
        runAt: job.timestamp + (job.delay ?? 0),
        attemptsMade: job.attemptsMade,
        failedReason: job.failedReason,
        opts: job.opts as Record<string, unknown>,
      });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    await queue.close();
  }
}
