#!/usr/bin/env bash
# One command: set up what the tests need (scripts/setup.sh --test: Node.js 24 where the
# machine's is older, Debian packages, dependencies, the build), type-check, and run every
# test (unit, store conformance, HTTP, security, interop, real-browser e2e)
# with node's test runner on SQLite; then start a throwaway PostgreSQL server
# (scripts/postgres-test-cluster.sh) and run the database-dependent tests
# (store, HTTP, security, command line) again on it. Ends with one plain
# "N passed, N failed" line summing both runs.
set -uo pipefail
cd "$(dirname "$0")/.."
suite_started=$(date +%s)
bash scripts/setup.sh --test || exit 1
# shellcheck source=runtime.sh
source scripts/runtime.sh
twostep_runtime_use || exit 1
echo "Running the tests on Node.js $(node --version) ($(command -v node))"
npm run --silent typecheck || exit 1

# shellcheck source=postgres-test-cluster.sh
source scripts/postgres-test-cluster.sh
trap pg_test_cluster_stop EXIT
trap 'exit 130' INT TERM
# Started first, so a machine that cannot run PostgreSQL fails at once and loudly.
pg_test_cluster_start || { echo "PostgreSQL could not be started: the PostgreSQL run cannot happen" >&2; exit 1; }

mkdir -p test-output

# Prints "<pass> <fail>" from a TAP log (cancelled tests count as failed).
tap_counts() {
  local passed failed cancelled
  passed=$(grep -E '^# pass ' "$1" | tail -1 | awk '{print $3}')
  failed=$(grep -E '^# fail ' "$1" | tail -1 | awk '{print $3}')
  cancelled=$(grep -E '^# cancelled ' "$1" | tail -1 | awk '{print $3}')
  echo "${passed:-0} $(( ${failed:-0} + ${cancelled:-0} ))"
}

# Test files run three at a time (node's default is one fewer than the CPUs: one on a 2-CPU
# CI machine), since much of a file's time is spent waiting on an argon2 worker, Chromium or
# PostgreSQL; each file has its own database (SQLite in memory; on PostgreSQL a database of its
# own cloned from a migrated template, test/helpers/database.ts).
concurrency=${TWOSTEP_TEST_CONCURRENCY:-3}
# Beside the TAP on stdout, each file's time goes to a JSON-lines file for the slowest-files list.
reporters() { echo "--test-reporter=tap --test-reporter-destination=stdout --test-reporter=./test/reporters/file-times.ts --test-reporter-destination=$1"; }

sqlite_log=test-output/test-run.tap
files=$(find src test -name '*.test.ts' | sort)
echo "== every test, on SQLite"
started=$(date +%s)
TWOSTEP_TEST_DATABASE=sqlite node --import tsx --test --test-concurrency="$concurrency" $(reporters test-output/file-times-sqlite.jsonl) $files 2>&1 | tee "$sqlite_log"
sqlite_status=${PIPESTATUS[0]}
echo "SQLite run: $(( $(date +%s) - started )) s"

postgres_log=test-output/test-run-postgres.tap
postgres_files=$( (find test/store test/http test/security test/instances test/cli -name '*.test.ts'; echo test/cli.test.ts) | sort)
echo "== store, HTTP, security, instances and command-line tests, on PostgreSQL"
started=$(date +%s)
TWOSTEP_TEST_DATABASE=postgres node --import tsx --test --test-concurrency="$concurrency" $(reporters test-output/file-times-postgres.jsonl) $postgres_files 2>&1 | tee "$postgres_log"
postgres_status=${PIPESTATUS[0]}
echo "PostgreSQL run: $(( $(date +%s) - started )) s"

node --import tsx scripts/slowest-files.ts SQLite=test-output/file-times-sqlite.jsonl PostgreSQL=test-output/file-times-postgres.jsonl
echo "Whole suite (setup, typecheck, both databases): $(( $(date +%s) - suite_started )) s on Node.js $(node --version)"

read -r sqlite_passed sqlite_failed <<<"$(tap_counts "$sqlite_log")"
read -r postgres_passed postgres_failed <<<"$(tap_counts "$postgres_log")"
echo "SQLite: ${sqlite_passed} passed, ${sqlite_failed} failed; PostgreSQL: ${postgres_passed} passed, ${postgres_failed} failed"
echo "$(( sqlite_passed + postgres_passed )) passed, $(( sqlite_failed + postgres_failed )) failed"
if [ "$sqlite_passed" -eq 0 ] || [ "$postgres_passed" -eq 0 ]; then
  echo "no test was executed on one of the databases" >&2
  exit 1
fi
[ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ] && [ "$(( sqlite_failed + postgres_failed ))" -eq 0 ]
