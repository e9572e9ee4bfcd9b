// `npm run bench` (after the build): generates data, runs every scenario of issue #6 against the app as
// `npm start` runs it (`node dist/apps/api/main.js`, its own temporary DATA_DIR), prints a table and
// writes bench/results.json. See bench/README.md for what each scenario measures.
//
//   npm run bench                      full sizes (about 10 minutes on 2 cores, most of it the app's first
//                                      start on the 1.1 M-event data set, which rebuilds every read model)
//   BENCH_QUICK=1 npm run bench        every scenario at small sizes (about 1 minute)
//   BENCH_ONLY=throughput,ingest,lag,big   run some groups only
//   BENCH_<CONSTANT>=n                 override one constant below, e.g. BENCH_BIG_MEMBERS=20000
//   BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   profile the app processes
//   BENCH_KEEP_DATA=1                  keep the temporary data directories (their path is printed)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  BENCH_DIR, MAIN, REBUILD, ROOT, api, exists, fmt, httpRequest, median, nowMs, percentile, removeDir, round,
  runChild, startApp, tempDir, token, trackChild,
} from './lib.mjs';
import { memberOf, NAME_COMBINATIONS, uuidv7 } from './seed.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const pick = (full, quick) => (QUICK ? quick : full);

// ------------------------------------------------------------------ sizes and rounds
export const C = {
  // invite commands over HTTP vs bare Fastify hello-world
  THROUGHPUT_ROUNDS: pick(3, 1),
  THROUGHPUT_SECONDS: pick(8, 3),
  WARMUP_SECONDS: pick(2, 1),
  INVITE_CONNECTIONS: 50,
  // activity ingestion vs raw better-sqlite3 insert
  INGEST_ROUNDS: pick(3, 1),
  INGEST_BATCH: 1000,
  INGEST_BATCHES_PER_ROUND: pick(60, 10),
  INGEST_CONNECTIONS: 4,
  INGEST_MEMBERS: 1000,
  RAW_INSERT_ROWS: pick(200_000, 20_000),
  // projection lag under load
  LAG_ROUNDS: pick(3, 1),
  LAG_SECONDS: pick(8, 4),
  LAG_RATE: 1000,
  LAG_CONNECTIONS: 20,
  LAG_LOAD_ORGS: 10,
  LAG_PROBE_LANES: 4, // concurrent probe loops (each on its own connection)
  LAG_PROBE_INTERVAL_MS: 100, // per lane: at most 40 probes/s in all, part of the 1,000 commands/s
  LAG_IDLE_SECONDS: pick(3, 1), // the same probes without load, for reference
  // the big data set: roster, search, invite on a big org, memory, start, rebuild
  BIG_MEMBERS: pick(100_000, 5_000),
  BIG_ACTIVITY: pick(1_000_000, 50_000),
  SMALL_MEMBERS: 100,
  SMALL_ACTIVITY: 1_000,
  TINY_MEMBERS: 10,
  LATENCY_ROUNDS: pick(3, 1),
  ROSTER_SAMPLES: pick(300, 60), // per round and per organization
  ROSTER_PAGES: 10, // pages followed by nextCursor before starting again from the first
  SEARCH_SAMPLES: pick(100, 30), // per round
  INVITE_SAMPLES: pick(100, 20), // per round and per organization
  START_ROUNDS: pick(3, 1),
  REBUILD_ROUNDS: pick(3, 1), // the first is the app's own catch-up at its first start
  REBUILD_EXTRA_ROUND_MAX_SECONDS: 60, // further rounds only when one takes less than this
  // The first start on the big data set rebuilds every read model before /health answers. Past this,
  // the app is stopped and the big-data scenarios say n/a (keeps the whole run near 15 minutes).
  BIG_FIRST_START_MAX_SECONDS: pick(600, 300),
};
for (const key of Object.keys(C)) {
  const v = process.env[`BENCH_${key}`];
  if (v !== undefined && v !== '') C[key] = Number(v);
}
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const runs = (group) => !ONLY || ONLY.has(group);

// ------------------------------------------------------------------ results
const scenarios = [];
const log = (...args) => console.error(`[bench ${((nowMs() - T0) / 1000).toFixed(0).padStart(4)} s]`, ...args);
const T0 = nowMs();

/** One row of the table. value/baseline are numbers in `unit`; met is true/false/null (n/a). */
function record(row) {
  scenarios.push({ met: null, ratio: null, baseline: null, ...row });
}
function notAvailable(id, scenario, reason) {
  record({ id, scenario: scenario ?? TARGETS[id]?.name ?? id, figure: `n/a (${reason})`, na: reason, target: TARGETS[id]?.text ?? '-' });
}

