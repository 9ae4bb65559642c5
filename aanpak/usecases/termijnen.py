"""Opschorten, hervatten and verlengen of a step's term, within what the definition allows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, StapInstantie
from aanpak.usecases.casusopslag import casus_op_ref
from aanpak.usecases.stappen import actieve_stappen, plan_bewaking
from aanpak.usecases.vastlegging import Feit, historie, leg_vast_en_meld
from models.actor import Actor
from models.bewaking import review_op
from models.binding import Partij, controleer_actor, partij
from models.casus import Opschortreden, StapStatus, Verlengreden, kalender_voor, max_verlenging, termijn_voor
from models.fouten import Conflict, DomeinFout, NietGevonden
from models.kalender import TermijnEenheid, lokale_datum
from models.meldingen import Meldingsoort
from models.stappen import overgang


class TermijnGewijzigd(BaseModel):
    casus_ref: str
    stap: str
    status: str
    termijn_einde: datetime
    werkdagen_opgeschort: int = 0


def _lopende(sessie: Session, casus: Casus, stap_key: str) -> StapInstantie:
    for stap in actieve_stappen(sessie, casus):
        if stap.stap_key == stap_key:
            return stap
    raise NietGevonden(f"casus {casus.ref} heeft geen lopende stap '{stap_key}'", veld="stap")


def _eigenaar(stap: StapInstantie) -> Partij:
    return Partij(stap.eigenaar_organisatie or "", stap.eigenaar_rol)


def _bevoegd(omg: Omgeving, sessie: Session, casus: Casus, stap: StapInstantie, actor: Actor) -> None:
    """Only the step's owner or a regie holder, each at its own organisation, changes a term."""
    controleer_actor(omg.werkprocessen.van(sessie, casus.werkproces_id), omg.werkprocessen.register(), actor)
    bevoegd = {
        _eigenaar(stap),
        Partij(casus.casusregie_organisatie or "", casus.casusregie or ""),
        Partij(casus.procesregie_organisatie or "", casus.procesregie or ""),
    }
    if partij(actor) not in bevoegd:
        raise DomeinFout(f"rol '{actor.rol}' mag de termijn van stap '{stap.stap_key}' niet wijzigen", veld="actor_rol")


def opschorten(omg: Omgeving, casus_ref: str, stap_key: str, reden: Opschortreden, actor: Actor) -> TermijnGewijzigd:
    nu = omg.nu()
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        stap = _lopende(sessie, casus, stap_key)
        _bevoegd(omg, sessie, casus, stap, actor)
        if stap.status == StapStatus.OPGESCHORT:
            return TermijnGewijzigd(
                casus_ref=casus.ref, stap=stap.stap_key, status=stap.status, termijn_einde=stap.termijn_einde
            )
        if stap.status != StapStatus.OPEN:
            raise Conflict(f"stap '{stap_key}' is al besloten", veld="stap")
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        termijn = termijn_voor(wp.stap(stap.stap_key), stap.acuut)
        regel = termijn.opschortregel()
        if not regel.toegestaan:
            soort = f"wettelijk ({termijn.bron or 'wet'})" if termijn.wettelijk else "niet opschortbaar"
            raise DomeinFout(
                f"de termijn van stap '{stap.stap_key}' is {soort} en kan niet opgeschort worden",
                veld="stap",
            )
        if regel.max_werkdagen is not None and stap.opgeschort_werkdagen >= regel.max_werkdagen:
            raise DomeinFout(
                f"stap '{stap.stap_key}' is al {stap.opgeschort_werkdagen} werkdagen opgeschort geweest, "
                f"het maximum ({regel.max_werkdagen})",
                veld="stap",
            )
        stap.status = overgang(stap.status, StapStatus.OPGESCHORT)
        stap.opgeschort_op = nu
        stap.opschortreden = reden.value
        historie(
            sessie,
            casus,
            f"stap:{stap.id}:opgeschort:{nu.isoformat()}",
            "stap_opgeschort",
            nu,
            stap_key=stap.stap_key,
            rol=actor.rol,
            organisatie=actor.organisatie,
            actor=actor.persoon,
            reden=reden.value,
        )
        return TermijnGewijzigd(
            casus_ref=casus.ref, stap=stap.stap_key, status=stap.status, termijn_einde=stap.termijn_einde
        )


def _geteld(verstreken: int, eerder: int, maximum: int | None) -> int:
    """The werkdagen a resume adds to the term: never more than the room the definition's maximum leaves
    across all suspensions of the step, however long it actually stayed suspended."""
    if maximum is None:
        return verstreken
    return max(0, min(verstreken, maximum - eerder))


