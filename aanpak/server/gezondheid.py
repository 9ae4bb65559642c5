"""Health, readiness and metrics of the aanpak server: ``/health``, ``/ready`` and ``/metrics``.

- ``/health`` (liveness, no token): the process answers. Says nothing about cases or dependencies.
- ``/ready`` (no token): 200 when the database answers, the keys are loaded, the schema is at head and — when
  ``PREFECT_API_URL`` is set — Prefect's API answers; else 503. The body names each check and its outcome, never
  a URL, a secret or a driver's message.
- ``/metrics``: Prometheus text format (``prometheus_client``), computed at scrape time by the read-only use case
  ``aanpak/usecases/metrieken.py`` plus two counts from Prefect's API. Counts only, no labels. With
  ``AANPAK_METRICS_TOKEN`` set it asks for that static bearer secret (compared in constant time); without it, it
  answers only a client on loopback whose request was not forwarded by a proxy (docs/operations.md).

The older ``/api/v1/gezondheid`` (app.py) stays as it was.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from aanpak.config import instellingen
from aanpak.omgeving import Omgeving
from aanpak.prefect_lokaal import gezond, kop
from aanpak.server.problemen import probleem
from aanpak.store.db import schema_stand
from aanpak.usecases.metrieken import tellingen
from models.adres import is_loopback

log = logging.getLogger("aanpak.server")

#: Operational endpoints, not part of the API contract (/api/v1/openapi.json) nor behind its tokens.
router = APIRouter(tags=["beheer"], include_in_schema=False)

#: Our deployments (prefect.yaml; tests/test_gezondheid.py keeps the two in step).
DEPLOYMENTS = (
    "signaal-ontvangen",
    "stap-afgerond",
    "regie-overgedragen",
    "termijnbewaking",
    "meldingen-versturen",
    "bewaring",
    "rapportage",
)
#: Short: a scrape or a load balancer's probe must not hang on a Prefect that does not answer.
PREFECT_TIMEOUT = 3.0
METRICS_TOKEN = "AANPAK_METRICS_TOKEN"  # noqa: S105 — the variable's name, not a secret
DOORGESTUURD = ("forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host", "x-forwarded-proto", "via")


def _omgeving(request: Request) -> Omgeving:
    omg: Omgeving = request.app.state.omgeving
    return omg


def prefect_api() -> tuple[str, str | None] | None:
    """Prefect's API URL and auth string when this server is configured for one (``PREFECT_API_URL``)."""
    if not instellingen().prefect:
        return None
    from prefect.settings import get_current_settings

    api = get_current_settings().api
    if not api.url:
        return None
    return api.url, api.auth_string.get_secret_value() if api.auth_string else None


# -- liveness and readiness -----------------------------------------------------------------------------------


@router.get("/health")
def health() -> dict[str, str]:
    """Leeft de server? (zonder token; zegt niets over casussen)."""
    return {"status": "ok"}


def controles(omg: Omgeving) -> dict[str, str]:
    """Each readiness check and its outcome: ``ok`` or a short Dutch reason (no URL, no secret, no data)."""
    uitkomst: dict[str, str] = {}
    try:
        with omg.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        uitkomst["database"] = "ok"
    except SQLAlchemyError:
        uitkomst["database"] = "niet bereikbaar"
    uitkomst["sleutels"] = "ok" if omg.sleutels.sleutels and omg.sleutels.hmac_sleutel else "niet geladen"
    if uitkomst["database"] != "ok":
        uitkomst["schema"] = "onbekend (database niet bereikbaar)"
    else:
        try:
            stand = schema_stand(omg.engine)
        except SQLAlchemyError:
            stand = "onbekend"
        uitkomst["schema"] = {
            "bij": "ok",
            "achter": "achter: voer 'aanpak db upgrade' uit",
            "nieuwer": "nieuwer dan deze versie van aanpak",
        }.get(stand, "onbekend")
    api = prefect_api()
    if api is None:
        uitkomst["prefect"] = "niet ingesteld"
    else:
        uitkomst["prefect"] = "ok" if gezond(api[0], api[1], timeout=PREFECT_TIMEOUT) else "niet bereikbaar"
    return uitkomst


GEEN_BEZWAAR = frozenset({"ok", "niet ingesteld"})


