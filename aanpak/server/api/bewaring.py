"""Retention: what is past its term (dry run), erasure on request, legal holds, the deletion log."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aanpak.server import diensten
from aanpak.server.api.gedeeld import REF_PATROON, CasusRef, Omg, Verzoek
from aanpak.server.toegang import Ingelogd
from aanpak.usecases.bewaring import Bewaarplichtreden, BewaarplichtUit, Overzicht, Verwijderd
from models.kalender import AMSTERDAM

router = APIRouter(prefix="/bewaring", tags=["bewaring"])


@router.get("", response_model=Overzicht)
def overzicht(actor: Ingelogd, omg: Omg) -> Overzicht:
    """Droog: wat nu over zijn bewaartermijn is en verwijderd zou worden (er verandert niets). Privacyloket."""
    return diensten.bewaring_overzicht(omg, actor)


class WisAntwoord(BaseModel):
    verwijderd: Verwijderd
    #: What was removed from Prefect now; null when the next bewaring run does it.
    prefect: dict[str, int] | None


@router.post("/casussen/{casus_ref}/wis", response_model=WisAntwoord)
def wis(casus_ref: CasusRef, actor: Ingelogd, omg: Omg) -> WisAntwoord:
    """Verzoek tot verwijdering (art. 17 AVG): wis een gesloten casus zonder bewaarplicht, ook in Prefect."""
    weg, prefect = diensten.wis(omg, actor, casus_ref)
    return WisAntwoord(verwijderd=weg, prefect=prefect)


class BewaarplichtVerzoek(Verzoek):
    reden: Bewaarplichtreden
    #: Until this date (exclusive, Amsterdam); empty = until lifted.
    tot: date | None = None


@router.post("/casussen/{casus_ref}/bewaarplicht", status_code=201, response_model=BewaarplichtUit)
def blokkeer(casus_ref: CasusRef, verzoek: BewaarplichtVerzoek, actor: Ingelogd, omg: Omg) -> BewaarplichtUit:
    """Leg een bewaarplicht (juridische blokkade) vast: de casus wordt niet verwijderd, ook niet op verzoek."""
    tot = None if verzoek.tot is None else datetime.combine(verzoek.tot, time(0, 0), tzinfo=AMSTERDAM)
    return diensten.blokkeer(omg, actor, casus_ref, verzoek.reden, tot)


@router.delete("/casussen/{casus_ref}/bewaarplicht", response_model=list[BewaarplichtUit])
def deblokkeer(casus_ref: CasusRef, actor: Ingelogd, omg: Omg) -> list[BewaarplichtUit]:
    """Hef de bewaarplicht van een casus op; daarna geldt weer de bewaartermijn."""
    return diensten.deblokkeer(omg, actor, casus_ref)


@router.get("/log")
def log(
    actor: Ingelogd, omg: Omg, casus: Annotated[str | None, Query(pattern=REF_PATROON)] = None
) -> list[dict[str, Any]]:
    """Het verwijderlog: wat wanneer op welke grond verwijderd is (referenties en aantallen). Privacyloket."""
    return diensten.verwijderlog(omg, actor, casus)