const TARGETS = {
  invite_throughput: { text: '>= 0.25 of baseline', name: 'invite commands over HTTP, 50 connections, embedded store' },
  activity_ingestion: { text: '>= 0.5 of baseline', name: 'activity ingestion, 1000-item batches' },
  projection_rebuild: { text: '>= 0.5 of baseline', name: 'projection rebuild of the big data set' },
  projection_lag: { text: 'p99 <= 20 ms', name: 'projection lag under 1,000 commands/s' },
  roster_page: { text: 'p95 <= 5 ms, ratio <= 2', name: 'roster page (50 rows, sort=-lastActiveAt) on the big org' },
  roster_search: { text: 'p95 <= 20 ms', name: 'roster search q= on the big org' },
  invite_big_org: { text: 'ratio <= 1.5', name: 'one invite on the big org' },
  memory: { text: '<= 250 MB', name: 'memory after loading the big data set' },
  start_to_health: { text: '<= 2 s', name: 'start to /health on the big data set' },
};

// ------------------------------------------------------------------ helpers
const owner = (prefix) => memberOf(prefix, 0);
const tokenOf = (m, extra = {}) => token({ sub: m.userId, email: m.email, name: m.name, ...extra });
const load = (config) => runChild('load.mjs', config);
const probe = (config) => runChild('probe.mjs', config);

function startHello() {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(process.execPath, [join(BENCH_DIR, 'hello-server.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }));
    child.on('error', reject);
    createInterface({ input: child.stdout }).once('line', (line) => {
      const { port } = JSON.parse(line);
      resolve({ url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) });
    });
  });
}

/** Waits until the read models include `position` (GET with X-Min-Position; 503 means "still lagging"). */
async function waitProjected(url, t, orgId, position) {
  for (;;) {
    const res = await httpRequest('GET', `${url}/orgs/${orgId}/members?limit=1`, {
      headers: { authorization: `Bearer ${t}`, 'x-min-position': String(position) },
      timeoutMs: 60_000,
    });
    if (res.status === 200) return res.at;
    if (res.status !== 503) throw new Error(`waiting for position ${position}: ${res.status} ${res.text.slice(0, 200)}`);
  }
}

const seed = (file, orgs) => runChild('seed.mjs', { file, orgs });

// ------------------------------------------------------------------ group: throughput
async function throughputGroup(runDir) {
  const dataDir = join(runDir, 'throughput');
  mkdirSync(dataDir);
  const app = await startApp({ dataDir, logFile: join(runDir, 'throughput.app.log') });
  idleMemory = app.memory();
  const hello = await startHello();
  try {
    const me = { userId: 'bench-owner', email: 'owner@bench.example.com', name: 'Bench Owner' };
    const t = await tokenOf(me);
    const newOrg = async (name) => (await api('POST', `${app.url}/orgs`, { token: t, body: { name } })).json().id;
    const inviteLoad = async (orgId, seconds) =>
      load({ url: app.url, kind: 'invite', connections: C.INVITE_CONNECTIONS, duration: seconds, token: t, orgIds: [orgId] });
    const helloLoad = (seconds) => load({ url: hello.url, kind: 'hello', connections: C.INVITE_CONNECTIONS, duration: seconds });

    log(`throughput: warm-up ${C.WARMUP_SECONDS} s each`);
    await helloLoad(C.WARMUP_SECONDS);
    await inviteLoad(await newOrg('Warm-up'), C.WARMUP_SECONDS);
    const rounds = [];
    for (let r = 0; r < C.THROUGHPUT_ROUNDS; r++) {
      const orgId = await newOrg(`Throughput ${r + 1}`);
      // Alternate the order, so that a drift of the machine's speed hits both sides alike.
      let h, a;
      if (r % 2 === 0) {
        h = await helloLoad(C.THROUGHPUT_SECONDS);
        a = await inviteLoad(orgId, C.THROUGHPUT_SECONDS);
      } else {
        a = await inviteLoad(orgId, C.THROUGHPUT_SECONDS);
        h = await helloLoad(C.THROUGHPUT_SECONDS);
      }
      rounds.push({ inviteReqPerS: round(a.okPerSecond, 1), helloReqPerS: round(h.okPerSecond, 1), inviteNon2xx: a.non2xx, inviteErrors: a.errors, inviteStatuses: a.statuses, inviteLatencyMs: a.latencyMs, helloLatencyMs: h.latencyMs });
      log(`throughput round ${r + 1}: invites ${fmt(a.okPerSecond)} req/s (non-2xx ${a.non2xx}), hello ${fmt(h.okPerSecond)} req/s`);
    }
    const value = median(rounds.map((r) => r.inviteReqPerS));
    const base = median(rounds.map((r) => r.helloReqPerS));
    const failed = rounds.reduce((s, r) => s + r.inviteNon2xx + r.inviteErrors, 0);
    const ratio = value / base;
    record({
      id: 'invite_throughput',
      scenario: `invite commands over HTTP, ${C.INVITE_CONNECTIONS} connections, embedded store`,
      figure: `${fmt(value)} req/s`,
      value: round(value, 1),
      unit: 'req/s',
      baseline: { label: 'bare Fastify hello-world', value: round(base, 1), display: `${fmt(base)} req/s` },
      ratio: round(ratio, 3),
      target: TARGETS.invite_throughput.text,
      met: ratio >= 0.25,
      details: { countedResponses: '2xx only (201 Created)', failedRequests: failed },
      rounds,
    });
  } finally {
    await hello.stop();
    await app.stop();
  }
}

