#!/usr/bin/env bash
# ops/server.sh start|stop|status — the background aanpak server of `make up` and `make demo` (127.0.0.1 only).
#
# start: reuses the server of <data dir>/run/server.pid when it runs and /api/v1/gezondheid answers; otherwise
#        starts `aanpak server` with nohup, waits until it answers (AANPAK_SERVER_START_SECONDEN, default 180)
#        and prints its URLs. stop: stops the server this script started. Port: AANPAK_POORT (default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
DATA=${AANPAK_DATA_DIR:-$PWD/.aanpak}
RUN=$DATA/run
POORT=${AANPAK_POORT:-8000}
URL=http://127.0.0.1:$POORT
WACHT=${AANPAK_SERVER_START_SECONDEN:-180}
PID="$RUN/server.pid"
# The development issuer's tokens name the server they are for (iss = AANPAK_SERVER_URL + /ontwikkel-idp).
export AANPAK_SERVER_URL=${AANPAK_SERVER_URL:-$URL}

gezond() {
  "$VENV/bin/python" - "$URL/api/v1/gezondheid" <<'PY' 2>/dev/null
import sys

import httpx

try:
    sys.exit(0 if httpx.get(sys.argv[1], timeout=5).status_code == 200 else 1)
except httpx.HTTPError:
    sys.exit(1)
PY
}

leeft() { [ -f "$PID" ] && kill -0 "$(cat "$PID")" 2>/dev/null; }

start() {
  mkdir -p -m 700 "$DATA"  # the data folder is 0700 when this creates it
  mkdir -p "$RUN"
  if leeft && gezond; then
    echo "aanpak-server draait al (pid $(cat "$PID")): $URL"
    return 0
  fi
  if ! leeft; then
    if gezond; then
      echo "Poort $POORT is bezet door een aanpak-server die niet door 'make up' is gestart; kies AANPAK_POORT." >&2
      return 1
    fi
    nohup "$VENV/bin/aanpak" server --host 127.0.0.1 --port "$POORT" >>"$RUN/server.log" 2>&1 </dev/null &
    echo $! >"$PID"
  fi
  local grens=$((SECONDS + WACHT))
  until gezond; do
    if ! leeft; then
      echo "aanpak-server start niet; zie $RUN/server.log" >&2
      tail -n 5 "$RUN/server.log" >&2 || true
      rm -f "$PID"
      return 1
    fi
    if [ "$SECONDS" -ge "$grens" ]; then
      echo "aanpak-server antwoordt na ${WACHT} s nog niet (AANPAK_SERVER_START_SECONDEN); zie $RUN/server.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "aanpak-server gestart (pid $(cat "$PID")): $URL"
}

stop() {
  if [ -f "$PID" ]; then
    local pid
    pid=$(cat "$PID")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
      echo "aanpak-server gestopt (pid $pid)."
    fi
    rm -f "$PID"
  fi
}

status() {
  if leeft && gezond; then
    echo "aanpak-server draait (pid $(cat "$PID")): $URL"
  else
    echo "Geen aanpak-server actief op $URL."
    return 1
  fi
}

urls() {
  cat <<TXT
Webapp voor coördinatoren: $URL/   (inloggen als een fictieve persoon hieronder; precies dit adres gebruiken)
aanpak-API: $URL/api/v1   (OpenAPI-documentatie: $URL/api/v1/docs; alleen op deze machine)
Token voor een fictieve persoon: .venv/bin/aanpak token a.mentor
  curl -H "Authorization: Bearer \$(.venv/bin/aanpak token a.mentor)" $URL/api/v1/postvak
TXT
  if [ "$POORT" != 8000 ]; then
    echo "  (andere poort dan 8000: export AANPAK_SERVER_URL=$URL voor 'aanpak token')"
  fi
}

case "${1:-status}" in
  start) start && urls ;;
  stop) stop ;;
  status) status ;;
  urls) urls ;;
  *) echo "gebruik: ops/server.sh start|stop|status|urls" >&2; exit 2 ;;
esac
