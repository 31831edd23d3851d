#!/usr/bin/env bash
# Installs what twostep needs on a fresh Debian machine with Node 20:
# system packages for the tests (when asked) and the npm dependencies.
#   scripts/install.sh          npm dependencies only (to run the server)
#   scripts/install.sh --test   also Chromium, oathtool, zbar-tools and the PostgreSQL server from Debian
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local missing=()
  for pair in "$@"; do
    local command=${pair%%:*} package=${pair##*:}
    command -v "$command" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_get_install "${missing[@]}"
}

apt_get_install() {
  echo "Installing Debian packages: $*"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# A compiler for native modules (argon2, better-sqlite3) when no prebuilt binary fits.
apt_install g++:g++ make:make python3:python3
if [ "${1:-}" = "--test" ]; then
  apt_install chromium:chromium oathtool:oathtool zbarimg:zbar-tools
  # The PostgreSQL run of the tests starts its own throwaway server (scripts/postgres-test-cluster.sh).
  # Debian puts the server binaries in /usr/lib/postgresql/<version>/bin, not on the PATH, so the
  # check looks there rather than for a command.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_get_install postgresql
fi

# Reinstall when package-lock.json changed since the last install.
stamp=node_modules/.twostep-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