@router.get("/ready", responses={503: {"description": "Niet gereed: de body noemt welke controle faalde."}})
def ready(request: Request) -> JSONResponse:
    """Is de server gereed voor verkeer? (database, sleutels, schemaversie, Prefect; zonder token)."""
    uitkomst = controles(_omgeving(request))
    gereed = all(v in GEEN_BEZWAAR for v in uitkomst.values())
    return JSONResponse(
        {
            "status": "gereed" if gereed else "niet gereed",
            "controles": uitkomst,
            "mislukt": [naam for naam, v in uitkomst.items() if v not in GEEN_BEZWAAR],
        },
        status_code=200 if gereed else 503,
    )


# -- metrics --------------------------------------------------------------------------------------------------


def _toegestaan(request: Request) -> JSONResponse | None:
    """None when the scraper may read the metrics; else the refusal."""
    geheim = os.environ.get(METRICS_TOKEN, "")
    if geheim:
        soort, _, token = request.headers.get("authorization", "").partition(" ")
        if soort.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), geheim.encode()):
            return None
        return probleem(
            401, "Geef het metrics-token mee (Authorization: Bearer …).", headers={"WWW-Authenticate": "Bearer"}
        )
    host = request.client.host if request.client else ""
    if is_loopback(host) and not any(k in request.headers for k in DOORGESTUURD):
        return None
    return probleem(403, f"/metrics antwoordt zonder {METRICS_TOKEN} alleen op loopback, niet via een proxy.")


def _prefect_tellingen(api: tuple[str, str | None]) -> dict[str, int] | None:
    """Pending and late flow runs of our deployments, or None when Prefect does not answer."""
    url, auth = api
    filters: dict[str, dict[str, Any]] = {
        "pending": {"state": {"type": {"any_": ["PENDING"]}}},
        "late": {"state": {"type": {"any_": ["SCHEDULED"]}, "name": {"any_": ["Late"]}}},
    }
    uit: dict[str, int] = {}
    try:
        with httpx.Client(timeout=PREFECT_TIMEOUT, headers=kop(auth)) as client:
            for naam, filter_ in filters.items():
                antwoord = client.post(
                    f"{url}/flow_runs/count",
                    json={"flow_runs": filter_, "deployments": {"name": {"any_": list(DEPLOYMENTS)}}},
                )
                antwoord.raise_for_status()
                uit[naam] = int(antwoord.json())
    except (httpx.HTTPError, ValueError, TypeError) as exc:
        log.warning("metrics: Prefect niet bereikbaar (%s)", type(exc).__name__)
        return None
    return uit


METRIEKEN = {
    "besluiten_niet_toegepast": (
        "aanpak_besluiten_niet_toegepast",
        "Vastgelegde besluiten die nog niet zijn toegepast.",
    ),
    "signalen_niet_verwerkt": ("aanpak_signalen_niet_verwerkt", "Geregistreerde signalen die nog niet zijn verwerkt."),
    "achterstand_herstel": (
        "aanpak_herstel_achterstand",
        "Signalen en besluiten langer dan 5 minuten onafgemaakt (werk voor aanpak herstel).",
    ),
    "meldingen_onbezorgd": ("aanpak_meldingen_onbezorgd", "Meldingen in de outbox die nog niet bezorgd zijn."),
    "meldingen_mislukt": ("aanpak_meldingen_mislukt", "Meldingen waarvan de bezorging is opgegeven."),
    "bezorgingen_mislukt": ("aanpak_bezorgingen_mislukt", "Bezorgingen over een kanaal die zijn opgegeven."),
    "stappen_te_laat": ("aanpak_stappen_te_laat", "Open stappen over hun termijn."),
}


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Tellingen in Prometheus-formaat (zie docs/operations.md voor het token)."""
    geweigerd = _toegestaan(request)
    if geweigerd is not None:
        return geweigerd
    try:
        telling = tellingen(_omgeving(request)).model_dump()
    except SQLAlchemyError:
        return probleem(503, "De casusopslag is niet bereikbaar.")
    register = CollectorRegistry(auto_describe=True)
    for veld, (naam, uitleg) in METRIEKEN.items():
        Gauge(naam, uitleg, registry=register).set(telling[veld])
    api = prefect_api()
    if api is not None:
        prefect = _prefect_tellingen(api)
        Gauge("aanpak_prefect_bereikbaar", "1 als de Prefect-API antwoordde.", registry=register).set(
            0 if prefect is None else 1
        )
        if prefect is not None:
            Gauge("aanpak_prefect_runs_pending", "Flow-runs van onze deployments in Pending.", registry=register).set(
                prefect["pending"]
            )
            Gauge(
                "aanpak_prefect_runs_late", "Flow-runs van onze deployments die te laat zijn.", registry=register
            ).set(prefect["late"])
    return Response(generate_latest(register), media_type=CONTENT_TYPE_LATEST)
