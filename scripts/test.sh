#!/usr/bin/env bash
# One command: install what the tests need, type-check, build, and run every
# test (unit, store conformance, HTTP, security, interop, real-browser e2e)
# with node's test runner. Ends with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test || exit 1
npm run --silent typecheck || exit 1
npm run --silent build || exit 1

mkdir -p test-output
files=$(find src test -name '*.test.ts' | sort)
log=test-output/test-run.tap
node --import tsx --test --test-reporter=tap $files 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -E '^# pass ' "$log" | tail -1 | awk '{print $3}')
failed=$(grep -E '^# fail ' "$log" | tail -1 | awk '{print $3}')
cancelled=$(grep -E '^# cancelled ' "$log" | tail -1 | awk '{print $3}')
failed=$(( ${failed:-0} + ${cancelled:-0} ))
echo "${passed:-0} passed, ${failed} failed"
if [ "${passed:-0}" -eq 0 ]; then
  echo "no test was executed" >&2
  exit 1
fi
exit "$status"
