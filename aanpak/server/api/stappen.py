"""Decisions and terms of steps: besluit, opschorten, hervatten, verlengen, review."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from aanpak.server import diensten
from aanpak.server.api.gedeeld import (
    MELDING,
    CasusRef,
    IdempotencyKey,
    Omg,
    Overgang,
    StapKey,
    Verzoek,
    sleutel,
    status_van,
)
from aanpak.server.toegang import Ingelogd
from aanpak.usecases.besluit import BesluitToegepast
from aanpak.usecases.termijnen import ReviewVastgelegd, TermijnGewijzigd
from models.casus import Opschortreden, Verlengreden
from models.regievoorstel import Regieafwijkreden, Regiekeuze

router = APIRouter(tags=["stappen"])


class BesluitVerzoek(Verzoek):
    uitkomst: str = Field(min_length=1, max_length=64)
    ave_fase: int | None = Field(default=None, ge=1, le=4)
    casusregie: str | None = Field(default=None, max_length=64)
    procesregie: str | None = Field(default=None, max_length=64)
    #: The concrete organisation (register key) of the new regie or of the next step's owner, where the role's
    #: type has more than one organisation and the case does not already involve one of them.
    casusregie_organisatie: str | None = Field(default=None, max_length=64)
    procesregie_organisatie: str | None = Field(default=None, max_length=64)
    eigenaar_organisatie: str | None = Field(default=None, max_length=64)
    #: At an outcome that sets the AVE phase: accept the regie proposal (postvak, tijdlijn) or depart from it
    #: naming other holders and a reason.
    regie_voorstel: Regiekeuze | None = None
    regie_reden: Regieafwijkreden | None = None
    #: Motivation; personal data, stored only encrypted.
    toelichting: str | None = Field(default=None, max_length=10_000)
    #: The step version you saw (postvak); another one answers 409.
    verwachte_versie: int | None = None
    idempotentie_sleutel: str | None = Field(default=None, min_length=8, max_length=128)


class BesluitAntwoord(BaseModel):
    besluit_ref: str
    casus_ref: str
    stap: str
    uitkomst: str
    herhaald: bool
    overgang: Overgang
    melding: str
    toegepast: BesluitToegepast | None = None


@router.post(
    "/casussen/{casus_ref}/stappen/{stap}/besluit",
    response_model=BesluitAntwoord,
    responses={202: {"description": "Vastgelegd; overgang loopt"}, 409: {"description": "Versieconflict"}},
)
def besluit(
    casus_ref: CasusRef,
    stap: StapKey,
    verzoek: BesluitVerzoek,
    actor: Ingelogd,
    omg: Omg,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> BesluitAntwoord:
    """Leg een besluit vast voor een stap; de volgende stappen starten volgens het werkproces."""
    r = diensten.neem_besluit(
        omg,
        actor,
        casus_ref,
        stap,
        uitkomst=verzoek.uitkomst,
        ave_fase=verzoek.ave_fase,
        casusregie=verzoek.casusregie,
        procesregie=verzoek.procesregie,
        casusregie_organisatie=verzoek.casusregie_organisatie,
        procesregie_organisatie=verzoek.procesregie_organisatie,
        eigenaar_organisatie=verzoek.eigenaar_organisatie,
        regie_voorstel=verzoek.regie_voorstel,
        regie_reden=verzoek.regie_reden,
        toelichting=verzoek.toelichting,
        verwachte_versie=verzoek.verwachte_versie,
        idempotentie_sleutel=sleutel(verzoek.idempotentie_sleutel, idempotency_key),
    )
    response.status_code = status_van(r.overgang)
    g = r.genomen
    return BesluitAntwoord(
        besluit_ref=g.besluit_ref,
        casus_ref=g.casus_ref,
        stap=g.stap,
        uitkomst=g.uitkomst,
        herhaald=g.herhaald,
        overgang=r.overgang,
        melding=MELDING[r.overgang],
        toegepast=r.toegepast,
    )


class OpschortVerzoek(Verzoek):
    reden: Opschortreden


@router.post("/casussen/{casus_ref}/stappen/{stap}/opschorten", response_model=TermijnGewijzigd)
def opschorten(
    casus_ref: CasusRef, stap: StapKey, verzoek: OpschortVerzoek, actor: Ingelogd, omg: Omg
) -> TermijnGewijzigd:
    """Schort de termijn van een stap op (met reden)."""
    return diensten.opschorten(omg, actor, casus_ref, stap, verzoek.reden)


@router.post("/casussen/{casus_ref}/stappen/{stap}/hervatten", response_model=TermijnGewijzigd)
def hervatten(casus_ref: CasusRef, stap: StapKey, actor: Ingelogd, omg: Omg) -> TermijnGewijzigd:
    """Hervat een opgeschorte stap; de termijn schuift op met de opgeschorte werkdagen."""
    return diensten.hervatten(omg, actor, casus_ref, stap)


class VerlengVerzoek(Verzoek):
    aantal: int = Field(ge=1, le=250)
    reden: Verlengreden


@router.post("/casussen/{casus_ref}/stappen/{stap}/verlengen", response_model=TermijnGewijzigd)
def verlengen(
    casus_ref: CasusRef, stap: StapKey, verzoek: VerlengVerzoek, actor: Ingelogd, omg: Omg
) -> TermijnGewijzigd:
    """Verleng een afgesproken termijn (niet een wettelijke) met een aantal werkdagen (met reden)."""
    return diensten.verlengen(omg, actor, casus_ref, stap, verzoek.aantal, verzoek.reden)


@router.post("/casussen/{casus_ref}/stappen/{stap}/review", response_model=ReviewVastgelegd)
def review(casus_ref: CasusRef, stap: StapKey, actor: Ingelogd, omg: Omg) -> ReviewVastgelegd:
    """Leg vast dat de voortgang is besproken (monitoring), bv. stap uitvoering_monitoring."""
    return diensten.review(omg, actor, casus_ref, stap)
