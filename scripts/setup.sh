#!/usr/bin/env bash
# `npm run setup`: everything twostep needs on a fresh Debian machine, then the build.
#   scripts/setup.sh          Node.js 24 where the machine's node is older (scripts/runtime.sh),
#                             the npm dependencies (native modules built for that Node), the build
#   scripts/setup.sh --test   also Chromium, oathtool, zbar-tools and the PostgreSQL server from Debian
# `npm run quickstart` and `npm test` begin with it; running it again does only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=runtime.sh
source scripts/runtime.sh

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
  # Forward auth is tested behind a real nginx (test/instances/forward-auth-nginx.test.ts).
  [ -x /usr/sbin/nginx ] || apt_get_install nginx
  # The PostgreSQL run of the tests starts its own throwaway server (scripts/postgres-test-cluster.sh).
  # Debian puts the server binaries in /usr/lib/postgresql/<version>/bin, not on the PATH, so the
  # check looks there rather than for a command.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_get_install postgresql
fi

twostep_runtime_install
twostep_runtime_use

# Reinstall when package-lock.json or the Node.js ABI changed since the last install (native
# modules are built for one ABI). better-sqlite3 is built from source against this Node's
# headers: its prebuilt-binary download is from outside the package registries.
stamp=node_modules/.twostep-lock-stamp
want="$(node -p 'process.versions.modules') $(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm_config_build_from_source=better-sqlite3 npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$want" >"$stamp"
fi

npm run --silent build
