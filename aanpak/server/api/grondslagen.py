"""Grounds for sharing: list and record per case, withdraw by reference."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import Field

from aanpak.server import diensten
from aanpak.server.api.gedeeld import REF_PATROON, CasusRef, IdempotencyKey, Omg, Verzoek, sleutel
from aanpak.server.toegang import Ingelogd
from aanpak.usecases.grondslag import GrondslagOverzicht, GrondslagVastgelegd
from models.privacy import Grondslagsoort, Toestemminggever
from models.werkproces import Gegevenscategorie

router = APIRouter(tags=["grondslagen"])


@router.get("/casussen/{casus_ref}/grondslagen", response_model=list[GrondslagOverzicht])
def overzicht(casus_ref: CasusRef, actor: Ingelogd, omg: Omg) -> list[GrondslagOverzicht]:
    """De grondslagen van een casus (zonder toelichting)."""
    return diensten.grondslagen(omg, actor, casus_ref)


class GrondslagVerzoek(Verzoek):
    soort: Grondslagsoort
    gegeven_door: list[Toestemminggever] = Field(default_factory=list)
    #: Roles or organisations; empty = everyone involved.
    ontvangers: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=50)
    #: Empty = all (need-to-know still applies).
    categorieen: list[Gegevenscategorie] = Field(default_factory=list)
    doel: str = Field(min_length=1, max_length=64)
    toelichting: str | None = Field(default=None, max_length=4000)
    geldig_tot: date | None = None
    idempotentie_sleutel: str | None = Field(default=None, min_length=8, max_length=128)


@router.post("/casussen/{casus_ref}/grondslagen", status_code=201, response_model=GrondslagVastgelegd)
def vastleggen(
    casus_ref: CasusRef, verzoek: GrondslagVerzoek, actor: Ingelogd, omg: Omg, idempotency_key: IdempotencyKey = None
) -> GrondslagVastgelegd:
    """Leg een toestemming of wettelijke grondslag vast voor het delen van gegevens in een casus."""
    gegevens = verzoek.model_dump(exclude={"idempotentie_sleutel"})
    gegevens["idempotentie_sleutel"] = sleutel(verzoek.idempotentie_sleutel, idempotency_key)
    return diensten.leg_grondslag_vast(omg, actor, casus_ref, gegevens)


@router.post("/grondslagen/{grondslag_ref}/intrekken", response_model=GrondslagVastgelegd)
def intrekken(
    grondslag_ref: Annotated[str, Path(pattern=REF_PATROON)], actor: Ingelogd, omg: Omg
) -> GrondslagVastgelegd:
    """Trek een toestemming in (of beëindig een grondslag) vanaf nu; de vastlegging blijft bewaard."""
    return diensten.trek_grondslag_in(omg, actor, grondslag_ref)
