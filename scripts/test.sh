#!/usr/bin/env bash
# `npm test`: set up, type-check, lint, then every test against real nats-server and Docker.
# Ends with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "$1 failed"; echo "0 passed, 1 failed"; exit 1; }
bash scripts/setup.sh || fail "setup"
export TURBO_TELEMETRY_DISABLED=1
npx turbo run typecheck --output-logs=errors-only || fail "typecheck"
npx tsc -p test/tsconfig.json || fail "typecheck of test/"
npx tsc -p bench/tsconfig.json || fail "typecheck of bench/"
npx eslint . || fail "lint"
node scripts/check-shape.mjs || fail "shape (functions ≤ 60 lines, files ≤ 300)"
npx prettier --check . >/dev/null || { npx prettier --check . ; fail "format (npm run format)"; }
npx vitest run --reporter=default --reporter=json --outputFile=.corral/vitest.json "$@"
status=$?
STATUS=$status node -e '
  const r = JSON.parse(require("fs").readFileSync(".corral/vitest.json", "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A run that failed with every test green (an unhandled error) must not read as a pass.
  const failed = r.numFailedTests || (process.env.STATUS !== "0" ? 1 : 0);
  console.log(`${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || echo "0 passed, 1 failed"
exit $status
