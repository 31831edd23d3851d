#!/usr/bin/env bash
# Runs test files in groups, sourced by scripts/test.sh and scripts/test-quick.sh.
#
# Each group is ONE node process that runs its files one after another (node's test runner with
# --test-isolation=none): the app's modules, tsx's transforms and the compiled schemas are loaded
# once per group instead of once per file. With a process per file (node's default) the suite
# spent most of its CPU starting processes: 160 non-browser files took 430 s of CPU and 219 s on
# 2 cores; as one group, 57 s of CPU. Groups run side by side. Every file still gets its own
# database (an in-memory SQLite, or a PostgreSQL database cloned from the migrated template);
# tests that change process.env restore it. --test-force-exit ends a group once its tests are
# done, whatever a test left open (a leaked handle must not hang CI). Each group's files are
# checked against the files that reported tests, so a file that never ran is a failure, not a
# smaller total.
#
#   run_test_groups "NAME DATABASE FILE…" …   starts every group, waits, prints each group's TAP
# Leaves test-output/NAME.files, NAME.tap, NAME.status and file-times-NAME.jsonl per group.

# Splits the words of $2 round-robin into $1 lists, one per line.
split_round_robin() {
  local parts=$1 index=0 word
  local -a lists=()
  shift
  for word in $*; do
    lists[index % parts]+="$word "
    index=$((index + 1))
  done
  for ((index = 0; index < parts; index++)); do echo "${lists[index]:-}"; done
}

run_test_group() {
  local name=$1 database=$2
  shift 2
  TWOSTEP_TEST_DATABASE=$database node --import tsx --test --test-isolation=none --test-force-exit \
    --test-reporter=tap --test-reporter-destination="test-output/$name.tap" \
    --test-reporter=./test/reporters/file-times.ts --test-reporter-destination="test-output/file-times-$name.jsonl" \
    "$@" >"test-output/$name.out" 2>&1
  echo $? >"test-output/$name.status"
}

# run_test_groups "name database file…" …: one argument per group.
run_test_groups() {
  local group name database started
  local -a names=()
  started=$(date +%s)
  mkdir -p test-output
  for group in "$@"; do
    # File lists may come one per line (find): one line of words here.
    read -r name database files <<<"${group//$'\n'/ }"
    [ -n "$files" ] || continue
    names+=("$name")
    echo $files | tr ' ' '\n' >"test-output/$name.files"
    # shellcheck disable=SC2086
    run_test_group "$name" "$database" $files &
  done
  wait
  for name in "${names[@]}"; do
    echo "== $name: $(grep -cE '^# Subtest' "test-output/$name.tap") top-level tests, exit $(cat "test-output/$name.status")"
    cat "test-output/$name.tap"
    # Anything the group printed outside its tests (a crash of the runner itself).
    [ -s "test-output/$name.out" ] && cat "test-output/$name.out"
  done
  echo "groups ${names[*]}: $(($(date +%s) - started)) s"
}

# Prints "<pass> <fail>" summed over the named groups' TAP (cancelled tests count as failed; a
# group whose process failed with no failing test, a crash of the runner, counts as one failure,
# and so does each file of the group that reported no test).
tap_counts() {
  local passed=0 failed=0 name field group_failed
  for name in "$@"; do
    field() { grep -E "^# $1 " "test-output/$name.tap" 2>/dev/null | tail -1 | awk '{print $3}'; }
    group_failed=$(( $(field fail || true) + $(field cancelled || true) ))
    [ "$(cat "test-output/$name.status" 2>/dev/null || echo 1)" != "0" ] && [ "$group_failed" -eq 0 ] && group_failed=1
    # A file that reported no test never ran (or the group ended before it): one failure each.
    while read -r file; do
      [ -n "$file" ] || continue
      if ! grep -qF "\"file\":\"$PWD/$file\"" "test-output/file-times-$name.jsonl" 2>/dev/null; then
        echo "group $name: $file reported no test" >&2
        group_failed=$((group_failed + 1))
      fi
    done <"test-output/$name.files"
    passed=$((passed + $(field pass || true)))
    failed=$((failed + group_failed))
  done
  echo "$passed $failed"
}
