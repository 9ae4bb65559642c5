"""Starting steps and planning their bewaking (reminders, escalation, stagnation, reviews).

Each function works inside the caller's transaction; none commits. Status changes of a step go through
``models.stappen.overgang``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aanpak.store.schema import Casus, Overdracht, StapInstantie
from aanpak.usecases.casusopslag import regie_van
from aanpak.usecases.vastlegging import Feit, historie, leg_vast_en_meld
from models.bewaking import plan_overdracht, plan_stap, review_op
from models.casus import ACTIEVE_STAPSTATUSSEN, Regie, StapStatus, kalender_voor, ontvangers, start_stap
from models.meldingen import Meldingsoort
from models.organisaties import Organisatieregister
from models.werkproces import Werkproces


def actieve_stappen(sessie: Session, casus: Casus) -> list[StapInstantie]:
    return list(
        sessie.scalars(
            select(StapInstantie)
            .where(StapInstantie.casus_id == casus.id, StapInstantie.status.in_(list(ACTIEVE_STAPSTATUSSEN)))
            .order_by(StapInstantie.id)
        )
    )


def open_stap(
    sessie: Session,
    wp: Werkproces,
    casus: Casus,
    stap_key: str,
    nu: datetime,
    *,
    besluit_id: int | None,
    register: Organisatieregister,
    regie: Regie | None = None,
    organisatie: str | None = None,
) -> StapInstantie | None:
    """Start a step: row, history and notifications. A step already active in the case is not doubled.

    ``organisatie`` is the owner's organisation the opening decision named (for a role of an ambiguous type)."""
    if any(s.stap_key == stap_key for s in actieve_stappen(sessie, casus)):
        historie(sessie, casus, f"stap:{stap_key}:al-actief:{besluit_id}", "stap_al_actief", nu, stap_key=stap_key)
        return None
    regie = regie or regie_van(sessie, casus)
    start = start_stap(wp, register, kalender_voor(wp), stap_key, regie, nu, acuut=casus.acuut, organisatie=organisatie)
    volgnummer = 1 + (
        sessie.scalar(
            select(func.count())
            .select_from(StapInstantie)
            .where(StapInstantie.casus_id == casus.id, StapInstantie.stap_key == stap_key)
        )
        or 0
    )
    stap = StapInstantie(
        casus_id=casus.id,
        stap_key=stap_key,
        volgnummer=volgnummer,
        status=StapStatus.OPEN,
        eigenaar_rol=start.eigenaar_rol,
        eigenaar_organisatie=start.eigenaar.organisatie,
        acuut=casus.acuut,
        gestart_op=nu,
        termijn_einde=start.termijn_einde,
        opgeschort_werkdagen=0,
        verlengd_met=0,
        gestart_door_besluit_id=besluit_id,
    )
    plan_bewaking(wp, stap)
    stap.review_op = review_op(wp, kalender_voor(wp), stap_key, casus.ave_niveau, nu)
    sessie.add(stap)
    sessie.flush()
    definitie = wp.stap(stap_key)
    leg_vast_en_meld(
        sessie,
        casus,
        f"stap:{stap.id}:gestart",
        nu,
        Feit(
            "stap_gestart",
            stap_key=stap_key,
            rol=start.eigenaar_rol,
            organisatie=start.eigenaar.organisatie,
            gegevens={"termijn_einde": start.termijn_einde.isoformat()},
        ),
        Meldingsoort.STAP_GESTART,
        ontvangers(wp, register, [*definitie.melden.bij_start, "eigenaar"], regie, start.eigenaar),
        termijn_einde=start.termijn_einde,
        eigenaar=start.eigenaar_rol,
        eigenaar_organisatie=start.eigenaar.organisatie,
    )
    return stap


def plan_bewaking(wp: Werkproces, stap: StapInstantie) -> None:
    """(Re)compute when the bewaking must remind, escalate or flag stagnation for this step."""
    planning = plan_stap(
        wp, kalender_voor(wp), stap.stap_key, stap.termijn_einde, stap.gestart_op, stap.escalatie_niveau or 0
    )
    if (
        stap.herinnering_gemeld_op is not None
        and planning.herinnering_op is not None
        and planning.herinnering_op > stap.herinnering_gemeld_op
    ):
        stap.herinnering_gemeld_op = None  # the term moved: a new reminder for the new due date
    stap.herinnering_op = planning.herinnering_op
    stap.volgende_escalatie_op = planning.volgende_escalatie_op
    if stap.stagnatie_gemeld_op is None:
        stap.stagnatie_op = planning.stagnatie_op


def plan_overdracht_bewaking(wp: Werkproces, overdracht: Overdracht) -> None:
    planning = plan_overdracht(wp, kalender_voor(wp), overdracht.termijn_einde, overdracht.escalatie_niveau or 0)
    overdracht.volgende_escalatie_op = planning.volgende_escalatie_op
    if overdracht.stagnatie_gemeld_op is None:
        overdracht.stagnatie_op = planning.stagnatie_op
