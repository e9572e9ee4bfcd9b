// API.md "Operations": `npm start` runs the whole service on the embedded default, reading the
// configuration from the environment; it writes nothing outside $DATA_DIR, a restart on the same
// $DATA_DIR loses nothing, and bad configuration fails at start with a message naming it.
// These tests run the BUILT app (dist/apps/api/main.js) as a child process, as `npm start` does.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { invitationToken } from './support/outbox';
import { signToken } from '../libs/platform/auth/sign-token';

const ROOT = resolve(__dirname, '..');
const MAIN = join(ROOT, 'dist/apps/api/main.js');
const TOKEN_SCRIPT = join(ROOT, 'dist/scripts/token.js');

/** Variables the app reads; the children start from an environment without them. */
const CONFIG_VARIABLES = [
  'PORT', 'HOST', 'DATA_DIR', 'NODE_ENV', 'AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE',
  'INVITATION_SECRET', 'INVITATION_TTL_SECONDS', 'INVITES_PER_HOUR', 'SMTP_URL', 'MAIL_FROM', 'INVITE_LINK_BASE',
  'EVENTSTORE_URL', 'MONGODB_URL', 'REDIS_URL',
];

function baseEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  return { ...env, ...vars };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Child = {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited: () => boolean;
};

const children: Child[] = [];

function startChild(env: Record<string, string>, cwd: string): Child {
  const child = spawn(process.execPath, [MAIN], { cwd, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolveExit({ code, signal });
    }),
  );
  const handle = { process: child, stdout: () => stdout, stderr: () => stderr, exited, hasExited: () => done };
  children.push(handle);
  return handle;
}

