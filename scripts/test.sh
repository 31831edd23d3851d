#!/usr/bin/env bash
# One command: set up what the tests need (scripts/setup.sh --test: Node.js 24 where the
# machine's is older, Debian packages, dependencies, the build), type-check, and run every
# test (unit, store conformance, HTTP, security, interop, real-browser e2e) with node's test
# runner on SQLite; and with a throwaway PostgreSQL server (scripts/postgres-test-cluster.sh)
# the database-dependent tests (store, HTTP, security, instances, command line) again on it.
# The files run in groups, one process each, side by side (scripts/test-groups.sh). Prints the
# 15 slowest files and ends with one plain "N passed, N failed" line summing every group.
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
# shellcheck source=test-groups.sh
source scripts/test-groups.sh
rm -rf test-output/*.files test-output/*.tap test-output/*.status test-output/*.out test-output/file-times-*.jsonl

# SQLite: every file (the browser journeys in a group of their own, one Chromium at a time).
# PostgreSQL: the files that touch the database.
sqlite_files=$(find src test -name '*.test.ts' -not -path 'test/e2e/*' | sort)
browser_files=$(find test/e2e -name '*.test.ts' | sort)
postgres_files=$( (find test/store test/http test/security test/instances test/cli test/apps test/oidc -name '*.test.ts'; echo test/cli.test.ts) | sort)
mapfile -t sqlite_halves < <(split_round_robin 2 $sqlite_files)
mapfile -t postgres_halves < <(split_round_robin 2 $postgres_files)
echo "== $(echo $sqlite_files | wc -w) files on SQLite, $(echo $browser_files | wc -w) in Chromium (SQLite), $(echo $postgres_files | wc -w) on PostgreSQL"
run_test_groups \
  "sqlite-1 sqlite ${sqlite_halves[0]}" "sqlite-2 sqlite ${sqlite_halves[1]}" "browser sqlite $browser_files" \
  "postgres-1 postgres ${postgres_halves[0]}" "postgres-2 postgres ${postgres_halves[1]}"

node --import tsx scripts/slowest-files.ts SQLite=test-output/file-times-sqlite-1.jsonl SQLite=test-output/file-times-sqlite-2.jsonl \
  Chromium=test-output/file-times-browser.jsonl PostgreSQL=test-output/file-times-postgres-1.jsonl PostgreSQL=test-output/file-times-postgres-2.jsonl
echo "Whole suite (setup, typecheck, both databases): $(( $(date +%s) - suite_started )) s on Node.js $(node --version)"

read -r sqlite_passed sqlite_failed <<<"$(tap_counts sqlite-1 sqlite-2 browser)"
read -r postgres_passed postgres_failed <<<"$(tap_counts postgres-1 postgres-2)"
echo "SQLite: ${sqlite_passed} passed, ${sqlite_failed} failed; PostgreSQL: ${postgres_passed} passed, ${postgres_failed} failed"
echo "$(( sqlite_passed + postgres_passed )) passed, $(( sqlite_failed + postgres_failed )) failed"
if [ "$sqlite_passed" -eq 0 ] || [ "$postgres_passed" -eq 0 ]; then
  echo "no test was executed on one of the databases" >&2
  exit 1
fi
[ "$(( sqlite_failed + postgres_failed ))" -eq 0 ]
