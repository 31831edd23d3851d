#!/usr/bin/env bash
# One command: install, build, migrate a new SQLite database under ./data,
# load the demo data and serve http://localhost:3000 (logins are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run build --silent
node dist/cli/main.js migrate
exec node dist/http/server.js --demo
