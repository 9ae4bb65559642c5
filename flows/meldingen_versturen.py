"""Meldingen versturen: de uitgaande meldingen aan partners bezorgen, elk kanaal apart, niets kwijt.

Delivery happens inside the run that wrote the notifications: every transition flow delivers as its last step
(``bezorg_na_overgang``). What does not arrive then waits in the outbox with its own ``volgende_poging``; when
the ``meldingen-versturen`` deployment exists (``make up``), the round schedules ONE run of it for that moment
(``plan_herhaling``), named after it ("meldingen · herhaling 01-12 14:05"), instead of an empty run every minute
burying the case runs in the managers' Runs list. A malformed channel configuration fails the run at its start;
a role without a channel fails it at the end, after everything else was delivered (its rows wait in the outbox).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.instellingen import meldinginstellingen
from aanpak.usecases.bezorging import Rondeverslag
from models.kalender import AMSTERDAM
from tasks.meldingen import verstuur_meldingen, volgende_poging

DEPLOYMENT = "meldingen-versturen/meldingen-versturen"


def samenvatting(verslag: Rondeverslag) -> str:
    return f"{verslag.verzonden} bezorgd, {verslag.uitgesteld} uitgesteld, {verslag.mislukt} mislukt"


def _run_naam() -> str:
    return f"meldingen · {datetime.now(AMSTERDAM):%d-%m %H:%M}"


@flow(name="meldingen-versturen", flow_run_name=_run_naam, persist_result=False, log_prints=False)
def meldingen_versturen() -> State[Any]:
    logger = get_run_logger()
    kanaalconfig.laad(meldinginstellingen().kanalen)  # a broken configuration stops here, naming file and problem
    state = verstuur_meldingen(return_state=True)
    plan_herhaling()  # what is still deferred after the task's retries gets its own run, at its moment
    if not state.is_completed():
        return state
    verslag: Rondeverslag = state.result()
    logger.info("Meldingen: %s", samenvatting(verslag))
    if verslag.zonder_kanaal:
        return Failed(
            name="Kanaal ontbreekt",
            message="geen kanaal geconfigureerd voor rol(len): " + ", ".join(verslag.zonder_kanaal),
            data=verslag,
        )
    return Completed(name=samenvatting(verslag)[:100], data=verslag)


def plan_herhaling() -> str | None:
    """Schedule one ``meldingen-versturen`` run at the earliest deferred delivery; returns its name.

    Nothing when nothing waits, when the deployment does not exist (in-process runs: the next transition, the
    termijnbewaking or ``aanpak herstel`` delivers) or when a run for that minute is already scheduled (the
    idempotency key is the minute). Never fails the calling run.
    """
    moment = volgende_poging()
    if moment is None:
        return None
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Scheduled

    moment = max(moment, datetime.now(UTC))
    naam = f"meldingen · herhaling {moment.astimezone(AMSTERDAM):%d-%m %H:%M}"
    try:
        with get_client(sync_client=True) as client:
            try:
                deployment = client.read_deployment_by_name(DEPLOYMENT)
            except ObjectNotFound:
                return None
            client.create_flow_run_from_deployment(
                deployment.id,
                state=Scheduled(scheduled_time=moment),
                name=naam,
                idempotency_key=f"herhaling-{moment:%Y%m%d%H%M}",
            )
    except Exception as exc:  # the outbox keeps the rows; the next round plans again
        get_run_logger().warning("Herhaling van meldingen niet gepland (%s)", type(exc).__name__)
        return None
    return naam


def bezorg_na_overgang() -> None:
    """The last step of a transition flow: deliver what it wrote, without failing or delaying the transition.

    No task retries here (the coordinator is waiting); what does not arrive now gets one planned retry run
    (``plan_herhaling``). A failure is logged by reference only.
    """
    state = verstuur_meldingen.with_options(retries=0)(herhaal_bij_storing=False, return_state=True)
    logger = get_run_logger()
    if not state.is_completed():
        logger.warning("Meldingen nu niet verstuurd (%s); een herhaling wordt gepland", state.message)
        plan_herhaling()
        return
    verslag: Rondeverslag = state.result()
    if verslag.uitgesteld:
        plan_herhaling()
    if verslag.zonder_kanaal:
        logger.error("Geen kanaal geconfigureerd voor rol(len): %s", ", ".join(verslag.zonder_kanaal))
