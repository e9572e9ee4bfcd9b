// The embedded job queue (SQLite): the port's conformance suite, with the app's own settings (no
// shortened poll interval), plus what only this adapter promises: a job that was running when the
// process died runs again at the next start, and a dead job keeps its last error for inspection.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { jobQueueConformance } from './job-queue.conformance';
import type { JobQueue, RunningJob } from './job-queue';
import { openSqliteJobQueue } from './sqlite-job-queue';

const ROOT = join(__dirname, '..', '..', '..');

function tempFile() {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-job-queue-'));
  return { file: join(dir, 'jobs.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

jobQueueConformance('sqlite', async ({ retry }) => {
  const { file, remove } = tempFile();
  return {
    queue: openSqliteJobQueue(file, { retry }),
    reopen: async () => openSqliteJobQueue(file, { retry }),
    cleanup: async () => remove(),
  };
});

const until = async (what: string, condition: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const rows = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, name, data, state, attempts, last_error FROM jobs ORDER BY id').all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
};

describe('sqlite job queue', () => {
  let file: string;
  let remove: () => void;
  let queues: JobQueue[];
  const open = (options: Parameters<typeof openSqliteJobQueue>[1] = {}) => {
    const queue = openSqliteJobQueue(file, { retry: { attempts: 2, backoffMs: 20 }, ...options });
    queues.push(queue);
    return queue;
  };

  beforeEach(() => {
    ({ file, remove } = tempFile());
    queues = [];
  });
  afterEach(async () => {
    for (const q of queues) await q.close();
    remove();
  });

  it('stores the payload as given and keeps a dead job with its last error for inspection', async () => {
    const queue = open();
    queue.process('broken', async (job) => {
      throw new Error(`broken on attempt ${job.attempt}`);
    });
    await queue.add({ name: 'broken', id: 'dead-1', data: { orgId: 'o', invitationId: 'i', sendNumber: 1 } });
    await until('the job to be dead', () => rows(file)[0]?.state === 'failed');
    expect(rows(file)).toEqual([
      {
        id: 'dead-1',
        name: 'broken',
        data: JSON.stringify({ orgId: 'o', invitationId: 'i', sendNumber: 1 }),
        state: 'failed',
        attempts: 2,
        last_error: 'broken on attempt 2',
      },
    ]);
  });

  it('close() is idempotent', async () => {
    const queue = open();
    await expect(queue.close()).resolves.toBeUndefined();
    await expect(queue.close()).resolves.toBeUndefined();
  });

  it('runs a job again at the next start when the process died while running it', async () => {
    // A child process claims the job and is killed (SIGKILL) in the middle of the handler.
    await open().close(); // creates the schema
    const child = spawn(process.execPath, ['-e', CRASHING_WORKER, file], {
      cwd: ROOT,
      env: { ...process.env, ADAPTER: join(__dirname, 'sqlite-job-queue.ts') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.once('exit', r));
    await until('the child to be inside the handler', () => out.includes('running'), 15_000);
    child.kill('SIGKILL');
    await exited;
    expect(rows(file)).toMatchObject([{ id: 'crash-1', state: 'active', attempts: 0 }]);

    const queue = open();
    const runs: RunningJob[] = [];
    queue.process('crashy', async (job) => void runs.push(job));
    await until('the job to run again', () => runs.length === 1);
    expect(runs[0]).toEqual({ name: 'crashy', id: 'crash-1', data: { n: 7 }, attempt: 1 });
    await until('the job to be completed', () => rows(file)[0]?.state === 'completed');
  }, 30_000);

  it('schedules by the injected clock: a delayed job waits for it, not for the wall clock', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    const queue = open({ now: () => now, pollMs: 20 });
    const runs: string[] = [];
    queue.process('tick', async (job) => void runs.push(job.id));
    await queue.add({ name: 'tick', id: 'later', data: {}, runAt: new Date(now + 3_600_000) });
    expect(await queue.counts()).toMatchObject({ delayed: 1, waiting: 0 });
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toEqual([]);
    now += 3_600_000;
    await until('the job to run once the clock reached runAt', () => runs.length === 1);
  });
});

// Loads the TypeScript adapter through @swc/core (a dev dependency) so that the real adapter is what dies.
const CRASHING_WORKER = `
  const fs = require('node:fs');
  const swc = require('@swc/core');
  require.extensions['.ts'] = (m, f) => m._compile(swc.transformSync(fs.readFileSync(f, 'utf8'),
    { filename: f, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, f);
  const { openSqliteJobQueue } = require(process.env.ADAPTER);
  const queue = openSqliteJobQueue(process.argv[1], { retry: { attempts: 3, backoffMs: 10 } });
  queue.process('crashy', () => { process.stdout.write('running\\n'); return new Promise(() => {}); });
  queue.add({ name: 'crashy', id: 'crash-1', data: { n: 7 } });
  setInterval(() => {}, 1000);
`;
