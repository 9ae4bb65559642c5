"""Deadline bewaking: reminders, escalation level by level, handoffs not accepted, stagnation → AVE.

Run by the scheduled Prefect deployment. Each signal (a reminder, one escalation level, a stagnation flag) is
written exactly once: the row is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers),
its next moment is advanced in the same transaction as the history entry, the outbox row and a uniquely keyed
``signalering`` row. Two runs at once, or a re-run after a crash, therefore never send anything twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Overdracht, Signalering, StapInstantie
from aanpak.usecases.casusopslag import regie_van
from aanpak.usecases.stappen import open_stap
from aanpak.usecases.vastlegging import Feit, leg_vast_en_meld
from models.bewaking import opschorting_over_maximum, review_op, volgende_escalatie
from models.binding import Partij
from models.casus import CasusStatus, OverdrachtStatus, StapStatus, kalender_voor, ontvangers
from models.meldingen import Meldingsoort
from models.werkproces import ONTVANGER_TOKENS, Werkproces

Bewakingsoort = Literal["herinnering", "escalatie", "stagnatie", "review", "opschorting"]


class Bewakingssignaal(BaseModel):
    """What one pass did for one item; references and roles only (a Prefect task result)."""

    casus_ref: str
    soort: Bewakingsoort
    onderwerp: Literal["stap", "overdracht"]
    stap: str | None
    niveau: int
    naar: list[str]
    termijn_einde: datetime


def bewaak(omg: Omgeving, limiet: int = 1000) -> list[Bewakingssignaal]:
    """One bewaking pass over everything whose moment has passed (at most ``limiet`` items per kind)."""
    nu = omg.nu()
    uit: list[Bewakingssignaal] = []
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


def _signaleer(
    sessie: Session,
    casus: Casus,
    sleutel: str,
    nu: datetime,
    soort: Bewakingsoort,
    naar: list[Partij],
    feit: Feit,
    melding: Meldingsoort,
    /,
    *,
    termijn: datetime,
    niveau: int = 0,
    stap: StapInstantie | None = None,
    overdracht: Overdracht | None = None,
    melding_stap_key: str | None = None,
    melding_termijn: datetime | None = None,
    melding_gegevens: dict[str, Any] | None = None,
) -> Bewakingssignaal:
    """One bewaking signal: its ``signalering`` rows, the history entry and its outbox messages (with
    ``melding_gegevens``), and the pass's report line for it (``termijn`` is the moment the signal is about)."""
    _registreer(
        sessie, casus, f"{casus.ref}:{sleutel}", soort, naar, nu, niveau=niveau, stap=stap, overdracht=overdracht
    )
    leg_vast_en_meld(
        sessie,
        casus,
        sleutel,
        nu,
        feit,
        melding,
        naar,
        stap_key=melding_stap_key,
        termijn_einde=melding_termijn,
        **(melding_gegevens or {}),
    )
    return Bewakingssignaal(
        casus_ref=casus.ref,
        soort=soort,
        onderwerp="stap" if stap else "overdracht",
        stap=stap.stap_key if stap else None,
        niveau=niveau,
        naar=_rollen(naar),
        termijn_einde=termijn,
    )


