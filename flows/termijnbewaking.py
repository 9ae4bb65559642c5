"""Termijnbewaking: verlopen termijnen en niet-geaccepteerde overdrachten vastleggen en melden.

Runs on a schedule (prefect.yaml: every 15 minutes in working hours, Europe/Amsterdam). Each overdue item is
recorded once, in the case store, whatever the number of runs.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.client.schemas.objects import State
from prefect.states import Completed

from tasks.casus import publiceer_casusbeeld, registreer_te_laat


@flow(name="termijnbewaking", persist_result=False, log_prints=False)
def termijnbewaking() -> State[Any]:
    gevonden = registreer_te_laat()
    logger = get_run_logger()
    for item in gevonden:
        logger.warning("Te laat: casus %s %s (%s)", item.casus_ref, item.stap or item.soort, item.rol)
    for casus_ref in sorted({item.casus_ref for item in gevonden}):
        publiceer_casusbeeld(casus_ref)
    regels = [f"| {i.casus_ref} | {i.stap or i.soort} | {i.rol} | {i.termijn_einde:%d-%m-%Y} |" for i in gevonden]
    create_markdown_artifact(
        key="termijnbewaking",
        markdown="# Termijnbewaking\n\n"
        + (
            "| Casus | Stap | Rol | Uiterlijk |\n|---|---|---|---|\n" + "\n".join(regels)
            if regels
            else "Geen nieuwe termijnoverschrijdingen."
        ),
        description="Nieuwe termijnoverschrijdingen in deze ronde",
    )
    return Completed(name=f"{len(gevonden)} te laat" if gevonden else "Alles op tijd", data=len(gevonden))