// ------------------------------------------------------------------ group: ingestion (+ raw insert baseline)
const rawRounds = [];
let idleMemory = null; // the app right after its start on an empty DATA_DIR (throughput group)
async function rawInsert(runDir) {
  const r = await runChild('raw-insert.mjs', { file: join(runDir, `raw-${rawRounds.length}.sqlite`), rows: C.RAW_INSERT_ROWS, batch: C.INGEST_BATCH });
  rawRounds.push(round(r.eventsPerSecond, 0));
  log(`raw better-sqlite3 insert: ${fmt(r.eventsPerSecond)} events/s (${r.rows} rows in ${r.batch}-row transactions)`);
  return r.eventsPerSecond;
}

async function ingestGroup(runDir) {
  const dataDir = join(runDir, 'ingest');
  mkdirSync(dataDir);
  const orgId = uuidv7();
  await seed(join(dataDir, 'events.sqlite'), [{ orgId, prefix: 'ing', members: C.INGEST_MEMBERS }]);
  const app = await startApp({ dataDir, logFile: join(runDir, 'ingest.app.log') });
  try {
    const service = await token({ sub: 'bench-ingest-service', email: 'ingest@services.example.com', scope: 'activity:ingest' });
    const reader = await tokenOf(owner('ing'));
    const actors = Array.from({ length: C.INGEST_MEMBERS }, (_, i) => memberOf('ing', i).userId);
    const batchLoad = (amount, tag) =>
      load({ url: app.url, kind: 'activity', connections: C.INGEST_CONNECTIONS, amount, batch: C.INGEST_BATCH, token: service, orgIds: [orgId], actors, tag });

    log('ingestion: warm-up');
    const warm = await batchLoad(Math.max(C.INGEST_CONNECTIONS, Math.round(C.INGEST_BATCHES_PER_ROUND / 10)), 'warm');
    if (warm.ok === 0) throw new Error(`activity ingestion failed: ${JSON.stringify(warm.statuses)}`);
    if (warm.maxPosition) await waitProjected(app.url, reader, orgId, warm.maxPosition);
    const rounds = [];
    for (let r = 0; r < C.INGEST_ROUNDS; r++) {
      const raw = await rawInsert(runDir);
      const a = await batchLoad(C.INGEST_BATCHES_PER_ROUND, `r${r}`);
      const events = a.ok * C.INGEST_BATCH;
      const projectedAt = a.maxPosition ? await waitProjected(app.url, reader, orgId, a.maxPosition) : NaN;
      const accepted = events / a.seconds;
      const visible = events / ((projectedAt - a.startedAt) / 1000);
      rounds.push({ acceptedEventsPerS: round(accepted, 0), visibleEventsPerS: round(visible, 0), rawEventsPerS: round(raw, 0), requests: a.requests, non2xx: a.non2xx, statuses: a.statuses, latencyMs: a.latencyMs, projectionTailSeconds: round((projectedAt - a.endedAt) / 1000, 2) });
      log(`ingestion round ${r + 1}: ${fmt(accepted)} events/s accepted (202), ${fmt(visible)} events/s until visible in the roster; non-2xx ${a.non2xx}`);
    }
    const value = median(rounds.map((r) => r.acceptedEventsPerS));
    const base = median(rounds.map((r) => r.rawEventsPerS));
    record({
      id: 'activity_ingestion',
      scenario: `activity ingestion, ${C.INGEST_BATCH}-item batches (${C.INGEST_CONNECTIONS} connections)`,
      figure: `${fmt(value)} events/s`,
      value: round(value, 0),
      unit: 'events/s',
      baseline: { label: `raw better-sqlite3 insert, ${C.INGEST_BATCH}-row transactions`, value: round(base, 0), display: `${fmt(base)} events/s` },
      ratio: round(value / base, 3),
      target: TARGETS.activity_ingestion.text,
      met: value / base >= 0.5,
      details: {
        figure: 'events accepted with 202 per second of load (each 202 = appended to the event store)',
        visibleEventsPerS: median(rounds.map((r) => r.visibleEventsPerS)),
        visibleNote: 'same events, counted until the roster includes them (X-Min-Position of the last answer)',
      },
      rounds,
    });
  } finally {
    await app.stop();
  }
}

