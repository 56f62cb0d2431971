#!/usr/bin/env bash
# Build webapp/ into webapp/dist when its sources changed (npm ci only when the lockfile did).
set -euo pipefail
cd "$(dirname "$0")/../webapp"
[ -f package.json ] || { echo "webapp: no package.json yet, nothing to build"; exit 0; }
command -v npm >/dev/null || { echo "webapp: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.stamp ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.stamp
fi
newest_src=$(find src public index.html package.json vite.config.* tsconfig*.json -type f -newer dist/index.html 2>/dev/null | head -1 || true)
if [ ! -f dist/index.html ] || [ -n "$newest_src" ]; then
  npm run --silent build
fi
