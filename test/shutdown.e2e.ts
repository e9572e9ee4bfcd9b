// Issue #7, graceful shutdown and configuration, on the BUILT app (dist/apps/api/main.js) as `npm start`
// runs it: SIGTERM in the middle of a stream of commands loses none that was answered 201 (the server
// stops accepting, finishes what is in flight, the runners store their checkpoints), and the process
// exits 0 within 10 s. A bad value of the variables this issue adds stops the start, naming them.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signToken } from '../libs/platform/auth/sign-token';
import { TEST_JWT_SECRET } from './support/test-app';

const ROOT = resolve(__dirname, '..');
const MAIN = join(ROOT, 'dist/apps/api/main.js');

type Child = { process: ChildProcess; output: () => string; exited: Promise<number | null>; hasExited: () => boolean };
const children: Child[] = [];
const temps: string[] = [];

function start(env: Record<string, string>): Child {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (/^(PORT|HOST|DATA_DIR|NODE_ENV|AUTH_|INVITATION|INVITES|SMTP_|MAIL_|INVITE_|EVENTSTORE|MONGODB|REDIS|LOG_LEVEL|TRUST_PROXY)/.test(name)) delete base[name];
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let done = false;
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => ((done = true), resolveExit(code))));
  const handle = { process: child, output: () => output, exited, hasExited: () => done };
  children.push(handle);
  return handle;
}

const freePort = () =>
  new Promise<number>((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });

async function waitForHealth(child: Child, url: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.hasExited()) throw new Error(`the app exited before serving:\n${child.output()}`);
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no /health within 20 s:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exitWithin(child: Child, ms: number): Promise<number | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !/\.(spec|e2e|conformance)\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

// `npm test` builds dist before jest; when run alone, build it here if it is missing or stale.
beforeAll(() => {
  const built = existsSync(MAIN) ? statSync(MAIN).mtimeMs : 0;
  if (built >= Math.max(...['apps', 'libs', 'scripts'].map((d) => newestSource(join(ROOT, d))))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    if (!existsSync(MAIN)) throw error; // type errors still emit JavaScript
  }
}, 180_000);

afterAll(async () => {
  for (const child of children) if (!child.hasExited()) child.process.kill('SIGKILL');
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Resolves once nothing accepts connections on `port` any more. */
async function untilRefused(port: number) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const refused = await new Promise<boolean>((r) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), r(false)));
      socket.once('error', () => r(true));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A POST /orgs whose headers are sent now and whose body is sent by `finish()`: a request in flight. */
function slowCreate(port: number, token: string) {
  const body = JSON.stringify({ name: 'In flight' });
  const socket: Socket = connect(port, '127.0.0.1');
  socket.write(
    `POST /orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
  );
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  const closed = new Promise<string>((r) => socket.once('close', () => r(received)));
  return {
    async finish() {
      socket.write(body);
      const answer = await closed;
      const [head, payload] = answer.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), head, body: payload ? JSON.parse(payload) : undefined };
    },
  };
}

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'team-e2e-shutdown-'));
  temps.push(dir);
  return dir;
};

describe('SIGTERM under load', () => {
  it('loses no command that was answered 201, finishes in-flight requests and exits 0 within 10 s', async () => {
    const dataDir = join(tempDir(), 'data');
    const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', AUTH_JWT_SECRET: TEST_JWT_SECRET };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const app = start({ ...env, PORT: String(port) });
    await waitForHealth(app, url);
    const token = await signToken(TEST_JWT_SECRET, { sub: 'loader', email: 'loader@example.com' });
    // One request is in flight before the signal: its headers are in, its body is not.
    const inFlight = slowCreate(port, token);
    expect((await fetch(`${url}/health`)).status).toBe(200);

    // Eight clients create organizations back to back until the server stops answering them.
    const created: string[] = [];
    let sigtermAt = 0;
    let signalled: () => void;
    const enough = new Promise<void>((r) => (signalled = r));
    const client = async (n: number) => {
      for (let i = 0; ; i++) {
        let res: Response;
        try {
          res = await fetch(`${url}/orgs`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name: `Load ${n}-${i}` }),
            signal: AbortSignal.timeout(10_000),
          });
        } catch {
          return; // refused or closed: the server stopped accepting
        }
        if (res.status !== 201) return void (await res.text()); // e.g. 503 while draining
        created.push(((await res.json()) as { id: string }).id);
        if (created.length >= 60) signalled();
      }
    };
    const clients = Promise.all(Array.from({ length: 8 }, (_, n) => client(n)));
    await enough;
    sigtermAt = Date.now();
    app.process.kill('SIGTERM');
    // Once the server no longer accepts connections, the request in flight completes and is answered.
    await untilRefused(port);
    const late = await inFlight.finish();
    expect({ status: late.status, body: late.body }).toEqual({ status: 201, body: expect.objectContaining({ name: 'In flight' }) });
    expect(late.head.toLowerCase()).toContain('connection: close');
    created.push(late.body.id);
    const code = await exitWithin(app, 10_000);
    const elapsed = Date.now() - sigtermAt;
    await clients;

    expect({ code, output: code === 0 ? '' : app.output() }).toEqual({ code: 0, output: '' });
    expect(elapsed).toBeLessThan(10_000);
    expect(app.output()).toContain('shutting down');
    expect(created.length).toBeGreaterThanOrEqual(61);

    // Restart on the same DATA_DIR: every organization that was answered 201 is there, on the write
    // side and in the read model (its checkpoint was stored with the last batch).
    const port2 = await freePort();
    const url2 = `http://127.0.0.1:${port2}`;
    const again = start({ ...env, PORT: String(port2) });
    await waitForHealth(again, url2);
    const auth = { authorization: `Bearer ${token}` };
    const missing: string[] = [];
    for (const id of created) if ((await fetch(`${url2}/orgs/${id}`, { headers: auth })).status !== 200) missing.push(id);
    expect(missing).toEqual([]);
    const listed = new Set<string>();
    for (let cursor: string | null = null; ; ) {
      const res = await fetch(`${url2}/orgs?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      for (const org of page.items) listed.add(org.id);
      if (!(cursor = page.nextCursor)) break;
    }
    expect(created.filter((id) => !listed.has(id))).toEqual([]);

    again.process.kill('SIGTERM');
    expect(await exitWithin(again, 10_000)).toBe(0);
  }, 90_000);
});

describe('bad configuration of the variables this issue adds fails at start, naming them', () => {
  it.each([
    ['INVITATION_LINK_REQUESTS_PER_MINUTE', 'abc'],
    ['INVITATION_LINK_REQUESTS_PER_MINUTE', '0'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_PROXY', 'not-an-address'],
    ['INVITES_PER_HOUR', 'many'],
  ])('%s=%s', async (variable, value) => {
    const child = start({ DATA_DIR: join(tempDir(), 'data'), PORT: String(await freePort()), HOST: '127.0.0.1', [variable]: value });
    const code = await exitWithin(child, 15_000);
    expect(code).not.toBe('timeout');
    expect(typeof code).toBe('number');
    expect(code).not.toBe(0);
    expect(child.output()).toContain(variable);
  }, 30_000);
});
