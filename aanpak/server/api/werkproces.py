"""``GET /werkproces`` (the definition in force, with a Mermaid diagram) and ``POST /werkproces/controleer``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aanpak.server.api.gedeeld import Omg, Verzoek
from aanpak.server.toegang import Ingelogd
from models.werkproces import laad_tekst

router = APIRouter(prefix="/werkproces", tags=["werkproces"])


class WerkprocesAntwoord(BaseModel):
    key: str
    versie: str
    naam: str
    definitie: dict[str, Any]
    mermaid: str


@router.get("", response_model=WerkprocesAntwoord)
def toon(_: Ingelogd, omg: Omg) -> WerkprocesAntwoord:
    """Het werkproces dat nu geldt voor nieuwe casussen."""
    from aanpak.rapportage.mermaid import mermaid_diagram

    wp = omg.werkprocessen.bestand()[0]
    return WerkprocesAntwoord(
        key=wp.key, versie=wp.versie, naam=wp.naam, definitie=wp.model_dump(mode="json"), mermaid=mermaid_diagram(wp)
    )


class ControleerVerzoek(Verzoek):
    #: The YAML text of a definition.
    definitie: str = Field(min_length=1)


class Controle(BaseModel):
    geldig: bool
    key: str
    versie: str
    stappen: int
    rollen: int


@router.post("/controleer", response_model=Controle)
def controleer(verzoek: ControleerVerzoek, _: Ingelogd) -> Controle:
    """Controleer een definitie zonder haar in gebruik te nemen; een ongeldige antwoordt 422 met de problemen."""
    wp = laad_tekst(verzoek.definitie, "verzoek")
    return Controle(geldig=True, key=wp.key, versie=wp.versie, stappen=len(wp.stappen), rollen=len(wp.rollen))
