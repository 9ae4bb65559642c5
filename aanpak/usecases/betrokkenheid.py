"""Who is involved in a case: the one check every entry point makes before it shows or changes a case.

A case the caller is not involved in answers exactly like an unknown one (no existence oracle), and the
attempt is written to the disclosure log before the refusal.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Grondslag, Overdracht
from aanpak.usecases import logboek
from aanpak.usecases.grondslag import betrokken_partijen
from models.actor import Actor
from models.binding import partij
from models.fouten import NietGevonden
from models.privacy import Weigerreden

#: What a refused attempt on a case is logged as: no data was shown, because the caller is not involved.
_NIET_BETROKKEN = Weigerreden.NIET_BETROKKEN.value


# -- involvement --------------------------------------------------------------------------------------------


def _onbekende_casus(casus_ref: str) -> NietGevonden:
    """The one answer for a case that does not exist *and* for one the caller may not know exists."""
    return NietGevonden(f"casus '{casus_ref}' bestaat niet", veld="casus")


def _betrokken(omg: Omgeving, sessie: Session, casus: Casus, actor: Actor, loket: bool) -> bool:
    """Involved is a (organisation, role) party of the case; the privacyloket only where ``loket`` allows it."""
    if partij(actor) in betrokken_partijen(sessie, casus):
        return True
    return loket and actor.rol in omg.werkprocessen.van(sessie, casus.werkproces_id).privacy.loket


def controleer_betrokken(omg: Omgeving, actor: Actor, casus_ref: str, handeling: str, *, loket: bool = False) -> None:
    """Raise the unknown-case 404 unless the caller is involved in the case (or, with ``loket``, is the
    privacyloket); an uninvolved caller's attempt is committed to the disclosure log before the refusal."""
    with omg.uow() as sessie:
        casus = sessie.scalar(select(Casus).where(Casus.ref == casus_ref))
        if casus is None:
            raise _onbekende_casus(casus_ref)
        if _betrokken(omg, sessie, casus, actor, loket):
            return
        logboek.schrijf(
            sessie,
            moment=omg.nu(),
            casus_ref=casus.ref,
            handeling=handeling,
            actor=actor.persoon,
            rol=actor.rol,
            organisatie=actor.organisatie,
            doel=handeling,
            uitkomst="geweigerd",
            reden=_NIET_BETROKKEN,
        )
    raise _onbekende_casus(casus_ref)


_MODELLEN: dict[str, type[Overdracht] | type[Grondslag]] = {"overdracht": Overdracht, "grondslag": Grondslag}


def _casus_van(omg: Omgeving, wat: Literal["overdracht", "grondslag"], ref: str) -> str:
    model = _MODELLEN[wat]
    with omg.uow() as sessie:
        casus_ref = sessie.scalar(select(Casus.ref).join(model, model.casus_id == Casus.id).where(model.ref == ref))
    if casus_ref is None:
        raise NietGevonden(f"{wat} '{ref}' bestaat niet", veld=wat)
    return casus_ref


def controleer_via(
    omg: Omgeving, actor: Actor, wat: Literal["overdracht", "grondslag"], ref: str, handeling: str
) -> None:
    """Involvement for a handoff or a ground: an uninvolved caller hears that the reference does not exist."""
    casus_ref = _casus_van(omg, wat, ref)
    try:
        controleer_betrokken(omg, actor, casus_ref, handeling)
    except NietGevonden:
        raise NietGevonden(f"{wat} '{ref}' bestaat niet", veld=wat) from None


def casus_bestaat(omg: Omgeving, casus_ref: str) -> bool:
    with omg.uow() as sessie:
        return sessie.scalar(select(Casus.id).where(Casus.ref == casus_ref)) is not None
