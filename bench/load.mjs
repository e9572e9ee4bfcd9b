// The HTTP load generator: autocannon, run in its own process so that it never shares an event loop
// (or a core's time slice accounting) with the app or the orchestrator.
//
//   node bench/load.mjs '<json config>'   ->  one JSON line with the result
//
// config: { url, kind: 'hello' | 'invite' | 'activity', connections, duration? (s), amount? (requests),
//           overallRate? (req/s), token?, orgIds?, actors?, batch?, tag }
// Every invite has a fresh email (the same email twice would be 409 invitation_pending); every activity
// batch has fresh item ids and actors drawn from `actors` (service token, as another backend would send).
import autocannon from 'autocannon';

const config = JSON.parse(process.argv[2]);
const tag = config.tag ?? `${process.pid}-${Date.now().toString(36)}`;
let counter = 0;
let maxPosition = 0;
const statuses = {};

function onResponse(status, _body, _context, headers) {
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (headers) {
    const value = headers['x-position'] ?? headers['X-Position'];
    const position = Number(value);
    if (Number.isFinite(position) && position > maxPosition) maxPosition = position;
  }
}

function requests() {
  const auth = config.token ? { authorization: `Bearer ${config.token}` } : {};
  switch (config.kind) {
    case 'hello':
      return [{ method: 'GET', path: '/', onResponse }];
    case 'invite':
      return [
        {
          method: 'POST',
          path: '/',
          headers: { ...auth, 'content-type': 'application/json' },
          setupRequest(request) {
            const n = counter++;
            const orgId = config.orgIds[n % config.orgIds.length];
            request.path = `/orgs/${orgId}/invitations`;
            request.body = JSON.stringify({ email: `load.${tag}.${n}@invitees.example.com`, role: n % 10 === 0 ? 'admin' : 'member' });
            return request;
          },
          onResponse,
        },
      ];
    case 'activity': {
      const types = ['asset_imported', 'asset_deployed', 'audit_run'];
      const actors = config.actors;
      return [
        {
          method: 'POST',
          path: '/',
          headers: { ...auth, 'content-type': 'application/json' },
          setupRequest(request) {
            const n = counter++;
            const orgId = config.orgIds[n % config.orgIds.length];
            const items = new Array(config.batch);
            for (let k = 0; k < config.batch; k++) {
              const i = n * config.batch + k;
              items[k] = { type: types[i % 3], id: `${tag}-${i}`, actorId: actors[(i * 7919) % actors.length] };
            }
            request.path = `/orgs/${orgId}/activity`;
            request.body = JSON.stringify({ items });
            return request;
          },
          onResponse,
        },
      ];
    }
    default:
      throw new Error(`unknown kind ${config.kind}`);
  }
}

const options = {
  url: config.url,
  connections: config.connections,
  pipelining: 1,
  timeout: config.timeout ?? 30,
  requests: requests(),
  ...(config.amount ? { amount: config.amount } : { duration: config.duration }),
  ...(config.overallRate ? { overallRate: config.overallRate } : {}),
};

const startedAt = performance.timeOrigin + performance.now();
const result = await autocannon(options);
const endedAt = performance.timeOrigin + performance.now();
const ok = result['2xx'];
// autocannon's `duration` is the whole run in seconds; ours is measured the same way, in ms.
const seconds = (endedAt - startedAt) / 1000;
console.log(
  JSON.stringify({
    kind: config.kind,
    startedAt,
    endedAt,
    seconds,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    okPerSecond: ok / seconds,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    maxPosition,
  }),
);
