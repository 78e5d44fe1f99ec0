#!/usr/bin/env bash
# Set up BorderPlan Geo on a fresh Debian machine with Python 3.11:
# a virtual environment with the pinned packages, and the offline web assets
# (Leaflet and its plugins) fetched from the npm registry into static/vendor/.
# Usage: bash scripts/setup.sh [--dev]     (--dev adds the test and lint tools)
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$cand"; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "Cần Python 3.11 (Python 3.11 is required)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "→ Tạo môi trường ảo .venv ($("$PY" --version))"
  "$PY" -m venv .venv
fi

REQ=requirements.txt
if [ "${1:-}" = "--dev" ]; then REQ=requirements-dev.txt; fi
echo "→ Cài thư viện ($REQ, phiên bản cố định)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQ" -c constraints.txt

# The library itself, from this checkout: `.venv/bin/python -m borderplan_geo` works from any folder.
SITE=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
pwd > "$SITE/borderplan_geo_checkout.pth"

echo "→ Tải Leaflet và plugin từ npm registry vào static/vendor/ (chỉ lần đầu)"
.venv/bin/python -m borderplan_geo.assets fetch
