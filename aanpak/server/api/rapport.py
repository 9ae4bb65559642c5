"""``GET /rapport``: the managers' figures (aggregates with small-cell suppression, no personal data)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from aanpak.server import diensten
from aanpak.server.api.gedeeld import Omg
from aanpak.server.toegang import Ingelogd
from aanpak.usecases.rapport import Filters, Rapport, standaard_periode
from models.kalender import lokale_datum

router = APIRouter(tags=["rapport"])

_Sleutel = Query(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@router.get("/rapport", response_model=Rapport)
def rapport(
    _: Ingelogd,
    omg: Omg,
    van: date | None = None,
    tot: date | None = None,
    organisatie: Annotated[str | None, _Sleutel] = None,
    wijk: Annotated[str | None, _Sleutel] = None,
) -> Rapport:
    """Termijnen per partner en stap, open werk, overdrachten en trends; standaard de laatste twaalf maanden."""
    begin, einde = standaard_periode(lokale_datum(omg.nu()))
    return diensten.rapport(omg, Filters(van=van or begin, tot=tot or einde, organisatie=organisatie, wijk=wijk))