def _herinneringen(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Bewakingssignaal]:
    uit: list[Bewakingssignaal] = []
    stmt = _open_stappen_waar(StapInstantie.herinnering_op, nu, limiet, StapInstantie.herinnering_gemeld_op.is_(None))
    for stap, casus in sessie.execute(stmt).all():
        stap.herinnering_gemeld_op = nu
        if stap.termijn_einde <= nu:
            continue  # too late for a reminder (the bewaking was down): the escalation ladder takes over
        sleutel = f"stap:{stap.id}:herinnering:{stap.termijn_einde.isoformat()}"
        feit = Feit(
            "herinnering",
            stap_key=stap.stap_key,
            rol=stap.eigenaar_rol,
            gegevens={"termijn_einde": stap.termijn_einde.isoformat()},
        )
        uit.append(
            _signaleer(
                sessie,
                casus,
                sleutel,
                nu,
                "herinnering",
                [_eigenaar(stap)],
                feit,
                Meldingsoort.HERINNERING,
                termijn=stap.termijn_einde,
                stap=stap,
                melding_termijn=stap.termijn_einde,
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


def _escalaties_stappen(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Bewakingssignaal]:
    uit: list[Bewakingssignaal] = []
    for stap, casus in sessie.execute(_open_stappen_waar(StapInstantie.volgende_escalatie_op, nu, limiet)).all():
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        kalender = kalender_voor(wp)
        ladder = wp.ladder(wp.stap(stap.stap_key).escalatie)
        # Every level whose moment has passed fires once, in order (a bewaking that was down catches up).
        while stap.volgende_escalatie_op is not None and stap.volgende_escalatie_op <= nu:
            niveau = stap.escalatie_niveau
            naar = _ladder_ontvangers(omg, wp, ladder[niveau].naar, sessie, casus, _eigenaar(stap))
            sleutel = f"stap:{stap.id}:escalatie:{niveau + 1}"
            feit = Feit(
                "escalatie",
                stap_key=stap.stap_key,
                rol=stap.eigenaar_rol,
                gegevens={
                    "niveau": niveau + 1,
                    "naar": _rollen(naar),
                    "termijn_einde": stap.termijn_einde.isoformat(),
                },
            )
            uit.append(
                _signaleer(
                    sessie,
                    casus,
                    sleutel,
                    nu,
                    "escalatie",
                    naar,
                    feit,
                    Meldingsoort.ESCALATIE,
                    termijn=stap.termijn_einde,
                    niveau=niveau + 1,
                    stap=stap,
                    melding_termijn=stap.termijn_einde,
                    melding_gegevens={
                        "niveau": niveau + 1,
                        "eigenaar": stap.eigenaar_rol,
                        "eigenaar_organisatie": stap.eigenaar_organisatie,
                    },
                )
            )
            stap.escalatie_niveau = niveau + 1
            stap.volgende_escalatie_op = volgende_escalatie(kalender, ladder, niveau + 1, stap.termijn_einde)
    return uit


def _escalaties_overdrachten(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Bewakingssignaal]:
    """A handoff not accepted in time escalates; until acceptance the old holder stays responsible."""
    uit: list[Bewakingssignaal] = []
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
            feit = Feit(
                "overdracht_escalatie",
                rol=o.naar_rol,
                gegevens={"niveau": niveau + 1, "naar": _rollen(naar), "overdracht": o.ref, "soort": o.soort},
            )
            uit.append(
                _signaleer(
                    sessie,
                    casus,
                    sleutel,
                    nu,
                    "escalatie",
                    naar,
                    feit,
                    Meldingsoort.ESCALATIE,
                    termijn=o.termijn_einde,
                    niveau=niveau + 1,
                    overdracht=o,
                    melding_termijn=o.termijn_einde,
                    melding_gegevens={
                        "niveau": niveau + 1,
                        "overdracht": o.ref,
                        "eigenaar": o.naar_rol,
                        "eigenaar_organisatie": o.naar_organisatie,
                    },
                )
            )
            o.escalatie_niveau = niveau + 1
            o.volgende_escalatie_op = volgende_escalatie(kalender, ladder, niveau + 1, o.termijn_einde)
    return uit


def _stagnatie(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Bewakingssignaal]:
    """Late work in a case at a watched AVE phase: ask the procesregie to consider opschalen (once per item)."""
    uit: list[Bewakingssignaal] = []
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
        feit = Feit(
            "stagnatie",
            stap_key=stap.stap_key if stap else None,
            gegevens={"naar": _rollen(naar), "ave": casus.ave_niveau, "overwegen_gestart": gestart is not None},
        )
        uit.append(
            _signaleer(
                sessie,
                casus,
                sleutel,
                nu,
                "stagnatie",
                naar,
                feit,
                Meldingsoort.STAGNATIE,
                termijn=stap.termijn_einde if stap else overdracht.termijn_einde if overdracht else nu,
                stap=stap,
                overdracht=overdracht,
                melding_stap_key=wp.stagnatie.stap,
                melding_gegevens={"ave": casus.ave_niveau, "oorzaak": stap.stap_key if stap else "overdracht"},
            )
        )
    return uit


def _reviews(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Bewakingssignaal]:
    """A monitoring review the casusregie did not record in time: tell casus- and procesregie, once per period.

    The next review is then due one cadence (of the case's AVE phase now) after this moment, so a review that
    stays missing is signalled again each period, never twice in one.
    """
    uit: list[Bewakingssignaal] = []
    for stap, casus in sessie.execute(_open_stappen_waar(StapInstantie.review_op, nu, limiet)).all():
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        gemist = stap.review_op
        assert gemist is not None
        stap.review_op = review_op(wp, kalender_voor(wp), stap.stap_key, casus.ave_niveau, nu)
        naar = ontvangers(
            wp, omg.werkprocessen.register(), ["eigenaar", "procesregie"], regie_van(sessie, casus), _eigenaar(stap)
        )
        sleutel = f"stap:{stap.id}:review:{gemist.isoformat()}"
        laatste = (stap.laatste_review_op or stap.gestart_op).isoformat()
        feit = Feit(
            "review_gemist", stap_key=stap.stap_key, gegevens={"naar": _rollen(naar), "laatste_review": laatste}
        )
        uit.append(
            _signaleer(
                sessie,
                casus,
                sleutel,
                nu,
                "review",
                naar,
                feit,
                Meldingsoort.REVIEW_GEMIST,
                termijn=gemist,
                stap=stap,
                melding_termijn=stap.review_op,
                melding_gegevens={
                    "ave": casus.ave_niveau,
                    "eigenaar": stap.eigenaar_rol,
                    "eigenaar_organisatie": stap.eigenaar_organisatie,
                },
            )
        )
    return uit


def _opschortingen(omg: Omgeving, sessie: Session, nu: datetime, limiet: int) -> list[Bewakingssignaal]:
    """A step suspended past its ``termijn.opschorting.max_werkdagen``: escalate once per suspension, to the
    owner and the procesregie (else the first fixed role of the step's ladder, the gemeentelijk procesregisseur
    in the default). The key ``stap:<id>:opschorting:<since>`` makes a second pass a no-op."""
    uit: list[Bewakingssignaal] = []
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
        feit = Feit(
            "opschorting_over_maximum",
            stap_key=stap.stap_key,
            rol=stap.eigenaar_rol,
            organisatie=stap.eigenaar_organisatie,
            gegevens={
                "naar": _rollen(naar),
                "opgeschort_sinds": stap.opgeschort_op.isoformat(),
                "reden": stap.opschortreden,
            },
        )
        uit.append(
            _signaleer(
                sessie,
                casus,
                sleutel,
                nu,
                "opschorting",
                naar,
                feit,
                Meldingsoort.OPSCHORTING_OVER_MAXIMUM,
                termijn=stap.termijn_einde,
                stap=stap,
                melding_termijn=stap.termijn_einde,
                melding_gegevens={"eigenaar": stap.eigenaar_rol, "eigenaar_organisatie": stap.eigenaar_organisatie},
            )
        )
    return uit
