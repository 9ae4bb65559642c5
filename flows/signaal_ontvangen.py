"""Een signaal komt binnen: matchen, casus openen of aansluiten, eerste stap starten.

The signal itself (with the child's data) was stored by the coordinator's registration; this flow gets only its
reference, so nothing personal enters Prefect.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State

from flows.meldingen_versturen import bezorg_na_overgang
from flows.weergave import eindstand, label_run
from tasks.casus import publiceer_casusbeeld, verwerk_signaal


@flow(name="signaal-ontvangen", flow_run_name="signaal {signaal_ref}", persist_result=False, log_prints=False)
def signaal_ontvangen(signaal_ref: str) -> State[Any]:
    verwerkt = verwerk_signaal(signaal_ref)
    logger = get_run_logger()
    if verwerkt.nieuwe_casus:
        logger.info("Signaal %s opent casus %s", verwerkt.signaal_ref, verwerkt.casus_ref)
    else:
        logger.info(
            "Signaal %s sluit aan bij casus %s (match op %s)",
            verwerkt.signaal_ref,
            verwerkt.casus_ref,
            verwerkt.gematcht_op,
        )
    beeld = publiceer_casusbeeld(verwerkt.casus_ref)
    label_run(beeld, naam=f"{verwerkt.casus_ref} · signaal {verwerkt.signaal_ref}")
    bezorg_na_overgang()
    return eindstand(beeld, verwerkt)
