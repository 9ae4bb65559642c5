"""The report task: figures from the store, files on disk; it returns aggregates and paths only."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from aanpak.omgeving import standaard
from aanpak.rapportage import Bestanden, schrijf
from aanpak.usecases import rapport as rapport_uc
from models.kalender import lokale_datum
from tasks.beleid import transitietaak


class RapportUitvoer(BaseModel):
    rapport: rapport_uc.Rapport
    bestanden: Bestanden


@transitietaak
def maak_rapport(
    maanden: int = 12, organisatie: str | None = None, wijk: str | None = None, map: str | None = None
) -> RapportUitvoer:
    """The report over the last ``maanden`` months, written to ``map`` (default <data dir>/rapporten)."""
    omg = standaard()
    van, tot = rapport_uc.standaard_periode(lokale_datum(omg.nu()), maanden)
    r = rapport_uc.maak_rapport(omg, rapport_uc.Filters(van=van, tot=tot, organisatie=organisatie, wijk=wijk))
    return RapportUitvoer(rapport=r, bestanden=schrijf(r, Path(map) if map else None))


@transitietaak
def is_werkdag() -> bool:
    """Today is a werkdag (Atw) of the definition in force."""
    return rapport_uc.is_werkdag(standaard())
