"""Rapportage: het dashboard voor managers als artefacten in de Prefect UI, elke werkdag om 07:00.

Scheduled in prefect.yaml (Monday–Friday 07:00 Europe/Amsterdam); on an Atw holiday the run ends at once
unless ``ook_op_vrije_dagen``. It publishes one keyed markdown artifact (``rapportage``) with the whole
dashboard and one keyed table artifact per section (``rapportage-<sectie>``), each a new version per run.
Everything published is aggregated; the trend tables are already suppressed (docs/rapportage.md).

No parameter chooses a period, a filter or a folder: whoever can start a run in the Prefect UI gets the same
dashboard the schedule publishes (a filtered copy under the same key would mislead managers, and differences
between filtered runs could undo small-cell suppression); the files go to ``<data dir>/rapporten`` only.
"""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.schemas.objects import State
from prefect.states import Completed

from aanpak.rapportage import artefact_rijen, data_uri, markdown
from aanpak.rapportage.tabellen import secties
from flows.weergave import geplande_naam
from tasks.rapport import is_werkdag, maak_rapport

ARTEFACT = "rapportage"


@flow(name="rapportage", flow_run_name=geplande_naam("rapportage"), persist_result=False, log_prints=False)
def rapportage(ook_op_vrije_dagen: bool = False) -> State[Any]:
    if not ook_op_vrije_dagen and not is_werkdag():
        return Completed(name="Geen werkdag — geen rapportage")
    uitvoer = maak_rapport()
    r, b = uitvoer.rapport, uitvoer.bestanden
    # Embedded, not linked: the UI cannot read the worker's files. The pictures hold counts and step names only.
    afbeeldingen = {
        "Werkproces met open en te late stappen": data_uri(b.werkproces_svg),
        "Termijnen per partner": data_uri(b.termijnen_svg),
    }
    create_markdown_artifact(
        key=ARTEFACT,
        markdown=markdown(r, afbeeldingen),
        description=f"Rapportage {r.filters.van:%d-%m-%Y} t/m {r.filters.tot:%d-%m-%Y}",
    )
    for sectie in secties(r):
        create_table_artifact(
            key=f"{ARTEFACT}-{sectie.sleutel}", table=artefact_rijen(sectie), description=sectie.titel
        )
    te_laat = sum(s.te_laat for s in r.open_per_stap)
    return Completed(
        name=f"Rapportage bijgewerkt — {te_laat} stappen te laat",
        message=f"Bestanden in {b.map}",
        data=len(secties(r)),
    )
