#!/usr/bin/env bash
# One command: set everything up, then start the app on the embedded data.
# Usage: bash scripts/run.sh [streamlit options, e.g. --server.port 8080]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "→ Mở ứng dụng: http://localhost:8501 (dữ liệu: ${BORDERPLAN_DATA:-data/})"
exec .venv/bin/streamlit run app.py "$@"