// ------------------------------------------------------------------ group: projection lag
async function lagGroup(runDir) {
  const dataDir = join(runDir, 'lag');
  mkdirSync(dataDir);
  const probeOrg = uuidv7();
  const loadOrgs = Array.from({ length: C.LAG_LOAD_ORGS }, () => uuidv7());
  await seed(join(dataDir, 'events.sqlite'), [
    { orgId: probeOrg, prefix: 'lagprobe', members: 20 },
    ...loadOrgs.map((orgId, k) => ({ orgId, prefix: `lagload${k}`, ownerPrefix: 'lagowner', members: 20 })),
  ]);
  const app = await startApp({ dataDir, logFile: join(runDir, 'lag.app.log') });
  try {
    const loadToken = await tokenOf(owner('lagowner'));
    const probeToken = await tokenOf(owner('lagprobe'));
    const probeRate = (1000 / C.LAG_PROBE_INTERVAL_MS) * C.LAG_PROBE_LANES;
    const loadRate = Math.max(1, C.LAG_RATE - probeRate);
    const inviteLoad = (seconds, tag) =>
      load({ url: app.url, kind: 'invite', connections: C.LAG_CONNECTIONS, duration: seconds, overallRate: loadRate, token: loadToken, orgIds: loadOrgs, tag });

    const lagProbe = (seconds, tag) =>
      probe({ mode: 'lag', url: app.url, orgId: probeOrg, token: probeToken, durationMs: seconds * 1000, intervalMs: C.LAG_PROBE_INTERVAL_MS, lanes: C.LAG_PROBE_LANES, tag });

    log('lag: warm-up');
    await inviteLoad(Math.max(1, C.WARMUP_SECONDS), 'warm');
    const idle = await lagProbe(C.LAG_IDLE_SECONDS, 'idle');
    const idleLag = { n: idle.poll.length, p50: round(percentile(idle.poll, 50), 2), p99: round(percentile(idle.poll, 99), 2), minPositionP50: round(percentile(idle.minPosition, 50), 2), commandP50: round(percentile(idle.commandMs, 50), 2) };
    log(`lag without load: visible after p50 ${fmt(idleLag.p50)} / p99 ${fmt(idleLag.p99)} ms`);
    const rounds = [];
    const pooled = { poll: [], minPosition: [] };
    for (let r = 0; r < C.LAG_ROUNDS; r++) {
      const loading = inviteLoad(C.LAG_SECONDS, `r${r}`);
      await new Promise((res) => setTimeout(res, 1000)); // let the load reach its rate first
      const p = await lagProbe(C.LAG_SECONDS - 2, `r${r}`);
      const l = await loading;
      const probes = p.poll.length + p.minPosition.length;
      const achieved = l.okPerSecond + probes / (C.LAG_SECONDS - 2);
      pooled.poll.push(...p.poll);
      pooled.minPosition.push(...p.minPosition);
      rounds.push({
        commandsPerS: round(achieved, 0),
        loadNon2xx: l.non2xx,
        loadStatuses: l.statuses,
        probeFailures: p.failures,
        probeLastError: p.lastError,
        poll: { n: p.poll.length, p50: round(percentile(p.poll, 50), 2), p99: round(percentile(p.poll, 99), 2), max: round(Math.max(...p.poll), 2), avgGets: round(p.pollRequests.reduce((a, b) => a + b, 0) / p.pollRequests.length, 2) },
        minPosition: { n: p.minPosition.length, p50: round(percentile(p.minPosition, 50), 2), p99: round(percentile(p.minPosition, 99), 2), max: round(Math.max(...p.minPosition), 2) },
        commandLatencyMs: { p50: round(percentile(p.commandMs, 50), 2), p99: round(percentile(p.commandMs, 99), 2) },
      });
      const last = rounds[rounds.length - 1];
      log(`lag round ${r + 1}: ${fmt(achieved)} commands/s; visible after p50 ${fmt(last.poll.p50)} / p99 ${fmt(last.poll.p99)} ms (polling), X-Min-Position p50 ${fmt(last.minPosition.p50)} / p99 ${fmt(last.minPosition.p99)} ms`);
    }
    const p50 = median(rounds.map((r) => r.poll.p50));
    const p99 = median(rounds.map((r) => r.poll.p99));
    const rate = median(rounds.map((r) => r.commandsPerS));
    record({
      id: 'projection_lag',
      scenario: `projection lag under ${fmt(C.LAG_RATE)} commands/s (achieved ${fmt(rate)}/s)`,
      figure: `p50 ${fmt(p50)} / p99 ${fmt(p99)} ms`,
      value: { p50: round(p50, 2), p99: round(p99, 2) },
      unit: 'ms',
      target: TARGETS.projection_lag.text,
      met: p99 <= 20 && rate >= 0.9 * C.LAG_RATE,
      details: {
        measured: 'from the arrival of the 201 of POST /invitations to the arrival of the first GET /members?status=invited&q=<email> that lists it (GETs back to back)',
        achievedCommandsPerS: rate,
        withoutLoad: idleLag,
        pooled: { poll: { n: pooled.poll.length, p50: round(percentile(pooled.poll, 50), 2), p99: round(percentile(pooled.poll, 99), 2) }, minPosition: { n: pooled.minPosition.length, p50: round(percentile(pooled.minPosition, 50), 2), p99: round(percentile(pooled.minPosition, 99), 2) } },
        metRequiresRate: 'met only when the achieved rate is at least 90% of the intended one',
      },
      rounds,
    });
  } finally {
    await app.stop();
  }
}

