#!/usr/bin/env bash
# `npm test`: set up, type-check, lint, then every test against real nats-server and Docker.
# Ends with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export TURBO_TELEMETRY_DISABLED=1
npx turbo run typecheck --output-logs=errors-only || exit 1
npx tsc -p test/tsconfig.json || exit 1
npx tsc -p bench/tsconfig.json || exit 1
npx eslint . || exit 1
npx vitest run --reporter=default --reporter=json --outputFile=.corral/vitest.json "$@"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".corral/vitest.json", "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || echo "0 passed, 1 failed"
exit $status
