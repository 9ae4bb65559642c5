#!/usr/bin/env bash
# Start a local Prefect server (UI on 127.0.0.1:4200, loopback only, analytics off) and a process worker,
# deploy every flow in prefect.yaml, and start the aanpak server (ops/server.sh, 127.0.0.1:${AANPAK_POORT:-8000}).
# `make down` (ops/down.sh) stops what this started.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
RUN=${AANPAK_DATA_DIR:-$PWD/.aanpak}/run
mkdir -p -m 700 "${AANPAK_DATA_DIR:-$PWD/.aanpak}"  # the data folder is 0700 when this creates it
mkdir -p "$RUN"
export PREFECT_HOME=${PREFECT_HOME:-$PWD/.aanpak/prefect}
export PREFECT_SERVER_ANALYTICS_ENABLED=false
# Retention in Prefect (docs/bewaring.md): events 30 days (ISO 8601), finished flow runs with their logs and
# artifacts 90 days (seconds). The bewaring deployment deletes a deleted case's runs and artifacts at once.
export PREFECT_SERVER_EVENTS_RETENTION_PERIOD=${PREFECT_SERVER_EVENTS_RETENTION_PERIOD:-P30D}
export PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED=${PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED:-events,flow_runs}
export PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD=${PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD:-7776000}
export AANPAK_PROJECT_DIR=$PWD

# The same local server the CLI and the demo use (aanpak/prefect_lokaal.py): started once, reused when healthy.
PREFECT_API_URL=$(AANPAK_PREFECT_POORT=${AANPAK_PREFECT_POORT:-4200} "$VENV/bin/python" -m aanpak.prefect_lokaal start) \
  || { echo "Prefect server start niet; zie ${AANPAK_DATA_DIR:-$PWD/.aanpak}/prefect/server.log" >&2; exit 1; }
export PREFECT_API_URL
PREFECT_API_AUTH_STRING=$(cat "${AANPAK_DATA_DIR:-$PWD/.aanpak}/prefect/server.auth")
export PREFECT_API_AUTH_STRING

# The pool's template lets no run or deployment set the command, environment or folder (docs/toegang.md); it is
# rewritten at every start, so an edited pool is put back.
"$VENV/bin/prefect" work-pool create aanpak --type process --base-job-template ops/werkpool.json --overwrite >/dev/null
"$VENV/bin/prefect" --no-prompt deploy --all >"$RUN/deploy.log" 2>&1 \
  || { echo "Deploy mislukt; zie $RUN/deploy.log" >&2; exit 1; }

if [ -f "$RUN/worker.pid" ] && kill -0 "$(cat "$RUN/worker.pid")" 2>/dev/null; then
  echo "Worker draait al (pid $(cat "$RUN/worker.pid"))."
else
  # A unique name: two workers of the same name would be taken for one by the Prefect server.
  nohup "$VENV/bin/prefect" worker start --pool aanpak --name "aanpak-$(hostname)-$$" >"$RUN/worker.log" 2>&1 &
  echo $! >"$RUN/worker.pid"
fi

# The aanpak server beside them (reused when it runs and answers); it reaches Prefect with the same settings.
VENV=$VENV bash ops/server.sh start

cat <<TXT
Prefect UI: ${PREFECT_API_URL%/api}  (alleen op deze machine; wachtwoord: .aanpak/prefect/server.auth)
Deployments: signaal-ontvangen, stap-afgerond, regie-overgedragen, termijnbewaking (elk kwartier, werkdagen),
  meldingen-versturen (alleen gepland voor uitgestelde meldingen), rapportage (werkdagen 07:00), bewaring.
Bewaring (bewaartermijnen) dagelijks om 02:00; Prefect bewaart events 30 en runs 90 dagen.
Laat de CLI de overgangen als deployment-runs starten:
  export PREFECT_API_URL=$PREFECT_API_URL PREFECT_API_AUTH_STRING=\$(cat .aanpak/prefect/server.auth) AANPAK_DEPLOYMENTS=true
Stoppen: make down
TXT
