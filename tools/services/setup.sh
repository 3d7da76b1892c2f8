#!/usr/bin/env bash
# Installs and starts the system services the tests need, on a fresh Debian machine or a CI runner.
# Idempotent: what is already installed or running is left alone. Each issue that adds a service
# (PostgreSQL + PostGIS, Mosquitto, Chromium, COLMAP, GDAL) adds its packages and start-up here.
set -euo pipefail

# git: the repository tooling tests make temporary git clones.
# colmap: the SfM stage (Debian's CPU build, 3.8); its tests run Brighton Beach through it.
# postgresql + PostGIS: the Hub's tile database tests run against a real server.
# mosquitto: the event publisher and the Hub's MQTT bridge are tested against a real broker.
# gdal-bin + python3-gdal: a second reader of the orthomosaic (gdalinfo) and gdal2tiles.py for the
# tile benchmark.
# chromium: the Hub's page is tested in headless Chromium (driven by playwright-core).
# The analysis notebooks' test (docs/src/analysis) executes them with Debian's Python: GeoPandas,
# matplotlib and Jupyter's nbclient/nbconvert (Debian 12 has no pyarrow: DuckDB from npm reads the parquet).
# poppler-utils: pdftoppm opens the quality report's PDF in the Hub's report tests.
PACKAGES=(git ca-certificates colmap postgresql mosquitto gdal-bin python3-gdal chromium poppler-utils
  python3-geopandas python3-matplotlib python3-nbclient python3-nbformat python3-ipykernel jupyter-nbconvert)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "services: need root to install ${missing[*]}: run 'sudo bash tools/services/setup.sh'" >&2
    exit 1
  fi
  echo "services: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# PostGIS for whichever PostgreSQL major the distribution ships (15 on Debian 12, 16 on Ubuntu 24.04).
PG_MAJOR=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! dpkg-query -W -f='${Status}' "postgresql-${PG_MAJOR}-postgis-3" 2>/dev/null | grep -q "install ok installed"; then
  echo "services: installing postgresql-${PG_MAJOR}-postgis-3"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "postgresql-${PG_MAJOR}-postgis-3" >/dev/null
fi
pg_ctlcluster "$PG_MAJOR" main status >/dev/null 2>&1 || pg_ctlcluster "$PG_MAJOR" main start
# A throwaway local database for tests; the password only guards a loopback test server.
as_postgres() { runuser -u postgres -- "$@"; }
as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'aerial'" | grep -q 1 ||
  as_postgres psql -qc "CREATE ROLE aerial LOGIN SUPERUSER PASSWORD 'aerial-test'"
as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'aerial_test'" | grep -q 1 ||
  as_postgres createdb -O aerial aerial_test

# Mosquitto 2 with no listener configured binds the loopback interface only.
(exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null || mosquitto -d

echo "services: ready (${PACKAGES[*]}, PostgreSQL ${PG_MAJOR} + PostGIS on 127.0.0.1:5432, Mosquitto on 127.0.0.1:1883)"
