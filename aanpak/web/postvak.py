"""The postvak (start page ``/``): the open work of my organisation and role, overdue first; filters and counts."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aanpak.server import diensten
from aanpak.usecases.inzicht import Taak
from aanpak.web.aanmelden import ingelogd
from aanpak.web.gedeeld import Web, omgeving, pagina

_STAP = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Werkdagen left at which a term counts as urgent (shown in orange and as text).
BIJNA = 2


def urgentie(taak: Taak) -> tuple[str, str]:
    """CSS class and the words that say the same as the colour."""
    if taak.te_laat:
        return "te-laat", "Te laat"
    if taak.werkdagen_resterend <= BIJNA:
        return "bijna", "Bijna verlopen"
    return "op-tijd", "Op tijd"


def voeg_toe(router: APIRouter, web: Web) -> None:
    @router.get("/", include_in_schema=False)
    def postvak(request: Request) -> Response:
        wie = ingelogd(web, request)
        if isinstance(wie, Response):
            return wie
        sessie, actor = wie
        alle = diensten.postvak(omgeving(request), actor)
        stap = request.query_params.get("stap", "")
        ave = request.query_params.get("ave", "")
        stap = stap if _STAP.fullmatch(stap) else ""
        ave = ave if ave in {"1", "2", "3", "4"} else ""
        taken = [t for t in alle if (not stap or t.stap == stap) and (not ave or t.ave == int(ave))]
        stappen = sorted({(t.stap, t.naam) for t in alle if t.stap})
        return pagina(
            request,
            "postvak.html",
            {
                "taken": [(t, *urgentie(t)) for t in taken if t.soort != "overdracht"],
                "overdrachten": [(t, *urgentie(t)) for t in taken if t.soort == "overdracht"],
                "aantal": len(alle),
                "aantal_te_laat": sum(t.te_laat for t in alle),
                "aantal_overdrachten": sum(t.soort == "overdracht" for t in alle),
                "stappen": stappen,
                "filter_stap": stap,
                "filter_ave": ave,
            },
            sessie=sessie,
        )
