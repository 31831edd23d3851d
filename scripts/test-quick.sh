#!/usr/bin/env bash
# `npm run test:quick`: the inner loop while developing. Every test but the real-browser ones
# (test/e2e/), on SQLite only, in two groups side by side (scripts/test-groups.sh), without the
# setup, type-check or PostgreSQL of `npm test` (run `npm run setup` once first). `npm test`
# stays the whole truth.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=runtime.sh
source scripts/runtime.sh
twostep_runtime_use || exit 1
# shellcheck source=test-groups.sh
source scripts/test-groups.sh
started=$(date +%s)
# store/postgres.test.ts is the PostgreSQL conformance run: `npm test` has it.
files=$(find src test -name '*.test.ts' -not -path 'test/e2e/*' -not -path 'test/store/postgres.test.ts' | sort)
mapfile -t halves < <(split_round_robin 2 $files)
run_test_groups "quick-1 sqlite ${halves[0]}" "quick-2 sqlite ${halves[1]}" | grep -vE '^ +(---|\.\.\.|duration_ms|type:)' | grep -E '^(not ok|==|# (pass|fail|cancelled))|^ +(error|not ok)' 
node --import tsx scripts/slowest-files.ts --top 10 quick=test-output/file-times-quick-1.jsonl quick=test-output/file-times-quick-2.jsonl
read -r passed failed <<<"$(tap_counts quick-1 quick-2)"
echo "test:quick took $(( $(date +%s) - started )) s on Node.js $(node --version)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
