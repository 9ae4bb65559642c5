"""`aanpak rapport`: the managers' figures as tables, plus CSV, JSON, markdown and SVG files.

Registered in ``aanpak/cli/main.py`` with ``app.command("rapport")(rapport_cmd)``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from aanpak.cli.fouten import domeinfouten
from aanpak.cli.weergave import console
from aanpak.omgeving import standaard
from aanpak.rapportage import UITLEG, rich_tabel, schrijf, standaard_map
from aanpak.rapportage.tabellen import secties
from aanpak.usecases.rapport import Filters, maak_rapport, standaard_periode
from models.kalender import lokale_datum


@domeinfouten
def rapport_cmd(
    van: Annotated[
        datetime | None, typer.Option("--van", formats=["%Y-%m-%d"], help="Eerste dag (JJJJ-MM-DD).")
    ] = None,
    tot: Annotated[
        datetime | None, typer.Option("--tot", formats=["%Y-%m-%d"], help="Laatste dag, inclusief (JJJJ-MM-DD).")
    ] = None,
    organisatie: Annotated[
        str | None, typer.Option("--organisatie", "--partner", help="Alleen deze partner, bv. wijkteam.")
    ] = None,
    wijk: Annotated[str | None, typer.Option("--wijk", help="Alleen casussen en signalen uit deze wijk.")] = None,
    map: Annotated[
        Path | None, typer.Option("--map", help="Map voor de bestanden (standaard <AANPAK_DATA_DIR>/rapporten).")
    ] = None,
) -> None:
    """Rapportage voor managers: termijnen per partner en stap, open werk, overdrachten en trends.

    Standaard de laatste twaalf maanden tot en met vandaag. Schrijft ook rapport.json, rapport.md,
    csv/*.csv en de afbeeldingen werkproces.svg en termijnen.svg.
    """
    omg = standaard()
    begin, einde = standaard_periode(lokale_datum(omg.nu()))
    filters = Filters(
        van=_dag(van) or begin,
        tot=_dag(tot) or einde,
        organisatie=organisatie,
        wijk=wijk,
    )
    rapport = maak_rapport(omg, filters)
    console.print(
        f"[bold]Rapportage[/] {filters.van:%d-%m-%Y} t/m {filters.tot:%d-%m-%Y} — {escape(rapport.werkproces)}"
    )
    console.print(escape(UITLEG))
    for sectie in secties(rapport):
        console.print(rich_tabel(sectie))
    bestanden = schrijf(rapport, map or standaard_map())
    console.print(f"Afbeelding werkproces: {escape(str(bestanden.werkproces_svg))}", soft_wrap=True)
    console.print(f"Afbeelding termijnen per partner: {escape(str(bestanden.termijnen_svg))}", soft_wrap=True)
    console.print(f"Rapport (markdown): {escape(str(bestanden.markdown))}", soft_wrap=True)
    console.print(f"JSON: {escape(str(bestanden.json_bestand))}", soft_wrap=True)
    console.print(f"CSV: {escape(str(bestanden.map / 'csv'))} ({len(bestanden.csv)} bestanden)", soft_wrap=True)


def _dag(moment: datetime | None) -> date | None:
    return None if moment is None else moment.date()
