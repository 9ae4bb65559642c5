"""Deadline bewaking: reminders, escalation level by level, handoffs not accepted, stagnation → AVE.

Run by the scheduled Prefect deployment. Each signal (a reminder, one escalation level, a stagnation flag) is
written exactly once: the row is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers),
its next moment is advanced in the same transaction as the history entry, the outbox row and a uniquely keyed
``signalering`` row. Two runs at once, or a re-run after a crash, therefore never send anything twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Overdracht, Signalering, StapInstantie
from aanpak.usecases.gedeeld import historie, meld, open_stap, regie_van
from models.bewaking import opschorting_over_maximum, review_op, volgende_escalatie
from models.binding import Partij
from models.casus import CasusStatus, OverdrachtStatus, StapStatus, kalender_voor, ontvangers
from models.werkproces import ONTVANGER_TOKENS, Werkproces


class Signaal(BaseModel):
    """What one pass did for one item; references and roles only (a Prefect task result)."""

    casus_ref: str
    soort: Literal["herinnering", "escalatie", "stagnatie", "review", "opschorting"]
    onderwerp: Literal["stap", "overdracht"]
    stap: str | None
    niveau: int
    naar: list[str]
    termijn_einde: datetime


def bewaak(omg: Omgeving, limiet: int = 1000) -> list[Signaal]:
    """One bewaking pass over everything whose moment has passed (at most ``limiet`` items per kind)."""
    nu = omg.nu()
    uit: list[Signaal] = []
    with omg.uow() as sessie:
        uit += _herinneringen(omg, sessie, nu, limiet)
        uit += _escalaties_stappen(omg, sessie, nu, limiet)
        uit += _escalaties_overdrachten(omg, sessie, nu, limiet)
        uit += _stagnatie(omg, sessie, nu, limiet)
        uit += _reviews(omg, sessie, nu, limiet)
        uit += _opschortingen(omg, sessie, nu, limiet)
    return uit


def _open_stappen_waar(
    kolom: InstrumentedAttribute[datetime | None], nu: datetime, limiet: int, *extra: ColumnElement[bool]
) -> Select[StapInstantie, Casus]:
    """Open steps of open cases whose moment in ``kolom`` has passed: an index range scan on (status, kolom)."""
    return (
        select(StapInstantie, Casus)
        .join(Casus, Casus.id == StapInstantie.casus_id)
        .where(StapInstantie.status == StapStatus.OPEN, kolom <= nu, Casus.status == CasusStatus.OPEN, *extra)
        .order_by(kolom)
        .limit(limiet)
        .with_for_update(skip_locked=True, of=StapInstantie)
    )


def _registreer(
    sessie: Session,
    casus: Casus,
    sleutel: str,
    soort: str,
    naar: list[Partij],
    nu: datetime,
    *,
    niveau: int = 0,
    stap: StapInstantie | None = None,
    overdracht: Overdracht | None = None,
) -> None:
    for partij in naar:
        sessie.add(
            Signalering(
                sleutel=f"{sleutel}:{partij.rol}@{partij.organisatie}",
                casus_id=casus.id,
                stap_id=stap.id if stap else None,
                overdracht_id=overdracht.id if overdracht else None,
                soort=soort,
                niveau=niveau,
                naar_rol=partij.rol,
                naar_organisatie=partij.organisatie,
                eigenaar_rol=stap.eigenaar_rol if stap else (overdracht.naar_rol if overdracht else None),
                eigenaar_organisatie=(
                    stap.eigenaar_organisatie if stap else (overdracht.naar_organisatie if overdracht else None)
                ),
                moment=nu,
            )
        )


def _herinneringen(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Signaal]:
    uit: list[Signaal] = []
    stmt = _open_stappen_waar(StapInstantie.herinnering_op, nu, limiet, StapInstantie.herinnering_gemeld_op.is_(None))
    for stap, casus in sessie.execute(stmt).all():
        stap.herinnering_gemeld_op = nu
        if stap.termijn_einde <= nu:
            continue  # too late for a reminder (the bewaking was down): the escalation ladder takes over
        sleutel = f"stap:{stap.id}:herinnering:{stap.termijn_einde.isoformat()}"
        eigenaar = [_eigenaar(stap)]
        _registreer(sessie, casus, f"{casus.ref}:{sleutel}", "herinnering", eigenaar, nu, stap=stap)
        historie(
            sessie,
            casus,
            sleutel,
            "herinnering",
            nu,
            stap_key=stap.stap_key,
            rol=stap.eigenaar_rol,
            termijn_einde=stap.termijn_einde.isoformat(),
        )
        meld(
            sessie,
            casus,
            sleutel,
            "herinnering",
            eigenaar,
            nu,
            stap_key=stap.stap_key,
            termijn_einde=stap.termijn_einde,
        )
        uit.append(
            Signaal(
                casus_ref=casus.ref,
                soort="herinnering",
                onderwerp="stap",
                stap=stap.stap_key,
                niveau=0,
                naar=[stap.eigenaar_rol],
                termijn_einde=stap.termijn_einde,
            )
        )
    return uit


def _eigenaar(stap: StapInstantie) -> Partij:
    return Partij(stap.eigenaar_organisatie or "", stap.eigenaar_rol)


def _rollen(partijen: list[Partij]) -> list[str]:
    return list(dict.fromkeys(p.rol for p in partijen))


def _ladder_ontvangers(
    omg: Omgeving, wp: Werkproces, naar: str, sessie: Session, casus: Casus, eigenaar: Partij
) -> list[Partij]:
    """A ladder level's recipients; ``leidinggevende`` is the lead at the owner's own organisation."""
    return ontvangers(wp, omg.werkprocessen.register(), [naar], regie_van(sessie, casus), eigenaar)


def _escalaties_stappen(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Signaal]:
    uit: list[Signaal] = []
    for stap, casus in sessie.execute(_open_stappen_waar(StapInstantie.volgende_escalatie_op, nu, limiet)).all():
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        kalender = kalender_voor(wp)
        ladder = wp.ladder(wp.stap(stap.stap_key).escalatie)
        # Every level whose moment has passed fires once, in order (a bewaking that was down catches up).
        while stap.volgende_escalatie_op is not None and stap.volgende_escalatie_op <= nu:
            niveau = stap.escalatie_niveau
            naar = _ladder_ontvangers(omg, wp, ladder[niveau].naar, sessie, casus, _eigenaar(stap))
            sleutel = f"stap:{stap.id}:escalatie:{niveau + 1}"
            _registreer(sessie, casus, f"{casus.ref}:{sleutel}", "escalatie", naar, nu, niveau=niveau + 1, stap=stap)
            historie(
                sessie,
                casus,
                sleutel,
                "escalatie",
                nu,
                stap_key=stap.stap_key,
                rol=stap.eigenaar_rol,
                niveau=niveau + 1,
                naar=_rollen(naar),
                termijn_einde=stap.termijn_einde.isoformat(),
            )
            meld(
                sessie,
                casus,
                sleutel,
                "escalatie",
                naar,
                nu,
                stap_key=stap.stap_key,
                termijn_einde=stap.termijn_einde,
                niveau=niveau + 1,
                eigenaar=stap.eigenaar_rol,
                eigenaar_organisatie=stap.eigenaar_organisatie,
            )
            uit.append(
                Signaal(
                    casus_ref=casus.ref,
                    soort="escalatie",
                    onderwerp="stap",
                    stap=stap.stap_key,
                    niveau=niveau + 1,
                    naar=_rollen(naar),
                    termijn_einde=stap.termijn_einde,
                )
            )
            stap.escalatie_niveau = niveau + 1
            stap.volgende_escalatie_op = volgende_escalatie(kalender, ladder, niveau + 1, stap.termijn_einde)
    return uit


def _escalaties_overdrachten(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Signaal]:
    """A handoff not accepted in time escalates; until acceptance the old holder stays responsible."""
    uit: list[Signaal] = []
    rijen = sessie.execute(
        select(Overdracht, Casus)
        .join(Casus, Casus.id == Overdracht.casus_id)
        .where(Overdracht.status == OverdrachtStatus.AANGEBODEN, Overdracht.volgende_escalatie_op <= nu)
        .order_by(Overdracht.volgende_escalatie_op)
        .limit(limiet)
        .with_for_update(skip_locked=True, of=Overdracht)
    ).all()
    for o, casus in rijen:
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        kalender = kalender_voor(wp)
        ladder = wp.ladder(wp.overdracht.escalatie)
        while o.volgende_escalatie_op is not None and o.volgende_escalatie_op <= nu:
            niveau = o.escalatie_niveau
            # "eigenaar" of a handoff is the receiving role: it must accept; the giving role is always told.
            ontvanger = Partij(o.naar_organisatie or "", o.naar_rol)
            naar = _ladder_ontvangers(omg, wp, ladder[niveau].naar, sessie, casus, ontvanger)
            van = Partij(o.van_organisatie or "", o.van_rol) if o.van_rol else None
            if van and van not in naar:
                naar.append(van)
            sleutel = f"overdracht:{o.ref}:escalatie:{niveau + 1}"
            _registreer(sessie, casus, f"{casus.ref}:{sleutel}", "escalatie", naar, nu, niveau=niveau + 1, overdracht=o)
            historie(
                sessie,
                casus,
                sleutel,
                "overdracht_escalatie",
                nu,
                rol=o.naar_rol,
                niveau=niveau + 1,
                naar=_rollen(naar),
                overdracht=o.ref,
                soort=o.soort,
            )
            meld(
                sessie,
                casus,
                sleutel,
                "escalatie",
                naar,
                nu,
                termijn_einde=o.termijn_einde,
                niveau=niveau + 1,
                overdracht=o.ref,
                eigenaar=o.naar_rol,
                eigenaar_organisatie=o.naar_organisatie,
            )
            uit.append(
                Signaal(
                    casus_ref=casus.ref,
                    soort="escalatie",
                    onderwerp="overdracht",
                    stap=None,
                    niveau=niveau + 1,
                    naar=_rollen(naar),
                    termijn_einde=o.termijn_einde,
                )
            )
            o.escalatie_niveau = niveau + 1
            o.volgende_escalatie_op = volgende_escalatie(kalender, ladder, niveau + 1, o.termijn_einde)
    return uit


def _stagnatie(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Signaal]:
    """Late work in a case at a watched AVE phase: ask the procesregie to consider opschalen (once per item)."""
    uit: list[Signaal] = []
    stap_rijen = sessie.execute(
        _open_stappen_waar(StapInstantie.stagnatie_op, nu, limiet, StapInstantie.stagnatie_gemeld_op.is_(None))
    ).all()
    overdracht_rijen = sessie.execute(
        select(Overdracht, Casus)
        .join(Casus, Casus.id == Overdracht.casus_id)
        .where(
            Overdracht.status == OverdrachtStatus.AANGEBODEN,
            Overdracht.stagnatie_op <= nu,
            Overdracht.stagnatie_gemeld_op.is_(None),
        )
        .order_by(Overdracht.stagnatie_op)
        .limit(limiet)
        .with_for_update(skip_locked=True, of=Overdracht)
    ).all()
    items: list[tuple[Casus, StapInstantie | None, Overdracht | None]] = [(c, s, None) for s, c in stap_rijen]
    items += [(c, None, o) for o, c in overdracht_rijen]
    for casus, stap, overdracht in items:
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        if stap is not None:
            stap.stagnatie_gemeld_op = nu
        if overdracht is not None:
            overdracht.stagnatie_gemeld_op = nu
        if wp.stagnatie is None or casus.ave_niveau not in wp.stagnatie.ave_fasen:
            continue  # not a watched phase: marked, so it is not looked at again
        onderwerp = f"stap:{stap.id}" if stap else f"overdracht:{overdracht.ref if overdracht else ''}"
        sleutel = f"{onderwerp}:stagnatie"
        regie = regie_van(sessie, casus)
        gestart = open_stap(
            sessie, wp, casus, wp.stagnatie.stap, nu, besluit_id=None, register=omg.werkprocessen.register()
        )
        naar = [p for p in [regie.procesregie or regie.casusregie] if p]
        _registreer(sessie, casus, f"{casus.ref}:{sleutel}", "stagnatie", naar, nu, stap=stap, overdracht=overdracht)
        historie(
            sessie,
            casus,
            sleutel,
            "stagnatie",
            nu,
            stap_key=stap.stap_key if stap else None,
            naar=_rollen(naar),
            ave=casus.ave_niveau,
            overwegen_gestart=gestart is not None,
        )
        meld(
            sessie,
            casus,
            sleutel,
            "stagnatie",
            naar,
            nu,
            stap_key=wp.stagnatie.stap,
            ave=casus.ave_niveau,
            oorzaak=stap.stap_key if stap else "overdracht",
        )
        termijn = stap.termijn_einde if stap else overdracht.termijn_einde if overdracht else nu
        uit.append(
            Signaal(
                casus_ref=casus.ref,
                soort="stagnatie",
                onderwerp="stap" if stap else "overdracht",
                stap=stap.stap_key if stap else None,
                niveau=0,
                naar=_rollen(naar),
                termijn_einde=termijn,
            )
        )
    return uit


def _reviews(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Signaal]:
    """A monitoring review the casusregie did not record in time: tell casus- and procesregie, once per period.

    The next review is then due one cadence (of the case's AVE phase now) after this moment, so a review that
    stays missing is signalled again each period, never twice in one.
    """
    uit: list[Signaal] = []
    for stap, casus in sessie.execute(_open_stappen_waar(StapInstantie.review_op, nu, limiet)).all():
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        gemist = stap.review_op
        assert gemist is not None
        stap.review_op = review_op(wp, kalender_voor(wp), stap.stap_key, casus.ave_niveau, nu)
        naar = ontvangers(
            wp, omg.werkprocessen.register(), ["eigenaar", "procesregie"], regie_van(sessie, casus), _eigenaar(stap)
        )
        sleutel = f"stap:{stap.id}:review:{gemist.isoformat()}"
        _registreer(sessie, casus, f"{casus.ref}:{sleutel}", "review", naar, nu, stap=stap)
        laatste = (stap.laatste_review_op or stap.gestart_op).isoformat()
        historie(
            sessie,
            casus,
            sleutel,
            "review_gemist",
            nu,
            stap_key=stap.stap_key,
            naar=_rollen(naar),
            laatste_review=laatste,
        )
        meld(
            sessie,
            casus,
            sleutel,
            "review_gemist",
            naar,
            nu,
            stap_key=stap.stap_key,
            termijn_einde=stap.review_op,
            ave=casus.ave_niveau,
            eigenaar=stap.eigenaar_rol,
            eigenaar_organisatie=stap.eigenaar_organisatie,
        )
        uit.append(
            Signaal(
                casus_ref=casus.ref,
                soort="review",
                onderwerp="stap",
                stap=stap.stap_key,
                niveau=0,
                naar=_rollen(naar),
                termijn_einde=gemist,
            )
        )
    return uit


def _opschortingen(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Signaal]:
    """A step suspended past its ``termijn.opschorting.max_werkdagen``: escalate once per suspension, to the
    owner and the procesregie (else the first fixed role of the step's ladder, the gemeentelijk procesregisseur
    in the default). The key ``stap:<id>:opschorting:<since>`` makes a second pass a no-op."""
    uit: list[Signaal] = []
    rijen = sessie.execute(
        select(StapInstantie, Casus)
        .join(Casus, Casus.id == StapInstantie.casus_id)
        .where(StapInstantie.status == StapStatus.OPGESCHORT, Casus.status == CasusStatus.OPEN)
        .order_by(StapInstantie.opgeschort_op)
        .limit(limiet)
        .with_for_update(skip_locked=True, of=StapInstantie)
    ).all()
    register = omg.werkprocessen.register()
    for stap, casus in rijen:
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        kalender = kalender_voor(wp)
        if stap.opgeschort_op is None or not opschorting_over_maximum(
            wp, kalender, stap.stap_key, stap.acuut, stap.opgeschort_op, stap.opgeschort_werkdagen, nu
        ):
            continue
        sleutel = f"stap:{stap.id}:opschorting:{stap.opgeschort_op.isoformat()}"
        if sessie.scalar(select(Signalering.id).where(Signalering.sleutel.startswith(f"{casus.ref}:{sleutel}:"))):
            continue  # flagged by an earlier pass
        regie = regie_van(sessie, casus)
        tokens = ["eigenaar", "procesregie"]
        if regie.procesregie is None:
            ladder = wp.ladder(wp.stap(stap.stap_key).escalatie)
            tokens += [n.naar for n in ladder if n.naar not in ONTVANGER_TOKENS][:1]
        naar = ontvangers(wp, register, tokens, regie, _eigenaar(stap))
        _registreer(sessie, casus, f"{casus.ref}:{sleutel}", "opschorting", naar, nu, stap=stap)
        historie(
            sessie,
            casus,
            sleutel,
            "opschorting_over_maximum",
            nu,
            stap_key=stap.stap_key,
            rol=stap.eigenaar_rol,
            organisatie=stap.eigenaar_organisatie,
            naar=_rollen(naar),
            opgeschort_sinds=stap.opgeschort_op.isoformat(),
            reden=stap.opschortreden,
        )
        meld(
            sessie,
            casus,
            sleutel,
            "opschorting_over_maximum",
            naar,
            nu,
            stap_key=stap.stap_key,
            termijn_einde=stap.termijn_einde,
            eigenaar=stap.eigenaar_rol,
            eigenaar_organisatie=stap.eigenaar_organisatie,
        )
        uit.append(
            Signaal(
                casus_ref=casus.ref,
                soort="opschorting",
                onderwerp="stap",
                stap=stap.stap_key,
                niveau=0,
                naar=_rollen(naar),
                termijn_einde=stap.termijn_einde,
            )
        )
    return uit