// ------------------------------------------------------------------ group: big data set
async function bigGroup(runDir) {
  const dataDir = join(runDir, 'big');
  mkdirSync(dataDir);
  const ids = { big: uuidv7(), small: uuidv7(), tiny: uuidv7() };
  log(`big: seeding ${fmt(C.BIG_MEMBERS)} members + ${fmt(C.BIG_ACTIVITY)} activity events (and a ${C.SMALL_MEMBERS}- and a ${C.TINY_MEMBERS}-member org)`);
  const seeded = await seed(join(dataDir, 'events.sqlite'), [
    { orgId: ids.big, prefix: 'big', members: C.BIG_MEMBERS, admins: 10, activity: C.BIG_ACTIVITY, seed: 1 },
    { orgId: ids.small, prefix: 'small', members: C.SMALL_MEMBERS, admins: 2, activity: C.SMALL_ACTIVITY, seed: 2 },
    { orgId: ids.tiny, prefix: 'tiny', members: C.TINY_MEMBERS, admins: 1, seed: 3 },
  ]);
  log(`big: seeded ${fmt(seeded.events)} events in ${fmt(seeded.seconds)} s; first start (the app catches up every projection before it listens)`);
  const tokens = { big: await tokenOf(owner('big')), small: await tokenOf(owner('small')), tiny: await tokenOf(owner('tiny')) };

  // First start: the projections are empty, the app rebuilds them all from the events before /health.
  let app;
  try {
    app = await startApp({ dataDir, logFile: join(runDir, 'big.app.log'), timeoutMs: C.BIG_FIRST_START_MAX_SECONDS * 1000 });
  } catch (error) {
    if (error.code !== 'START_TIMEOUT') throw error;
    // The catch-up alone took longer than the whole budget: its rate is below events / budget.
    const bound = seeded.events / C.BIG_FIRST_START_MAX_SECONDS;
    const base = rawRounds.length ? median(rawRounds) : await rawInsert(runDir);
    const reason = `the first start (catch-up of ${fmt(seeded.events)} events) did not reach /health within ${C.BIG_FIRST_START_MAX_SECONDS} s`;
    record({
      id: 'projection_rebuild',
      scenario: `projection rebuild of ${fmt(seeded.events)} events (all 4 projections)`,
      figure: `< ${fmt(bound)} events/s (${reason})`,
      value: round(bound, 0),
      unit: 'events/s',
      baseline: { label: 'the same raw insert', value: round(base, 0), display: `${fmt(base)} events/s` },
      ratio: round(bound / base, 3),
      target: TARGETS.projection_rebuild.text,
      met: false,
      details: { upperBound: true },
    });
    for (const id of ['roster_page', 'roster_search', 'invite_big_org', 'memory', 'start_to_health']) notAvailable(id, null, reason);
    return;
  }
  const firstStartSeconds = app.startMs / 1000;
  log(`big: first start took ${fmt(firstStartSeconds)} s (${fmt(seeded.events / firstStartSeconds)} events/s)`);
  const details = { seededEvents: seeded.events, seedSeconds: round(seeded.seconds, 1), firstStartSeconds: round(firstStartSeconds, 2) };
  let memory;
  try {
    // The first request on an organization folds its stream into the write-side cache.
    const cold = await api('GET', `${app.url}/orgs/${ids.big}/members?limit=1`, { token: tokens.big });
    details.coldOrgLoadMs = round(cold.ms, 1);
    await api('GET', `${app.url}/orgs/${ids.small}/members?limit=1`, { token: tokens.small });
    await api('GET', `${app.url}/orgs/${ids.tiny}/members?limit=1`, { token: tokens.tiny });
    log(`big: first request on the ${fmt(C.BIG_MEMBERS)}-member org took ${fmt(cold.ms)} ms (state load)`);

    await rosterScenario(app, ids, tokens).catch((e) => notAvailable('roster_page', null, e.message));
    await searchScenario(app, ids, tokens).catch((e) => notAvailable('roster_search', null, e.message));
    await inviteBigScenario(app, ids, tokens).catch((e) => notAvailable('invite_big_org', null, e.message));
    memory = app.memory();
  } finally {
    await app.stop();
  }
  record({
    id: 'memory',
    scenario: `memory after loading ${fmt(C.BIG_MEMBERS)} members and ${fmt(C.BIG_ACTIVITY)} activity events`,
    figure: `${fmt(memory.hwmMb)} MB`,
    value: round(memory.hwmMb, 1),
    unit: 'MB',
    target: TARGETS.memory.text,
    met: memory.hwmMb <= 250,
    details: {
      measured: 'VmHWM (peak RSS) of the app process from /proc/<pid>/status, after its first start on the data (catch-up of every projection) and the roster, search and invite scenarios on the big org',
      rssAtEndMb: round(memory.rssMb, 1),
      idleAppOnEmptyDataMb: idleMemory ? round(idleMemory.hwmMb, 1) : null,
      sampledPeakRssMb: round(memory.sampledPeakRssMb, 1),
    },
  });

  // Restarts: read models are current; start to /health.
  const starts = [];
  let restartMemory;
  for (let r = 0; r < C.START_ROUNDS; r++) {
    const again = await startApp({ dataDir, logFile: join(runDir, 'big.app.log') });
    starts.push(round(again.startMs / 1000, 3));
    if (r === C.START_ROUNDS - 1) {
      await api('GET', `${again.url}/orgs/${ids.big}/members?limit=50&sort=-lastActiveAt`, { token: tokens.big });
      restartMemory = again.memory();
    }
    await again.stop();
    log(`big: restart ${r + 1}: /health after ${fmt(starts[r])} s`);
  }
  const memoryRow = scenarios.find((s) => s.id === 'memory');
  memoryRow.details.restartedProcessAfterLoadingBigOrgMb = round(restartMemory.hwmMb, 1);
  const start = median(starts);
  record({
    id: 'start_to_health',
    scenario: 'start to /health on that data',
    figure: `${fmt(start)} s`,
    value: round(start, 3),
    unit: 's',
    target: TARGETS.start_to_health.text,
    met: start <= 2,
    details: { measured: 'spawn of node dist/apps/api/main.js to the first 200 of GET /health, read models already current', firstStartWithFullCatchUpSeconds: round(firstStartSeconds, 2) },
    rounds: starts,
  });

  // Projection rebuild: round 1 is the first start's catch-up (minus the median plain start time);
  // further rounds run `node dist/scripts/rebuild-projections.js` (drops every read model, rebuilds it).
  const rebuilds = [];
  const catchUp = Math.max(0.001, firstStartSeconds - start);
  rebuilds.push({ method: 'first start of the app (catch-up of every projection), minus a plain start', seconds: round(catchUp, 2), eventsPerS: round(seeded.events / catchUp, 0) });
  while (rebuilds.length < C.REBUILD_ROUNDS && rebuilds[rebuilds.length - 1].seconds < C.REBUILD_EXTRA_ROUND_MAX_SECONDS) {
    const t0 = nowMs();
    const out = execFileSync(process.execPath, [REBUILD], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, AUTH_JWT_SECRET: 'x'.repeat(40) }, encoding: 'utf8' });
    const wall = (nowMs() - t0) / 1000;
    const m = /(\d+) events in ([\d.]+) s/.exec(out);
    const seconds = m ? Number(m[2]) : wall;
    const events = m ? Number(m[1]) : seeded.events;
    rebuilds.push({ method: 'npm run projections:rebuild (node dist/scripts/rebuild-projections.js)', seconds: round(seconds, 2), eventsPerS: round(events / seconds, 0), wallSeconds: round(wall, 2) });
    log(`big: rebuild round ${rebuilds.length}: ${fmt(events / seconds)} events/s`);
  }
  if (rebuilds.length < C.REBUILD_ROUNDS) log(`big: rebuild: ${rebuilds.length} round(s) only, one takes ${fmt(rebuilds[0].seconds)} s (>= ${C.REBUILD_EXTRA_ROUND_MAX_SECONDS} s)`);
  const rate = median(rebuilds.map((r) => r.eventsPerS));
  if (rawRounds.length === 0) for (let r = 0; r < Math.max(1, Math.min(3, C.INGEST_ROUNDS)); r++) await rawInsert(runDir);
  const base = median(rawRounds);
  record({
    id: 'projection_rebuild',
    scenario: `projection rebuild of ${fmt(seeded.events)} events (all 4 projections)`,
    figure: `${fmt(rate)} events/s`,
    value: round(rate, 0),
    unit: 'events/s',
    baseline: { label: 'the same raw insert', value: round(base, 0), display: `${fmt(base)} events/s` },
    ratio: round(rate / base, 3),
    target: TARGETS.projection_rebuild.text,
    met: rate / base >= 0.5,
    rounds: rebuilds,
  });
  Object.assign(memoryRow.details, { data: details });
}

