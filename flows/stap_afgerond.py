"""Een stap is besloten: besluit toepassen, stap afsluiten, volgende stappen starten, overdracht aanbieden.

Parameters are references only: the coordinator's decision (with any free-text motivation) was stored by the
CLI; this run applies it. Re-running it after a crash changes nothing twice.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State

from flows.meldingen_versturen import bezorg_na_overgang
from flows.weergave import eindstand, label_run
from tasks.casus import pas_besluit_toe, publiceer_casusbeeld


@flow(name="stap-afgerond", flow_run_name="{casus_ref} · {stap}", persist_result=False, log_prints=False)
def stap_afgerond(casus_ref: str, stap: str, besluit_ref: str) -> State[Any]:
    toegepast = pas_besluit_toe(besluit_ref)
    logger = get_run_logger()
    logger.info("Casus %s: stap %s → %s", toegepast.casus_ref, toegepast.stap, toegepast.uitkomst)
    if toegepast.overdrachten:
        logger.info("Warme overdracht aangeboden: %s", ", ".join(toegepast.overdrachten))
    if toegepast.gestarte_stappen:
        logger.info("Gestart: %s", ", ".join(toegepast.gestarte_stappen))
    beeld = publiceer_casusbeeld(toegepast.casus_ref)
    label_run(beeld, besloten_ave=toegepast.ave_fase)
    bezorg_na_overgang()
    return eindstand(beeld, toegepast)
