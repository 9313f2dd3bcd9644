#!/usr/bin/env bash
# Prepares what deploy/compose/docker-compose.yml mounts, once (idempotent: identities and the master key
# are kept on later runs): the NATS users and one config per node (`corral nats-config`), the credential
# master key, and the nodes' data directory, all owned by the image's user (uid 10001) and private.
# CORRAL_COMPOSE_DIR: where (default deploy/compose/generated; ignored by git, it holds secrets).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(realpath -m "${CORRAL_COMPOSE_DIR:-$root/deploy/compose/generated}")"
node "$root/packages/cli/bin/corral.mjs" nats-config --out "$out" --nodes 3 --hosts nats-1,nats-2,nats-3 \
  --mount /etc/nats --data /data >/dev/null
[ -s "$out/master.key" ] || (umask 077 && openssl rand -base64 32 >"$out/master.key")
mkdir -p "$out/data"
chown -R 10001:10001 "$out"
# The sandbox-manager runs as root without capabilities (no DAC override): its seed is root's own.
chown 0:0 "$out/auth/sandbox-manager.nk"
chmod -R go-rwx "$out"
echo "$out"
