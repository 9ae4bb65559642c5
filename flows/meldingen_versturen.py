"""Meldingen versturen: de uitgaande meldingen aan partners bezorgen, elk kanaal apart, niets kwijt.

Runs after every transition (its last step) and on its own schedule (prefect.yaml: every minute), so retries
after an outage need no coordinator. A malformed channel configuration fails the run at its start; a role
without a channel fails it at the end, after everything else was delivered (its rows wait in the outbox).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.instellingen import instellingen
from aanpak.usecases.bezorging import Rondeverslag
from tasks.meldingen import verstuur_meldingen


def samenvatting(verslag: Rondeverslag) -> str:
    return f"{verslag.verzonden} bezorgd, {verslag.uitgesteld} uitgesteld, {verslag.mislukt} mislukt"


@flow(name="meldingen-versturen", persist_result=False, log_prints=False)
def meldingen_versturen() -> State[Any]:
    logger = get_run_logger()
    kanaalconfig.laad(instellingen().kanalen)  # a broken configuration stops here, naming file and problem
    verslag = verstuur_meldingen()
    logger.info("Meldingen: %s", samenvatting(verslag))
    if verslag.zonder_kanaal:
        return Failed(
            name="Kanaal ontbreekt",
            message="geen kanaal geconfigureerd voor rol(len): " + ", ".join(verslag.zonder_kanaal),
            data=verslag,
        )
    return Completed(name=samenvatting(verslag)[:100], data=verslag)


def bezorg_na_overgang() -> None:
    """The last step of a transition flow: deliver what it wrote, without failing or delaying the transition.

    No task retries here (the coordinator is waiting); what does not arrive now is retried by the scheduled
    deployment. A failure is logged by reference only.
    """
    state = verstuur_meldingen.with_options(retries=0)(herhaal_bij_storing=False, return_state=True)
    logger = get_run_logger()
    if not state.is_completed():
        logger.warning("Meldingen nu niet verstuurd (%s); de geplande run probeert opnieuw", state.message)
        return
    verslag: Rondeverslag = state.result()
    if verslag.zonder_kanaal:
        logger.error("Geen kanaal geconfigureerd voor rol(len): %s", ", ".join(verslag.zonder_kanaal))
