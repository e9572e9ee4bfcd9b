// Helpers of the background-job tests: polling with a deadline, free ports, what the SQLite job queue
// stored ($DATA_DIR/jobs.sqlite), an organization's event history, and the built app as a child process.
//
// The job settings (JOB_ATTEMPTS, JOB_BACKOFF_MS, EXPIRY_SWEEP_SECONDS, API_RUNS_WORKER) are part of the
// configuration like any variable; `testAppWithJobSettings()` gives a file's apps its settings.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type * as TestAppModule from './test-app';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `condition` (every `intervalMs`) until it answers something truthy, and answers that; throws
 * naming `what` (and `describe()`, the state seen last) after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => unknown; giveUpIf?: () => string | null } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    const hopeless = options.giveUpIf?.();
    if (hopeless) throw new Error(`gave up waiting for ${what}: ${hopeless}`);
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = options.describe ? ` (last seen: ${JSON.stringify(await Promise.resolve(options.describe()).catch(String))})` : '';
      const error = lastError ? ` (last error: ${(lastError as Error).message ?? lastError})` : '';
      throw new Error(`timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${what}${seen}${error}`);
    }
    await sleep(options.intervalMs ?? 25);
  }
}

/** Holds for `ms`: fails as soon as `condition` is false (to prove something does NOT happen). */
export async function holdsFor(what: string, condition: () => boolean | Promise<boolean>, ms: number, intervalMs = 25) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await condition())) throw new Error(`expected ${what} to hold for ${ms} ms`);
    await sleep(intervalMs);
  }
}

export const freePort = () =>
  new Promise<number>((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });

export type JobSettings = {
  JOB_ATTEMPTS?: string;
  JOB_BACKOFF_MS?: string;
  EXPIRY_SWEEP_SECONDS?: string;
};

/**
 * The test app with these job settings (an explicit env of a test still wins). They go to process.env
 * too, for the apps that tests spawn as processes.
 */
export function testAppWithJobSettings(settings: JobSettings): typeof TestAppModule {
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Record<string, string>;
  Object.assign(process.env, defined);
  const app = require('./test-app') as typeof TestAppModule;
  return { ...app, startTestApp: (env = {}, dataDir) => app.startTestApp({ ...defined, ...env }, dataDir) };
}

// ------------------------------------------------------------------ the SQLite job queue's table

export type JobRow = {
  id: string;
  name: string;
  data: Record<string, unknown>;
  run_at: number;
  state: string;
  attempts: number;
  last_error: string | null;
  updated_at: number;
};

/** Every row of $DATA_DIR/jobs.sqlite (read-only; empty when the file does not exist yet). */
export function sqliteJobs(dataDir: string): JobRow[] {
  const file = join(dataDir, 'jobs.sqlite');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT * FROM jobs ORDER BY id').all() as Array<Omit<JobRow, 'data'> & { data: string }>;
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
  } catch (error) {
    if (/no such table/.test(String(error))) return [];
    throw error;
  } finally {
    db.close();
  }
}

/** The raw bytes of jobs.sqlite and its WAL, as latin1 text (to prove a secret is stored nowhere in them). */
export function sqliteJobsFileText(dataDir: string): string {
  return ['jobs.sqlite', 'jobs.sqlite-wal']
    .map((f) => join(dataDir, f))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');
}

// ------------------------------------------------------------------ HTTP against any running app

export type Response = { status: number; headers: Headers; body: any; text: string };
export type Request = (method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Response>;

export function requester(baseUrl: string): Request {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
}

export type HistoryEvent = {
  position: string;
  eventId: string;
  type: string;
  streamVersion: number;
  occurredAt: string;
  actorId: string | null;
  data: any;
  correlationId: string;
  causationId: string | null;
};

/** Every event of an organization (GET /orgs/:id/events, all pages), as an Owner or Admin sees them. */
export async function orgEvents(request: Request, orgId: string, token: string): Promise<HistoryEvent[]> {
  const items: HistoryEvent[] = [];
  let cursor: string | null = null;
  do {
    const res = await request('GET', `/orgs/${orgId}/events?limit=200${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`, { token });
    if (res.status !== 200) throw new Error(`GET /orgs/${orgId}/events answered ${res.status}: ${res.text}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

// ------------------------------------------------------------------ the built app as a child process

export const ROOT = resolve(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'apps', 'api', 'main.js');

export type SpawnedApp = {
  url: string;
  port: number;
  process: ChildProcess;
  request: Request;
  output(): string;
  exited: Promise<number | null>;
  hasExited(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
};

/** Starts `node dist/apps/api/main.js` with a clean environment plus `env`, and waits for /health. */
export async function spawnApp(env: Record<string, string>): Promise<SpawnedApp> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const base = { ...process.env };
  for (const name of Object.keys(base)) {
    if (/^(PORT|HOST|DATA_DIR|NODE_ENV|AUTH_|INVITATION|INVITES|SMTP_|MAIL_|INVITE_|EVENTSTORE|MONGODB|REDIS|LOG_LEVEL|TRUST_PROXY|JOB_|EXPIRY_|API_RUNS)/.test(name)) delete base[name];
  }
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...base, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let done = false;
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => ((done = true), r(code))));
  const url = `http://127.0.0.1:${port}`;
  const app: SpawnedApp = {
    url,
    port,
    process: child,
    request: requester(url),
    output: () => output,
    exited,
    hasExited: () => done,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (done) return;
      child.kill(signal);
      await exited;
    },
  };
  await waitFor(
    `the app on port ${port} to serve /health`,
    async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).status === 200,
    { timeoutMs: 20_000, intervalMs: 50, describe: () => output.slice(-2000), giveUpIf: () => (done ? `the app exited:\n${output}` : null) },
  );
  return app;
}
