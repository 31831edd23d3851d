#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, in a temporary folder.
#
#   bash scripts/postgres-test-cluster.sh CMD ARGS...   start a cluster, run CMD with
#        TWOSTEP_TEST_POSTGRES_URL exported, then stop and delete the cluster; exits with CMD's status
#   source scripts/postgres-test-cluster.sh             defines pg_test_cluster_start / pg_test_cluster_stop
#        (start exports TWOSTEP_TEST_POSTGRES_URL; the caller sets the trap that calls stop)
#
# It uses Debian's `postgresql` package (scripts/setup.sh --test installs it) and finds
# initdb/pg_ctl in /usr/lib/postgresql/<version>/bin: the /usr/local/bin links that some
# machines have are not relied on. initdb refuses to run as root, so as root the server runs
# as the `postgres` OS user. The server listens on 127.0.0.1 only, on a free port, with its
# unix socket inside the temporary folder, and password authentication (a random password per
# run, so other local users cannot use it). fsync is off: the data is thrown away anyway.
# Any failure to start is loud and fatal: no test is skipped because PostgreSQL is missing.

pg_test_cluster_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
    echo "postgres-test-cluster: no PostgreSQL server found in /usr/lib/postgresql/*/bin (run: bash scripts/setup.sh --test)" >&2
    return 1
  fi
  echo "$bin"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
pg_test_cluster_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_test_cluster_start() {
  local bin port password
  bin=$(pg_test_cluster_bin) || return 1
  # The benchmark asks for a durable server (PG_TEST_CLUSTER_DURABLE=1): fsync and full-page writes
  # on, commits not waiting for their flush, which is what SQLite's WAL with synchronous=NORMAL
  # gives (no corruption on a crash; the last commits may be lost on power loss).
  local durability="-c fsync=off -c full_page_writes=off"
  [ "${PG_TEST_CLUSTER_DURABLE:-0}" = "1" ] && durability="-c fsync=on -c full_page_writes=on"
  PG_TEST_CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/twostep-pg-XXXXXX") || return 1
  export PG_TEST_CLUSTER_DIR PG_TEST_CLUSTER_BIN="$bin"
  mkdir -p "$PG_TEST_CLUSTER_DIR/data" "$PG_TEST_CLUSTER_DIR/socket"
  password=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(18).toString("base64url"))')
  printf '%s\n' "$password" >"$PG_TEST_CLUSTER_DIR/pwfile"
  chmod 700 "$PG_TEST_CLUSTER_DIR"
  chmod 600 "$PG_TEST_CLUSTER_DIR/pwfile"
  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "postgres-test-cluster: running as root but there is no 'postgres' OS user to run the server" >&2
      return 1
    fi
    chown -R postgres: "$PG_TEST_CLUSTER_DIR"
  fi
  if ! pg_test_cluster_as_owner "$bin/initdb" -D "$PG_TEST_CLUSTER_DIR/data" -U twostep --pwfile="$PG_TEST_CLUSTER_DIR/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$PG_TEST_CLUSTER_DIR/initdb.log" 2>&1; then
    echo "postgres-test-cluster: initdb failed:" >&2
    cat "$PG_TEST_CLUSTER_DIR/initdb.log" >&2
    return 1
  fi
  # A free port can be taken between the check and the bind: try a few.
  local attempt started=""
  for attempt in 1 2 3 4 5; do
    port=$(node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})')
    if pg_test_cluster_as_owner "$bin/pg_ctl" -D "$PG_TEST_CLUSTER_DIR/data" -l "$PG_TEST_CLUSTER_DIR/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TEST_CLUSTER_DIR/socket $durability -c synchronous_commit=off -c max_connections=300" \
      >/dev/null 2>&1; then
      started=yes
      break
    fi
  done
  if [ -z "$started" ]; then
    echo "postgres-test-cluster: the server did not start; its log:" >&2
    cat "$PG_TEST_CLUSTER_DIR/server.log" >&2
    return 1
  fi
  if ! PGPASSWORD=$password "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U twostep -d postgres -c "create database twostep_test" >/dev/null; then
    echo "postgres-test-cluster: could not create the test database" >&2
    return 1
  fi
  export TWOSTEP_TEST_POSTGRES_URL="postgres://twostep:${password}@127.0.0.1:${port}/twostep_test"
  echo "postgres-test-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_TEST_CLUSTER_DIR)" >&2
}

pg_test_cluster_stop() {
  [ -n "${PG_TEST_CLUSTER_DIR:-}" ] && [ -d "$PG_TEST_CLUSTER_DIR" ] || return 0
  pg_test_cluster_as_owner "$PG_TEST_CLUSTER_BIN/pg_ctl" -D "$PG_TEST_CLUSTER_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_CLUSTER_DIR"
  unset PG_TEST_CLUSTER_DIR TWOSTEP_TEST_POSTGRES_URL
}

# Executed (not sourced): wrap the given command.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  if [ $# -eq 0 ]; then
    echo "usage: bash scripts/postgres-test-cluster.sh COMMAND [ARGS...]" >&2
    exit 2
  fi
  trap pg_test_cluster_stop EXIT
  trap 'exit 130' INT TERM
  pg_test_cluster_start || exit 1
  "$@"
  exit $?
fi
