#!/usr/bin/env bash
# `npm run bench -- <name>`: runs bench/<name>/run.ts (all of them when no name is given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(ls bench | grep -v '^lib$' | grep -v tsconfig))
for name in "${names[@]}"; do node --import tsx "bench/$name/run.ts"; done
