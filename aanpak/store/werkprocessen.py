"""Definition versions: the file in force for new cases, and the snapshot each running case keeps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.store.schema import WerkprocesVersie
from models import organisaties
from models.fouten import DefinitieFout
from models.organisaties import Organisatieregister
from models.werkproces import Werkproces, inhoud_hash, laad_bestand, laad_tekst


class Werkprocessen:
    """Loads the configured definition once, snapshots each version used, and caches parsed snapshots."""

    def __init__(self, pad: Path, organisaties: Path | None = None) -> None:
        self.pad = pad
        #: The organisation register file; None: ``AANPAK_ORGANISATIES`` (default: the embedded register).
        self.organisaties_pad = organisaties
        self._actueel: tuple[Werkproces, str, str] | None = None
        self._per_id: dict[int, Werkproces] = {}
        self._register: Organisatieregister | None = None

    def register(self) -> Organisatieregister:
        """The concrete partner organisations, validated against the definition in force (not versioned:
        it is read once per process, so a school added to the file acts from the next start)."""
        if self._register is None:
            pad = self.organisaties_pad
            if pad is None:
                from aanpak.config import instellingen

                pad = instellingen().organisaties
            self._register = organisaties.laad_bestand(pad, self.bestand()[0])
        return self._register

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


def controleer_versie(sessie: Session, bron: str, key: str, versie: str, tekst: str) -> None:
    """Refuse a changed text whose version is already in use with other content: the clash it would meet when
    used, shown at ``werkproces controleer`` already (reads only)."""
    in_gebruik = sessie.scalar(
        select(WerkprocesVersie.inhoud_hash).where(WerkprocesVersie.key == key, WerkprocesVersie.versie == versie)
    )
    if in_gebruik is not None and in_gebruik != inhoud_hash(tekst):
        raise DefinitieFout(
            bron, [("versie", f"versie '{versie}' is al in gebruik met een andere inhoud; verhoog de versie")]
        )
