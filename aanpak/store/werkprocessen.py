"""Definition versions: the file in force for new cases, and the snapshot each running case keeps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.store.schema import WerkprocesVersie
from models.fouten import DefinitieFout
from models.werkproces import Werkproces, inhoud_hash, laad_bestand, laad_tekst


class Werkprocessen:
    """Loads the configured definition once, snapshots each version used, and caches parsed snapshots."""

    def __init__(self, pad: Path) -> None:
        self.pad = pad
        self._actueel: tuple[Werkproces, str, str] | None = None
        self._per_id: dict[int, Werkproces] = {}

    def bestand(self) -> tuple[Werkproces, str, str]:
        """The definition in force (validated at first use; a broken file fails loudly here)."""
        if self._actueel is None:
            wp, tekst = laad_bestand(self.pad)
            self._actueel = (wp, tekst, inhoud_hash(tekst))
        return self._actueel

    def actueel(self, sessie: Session, nu: datetime) -> tuple[int, Werkproces]:
        """The id of the snapshot for new cases, writing it the first time this version is used."""
        wp, tekst, hash_ = self.bestand()
        rij = sessie.scalar(
            select(WerkprocesVersie).where(WerkprocesVersie.key == wp.key, WerkprocesVersie.versie == wp.versie)
        )
        if rij is None:
            rij = WerkprocesVersie(key=wp.key, versie=wp.versie, inhoud_hash=hash_, tekst=tekst, geladen_op=nu)
            sessie.add(rij)
            sessie.flush()
        elif rij.inhoud_hash != hash_:
            raise DefinitieFout(
                str(self.pad),
                [
                    (
                        "versie",
                        f"versie '{wp.versie}' is al in gebruik met een andere inhoud; verhoog de versie",
                    )
                ],
            )
        self._per_id[rij.id] = wp
        return rij.id, wp

    def van(self, sessie: Session, werkproces_id: int) -> Werkproces:
        """The definition a case started with."""
        wp = self._per_id.get(werkproces_id)
        if wp is None:
            rij = sessie.get_one(WerkprocesVersie, werkproces_id)
            wp = laad_tekst(rij.tekst, f"werkproces_versie {rij.key} {rij.versie}")
            self._per_id[werkproces_id] = wp
        return wp
