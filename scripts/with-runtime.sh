#!/usr/bin/env bash
# Runs a command on Node.js 24: the machine's where it is 24 or later, else the project-local one
# that `npm run setup` installs (scripts/runtime.sh). package.json's start, bench and test scripts use it.
#   bash scripts/with-runtime.sh node dist/server.js
set -euo pipefail
# shellcheck source=runtime.sh
source "$(dirname "$0")/runtime.sh"
twostep_runtime_use
exec "$@"
