"""``POST /audit/verifieer``: the disclosure log's hash chain, optionally against anchors kept elsewhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aanpak.server import diensten
from aanpak.server.api.gedeeld import Omg, Verzoek
from aanpak.server.toegang import Ingelogd

router = APIRouter(prefix="/audit", tags=["audit"])


class VerifieerVerzoek(Verzoek):
    #: ``NUMMER:HASH`` pairs copied earlier to a place the database admin cannot write.
    ankers: list[Annotated[str, Field(pattern=r"^\d{1,18}:[0-9a-fA-F]{64}$")]] = Field(
        default_factory=list, max_length=100
    )


class Breuk(BaseModel):
    volgnummer: int
    probleem: str


class Verificatie(BaseModel):
    in_orde: bool
    aantal: int
    eerste: int | None
    laatste: int | None
    kop_volgnummer: int
    kop_hash: str
    breuken: list[Breuk]
    afwijkende_ankers: list[Breuk]


@router.post("/verifieer", response_model=Verificatie)
def verifieer(_: Ingelogd, omg: Omg, verzoek: VerifieerVerzoek | None = None) -> Verificatie:
    """Controleer de hashketen van het verwerkingslog: een gewijzigde of verwijderde regel wordt gevonden."""
    ankers = []
    for a in verzoek.ankers if verzoek else []:
        nummer, _sep, waarde = a.partition(":")
        ankers.append((int(nummer), waarde.lower()))
    r = diensten.verifieer_audit(omg, ankers)
    v = r.verificatie
    return Verificatie(
        in_orde=v.in_orde and not r.afwijkende_ankers,
        aantal=v.aantal,
        eerste=v.eerste,
        laatste=v.laatste,
        kop_volgnummer=v.kop_volgnummer,
        kop_hash=v.kop_hash,
        breuken=[Breuk(volgnummer=b.volgnummer, probleem=b.probleem) for b in v.breuken],
        afwijkende_ankers=[Breuk(volgnummer=n, probleem=p) for n, p in r.afwijkende_ankers],
    )
