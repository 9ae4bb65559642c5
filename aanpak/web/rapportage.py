"""Rapportage (managers): the report's tables and picture, filtered by period, partner and wijk.

Aggregates only (``diensten.rapport``: small cells suppressed, no personal data), as the JSON API serves them.
Filters are GET parameters: dates and register keys, never personal data.
"""

from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aanpak.rapportage.svg import termijnen_svg
from aanpak.server import diensten
from aanpak.usecases.rapport import Filters, Rapport, standaard_periode
from aanpak.web.aanmelden import ingelogd
from aanpak.web.gedeeld import GEEN_OPSLAG, Web, omgeving, pagina
from models.fouten import DomeinFout
from models.kalender import lokale_datum

_SLEUTEL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def _datum(tekst: str | None) -> date | None:
    if not tekst or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", tekst):
        return None
    try:
        return date.fromisoformat(tekst)
    except ValueError:
        return None


def filters_van(request: Request) -> Filters:
    begin, einde = standaard_periode(lokale_datum(omgeving(request).nu()))
    q = request.query_params
    organisatie = q.get("organisatie", "")
    wijk = q.get("wijk", "")
    return Filters(
        van=_datum(q.get("van")) or begin,
        tot=_datum(q.get("tot")) or einde,
        organisatie=organisatie if _SLEUTEL.fullmatch(organisatie) else None,
        wijk=wijk if _SLEUTEL.fullmatch(wijk) else None,
    )


def voeg_toe(router: APIRouter, web: Web) -> None:
    @router.get("/rapportage")
    def rapportage(request: Request) -> Response:
        wie = ingelogd(web, request)
        if isinstance(wie, Response):
            return wie
        filters = filters_van(request)
        fout: str | None = None
        rapport: Rapport | None = None
        try:
            rapport = diensten.rapport(omgeving(request), filters)
        except DomeinFout as exc:
            fout = str(exc)
        wp = omgeving(request).werkprocessen.bestand()[0]
        return pagina(
            request,
            "rapportage.html",
            {
                "r": rapport,
                "filters": filters,
                "fout": fout,
                "partners": [(o.key, o.naam) for o in wp.organisaties],
                "query": request.url.query,
            },
            sessie=wie[0],
            status=200 if fout is None else 422,
        )

    @router.get("/rapportage/termijnen.svg")
    def termijnen(request: Request) -> Response:
        wie = ingelogd(web, request)
        if isinstance(wie, Response):
            return wie
        try:
            r = diensten.rapport(omgeving(request), filters_van(request))
        except DomeinFout:
            return Response(status_code=422, headers=GEEN_OPSLAG)
        return Response(termijnen_svg(r), media_type="image/svg+xml", headers=GEEN_OPSLAG)
