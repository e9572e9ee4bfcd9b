// Starts the real application on a free port with a fresh $DATA_DIR, and signs tokens for it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../apps/api/create-app';
import { loadConfig, type Config } from '../../libs/platform/config/config';
import { signToken, type TokenClaims } from '../../libs/platform/auth/sign-token';

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
  close(): Promise<void>;
};

export type TestResponse = { status: number; headers: Headers; body: any; text: string };

export async function startTestApp(env: Record<string, string> = {}, existingDataDir?: string): Promise<TestApp> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'team-e2e-'));
  const config = loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: TEST_JWT_SECRET, PORT: '0', HOST: '127.0.0.1', ...env });
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

  return {
    url,
    config,
    dataDir,
    app,
    token: (sub, claims = {}) => signToken(TEST_JWT_SECRET, { sub, email: `${sub}@example.com`, ...claims }),
    request,
    async close() {
      await app.close();
      if (!existingDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
