#!/usr/bin/env bash
# Builds corral-base:<node version>-<VERSION> without any registry: a Debian bookworm rootfs made by
# mmdebstrap from the host's own apt mirror, with this host's Node.js binary (the one Corral is built and
# tested with; bookworm's own nodejs is 18, below what fastify 5 and undici 7 support), Debian's
# nats-server, iptables (the sandbox-manager writes the sandboxes' firewall rules), iproute2 (the
# credential-proxy finds the sandbox bridges), tini and the CA
# certificates, and a user `corral` (uid 10001) to run as. Idempotent: an existing tag is kept.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_bin="$(readlink -f "$(command -v node)")"
node_version="$("$node_bin" --version | sed 's/^v//')"
tag="corral-base:${node_version}-$(cat "$here/VERSION")"
if docker image inspect "$tag" >/dev/null 2>&1; then echo "$tag"; exit 0; fi
# shellcheck source=../apt-mirror.sh
. "$here/../apt-mirror.sh"
mirror="$(apt_mirror)"
packages="ca-certificates,libstdc++6,tini,iptables,iproute2,nats-server"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building $tag from $mirror" >&2
mmdebstrap --variant=minbase --include="$packages" \
  --customize-hook="copy-in $node_bin /usr/local/bin" \
  --customize-hook='chroot "$1" groupadd --gid 10001 corral' \
  --customize-hook='chroot "$1" useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin corral' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar" "deb $mirror bookworm main"

docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 NODE_ENV=production' \
  --change "LABEL corral.image=base" \
  "$work/rootfs.tar" "$tag" >/dev/null
echo "$tag"