def hervatten(omg: Omgeving, casus_ref: str, stap_key: str, actor: Actor) -> TermijnGewijzigd:
    """Resume: the due date moves by the werkdagen the step was suspended (hours for acute hour terms)."""
    nu = omg.nu()
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        stap = _lopende(sessie, casus, stap_key)
        _bevoegd(omg, sessie, casus, stap, actor)
        if stap.status != StapStatus.OPGESCHORT or stap.opgeschort_op is None:
            raise Conflict(f"stap '{stap_key}' is niet opgeschort", veld="stap")
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        kalender = kalender_voor(wp)
        termijn = termijn_voor(wp.stap(stap.stap_key), stap.acuut)
        verstreken = kalender.werkdagen_in(lokale_datum(stap.opgeschort_op), lokale_datum(nu))
        werkdagen = _geteld(verstreken, stap.opgeschort_werkdagen, termijn.opschortregel().max_werkdagen)
        vorige_einde = stap.termijn_einde
        if termijn.eenheid == TermijnEenheid.UREN and werkdagen == verstreken:
            stap.termijn_einde = stap.termijn_einde + (nu - stap.opgeschort_op)
        else:
            stap.termijn_einde = kalender.verschuif(stap.termijn_einde, werkdagen)
        plan_bewaking(wp, stap)
        stap.opgeschort_werkdagen += werkdagen
        stap.status = overgang(stap.status, StapStatus.OPEN)
        stap.opgeschort_op = None
        leg_vast_en_meld(
            sessie,
            casus,
            f"stap:{stap.id}:hervat:{nu.isoformat()}",
            nu,
            Feit(
                "stap_hervat",
                stap_key=stap.stap_key,
                rol=actor.rol,
                organisatie=actor.organisatie,
                actor=actor.persoon,
                gegevens={
                    "werkdagen": werkdagen,
                    "werkdagen_verstreken": verstreken,
                    "termijn_einde": stap.termijn_einde.isoformat(),
                },
            ),
            Meldingsoort.TERMIJN_GEWIJZIGD,
            # A resume that moves nothing changes no term: nothing to tell.
            [_eigenaar(stap)] if stap.termijn_einde != vorige_einde else [],
            termijn_einde=stap.termijn_einde,
        )
        return TermijnGewijzigd(
            casus_ref=casus.ref,
            stap=stap.stap_key,
            status=stap.status,
            termijn_einde=stap.termijn_einde,
            werkdagen_opgeschort=werkdagen,
        )


def verlengen(
    omg: Omgeving, casus_ref: str, stap_key: str, aantal: int, reden: Verlengreden, actor: Actor
) -> TermijnGewijzigd:
    """Extend within the definition's bound; a statutory term cannot be extended by a coordinator."""
    nu = omg.nu()
    if aantal < 1:
        raise DomeinFout("een verlenging is minstens 1", veld="aantal")
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        stap = _lopende(sessie, casus, stap_key)
        _bevoegd(omg, sessie, casus, stap, actor)
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        definitie = wp.stap(stap.stap_key)
        termijn = termijn_voor(definitie, stap.acuut)
        if termijn.wettelijk:
            raise DomeinFout(
                f"de termijn van '{definitie.naam}' is wettelijk ({termijn.bron or 'wet'}) en kan niet verlengd worden",
                veld="aantal",
            )
        ruimte = max_verlenging(definitie, stap.acuut) - stap.verlengd_met
        if aantal > ruimte:
            raise DomeinFout(
                f"verlenging van {aantal} {termijn.eenheid.value} gaat boven de afgesproken ruimte "
                f"(nog {max(ruimte, 0)} {termijn.eenheid.value})",
                veld="aantal",
            )
        oud = stap.termijn_einde
        stap.termijn_einde = kalender_voor(wp).termijn_einde(oud, aantal, termijn.eenheid)
        stap.verlengd_met += aantal
        plan_bewaking(wp, stap)
        leg_vast_en_meld(
            sessie,
            casus,
            f"stap:{stap.id}:verlengd:{stap.verlengd_met}",
            nu,
            Feit(
                "stap_verlengd",
                stap_key=stap.stap_key,
                rol=actor.rol,
                organisatie=actor.organisatie,
                actor=actor.persoon,
                gegevens={
                    "aantal": aantal,
                    "eenheid": termijn.eenheid.value,
                    "reden": reden.value,
                    "termijn_einde": stap.termijn_einde.isoformat(),
                },
            ),
            Meldingsoort.TERMIJN_GEWIJZIGD,
            [_eigenaar(stap)],
            termijn_einde=stap.termijn_einde,
        )
        return TermijnGewijzigd(
            casus_ref=casus.ref, stap=stap.stap_key, status=stap.status, termijn_einde=stap.termijn_einde
        )


class ReviewVastgelegd(BaseModel):
    casus_ref: str
    stap: str
    volgende_review: datetime | None


def review(omg: Omgeving, casus_ref: str, stap_key: str, actor: Actor) -> ReviewVastgelegd:
    """The casusregie reviewed progress (monitoring): the next review is due one AVE cadence from now."""
    nu = omg.nu()
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        stap = _lopende(sessie, casus, stap_key)
        _bevoegd(omg, sessie, casus, stap, actor)
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        if not wp.stap(stap.stap_key).monitoring:
            raise DomeinFout(f"stap '{stap_key}' kent geen monitoringreviews", veld="stap")
        stap.laatste_review_op = nu
        stap.review_op = review_op(wp, kalender_voor(wp), stap.stap_key, casus.ave_niveau, nu)
        historie(
            sessie,
            casus,
            f"stap:{stap.id}:review:{nu.isoformat()}",
            "review",
            nu,
            stap_key=stap.stap_key,
            rol=actor.rol,
            organisatie=actor.organisatie,
            actor=actor.persoon,
            volgende_review=stap.review_op.isoformat() if stap.review_op else None,
        )
        return ReviewVastgelegd(casus_ref=casus.ref, stap=stap.stap_key, volgende_review=stap.review_op)
