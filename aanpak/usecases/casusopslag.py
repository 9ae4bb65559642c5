"""A case and the parties around it: opaque references, looking a case up, who is involved, who holds regie,
and the two changes of the case row itself (regie holder, AVE phase).

Each function works inside the caller's transaction; none commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.store.schema import Casus, Overdracht, Signaal, StapInstantie
from aanpak.usecases.vastlegging import historie
from models.binding import Partij
from models.casus import Regie
from models.fouten import NietGevonden

_ALFABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def nieuwe_ref(prefix: str) -> str:
    """Opaque, random reference (never derived from personal data), e.g. ``C-7K3M9QXD``."""
    return f"{prefix}-" + "".join(secrets.choice(_ALFABET) for _ in range(8))


def casus_op_ref(sessie: Session, ref: str, *, vergrendel: bool = False) -> Casus:
    stmt = select(Casus).where(Casus.ref == ref)
    if vergrendel:
        stmt = stmt.with_for_update()
    casus = sessie.scalar(stmt)
    if casus is None:
        raise NietGevonden(f"casus '{ref}' bestaat niet", veld="casus")
    return casus


def _partij(organisatie: str | None, rol: str | None) -> Partij | None:
    return Partij(organisatie, rol) if organisatie and rol else None


def melders_van(sessie: Session, casus: Casus) -> list[Partij]:
    rijen = sessie.execute(
        select(Signaal.melder_organisatie, Signaal.bron_rol).where(Signaal.casus_id == casus.id).order_by(Signaal.id)
    ).all()
    return list(dict.fromkeys(p for p in (_partij(o, r) for o, r in rijen) if p))


def betrokken_partijen(sessie: Session, casus: Casus) -> list[Partij]:
    """The parties that carry a case: melders, regie holders, step owners and handoff parties."""
    partijen: list[Partij | None] = [*melders_van(sessie, casus)]
    partijen += [
        _partij(casus.casusregie_organisatie, casus.casusregie),
        _partij(casus.procesregie_organisatie, casus.procesregie),
        _partij(casus.bestuurlijk_organisatie, casus.bestuurlijk),
    ]
    for o, r in sessie.execute(
        select(StapInstantie.eigenaar_organisatie, StapInstantie.eigenaar_rol)
        .where(StapInstantie.casus_id == casus.id)
        .order_by(StapInstantie.id)
    ):
        partijen.append(_partij(o, r))
    for vo, vr, no, nr in sessie.execute(
        select(Overdracht.van_organisatie, Overdracht.van_rol, Overdracht.naar_organisatie, Overdracht.naar_rol)
        .where(Overdracht.casus_id == casus.id)
        .order_by(Overdracht.id)
    ):
        partijen += [_partij(vo, vr), _partij(no, nr)]
    return list(dict.fromkeys(p for p in partijen if p))


def regie_van(sessie: Session, casus: Casus) -> Regie:
    return Regie(
        _partij(casus.casusregie_organisatie, casus.casusregie),
        _partij(casus.procesregie_organisatie, casus.procesregie),
        tuple(melders_van(sessie, casus)),
        tuple(betrokken_partijen(sessie, casus)),
    )


def zet_regie(casus: Casus, soort: str, partij: Partij | None) -> None:
    """Set casus- or procesregie to a party (role and organisation together)."""
    if soort == "casusregie":
        casus.casusregie = partij.rol if partij else None
        casus.casusregie_organisatie = partij.organisatie if partij else None
    else:
        casus.procesregie = partij.rol if partij else None
        casus.procesregie_organisatie = partij.organisatie if partij else None


def wijzig_ave(sessie: Session, casus: Casus, niveau: int, besluit_ref: str, nu: datetime) -> None:
    oud = casus.ave_niveau
    if oud == niveau:
        return
    casus.ave_niveau = niveau
    historie(
        sessie, casus, f"besluit:{besluit_ref}:ave", "ave_gewijzigd", nu, van=oud, naar=niveau, besluit=besluit_ref
    )