async function rosterScenario(app, ids, tokens) {
  const path = (orgId) => `/orgs/${orgId}/members?limit=50&sort=-lastActiveAt`;
  const rounds = [];
  for (let r = 0; r < C.LATENCY_ROUNDS; r++) {
    const out = await probe({
      mode: 'latency',
      url: app.url,
      samples: C.ROSTER_SAMPLES,
      warmup: 20,
      targets: [
        { name: 'big', token: tokens.big, path: path(ids.big), pages: C.ROSTER_PAGES },
        { name: 'small', token: tokens.small, path: path(ids.small), pages: C.ROSTER_PAGES },
        // The floor of the HTTP stack, for reading the two above: no auth, no query.
        { name: 'health', token: tokens.small, path: '/health' },
      ],
    });
    for (const t of ['big', 'small']) if (out[t].ms.length === 0) throw new Error(`GET /members failed: ${out[t].lastError}`);
    rounds.push({
      big: { p50: round(percentile(out.big.ms, 50), 3), p95: round(percentile(out.big.ms, 95), 3), avgRows: round(out.big.avgRows, 1), failures: out.big.failures },
      small: { p50: round(percentile(out.small.ms, 50), 3), p95: round(percentile(out.small.ms, 95), 3), avgRows: round(out.small.avgRows, 1), failures: out.small.failures },
      health: { p50: round(percentile(out.health.ms, 50), 3), p95: round(percentile(out.health.ms, 95), 3) },
    });
    log(`roster round ${r + 1}: big p50 ${fmt(rounds[r].big.p50)} / p95 ${fmt(rounds[r].big.p95)} ms, small p50 ${fmt(rounds[r].small.p50)} / p95 ${fmt(rounds[r].small.p95)} ms`);
  }
  const big = { p50: median(rounds.map((r) => r.big.p50)), p95: median(rounds.map((r) => r.big.p95)) };
  const small = { p50: median(rounds.map((r) => r.small.p50)), p95: median(rounds.map((r) => r.small.p95)) };
  const ratio = big.p95 / small.p95;
  record({
    id: 'roster_page',
    scenario: `roster page (50 rows, sort=-lastActiveAt) on an organization of ${fmt(C.BIG_MEMBERS)} members`,
    figure: `p50 ${fmt(big.p50)} / p95 ${fmt(big.p95)} ms`,
    value: { p50: round(big.p50, 3), p95: round(big.p95, 3) },
    unit: 'ms',
    baseline: { label: `the same on a ${C.SMALL_MEMBERS}-member org`, value: { p50: round(small.p50, 3), p95: round(small.p95, 3) }, display: `p50 ${fmt(small.p50)} / p95 ${fmt(small.p95)} ms` },
    ratio: round(ratio, 2),
    target: TARGETS.roster_page.text,
    met: big.p95 <= 5 && ratio <= 2,
    details: {
      measured: `client-side latency of sequential GETs on one keep-alive connection, the two orgs interleaved; pages 1..${C.ROSTER_PAGES} followed by nextCursor, then again from page 1; ratio = p95 big / p95 small`,
      healthFloor: { p50: round(median(rounds.map((r) => r.health.p50)), 3), p95: round(median(rounds.map((r) => r.health.p95)), 3), note: 'GET /health interleaved with the two (the HTTP stack alone)' },
    },
    rounds,
  });
}

