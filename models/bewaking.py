"""When the bewaking must act on a step or handoff: reminder, each escalation level, stagnation.

The moments are computed once (when a step starts, or its term moves) and stored on the row, so a bewaking pass
is an index range scan over "moments that have passed" instead of working-day arithmetic over every open step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from models.kalender import Werkdagkalender, einde_van_dag, lokale_datum
from models.werkproces import Escalatieniveau, Stap, Werkproces

#: How the postvak and the bewaking name a step suspended beyond what its definition allows.
OPSCHORTING_OVER_MAXIMUM = "opschorting over maximum"

ZOVEEL_WERKDAGEN_TERUG_MAX = 366


@dataclass(frozen=True)
class Planning:
    herinnering_op: datetime | None
    volgende_escalatie_op: datetime | None
    stagnatie_op: datetime | None


def werkdagen_terug(kalender: Werkdagkalender, dag: date, n: int) -> date:
    """The n-th werkdag before ``dag`` (n == 0: ``dag`` itself)."""
    d = dag
    stappen = 0
    while n > 0:
        d -= timedelta(days=1)
        stappen += 1
        if stappen > ZOVEEL_WERKDAGEN_TERUG_MAX:
            raise ValueError("te veel werkdagen terug")
        if kalender.is_werkdag(d):
            n -= 1
    return d


def herinnering_op(
    kalender: Werkdagkalender, stap: Stap, termijn_einde: datetime, gestart_op: datetime
) -> datetime | None:
    """Start of the working day ``herinnering_werkdagen`` before the due day; None when that is not after the start."""
    if stap.herinnering_werkdagen is None:
        return None
    dag = werkdagen_terug(kalender, lokale_datum(termijn_einde), stap.herinnering_werkdagen)
    moment = einde_van_dag(dag - timedelta(days=1)) + timedelta(microseconds=1)
    return moment if moment > gestart_op else None


def escalatie_op(kalender: Werkdagkalender, niveau: Escalatieniveau, termijn_einde: datetime) -> datetime:
    """Level fires when this moment has passed: the due moment itself for 0 werkdagen, else the end of the
    n-th werkdag after the due day."""
    if niveau.na_werkdagen == 0:
        return termijn_einde
    return einde_van_dag(kalender.plus_werkdagen(lokale_datum(termijn_einde), niveau.na_werkdagen))


def volgende_escalatie(
    kalender: Werkdagkalender, ladder: list[Escalatieniveau], afgegaan: int, termijn_einde: datetime
) -> datetime | None:
    """The moment of the next level after ``afgegaan`` levels have fired (None: ladder exhausted)."""
    if afgegaan >= len(ladder):
        return None
    return escalatie_op(kalender, ladder[afgegaan], termijn_einde)


def stagnatie_op(kalender: Werkdagkalender, wp: Werkproces, termijn_einde: datetime) -> datetime | None:
    if wp.stagnatie is None:
        return None
    return einde_van_dag(kalender.plus_werkdagen(lokale_datum(termijn_einde), wp.stagnatie.na_werkdagen))


def plan_stap(
    wp: Werkproces,
    kalender: Werkdagkalender,
    stap_key: str,
    termijn_einde: datetime,
    gestart_op: datetime,
    afgegaan: int = 0,
) -> Planning:
    stap = wp.stap(stap_key)
    stagnatie = (
        None
        if wp.stagnatie is not None and stap_key == wp.stagnatie.stap
        else stagnatie_op(kalender, wp, termijn_einde)
    )
    return Planning(
        herinnering_op=herinnering_op(kalender, stap, termijn_einde, gestart_op),
        volgende_escalatie_op=volgende_escalatie(kalender, wp.ladder(stap.escalatie), afgegaan, termijn_einde),
        stagnatie_op=stagnatie,
    )


def plan_overdracht(wp: Werkproces, kalender: Werkdagkalender, termijn_einde: datetime, afgegaan: int = 0) -> Planning:
    return Planning(
        herinnering_op=None,
        volgende_escalatie_op=volgende_escalatie(kalender, wp.ladder(wp.overdracht.escalatie), afgegaan, termijn_einde),
        stagnatie_op=stagnatie_op(kalender, wp, termijn_einde),
    )


def review_op(wp: Werkproces, kalender: Werkdagkalender, stap_key: str, ave: int, vanaf: datetime) -> datetime | None:
    """When the next monitoring review is due: the end of the n-th werkdag after ``vanaf`` (n = the AVE phase's
    cadence), for a step that carries monitoring; None otherwise (or when the phase has no cadence)."""
    if not wp.stap(stap_key).monitoring:
        return None
    cadans = wp.fase(ave).monitoring_werkdagen
    if cadans is None:
        return None
    return einde_van_dag(kalender.plus_werkdagen(lokale_datum(vanaf), cadans))


def opschorting_over_maximum(
    wp: Werkproces,
    kalender: Werkdagkalender,
    stap_key: str,
    acuut: bool,
    opgeschort_op: datetime | None,
    eerder_opgeschort: int,
    nu: datetime,
) -> bool:
    """A suspended step whose suspensions together (earlier ones plus this one so far, counted as a resume
    would count them) exceed the definition's ``termijn.opschorting.max_werkdagen``."""
    if opgeschort_op is None:
        return False
    stap = wp.stap(stap_key)
    termijn = stap.termijn_acuut if acuut and stap.termijn_acuut is not None else stap.termijn
    maximum = termijn.opschortregel().max_werkdagen
    if maximum is None:
        return False
    return eerder_opgeschort + kalender.werkdagen_in(lokale_datum(opgeschort_op), lokale_datum(nu)) > maximum