/** Resolves with the exit, or undefined when the deadline passes first. */
async function exitWithin(child: Child, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForHealth(child: Child, url: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.hasExited()) throw new Error(`the app exited before serving:\n${child.stderr()}\n${child.stdout()}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) {
        expect(await res.json()).toEqual({ status: 'ok' });
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`GET /health did not answer 200 within ${ms} ms:\n${child.stderr()}`);
    await sleep(100);
  }
}

async function stop(child: Child) {
  if (child.hasExited()) return child.exited;
  child.process.kill('SIGTERM');
  const exit = await exitWithin(child, 10_000);
  if (!exit) {
    child.process.kill('SIGKILL');
    throw new Error('the app did not exit within 10 s of SIGTERM');
  }
  return exit;
}

async function tokenFor(dataDir: string, sub: string, email: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [TOKEN_SCRIPT, '--sub', sub, '--email', email], {
    cwd: ROOT,
    env: baseEnv({ DATA_DIR: dataDir }),
  });
  const token = stdout.trim();
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  return token;
}

const temps: string[] = [];
function tempDir(label: string) {
  const dir = mkdtempSync(join(tmpdir(), `team-e2e-start-${label}-`));
  temps.push(dir);
  return dir;
}

/** The newest modification time of the sources that `npm run build` compiles. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !/\.(spec|e2e|conformance)\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

// `npm test` builds dist before jest; when run alone, build it here if it is missing or older than the sources.
beforeAll(() => {
  const built = existsSync(MAIN) && existsSync(TOKEN_SCRIPT) ? statSync(MAIN).mtimeMs : 0;
  const sources = Math.max(...['apps', 'libs', 'scripts'].map((d) => newestSource(join(ROOT, d))));
  if (built >= sources) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    // Type errors still emit JavaScript; only a missing entry point stops these tests.
    if (!existsSync(MAIN)) throw error;
  }
}, 180_000);

afterAll(async () => {
  for (const child of children) {
    if (!child.hasExited()) {
      child.process.kill('SIGKILL');
      await exitWithin(child, 5000);
    }
  }
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves with a generated secret, issues working tokens, and stops on SIGTERM', async () => {
    const work = tempDir('run'); // the child's working directory: nothing may appear here but DATA_DIR
    const dataDir = join(work, 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = startChild({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }, work);
    await waitForHealth(child, url);

    const secrets = join(dataDir, 'secrets');
    expect(existsSync(secrets)).toBe(true);
    const secretFiles = readdirSync(secrets);
    expect(secretFiles.length).toBeGreaterThan(0);
    for (const f of secretFiles) expect(readFileSync(join(secrets, f), 'utf8').trim().length).toBeGreaterThanOrEqual(32);

    const token = await tokenFor(dataDir, 'alice', 'alice@example.com');
    const created = await fetch(`${url}/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Started' }),
    });
    expect(created.status).toBe(201);
    expect(await created.clone().json()).toMatchObject({ name: 'Started', ownerId: 'alice', memberCount: 1 });

    // An invitation: its email lands in DATA_DIR/outbox; neither its token nor the secrets reach the logs.
    const orgId = ((await created.clone().json()) as { id: string }).id;
    const invited = await fetch(`${url}/orgs/${orgId}/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'carol@example.com', role: 'member' }),
    });
    expect(invited.status).toBe(201);
    const link = await invitationToken(dataDir, 'carol@example.com');
    const preview = await fetch(`${url}/invitations/${link}`);
    expect(preview.status).toBe(200);

    // A token signed with anything else is still refused (the generated secret is the key).
    const forged = await fetch(`${url}/orgs`, { method: 'POST', headers: { authorization: 'Bearer x.y.z', 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(forged.status).toBe(401);

    const exit = await stop(child);
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(readdirSync(work)).toEqual(['data']);
    const logs = child.stdout() + child.stderr();
    expect(logs).not.toContain(link);
    for (const f of secretFiles) expect(logs).not.toContain(readFileSync(join(secrets, f), 'utf8').trim());
  }, 60_000);

  it('keeps the generated secret and the data across a restart on the same DATA_DIR', async () => {
    const dataDir = join(tempDir('restart'), 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = startChild({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }, ROOT);
    await waitForHealth(first, url);
    const token = await tokenFor(dataDir, 'bob', 'bob@example.com');
    const created = await fetch(`${url}/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Durable' }),
    });
    expect(created.status).toBe(201);
    const org = (await created.json()) as { id: string };
    await stop(first);

    const port2 = await freePort();
    const url2 = `http://127.0.0.1:${port2}`;
    const second = startChild({ DATA_DIR: dataDir, PORT: String(port2), HOST: '127.0.0.1' }, ROOT);
    await waitForHealth(second, url2);
    const read = await fetch(`${url2}/orgs/${org.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: org.id, name: 'Durable', ownerId: 'bob', memberCount: 1 });
    await stop(second);
  }, 60_000);
});

describe('bad configuration fails at start, naming the variable', () => {
  const cases: Array<[string, string]> = [
    ['INVITATION_TTL_SECONDS', 'abc'],
    ['REDIS_URL', 'not-a-url'],
    ['PORT', 'abc'],
    ['AUTH_JWT_SECRET', 'too-short'],
    ['SMTP_URL', 'not a url'],
    ['MONGODB_URL', 'not-a-url'],
    ['EVENTSTORE_URL', 'not-a-url'],
    ['MONGODB_URL', 'http://127.0.0.1:27017/team'],
    ['EVENTSTORE_URL', 'http://127.0.0.1:2113'],
    ['REDIS_KEY_PREFIX', 'two words'],
  ];

  it.each(cases)('%s=%s', async (variable, value) => {
    const dataDir = join(tempDir('bad'), 'data');
    const port = await freePort();
    const child = startChild({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', [variable]: value }, ROOT);
    const exit = await exitWithin(child, 15_000);
    if (!exit) child.process.kill('SIGKILL');
    expect(exit).toBeDefined();
    expect(typeof exit!.code).toBe('number');
    expect(exit!.code).not.toBe(0);
    expect(child.stderr()).toContain(variable);
  }, 30_000);
});

describe('production engines that do not answer', () => {
  // Nothing listens on port 1: the engines are configured but down. The service must still start,
  // say which engines are missing on /ready, and answer requests that need them with 503.
  it('starts, /health answers, /ready names the engines that do not answer, and a command answers 503 unavailable', async () => {
    const dataDir = join(tempDir('down'), 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = startChild(
      {
        DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1',
        EVENTSTORE_URL: 'kurrentdb://127.0.0.1:1?tls=false',
        MONGODB_URL: 'mongodb://127.0.0.1:1/team',
      },
      ROOT,
    );
    try {
      await waitForHealth(child, url);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await ready.json()) as { code: string; detail: string };
      expect(problem.code).toBe('unavailable');
      expect(problem.detail).toContain('event store');
      expect(problem.detail).toContain('read store');
      expect(problem.detail).not.toContain('job queue');

      const token = await signToken(readFileSync(join(dataDir, 'secrets', 'auth-jwt-secret'), 'utf8').trim(), { sub: 'ann', email: 'ann@example.com' });
      const created = await fetch(`${url}/orgs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Down' }),
      });
      expect(created.status).toBe(503);
      expect(created.headers.get('retry-after')).toBe('1');
      expect(((await created.json()) as { code: string }).code).toBe('unavailable');
    } finally {
      await stop(child);
    }
  }, 60_000);
});
