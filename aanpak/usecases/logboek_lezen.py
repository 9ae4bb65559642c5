"""Reading the disclosure log (verwerkingslog) for a privacy officer: the newest entries, optionally of one case.

Apart from ``logboek.py`` (writing and verifying the chain) so that a reader never touches the chain code. The
entries hold references, roles and category keys only, so what this returns may be shown as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Verwerking


@dataclass(frozen=True)
class Logregel:
    """One entry of the disclosure log, as the CLI shows it (no hashes: ``audit verifieer`` checks those)."""

    volgnummer: int
    moment: datetime
    casus_ref: str | None
    handeling: str
    actor: str
    rol: str
    doel: str
    grondslagen: tuple[str, ...]
    uitkomst: str
    reden: str | None
    categorieen: tuple[str, ...]
    geweigerd: tuple[str, ...]


def laatste_regels(omg: Omgeving, *, casus_ref: str | None = None, aantal: int = 50) -> list[Logregel]:
    """The newest ``aantal`` entries (of one case if given), oldest first — the order the chain was written in."""
    with omg.uow() as sessie:
        stmt = select(Verwerking).order_by(Verwerking.volgnummer.desc()).limit(aantal)
        if casus_ref:
            stmt = stmt.where(Verwerking.casus_ref == casus_ref)
        rijen = sessie.scalars(stmt).all()
        return [
            Logregel(
                volgnummer=r.volgnummer,
                moment=r.moment,
                casus_ref=r.casus_ref,
                handeling=r.handeling,
                actor=r.actor,
                rol=r.rol,
                doel=r.doel,
                grondslagen=tuple(r.grondslagen),
                uitkomst=r.uitkomst,
                reden=r.reden,
                categorieen=tuple(r.categorieen),
                geweigerd=tuple(r.geweigerd),
            )
            for r in reversed(rijen)
        ]
