// Starts the real application on a free port with a fresh $DATA_DIR, and signs tokens for it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../apps/api/create-app';
import { loadConfig, type Config } from '../../libs/platform/config/config';
import { signToken, type TokenClaims } from '../../libs/platform/auth/sign-token';
import type { EventStore } from '../../libs/platform/event-store/event-store';
import { EVENT_STORE, JOB_QUEUE, REACTOR_RUNNER } from '../../libs/platform/injection-tokens';
import type { JobQueue } from '../../libs/platform/jobs/job-queue';
import type { ReactorRunner } from '../../libs/platform/reactions/reactor-runner';
import { registerSettle, unregisterSettle } from './outbox';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export type TestApp = {
  url: string;
  config: Config;
  dataDir: string;
  app: NestFastifyApplication;
  /** A bearer token for a user; email defaults to `${sub}@example.com`. */
  token(sub: string, claims?: Partial<TokenClaims>): Promise<string>;
  /** fetch against the app with JSON in and out. */
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  /** Waits until the background work caused so far is done: the reactor has seen every event and no
   * job is due or running (delayed jobs, such as expiries, are not waited for). */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

export type TestResponse = { status: number; headers: Headers; body: any; text: string };

/** With E2E_ON_ENGINES=true (`npm run test:engines`) the app runs on the engines the environment names;
 * each data directory gets a MongoDB database of its own (a restart on the same directory finds it again). */
function engineEnv(dataDir: string, explicit: Record<string, string>): Record<string, string> {
  if (process.env.E2E_ON_ENGINES !== 'true') return {};
  const env: Record<string, string> = {};
  for (const name of ['EVENTSTORE_URL', 'REDIS_URL']) if (process.env[name]) env[name] = process.env[name]!;
  // Each app's own jobs, leases and keys in the shared Redis: another app's worker must not take its jobs.
  if (process.env.REDIS_URL && !explicit.REDIS_URL) env.REDIS_KEY_PREFIX = `e2e-${basename(dataDir).replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (process.env.MONGODB_URL) {
    const url = new URL(process.env.MONGODB_URL);
    url.pathname = `/e2e_${basename(dataDir).replace(/[^A-Za-z0-9_-]/g, '_')}`;
    env.MONGODB_URL = url.toString();
  }
  return env;
}

/** Env that keeps an app on the embedded engines even under E2E_ON_ENGINES: for the tests of those engines. */
export const EMBEDDED_ENGINES = { EVENTSTORE_URL: '', MONGODB_URL: '', REDIS_URL: '' };

export async function startTestApp(env: Record<string, string> = {}, existingDataDir?: string): Promise<TestApp> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'team-e2e-'));
  // Every test client shares 127.0.0.1: the per-address link limit is raised unless a test sets it.
  const config = loadConfig({
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    INVITATION_LINK_REQUESTS_PER_MINUTE: '1000000',
    ...engineEnv(dataDir, env),
    ...env,
  });
  const app = await createApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;

  const request: TestApp['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(url + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  const settle = async (timeoutMs = 10_000) => {
    const store = app.get<EventStore>(EVENT_STORE);
    const reactor = app.get<ReactorRunner>(REACTOR_RUNNER);
    const queue = app.get<JobQueue>(JOB_QUEUE);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await queue.counts();
      if (reactor.position() >= (await store.headPosition()) && counts.waiting === 0 && counts.active === 0) return;
      if (Date.now() > deadline) throw new Error(`background work did not settle in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  registerSettle(dataDir, settle);

  return {
    url,
    config,
    dataDir,
    app,
    settle,
    token: (sub, claims = {}) => signToken(TEST_JWT_SECRET, { sub, email: `${sub}@example.com`, ...claims }),
    request,
    async close() {
      unregisterSettle(dataDir);
      await app.close();
      if (!existingDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