async function searchScenario(app, ids, tokens) {
  // Three kinds of search, cycled: one person's email fragment (one hit: the whole org is scanned), a
  // full name (about members/NAME_COMBINATIONS hits), a surname prefix (many hits: the first page fills early).
  const paths = [];
  for (let k = 0; k < 60; k++) {
    const i = 1 + ((k * 7919) % (C.BIG_MEMBERS - 1));
    const m = memberOf('big', i);
    const q = [`.${i}@`, `${m.first} ${m.last}`, m.last.slice(0, 4)][k % 3];
    paths.push(`/orgs/${ids.big}/members?q=${encodeURIComponent(q)}`);
  }
  const rounds = [];
  for (let r = 0; r < C.LATENCY_ROUNDS; r++) {
    const out = await probe({ mode: 'latency', url: app.url, samples: C.SEARCH_SAMPLES, warmup: 6, targets: [{ name: 'search', token: tokens.big, paths }] });
    if (out.search.ms.length === 0) throw new Error(`GET /members?q= failed: ${out.search.lastError}`);
    rounds.push({ p50: round(percentile(out.search.ms, 50), 2), p95: round(percentile(out.search.ms, 95), 2), max: round(Math.max(...out.search.ms), 2), avgRows: round(out.search.avgRows, 1), failures: out.search.failures });
    log(`search round ${r + 1}: p50 ${fmt(rounds[r].p50)} / p95 ${fmt(rounds[r].p95)} ms`);
  }
  const p95 = median(rounds.map((r) => r.p95));
  record({
    id: 'roster_search',
    scenario: `roster search q= on ${fmt(C.BIG_MEMBERS)} members`,
    figure: `p95 ${fmt(p95)} ms (p50 ${fmt(median(rounds.map((r) => r.p50)))})`,
    value: { p95: round(p95, 2), p50: round(median(rounds.map((r) => r.p50)), 2) },
    unit: 'ms',
    target: TARGETS.roster_search.text,
    met: p95 <= 20,
    details: { queries: 'cycled: an email fragment ".<n>@" (1 hit), a full name (~' + Math.max(1, Math.round(C.BIG_MEMBERS / NAME_COMBINATIONS)) + ' hits), a 4-letter surname prefix (many hits); limit 50' },
    rounds,
  });
}

