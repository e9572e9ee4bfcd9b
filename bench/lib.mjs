// Shared helpers of the benchmark suite: spawning the app exactly as `npm start` runs it, reading its
// memory from /proc, small HTTP clients, tokens and statistics. Plain ESM, no build step.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH_DIR, '..');
export const MAIN = join(ROOT, 'dist', 'apps', 'api', 'main.js');
export const REBUILD = join(ROOT, 'dist', 'scripts', 'rebuild-projections.js');

/** The HS256 key every app of this run is started with (random per run, >= 32 bytes). */
export const JWT_SECRET = process.env.BENCH_JWT_SECRET ?? randomBytes(32).toString('base64url');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const nowMs = () => performance.timeOrigin + performance.now(); // epoch ms with sub-ms precision

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `bench-${prefix}-`));
}
export function removeDir(dir) {
  if (process.env.BENCH_KEEP_DATA === '1') return;
  rmSync(dir, { recursive: true, force: true });
}

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

// ---------------------------------------------------------------- tokens

export function token(claims, expiresIn = '6h') {
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

// ---------------------------------------------------------------- /proc memory

/** { rssKb, hwmKb } of a live process, from /proc/<pid>/status (Linux); null when it is gone. */
export function procMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- the app

/** Every child process still running; killed if the benchmark itself is interrupted. */
const live = new Set();
export function trackChild(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGKILL');
    process.exit(130);
  });
}

/**
 * Spawns `node dist/apps/api/main.js` (what `npm start` runs after its build) with its own DATA_DIR,
 * waits for GET /health = 200 and answers how long that took. BENCH_APP_NODE_ARGS (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof") is put before the script, for profiling only.
 */
export async function startApp({ dataDir, env = {}, logFile, timeoutMs = 600_000 }) {
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const logPath = logFile ?? `${dataDir}.app.log`;
  const log = openSync(logPath, 'a');
  const started = nowMs();
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: '',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_JWT_SECRET: JWT_SECRET,
      // The per-organization limit of API.md would turn a throughput test into a 429 test.
      INVITES_PER_HOUR: '1000000',
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  live.add(child);
  child.once('exit', () => live.delete(child));
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  const url = `http://127.0.0.1:${port}`;
  let samples = 0;
  let peakRssKb = 0;
  const sampler = setInterval(() => {
    const m = procMemory(child.pid);
    if (m) {
      samples++;
      peakRssKb = Math.max(peakRssKb, m.rssKb);
    }
  }, 50);
  sampler.unref();

  const deadline = started + timeoutMs;
  for (;;) {
    if (exited) {
      clearInterval(sampler);
      throw new Error(`the app exited during start (code ${exited.code}${exited.signal ? `, ${exited.signal}` : ''}): ${logError(logPath)}; log: ${logPath}`);
    }
    if (nowMs() > deadline) {
      clearInterval(sampler);
      child.kill('SIGKILL');
      await exitPromise;
      live.delete(child);
      throw Object.assign(new Error(`the app did not answer /health within ${Math.round(timeoutMs / 1000)} s`), { code: 'START_TIMEOUT' });
    }
    const ok = await httpRequest('GET', `${url}/health`, { timeoutMs: 1000 }).then((r) => r.status === 200, () => false);
    if (ok) break;
    await sleep(5);
  }
  const startMs = nowMs() - started;

  return {
    url,
    port,
    pid: child.pid,
    startMs,
    memory: () => {
      const m = procMemory(child.pid);
      return { rssMb: m ? m.rssKb / 1024 : NaN, hwmMb: m ? m.hwmKb / 1024 : NaN, sampledPeakRssMb: peakRssKb / 1024, samples };
    },
    async stop() {
      clearInterval(sampler);
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exitPromise;
      clearTimeout(timer);
      return result;
    },
  };
}

/** The most telling line of a crashed app's log: the last "SomethingError: ..." line, else the last line. */
function logError(file) {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n').filter((l) => l.trim());
    return (lines.filter((l) => /^\s*\w*Error\b|configuration:/.test(l)).pop() ?? lines.pop() ?? '(empty log)').trim().slice(0, 200);
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------- child processes

/** Runs `node bench/<script> <json>` and answers the JSON object of its last stdout line. */
export function runChild(script, config, { nodeArgs = [], env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = trackChild(
      spawn(process.execPath, [...nodeArgs, join(BENCH_DIR, script), JSON.stringify(config)], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop();
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${err.trim() || out.trim()}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} printed no JSON result: ${out.trim()} ${err.trim()}`));
      }
    });
  });
}

// ---------------------------------------------------------------- HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One request on a keep-alive connection; answers { status, headers, text, json(), ms } (ms: send to last byte). */
export function httpRequest(method, url, { headers = {}, body, timeoutMs = 30_000, agent: a = agent } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h = { ...headers };
    if (payload !== undefined) {
      h['content-type'] ??= 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    const t0 = performance.now();
    const req = http.request(url, { method, headers: h, agent: a, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - t0;
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text), ms, at: nowMs() });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${url}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function newAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

/** A JSON call that must answer `expect` (a status or list of statuses). */
export async function api(method, url, { token: t, body, headers = {}, expect = [200, 201, 202, 204] } = {}) {
  const res = await httpRequest(method, url, { headers: { ...(t ? { authorization: `Bearer ${t}` } : {}), ...headers }, body });
  const ok = Array.isArray(expect) ? expect.includes(res.status) : res.status === expect;
  if (!ok) throw new Error(`${method} ${url} answered ${res.status}: ${res.text.slice(0, 500)}`);
  return res;
}

// ---------------------------------------------------------------- statistics

export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Linear interpolation between closest ranks.
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}
export const median = (values) => percentile(values, 50);
export const round = (x, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

export function fmt(x, unit = '') {
  if (x === null || x === undefined || (typeof x === 'number' && !Number.isFinite(x))) return '-';
  if (typeof x === 'string') return x;
  const abs = Math.abs(x);
  const s = abs >= 1000 ? Math.round(x).toLocaleString('en-US') : abs >= 100 ? x.toFixed(0) : abs >= 10 ? x.toFixed(1) : x.toFixed(2);
  return unit ? `${s} ${unit}` : s;
}

export const exists = existsSync;
