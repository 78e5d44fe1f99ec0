#!/usr/bin/env bash
# One command: set up and run the whole test suite — lint (ruff), types (mypy),
# unit and app tests (pytest), browser tests in Debian's Chromium.
# Installs Chromium with apt-get when it is missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev

if [ ! -x /usr/bin/chromium ]; then
  echo "→ Cài Chromium của Debian cho các bài kiểm tra trên trình duyệt"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

echo "→ ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "→ mypy"
.venv/bin/mypy
echo "→ pytest"
.venv/bin/python -m pytest "$@"
