#!/usr/bin/env bash
# Installs and starts the system services the tests need, on a fresh Debian machine or a CI runner.
# Idempotent: what is already installed or running is left alone. Each issue that adds a service
# (PostgreSQL + PostGIS, Mosquitto, Chromium, COLMAP, GDAL) adds its packages and start-up here.
set -euo pipefail

# git: the repository tooling tests make temporary git clones.
# colmap: the SfM stage (Debian's CPU build, 3.8); its tests run Brighton Beach through it.
PACKAGES=(git ca-certificates colmap)

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
echo "services: ready (${PACKAGES[*]})"
