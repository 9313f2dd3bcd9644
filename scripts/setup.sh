#!/usr/bin/env bash
# Installs and starts what Corral needs, idempotently: Debian packages, dockerd, the sandbox image, the
# service images' base and the npm dependencies. Prints one line per thing it had to do; silent when all is in place.
#   CORRAL_SKIP_DOCKER=1  skip dockerd and the sandbox image (session-store work needs neither)
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
say() { echo "setup: $*" >&2; }

missing=()
command -v nats-server >/dev/null || missing+=(nats-server)
command -v ip >/dev/null || missing+=(iproute2)
# The web console's browser test (test/console.test.ts) drives Debian's chromium through playwright-core.
command -v chromium >/dev/null || missing+=(chromium)
if [ "${CORRAL_SKIP_DOCKER:-0}" != 1 ]; then
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${CORRAL_SKIP_DOCKER:-0}" != 1 ]; then
  if ! docker info >/dev/null 2>&1; then
    say "starting dockerd (log: /var/log/corral-dockerd.log)"
    as_root bash -c 'nohup dockerd > /var/log/corral-dockerd.log 2>&1 &'
    for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { say "dockerd did not start; see /var/log/corral-dockerd.log"; exit 1; }
  fi
  version="$(cat deploy/sandbox-image/VERSION)"
  if ! docker image inspect "corral-sandbox:$version" >/dev/null 2>&1; then
    say "building the sandbox image corral-sandbox:$version (about a minute)"
    bash deploy/sandbox-image/build.sh
  fi
  # The service images' base (Debian, Node.js, nats-server): built once, kept by its tag.
  bash deploy/images/build-base.sh >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  # No dependency's install script runs (they would run as root here): none is needed. esbuild's
  # platform binary comes as an optional dependency; ssh2/cpu-features' native parts are optional.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
mkdir -p .corral
