#!/usr/bin/env bash
# Run every test: unit, API on SQLite and on PostgreSQL, browser.
# With CI=true nothing may be skipped for a missing service: start and install it.
set -euo pipefail
cd "$(dirname "$0")/.."

export RAYON_TEST_POSTGRES_URL=${RAYON_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up && [ "${CI:-}" = "true" ] && command -v pg_ctlcluster >/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -n | tail -1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi

scripts/system-deps.sh spatialite postgis chromium
if [ -f webapp/package.json ]; then
  scripts/build-webapp.sh
  echo "webapp: unit tests"
  (cd webapp && npm test --silent)
fi

echo "ruff: lint"
.venv/bin/ruff check --quiet server seed_data tests benchmarks

# pytest exits 5 when it collects nothing: that is a failure here too (set -e).
exec .venv/bin/python -m pytest -p no:cacheprovider -n "${RAYON_TEST_WORKERS:-2}" "$@"
