#!/usr/bin/env bash
# Runs the suites that need the production engines, against the engines named by the variables:
#
#   EVENTSTORE_URL  KurrentDB / EventStoreDB, e.g. 'kurrentdb://127.0.0.1:2113?tls=false'
#   MONGODB_URL     MongoDB (a replica set), e.g. 'mongodb://127.0.0.1:27017/?directConnection=true'
#   REDIS_URL       Redis, e.g. 'redis://127.0.0.1:6379'
#
# For example, with the engines of docker/docker-compose.yml:
#   docker compose -f docker/docker-compose.yml up -d eventstore mongodb redis
#   EVENTSTORE_URL='kurrentdb://127.0.0.1:2113?tls=false' \
#   MONGODB_URL='mongodb://127.0.0.1:27017/?directConnection=true' \
#   REDIS_URL='redis://127.0.0.1:6379' scripts/test-engines.sh
#
# What it runs:
#   1. per engine that is set, the adapter suites (conformance and adapter tests) for that engine;
#   2. the end-to-end suite (test/*.e2e.ts) with the app on those engines (E2E_ON_ENGINES=true).
# It fails loudly when no variable is set, when a named engine does not answer, when a suite for an engine
# is missing or skipped, and when a step could not run on the engines. Extra arguments go to jest.
set -uo pipefail
cd "$(dirname "$0")/.."

red() { printf '\033[1;31m%s\033[0m\n' "$*" >&2; }
bold() { printf '\033[1m%s\033[0m\n' "$*"; }

engines=()
[[ -n "${EVENTSTORE_URL:-}" ]] && engines+=(EVENTSTORE_URL)
[[ -n "${MONGODB_URL:-}" ]] && engines+=(MONGODB_URL)
[[ -n "${REDIS_URL:-}" ]] && engines+=(REDIS_URL)
if [[ ${#engines[@]} -eq 0 ]]; then
  red "test-engines: none of EVENTSTORE_URL, MONGODB_URL, REDIS_URL is set: there is no engine to test against."
  red "Start them (docker compose -f docker/docker-compose.yml up -d eventstore mongodb redis) and name them;"
  red "see the header of scripts/test-engines.sh. (npm test covers the embedded engines.)"
  exit 2
fi

# --- 0. every named engine must answer (a TCP connection to its first host) -------------------------------
probe() {
  node -e '
    const net = require("node:net");
    const [name, raw, fallback] = process.argv.slice(1);
    const scheme = raw.split("://")[0];
    if (scheme.endsWith("+discover") || scheme.endsWith("+srv")) { console.log(`${name}: DNS discovery, not probed`); process.exit(0); }
    const authority = raw.replace(/^[a-z+]+:\/\//i, "").replace(/^[^@/]*@/, "").split(/[/?]/)[0].split(",")[0];
    const m = authority.match(/^\[?([^\]]+?)\]?(?::(\d+))?$/);
    const host = m ? m[1] : "127.0.0.1", port = Number(m && m[2] || fallback);
    const s = net.connect({ host, port, timeout: 3000 });
    s.on("connect", () => { console.log(`${name}: ${host}:${port} answers`); s.destroy(); process.exit(0); });
    const fail = (why) => { console.error(`${name}: ${host}:${port} does not answer (${why})`); process.exit(1); };
    s.on("timeout", () => fail("timeout")); s.on("error", (e) => fail(e.code || e.message));
  ' "$1" "$2" "$3"
}
unreachable=0
[[ -n "${EVENTSTORE_URL:-}" ]] && { probe EVENTSTORE_URL "$EVENTSTORE_URL" 2113 || unreachable=1; }
[[ -n "${MONGODB_URL:-}" ]] && { probe MONGODB_URL "$MONGODB_URL" 27017 || unreachable=1; }
[[ -n "${REDIS_URL:-}" ]] && { probe REDIS_URL "$REDIS_URL" 6379 || unreachable=1; }
if [[ $unreachable -ne 0 ]]; then
  red "test-engines: an engine named above does not answer; nothing was run."
  exit 1
fi

# --- 1. the adapter suites of each named engine --------------------------------------------------------
failures=()
suites=()
find_suites() { find apps libs test -type f \( -name "$1" \) 2>/dev/null | sort; }
if [[ -n "${EVENTSTORE_URL:-}" ]]; then
  suites+=(libs/platform/event-store/eventstoredb-event-store.spec.ts)
fi
if [[ -n "${MONGODB_URL:-}" ]]; then
  mapfile -t mongo < <(find_suites '*mongo*.spec.ts')
  if [[ ${#mongo[@]} -eq 0 ]]; then
    red "MONGODB_URL is set, but there is no MongoDB suite (*mongo*.spec.ts) in this version."
    failures+=("MongoDB: no suite")
  fi
  suites+=("${mongo[@]}")
fi
if [[ -n "${REDIS_URL:-}" ]]; then
  suites+=(libs/platform/jobs/bullmq-job-queue.spec.ts libs/platform/rate-limit/rate-limiter.spec.ts
           libs/platform/lease/redis-lease.spec.ts libs/platform/idempotency/idempotency-store.spec.ts test/lease.e2e.ts)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [[ ${#suites[@]} -gt 0 ]]; then
  bold "== adapter suites on ${engines[*]}: ${suites[*]}"
  # Not CI=true: that would also demand a local redis-server binary (the BullMQ outage tests start their own);
  # an engine that stops answering shows up as SKIPPED, caught below.
  if ! npx jest --runInBand --runTestsByPath "${suites[@]}" "$@" 2>&1 | tee "$log"; then
    failures+=("adapter suites")
  fi
  if grep -q 'SKIPPED' "$log"; then
    red "test-engines: a suite was SKIPPED although its engine is named:"
    grep 'SKIPPED' "$log" | sort -u >&2
    failures+=("skipped suites")
  fi
fi

# --- 2. the end-to-end suite with the app on the named engines ------------------------------------------
if grep -q 'E2E_ON_ENGINES' test/support/test-app.ts 2>/dev/null; then
  bold "== end-to-end suite on ${engines[*]}"
  if ! npm run build --silent; then
    failures+=("build")
  elif ! E2E_ON_ENGINES=true npx jest --runInBand test/ "$@" 2>&1 | tee "$log"; then
    failures+=("end-to-end suite")
  elif grep -q 'SKIPPED' "$log"; then
    red "test-engines: end-to-end tests were SKIPPED although their engine is named:"
    grep 'SKIPPED' "$log" | sort -u >&2
    failures+=("skipped end-to-end tests")
  fi
else
  red "test-engines: the end-to-end suite was NOT run on the engines: test/support/test-app.ts does not pass"
  red "EVENTSTORE_URL / MONGODB_URL / REDIS_URL to the app yet (it must when E2E_ON_ENGINES=true)."
  failures+=("end-to-end suite not run")
fi

if [[ ${#failures[@]} -gt 0 ]]; then
  red "test-engines: FAILED (${failures[*]})"
  exit 1
fi
bold "test-engines: passed on ${engines[*]}"
