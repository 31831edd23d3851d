#!/usr/bin/env bash
# One command: set up (Node.js 24 where the machine's is older, dependencies, build), migrate a
# new SQLite database under ./data, load the demo data and serve http://localhost:3000 in
# development (logins are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=runtime.sh
source scripts/runtime.sh
twostep_runtime_use
# twostep is production unless told otherwise; the quick start is a try-out on this machine
# (generated key, texts and emails on /dev/outbox), so it asks for development.
export TWOSTEP_ENV="${TWOSTEP_ENV:-development}"
node dist/cli/main.js migrate
# The server's node flags and glibc malloc settings live in package.json (config.serverNodeFlags,
# config.serverMallocArenaMax, serverMallocMmapThreshold, serverMallocTrimThreshold), as for
# `npm start`; the benchmark uses the same.
flags=$(node -p 'require("./package.json").config.serverNodeFlags')
MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-$(node -p 'require("./package.json").config.serverMallocArenaMax')}"
MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-$(node -p 'require("./package.json").config.serverMallocMmapThreshold')}"
MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-$(node -p 'require("./package.json").config.serverMallocTrimThreshold')}"
export MALLOC_ARENA_MAX MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_
exec node $flags dist/server.js --demo
