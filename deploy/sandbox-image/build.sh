#!/usr/bin/env bash
# Builds corral-sandbox:<VERSION> without any registry: a Debian bookworm rootfs made by mmdebstrap from
# the host's own apt mirror, imported with `docker import`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(cat "$here/VERSION")"
tag="corral-sandbox:$version"
# shellcheck source=../apt-mirror.sh
. "$here/../apt-mirror.sh"
mirror="$(apt_mirror)"
packages="bash,coreutils,findutils,grep,ripgrep,python3,git,curl,ca-certificates,procps,tini,sed,gawk,diffutils,less"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building $tag from $mirror" >&2
mmdebstrap --variant=minbase --include="$packages" \
  --customize-hook='chroot "$1" groupadd --gid 1000 corral' \
  --customize-hook='chroot "$1" useradd --uid 1000 --gid 1000 --home-dir /home/corral --create-home --shell /bin/bash corral' \
  --customize-hook='mkdir -p "$1/workspace" "$1/opt/corral" && chown 1000:1000 "$1/workspace"' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar" "deb $mirror bookworm main"

docker import \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /workspace' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/home/corral LANG=C.UTF-8' \
  --change 'CMD ["sleep", "infinity"]' \
  --change "LABEL corral.image=sandbox corral.image.version=$version" \
  "$work/rootfs.tar" "$tag" >/dev/null
docker tag "$tag" corral-sandbox:latest
echo "built $tag" >&2
