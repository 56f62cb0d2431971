#!/usr/bin/env bash
# Install the Debian packages Rayon needs, only when missing.
#   scripts/system-deps.sh python spatialite postgis chromium
# Each word is a need; needs already met cost nothing. Uses sudo when not root.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "need root to run: $*" >&2; return 1; fi; }

missing=()
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || missing+=("$1"); }

postgres_major() {
  # The running server's major version, so the PostGIS package matches it.
  local v
  v=$(psql -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" -Atc 'show server_version_num' 2>/dev/null) || return 1
  echo $((v / 10000))
}

for need in "$@"; do
  case "$need" in
    python)
      if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "Rayon needs Python 3.11 or newer as python3 (or set PYTHON=...)" >&2; exit 1
      fi
      python3 -c 'import venv, ensurepip' 2>/dev/null || need_pkg python3-venv
      ;;
    spatialite)
      if ! ls /usr/lib/*/mod_spatialite.so /usr/lib/mod_spatialite.so /usr/local/lib/mod_spatialite.so >/dev/null 2>&1 \
         && [ -z "${SPATIALITE_LIBRARY_PATH:-}" ]; then
        need_pkg libsqlite3-mod-spatialite
      fi
      ;;
    postgis)
      if command -v psql >/dev/null && major=$(postgres_major); then
        need_pkg "postgresql-${major}-postgis-3"
      else
        echo "system-deps: PostgreSQL is not reachable on ${PGHOST:-127.0.0.1}:${PGPORT:-5432}; not installing PostGIS" >&2
      fi
      ;;
    chromium)
      command -v chromium >/dev/null || need_pkg chromium
      ;;
    *) echo "unknown need: $need" >&2; exit 2 ;;
  esac
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
