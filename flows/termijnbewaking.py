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

from tasks.casus import pas_besluit_toe, publiceer_casusbeeld, registreer_te_laat, verwerk_signaal, zoek_onafgemaakt


@flow(name="termijnbewaking", persist_result=False, log_prints=False)
def termijnbewaking() -> State[Any]:
    logger = get_run_logger()
    # First drive on what a lost run left behind: the store knows, Prefect may not.
    onaf = zoek_onafgemaakt()
    for signaal_ref in onaf.signalen:
        logger.warning("Herstel: signaal %s was nog niet verwerkt", signaal_ref)
        verwerk_signaal(signaal_ref)
    for besluit_ref, casus_ref, stap in onaf.besluiten:
        logger.warning("Herstel: besluit %s (casus %s, stap %s) was nog niet toegepast", besluit_ref, casus_ref, stap)
        pas_besluit_toe(besluit_ref)
    gevonden = registreer_te_laat()
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
