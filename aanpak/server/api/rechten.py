"""Requests of data subjects through the privacyloket: zoeken op BSN, inzage (art. 15), correctie (16), beperking (18).

The use cases refuse every role but the privacyloket; the answer of an inzage is personal data by design and
goes to the caller only.
"""

from __future__ import annotations

from typing import Literal, get_args

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aanpak.server import diensten
from aanpak.server.api.gedeeld import CasusRef, Omg, Verzoek
from aanpak.server.toegang import Ingelogd
from aanpak.usecases.rechten import Dossier, Verzoekafhandeling, Zoekdoel, Zoekresultaat
from models.privacy import Beperkingsreden

router = APIRouter(prefix="/rechten", tags=["rechten"])

#: The identity fields that can be corrected (aanpak.usecases.rechten.CORRIGEERBAAR): a closed list, so an
#: unknown field name — which might itself be personal data — is refused without being repeated.
Corrigeerbaar = Literal[
    "voornamen",
    "tussenvoegsel",
    "achternaam",
    "geboortedatum",
    "bsn",
    "adres.straat",
    "adres.huisnummer",
    "adres.postcode",
    "adres.plaats",
]


class Zoekverzoek(Verzoek):
    #: In the body, never in the URL or query string (those end up in access logs and browser histories).
    bsn: str = Field(max_length=20)
    doel: Zoekdoel


@router.post("/zoek", response_model=Zoekresultaat)
def zoek(verzoek: Zoekverzoek, actor: Ingelogd, omg: Omg) -> Zoekresultaat:
    """Vind de casussen (open en gesloten) van een jeugdige op BSN; alleen het privacyloket, altijd gelogd."""
    return diensten.zoek_op_bsn(omg, actor, verzoek.bsn, verzoek.doel)


@router.post("/casussen/{casus_ref}/inzage", response_model=Dossier)
def inzage(casus_ref: CasusRef, actor: Ingelogd, omg: Omg) -> Dossier:
    """Alles wat over de jeugdige is vastgelegd, met het verwerkingslog (art. 15 AVG)."""
    return diensten.rechten_inzage(omg, actor, casus_ref)


class Wijziging(BaseModel):
    veld: Corrigeerbaar
    waarde: str = Field(max_length=200)


class CorrectieVerzoek(Verzoek):
    wijzigingen: list[Wijziging] = Field(min_length=1, max_length=len(get_args(Corrigeerbaar)))


@router.post("/casussen/{casus_ref}/correctie", response_model=Verzoekafhandeling)
def corrigeer(casus_ref: CasusRef, verzoek: CorrectieVerzoek, actor: Ingelogd, omg: Omg) -> Verzoekafhandeling:
    """Corrigeer de identiteit van de jeugdige (art. 16 AVG); de vorige versie blijft versleuteld bewaard."""
    wijzigingen: dict[str, str] = {w.veld: w.waarde.strip() for w in verzoek.wijzigingen}
    return diensten.corrigeer(omg, actor, casus_ref, wijzigingen)


class BeperkingVerzoek(Verzoek):
    reden: Beperkingsreden


@router.post("/casussen/{casus_ref}/beperking", response_model=Verzoekafhandeling)
def beperk(casus_ref: CasusRef, verzoek: BeperkingVerzoek, actor: Ingelogd, omg: Omg) -> Verzoekafhandeling:
    """Beperk de verwerking: niemand krijgt de persoonsgegevens nog te zien tot de beperking is opgeheven."""
    return diensten.beperk(omg, actor, casus_ref, verzoek.reden)


@router.delete("/casussen/{casus_ref}/beperking", response_model=Verzoekafhandeling)
def hef_op(casus_ref: CasusRef, actor: Ingelogd, omg: Omg) -> Verzoekafhandeling:
    """Hef de beperking van de verwerking op."""
    return diensten.hef_beperking_op(omg, actor, casus_ref)
