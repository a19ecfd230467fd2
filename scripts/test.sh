#!/usr/bin/env bash
# `npm test`: every suite on every runtime, then one line summing them all.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -rf .test-results && mkdir -p .test-results
bash scripts/install-runtimes.sh || exit 1
npm run --silent build >/dev/null || { echo "build failed"; exit 1; }

status=0
run() { # name, vitest args...
  local name=$1; shift
  npx vitest run "$@" --reporter=default --reporter=json --outputFile.json=".test-results/$name.json" || status=1
}
run main
run faults --config test/faults/vitest.config.ts
run browser --config test/browser/vitest.config.ts
node scripts/summarize.mjs .test-results/*.json || status=1
exit $status
