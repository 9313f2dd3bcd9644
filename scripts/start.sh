#!/usr/bin/env bash
# `npm start`: install what is missing, compile the services, then run the whole stack on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
exec node packages/cli/bin/corral.mjs up
