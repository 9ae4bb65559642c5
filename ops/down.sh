#!/usr/bin/env bash
# Stop the aanpak server and the Prefect worker that ops/up.sh (make up) or make demo started, and the local
# Prefect server.
set -uo pipefail
cd "$(dirname "$0")/.."
RUN=${AANPAK_DATA_DIR:-$PWD/.aanpak}/run
VENV=${VENV:-.venv} bash ops/server.sh stop
for naam in worker; do
  pidbestand="$RUN/$naam.pid"
  if [ -f "$pidbestand" ]; then
    pid=$(cat "$pidbestand")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
      echo "$naam gestopt (pid $pid)."
    fi
    rm -f "$pidbestand"
  fi
done
# The local Prefect server (shared with the CLI and the demo: aanpak/prefect_lokaal.py).
"${VENV:-.venv}/bin/python" -m aanpak.prefect_lokaal stop
