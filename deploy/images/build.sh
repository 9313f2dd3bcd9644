#!/usr/bin/env bash
# Builds corral:<version> (the root package.json's version) from the compiled services: the base image
# (build-base.sh) plus every service's bundle, the CLI and the sandbox executor. No registry is asked: the
# base is local and Docker's classic builder only copies files onto it. Prints the tag.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(node -p "require('$root/package.json').version")"
tag="corral:$version"
base="$(bash "$here/build-base.sh")"
(cd "$root" && npm run --silent build >/dev/null)

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
for service in session-store harness gateway sandbox-manager credential-proxy; do
  mkdir -p "$context/opt/corral/services/$service"
  cp -r "$root/services/$service/dist" "$context/opt/corral/services/$service/"
done
mkdir -p "$context/opt/corral/services/sandbox-manager/executor" "$context/opt/corral/packages/cli"
cp "$root/services/sandbox-manager/executor/corral_exec.py" "$context/opt/corral/services/sandbox-manager/executor/"
cp -r "$root/packages/cli/dist" "$context/opt/corral/packages/cli/"
# The web console the gateway serves at / (found beside its bundle: ../../../packages/console/dist).
mkdir -p "$context/opt/corral/packages/console"
cp -r "$root/packages/console/dist" "$context/opt/corral/packages/console/"
cp "$here/Dockerfile" "$here/corral-entry" "$context/"
log="$(mktemp)"
trap 'rm -rf "$context" "$log"' EXIT
DOCKER_BUILDKIT=0 docker build --quiet --build-arg "BASE=$base" --label "corral.image=services" \
  --label "corral.image.version=$version" -t "$tag" "$context" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
echo "$tag"