async function inviteBigScenario(app, ids, tokens) {
  const rounds = [];
  for (let r = 0; r < C.LATENCY_ROUNDS; r++) {
    const out = await probe({
      mode: 'invites',
      url: app.url,
      samples: C.INVITE_SAMPLES,
      warmup: 5,
      tag: `r${r}`,
      targets: [
        { name: 'big', token: tokens.big, orgId: ids.big },
        { name: 'tiny', token: tokens.tiny, orgId: ids.tiny },
      ],
    });
    for (const t of ['big', 'tiny']) if (out[t].ms.length === 0) throw new Error(`POST /invitations failed: ${out[t].lastError}`);
    rounds.push({ big: { p50: round(percentile(out.big.ms, 50), 3), p95: round(percentile(out.big.ms, 95), 3), failures: out.big.failures }, tiny: { p50: round(percentile(out.tiny.ms, 50), 3), p95: round(percentile(out.tiny.ms, 95), 3), failures: out.tiny.failures } });
    log(`invite round ${r + 1}: big p50 ${fmt(rounds[r].big.p50)} ms, tiny p50 ${fmt(rounds[r].tiny.p50)} ms`);
  }
  const big = median(rounds.map((r) => r.big.p50));
  const tiny = median(rounds.map((r) => r.tiny.p50));
  record({
    id: 'invite_big_org',
    scenario: `one invite on an organization of ${fmt(C.BIG_MEMBERS)} members`,
    figure: `p50 ${fmt(big)} ms`,
    value: round(big, 3),
    unit: 'ms',
    baseline: { label: `the same on a ${C.TINY_MEMBERS}-member org`, value: round(tiny, 3), display: `p50 ${fmt(tiny)} ms` },
    ratio: round(big / tiny, 2),
    target: TARGETS.invite_big_org.text,
    met: big / tiny <= 1.5,
    details: { measured: 'client-side latency of sequential POST /invitations (201), the two orgs interleaved, write-side state already cached' },
    rounds,
  });
}

// ------------------------------------------------------------------ table
function printTable() {
  const order = Object.keys(TARGETS);
  scenarios.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const rows = [['scenario', 'figure', 'baseline', 'ratio', 'target', 'met?']];
  for (const s of scenarios) {
    rows.push([
      s.scenario,
      s.figure,
      s.baseline ? `${s.baseline.display} (${s.baseline.label})` : '-',
      s.ratio === null || s.ratio === undefined ? '-' : fmt(s.ratio),
      s.target ?? '-',
      s.met === null ? 'n/a' : s.met ? 'yes' : 'NO',
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((v, c) => String(v).padEnd(widths[c])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
}

function gitInfo() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ main
async function main() {
  if (!exists(MAIN)) throw new Error('dist/apps/api/main.js is missing: run `npm run bench` (it builds first)');
  const startedAt = new Date().toISOString();
  const git = gitInfo(); // at the start: other engineers may commit while the run goes on
  const runDir = tempDir('run');
  log(`${QUICK ? 'QUICK mode' : 'full sizes'}; data in ${runDir}; ${os.cpus().length} cores, node ${process.version}`);
  const groups = [
    ['throughput', throughputGroup, ['invite_throughput']],
    ['ingest', ingestGroup, ['activity_ingestion']],
    ['lag', lagGroup, ['projection_lag']],
    ['big', bigGroup, ['roster_page', 'roster_search', 'invite_big_org', 'memory', 'start_to_health', 'projection_rebuild']],
  ];
  const timings = {};
  let failures = 0;
  for (const [name, fn, ids] of groups) {
    if (!runs(name)) continue;
    const t0 = nowMs();
    try {
      await fn(runDir);
    } catch (error) {
      failures++;
      log(`${name} failed: ${error.stack ?? error}`);
      for (const id of ids) if (!scenarios.some((s) => s.id === id)) notAvailable(id, null, `error: ${String(error.message ?? error).split('\n')[0].slice(0, 200)}`);
    }
    timings[name] = round((nowMs() - t0) / 1000, 1);
  }
  const durationSeconds = round((nowMs() - T0) / 1000, 1);
  console.log('');
  printTable();
  console.log(`\n${QUICK ? 'QUICK mode (small sizes: figures are not comparable with the targets). ' : ''}Run took ${fmt(durationSeconds)} s (${Object.entries(timings).map(([k, v]) => `${k} ${v} s`).join(', ')}); details in bench/results.json`);
  const results = {
    startedAt,
    durationSeconds,
    groupSeconds: timings,
    quick: QUICK,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadavgAtEnd: os.loadavg().map((x) => round(x, 2)) },
    git,
    constants: C,
    scenarios,
  };
  writeFileSync(join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (failures > 0 || process.env.BENCH_KEEP_DATA === '1') log(`kept ${runDir} (app logs: *.app.log)`);
  else removeDir(runDir);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
