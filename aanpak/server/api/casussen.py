"""``GET /postvak``, ``GET /casussen/{ref}/tijdlijn`` and ``POST /casussen/{ref}/inzage`` (need-to-know, logged)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import Field

from aanpak.server import diensten
from aanpak.server.api.gedeeld import CasusRef, Omg, Verzoek
from aanpak.server.toegang import Ingelogd
from aanpak.usecases.inzage import Inzage
from aanpak.usecases.inzicht import Taak, Tijdlijn

router = APIRouter(tags=["casussen"])


@router.get("/postvak", response_model=list[Taak])
def postvak(actor: Ingelogd, omg: Omg, bereik: Literal["rol", "organisatie"] = "rol") -> list[Taak]:
    """Wat uw rol (of alle rollen van uw organisatie) moet doen, te laat eerst."""
    return diensten.postvak(omg, actor, hele_organisatie=bereik == "organisatie")


@router.get("/casussen/{casus_ref}/tijdlijn", response_model=Tijdlijn)
def tijdlijn(casus_ref: CasusRef, actor: Ingelogd, omg: Omg) -> Tijdlijn:
    """De stappen en de historie van een casus (zonder persoonsgegevens)."""
    return diensten.tijdlijn(omg, actor, casus_ref)


class InzageVerzoek(Verzoek):
    #: What you need the data for, as a key (e.g. ``casusoverleg``).
    doel: str = Field(min_length=1, max_length=64)


@router.post("/casussen/{casus_ref}/inzage", response_model=Inzage)
def inzien(casus_ref: CasusRef, verzoek: InzageVerzoek, actor: Ingelogd, omg: Omg) -> Inzage:
    """De persoonsgegevens die uw rol mag zien, en wat is achtergehouden; elke inzage wordt gelogd."""
    return diensten.inzien(omg, actor, casus_ref, verzoek.doel)
