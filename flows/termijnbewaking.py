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

from flows.meldingen_versturen import bezorg_na_overgang
from flows.weergave import geplande_naam
from tasks.casus import bewaak, pas_besluit_toe, publiceer_casusbeeld, verwerk_signaal, zoek_onafgemaakt


@flow(name="termijnbewaking", flow_run_name=geplande_naam("termijnbewaking"), persist_result=False, log_prints=False)
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
    signalen = bewaak()
    for item in signalen:
        logger.warning(
            "%s: casus %s %s niveau %s → %s",
            item.soort.capitalize(),
            item.casus_ref,
            item.stap or item.onderwerp,
            item.niveau,
            ", ".join(item.naar),
        )
    for casus_ref in sorted({item.casus_ref for item in signalen}):
        publiceer_casusbeeld(casus_ref)
    bezorg_na_overgang()
    regels = [
        f"| {i.casus_ref} | {i.soort} | {i.stap or i.onderwerp} | {i.niveau or ''} | {', '.join(i.naar)} "
        f"| {i.termijn_einde:%d-%m-%Y} |"
        for i in signalen
    ]
    create_markdown_artifact(
        key="termijnbewaking",
        markdown="# Termijnbewaking\n\n"
        + (
            "| Casus | Signaal | Stap | Niveau | Naar | Uiterlijk |\n|---|---|---|---|---|---|\n" + "\n".join(regels)
            if regels
            else "Geen nieuwe herinneringen, escalaties of stagnatie."
        ),
        description="Herinneringen, escalaties en stagnatie in deze ronde",
    )
    escalaties = sum(1 for i in signalen if i.soort == "escalatie")
    naam = f"{len(signalen)} signalen ({escalaties} escalaties)" if signalen else "Alles op tijd"
    return Completed(name=naam, data=len(signalen))
