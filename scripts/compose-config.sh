#!/usr/bin/env bash
# Validates docker/docker-compose.yml (npm run docker:config): with the Compose v2 plugin when it is
# installed, else with the standalone docker-compose 1.29 (Debian's package `docker-compose`), which
# knows every key of the file except the top-level `name:` (newer than it), so that line is left out.
set -euo pipefail
cd "$(dirname "$0")/.."
file=docker/docker-compose.yml
# The file requires these in production; any value does for a syntax check.
export AUTH_JWT_SECRET=${AUTH_JWT_SECRET:-check} INVITATION_SECRET=${INVITATION_SECRET:-check}
if docker compose version >/dev/null 2>&1; then
  docker compose -f "$file" config --quiet
  echo "$file: valid (docker compose $(docker compose version --short))"
elif command -v docker-compose >/dev/null 2>&1; then
  copy=docker/.compose-check.yml # beside the original, so relative paths resolve alike
  trap 'rm -f "$copy"' EXIT
  sed '/^name: /d' "$file" >"$copy"
  docker-compose -f "$copy" config --quiet
  echo "$file: valid (docker-compose $(docker-compose version --short); the top-level name: is not checked by it)"
else
  echo "compose-config: neither 'docker compose' nor 'docker-compose' is installed (apt-get install docker-compose)" >&2
  exit 2
fi
