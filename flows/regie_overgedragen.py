"""Regie is overgedragen (warme overdracht geaccepteerd): het casusbeeld voor managers bijwerken."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State

from flows.meldingen_versturen import bezorg_na_overgang
from flows.weergave import eindstand, label_run
from tasks.casus import publiceer_casusbeeld


@flow(
    name="regie-overgedragen",
    flow_run_name="{casus_ref} · overdracht {overdracht_ref}",
    persist_result=False,
    log_prints=False,
)
def regie_overgedragen(casus_ref: str, overdracht_ref: str) -> State[Any]:
    get_run_logger().info("Casus %s: overdracht %s geaccepteerd", casus_ref, overdracht_ref)
    beeld = publiceer_casusbeeld(casus_ref)
    label_run(beeld)
    bezorg_na_overgang()
    return eindstand(beeld, overdracht_ref)
