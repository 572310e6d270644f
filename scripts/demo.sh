#!/usr/bin/env bash
# Builds everything (server, extension bundle) and analyses the bundled sample, printing the verdicts.
# Usage: scripts/demo.sh [--format json]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npm run --silent build >/dev/null
exec dotnet server-dist/allocation-lens.dll analyze samples/ "$@"
