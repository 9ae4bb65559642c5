"""Werkproces: the steps of the definition in force, their owners and terms, and the diagram with live counts.

The counts are the report's aggregates (``diensten.rapport``: no personal data, small cells suppressed).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aanpak.rapportage.svg import werkproces_svg
from aanpak.server import diensten
from aanpak.usecases.rapport import Filters, Rapport, standaard_periode
from aanpak.web.aanmelden import ingelogd
from aanpak.web.gedeeld import GEEN_OPSLAG, Web, omgeving, pagina
from models.kalender import lokale_datum

EENHEDEN = {"werkdagen": "werkdagen", "uren": "uur", "kalenderdagen": "kalenderdagen", "weken": "weken"}


def _rapport(request: Request) -> Rapport:
    omg = omgeving(request)
    begin, einde = standaard_periode(lokale_datum(omg.nu()))
    return diensten.rapport(omg, Filters(van=begin, tot=einde))


def voeg_toe(router: APIRouter, web: Web) -> None:
    @router.get("/werkproces")
    def werkproces(request: Request) -> Response:
        wie = ingelogd(web, request)
        if isinstance(wie, Response):
            return wie
        wp = omgeving(request).werkprocessen.bestand()[0]
        open_per_stap = {s.stap: s for s in _rapport(request).open_per_stap}
        return pagina(
            request,
            "werkproces.html",
            {"wp": wp, "open_per_stap": open_per_stap, "eenheden": EENHEDEN},
            sessie=wie[0],
        )

    @router.get("/werkproces/diagram.svg")
    def diagram(request: Request) -> Response:
        wie = ingelogd(web, request)
        if isinstance(wie, Response):
            return wie
        return Response(werkproces_svg(_rapport(request)), media_type="image/svg+xml", headers=GEEN_OPSLAG)
