// Client-side latency probes, one request at a time on one keep-alive connection, timed with
// performance.now() from the first byte written to the last byte of the answer (µs resolution).
// Runs in its own process, like the load generator.
//
//   node bench/probe.mjs '<json config>'   ->  one JSON line
//
// modes:
//   latency  { targets: [{ name, token, path | paths[], pages? }], samples, warmup }
//            GETs, round-robin over the targets (so that noise hits every target alike). `pages`: follow
//            nextCursor for that many pages, then start again from the first page. `paths`: cycled.
//   invites  { targets: [{ name, token, orgId }], samples, warmup, tag }
//            POST /orgs/{orgId}/invitations with a fresh email, round-robin over the targets.
//   lag      { orgId, token, durationMs, intervalMs, lanes, tag }
//            in each of `lanes` loops, every intervalMs at most: POST an invitation on orgId, then measure
//            from the moment its 201 answer
//            has arrived until the invitation is visible in GET /orgs/{orgId}/members?status=invited&q=<email>:
//            odd probes poll that GET back to back ("poll"), even ones send it once with the command's
//            X-Position as X-Min-Position ("minPosition", the server waits for its read models).
import { httpRequest, newAgent, nowMs, sleep } from './lib.mjs';

const config = JSON.parse(process.argv[2]);
const agent = newAgent();
const get = (path, token, headers = {}) =>
  httpRequest('GET', `${config.url}${path}`, { agent, headers: { authorization: `Bearer ${token}`, ...headers } });
const post = (path, token, body) =>
  httpRequest('POST', `${config.url}${path}`, { agent, headers: { authorization: `Bearer ${token}` }, body });

async function latency() {
  const out = Object.fromEntries(config.targets.map((t) => [t.name, { ms: [], failures: 0, rows: 0, lastError: null }]));
  const state = config.targets.map(() => ({ cursor: null, page: 0, i: 0 }));
  for (let s = -config.warmup; s < config.samples; s++) {
    for (const [k, t] of config.targets.entries()) {
      const st = state[k];
      let path;
      if (t.paths) path = t.paths[st.i++ % t.paths.length];
      else path = st.cursor ? `${t.path}${t.path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(st.cursor)}` : t.path;
      const res = await get(path, t.token);
      const r = out[t.name];
      if (res.status !== 200) {
        if (s >= 0) r.failures++;
        r.lastError = `${res.status} ${res.text.slice(0, 200)}`;
        st.cursor = null;
        st.page = 0;
        continue;
      }
      const body = res.json();
      if (t.pages) {
        st.page++;
        st.cursor = body.nextCursor && st.page < t.pages ? body.nextCursor : null;
        if (!st.cursor) st.page = 0;
      }
      if (s >= 0) {
        r.ms.push(res.ms);
        r.rows += Array.isArray(body.items) ? body.items.length : 0;
      }
    }
  }
  for (const r of Object.values(out)) r.avgRows = r.ms.length ? r.rows / r.ms.length : 0;
  return out;
}

async function invites() {
  const out = Object.fromEntries(config.targets.map((t) => [t.name, { ms: [], failures: 0, lastError: null }]));
  let n = 0;
  for (let s = -config.warmup; s < config.samples; s++) {
    for (const t of config.targets) {
      const email = `probe.${config.tag}.${t.name}.${n++}@invitees.example.com`;
      const res = await post(`/orgs/${t.orgId}/invitations`, t.token, { email, role: 'member' });
      const r = out[t.name];
      if (res.status !== 201) {
        r.failures++;
        r.lastError = `${res.status} ${res.text.slice(0, 200)}`;
      } else if (s >= 0) r.ms.push(res.ms);
    }
  }
  return out;
}

async function lag() {
  const out = { poll: [], minPosition: [], pollRequests: [], failures: 0, lastError: null, commandMs: [] };
  const start = nowMs();
  // `lanes` independent probe loops, each on its own connection, so that a slow command answer (the
  // server is busy with the load) does not starve the sample count.
  const lane = async (l) => {
    const agent = newAgent();
    const request = (method, path, headers, body) =>
      httpRequest(method, `${config.url}${path}`, { agent, headers: { authorization: `Bearer ${config.token}`, ...headers }, body });
    for (let i = 0; nowMs() - start < config.durationMs; i++) {
      const slot = start + l * (config.intervalMs / config.lanes) + i * config.intervalMs;
      if (nowMs() < slot) await sleep(slot - nowMs());
      const email = `lag.${config.tag}.${l}.${i}@probes.example.com`;
      const path = `/orgs/${config.orgId}/members?status=invited&q=${encodeURIComponent(email)}&limit=1`;
      const command = await request('POST', `/orgs/${config.orgId}/invitations`, {}, { email, role: 'member' });
      if (command.status !== 201) {
        out.failures++;
        out.lastError = `${command.status} ${command.text.slice(0, 200)}`;
        continue;
      }
      out.commandMs.push(command.ms);
      const answered = command.at; // epoch ms when the last byte of the 201 arrived
      const visible = (res) => res.status === 200 && res.json().items.length > 0;
      if (i % 2 === 1) {
        let polls = 0;
        for (;;) {
          const res = await request('GET', path);
          polls++;
          if (visible(res)) {
            out.poll.push(res.at - answered);
            out.pollRequests.push(polls);
            break;
          }
          if (res.at - answered > 10_000) {
            out.failures++;
            out.lastError = `not visible after 10 s (${res.status})`;
            break;
          }
        }
      } else {
        const res = await request('GET', path, { 'x-min-position': command.headers['x-position'] });
        if (visible(res)) out.minPosition.push(res.at - answered);
        else {
          out.failures++;
          out.lastError = `X-Min-Position read answered ${res.status} ${res.text.slice(0, 200)}`;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: config.lanes }, (_, l) => lane(l)));
  return out;
}

const modes = { latency, invites, lag };
const result = await modes[config.mode]();
console.log(JSON.stringify(result));
