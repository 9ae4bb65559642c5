#!/usr/bin/env bash
# One aanpak task worker (flows/taakworker.py): runs the transitions submitted with AANPAK_TAAKWORKERS=true in
# threads of this long-lived process, and every minute a recovery round at any hour (docs/operations.md,
# "Overgangen op workers"). Start one or more per host, e.g. under systemd; arguments are passed on
# (--limiet, --herstel-interval, --herstel-na).
#
# Needs the same settings as the aanpak server: PREFECT_API_URL (and PREFECT_API_AUTH_STRING), the case store
# (AANPAK_DATABASE_URL, or the embedded SQLite store under AANPAK_DATA_DIR as `make up` uses), the keys (AANPAK_SLEUTELS or AANPAK_SLEUTELBESTAND, AANPAK_HMAC_SLEUTEL), and the
# task-scheduling storage shared with the aanpak server: PREFECT_LOCAL_STORAGE_PATH (a folder, or a shared mount
# for several hosts). Never a storage block: any Prefect API user can edit one (the worker refuses it).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
: "${PREFECT_API_URL:?PREFECT_API_URL ontbreekt (de Prefect-server van de workers)}"
: "${AANPAK_DATABASE_URL:-${AANPAK_DATA_DIR:?AANPAK_DATABASE_URL of AANPAK_DATA_DIR ontbreekt (de casusopslag)}}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
# The parameters of submitted transitions (opaque references) are files in the task-scheduling storage: only
# this service's user may read or write them.
umask 077
exec "$VENV/bin/python" -m flows.taakworker "$@"
