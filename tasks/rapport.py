"""The report task: figures from the store, files on disk; it returns aggregates and paths only."""

from __future__ import annotations

from pydantic import BaseModel

from aanpak.omgeving import standaard
from aanpak.rapportage import Bestanden, schrijf
from aanpak.usecases import rapport as rapport_uc
from models.kalender import lokale_datum
from tasks.beleid import transitietaak


class RapportUitvoer(BaseModel):
    rapport: rapport_uc.Rapport
    bestanden: Bestanden


#: The scheduled dashboard's period: fixed, so a run started by hand publishes what the schedule would.
MAANDEN = 12


@transitietaak
def maak_rapport() -> RapportUitvoer:
    """The whole report over the last ``MAANDEN`` months, written to the fixed folder <data dir>/rapporten."""
    omg = standaard()
    van, tot = rapport_uc.standaard_periode(lokale_datum(omg.nu()), MAANDEN)
    r = rapport_uc.maak_rapport(omg, rapport_uc.Filters(van=van, tot=tot))
    return RapportUitvoer(rapport=r, bestanden=schrijf(r))


@transitietaak
def is_werkdag() -> bool:
    """Today is a werkdag (Atw) of the definition in force."""
    return rapport_uc.is_werkdag(standaard())
