#!/usr/bin/env bash
# `npm run test:quick`: the inner loop while developing. Every test but the real-browser ones
# (test/e2e/), on SQLite only, three files at a time, without the install, type-check or build
# steps of `npm test` (run `npm run setup` once first). `npm test` stays the whole truth.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=runtime.sh
source scripts/runtime.sh
twostep_runtime_use || exit 1
started=$(date +%s)
files=$(find src test -name '*.test.ts' -not -path 'test/e2e/*' | sort)
TWOSTEP_TEST_DATABASE=sqlite node --import tsx --test --test-concurrency="${TWOSTEP_TEST_CONCURRENCY:-3}" \
  --test-reporter=spec --test-reporter-destination=stdout $files
status=$?
echo "test:quick took $(( $(date +%s) - started )) s on Node.js $(node --version)"
exit $status
