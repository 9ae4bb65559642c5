"""Rendering the managers' report: rich tables, CSV, JSON, a markdown dashboard and SVG pictures.

Everything rendered comes from one :class:`aanpak.usecases.rapport.Rapport`: aggregates only, trend tables
already suppressed. Files go to ``<AANPAK_DATA_DIR>/rapporten/`` unless another folder is given; each run
overwrites the previous files with the same names, so a link to ``rapport.md`` always shows the latest.
"""

from __future__ import annotations

import base64
import csv
from pathlib import Path

from pydantic import BaseModel
from rich.table import Table

from aanpak.config import instellingen
from aanpak.rapportage.svg import termijnen_svg, werkproces_svg
from aanpak.rapportage.tabellen import Sectie, procent, secties, tekst
from aanpak.usecases.rapport import Rapport

UITLEG = (
    "Alle cijfers zijn tellingen over organisaties, stappen en maanden — nooit over een jeugdige. "
    "Doorlooptijden in werkdagen (Algemene termijnenwet). In de trendtabellen staat `<5` voor 1 tot en met 4 "
    "signalen; `x` is onderdrukt zodat een kleine cel niet uit de totalen terug te rekenen is."
)


TEKSTKOLOMMEN = frozenset({"Naam", "Stap", "Fase", "Bron", "Categorie", "Escalaties"})


class Bestanden(BaseModel):
    """Where a report was written (paths only: safe to log and to show in Prefect)."""

    map: Path
    json_bestand: Path
    markdown: Path
    werkproces_svg: Path
    termijnen_svg: Path
    csv: list[Path]


def standaard_map() -> Path:
    return instellingen().data_dir / "rapporten"


def transponeer(sectie: Sectie) -> Sectie:
    """Rows become columns: a trend table over many months reads better with the months downwards."""
    kolommen = [sectie.kolommen[0], *(str(rij[0]) for rij in sectie.rijen)]
    rijen = [[kolom, *(rij[n] for rij in sectie.rijen)] for n, kolom in enumerate(sectie.kolommen) if n]
    return Sectie(sectie.sleutel, sectie.titel, [f"Maand \\ {kolommen[0].lower()}", *kolommen[1:]], rijen)


def rich_tabel(sectie: Sectie) -> Table:
    if sectie.sleutel.startswith("trend-") and len(sectie.kolommen) > len(sectie.rijen) + 1:
        sectie = transponeer(sectie)
    tabel = Table(title=sectie.titel, title_justify="left")
    for n, kolom in enumerate(sectie.kolommen):
        tabel.add_column(kolom, justify="left" if n == 0 or kolom in TEKSTKOLOMMEN else "right")
    for rij in sectie.rijen:
        tabel.add_row(*(_cel(sectie, k, v) for k, v in zip(sectie.kolommen, rij, strict=True)))
    return tabel


def _cel(sectie: Sectie, kolom: str, waarde: str | int | float | None) -> str:
    del sectie
    if kolom.startswith("%") and (waarde is None or isinstance(waarde, float)):
        return procent(waarde)
    return tekst(waarde)


def artefact_rijen(sectie: Sectie) -> list[dict[str, str]]:
    """A section as rows for a Prefect table artifact (formatted strings)."""
    return [{k: _cel(sectie, k, v) for k, v in zip(sectie.kolommen, rij, strict=True)} for rij in sectie.rijen]


def markdown_tabel(sectie: Sectie) -> str:
    kop = "| " + " | ".join(sectie.kolommen) + " |"
    streep = "|" + "|".join("---" for _ in sectie.kolommen) + "|"
    regels = [
        "| "
        + " | ".join(_cel(sectie, k, v).replace("|", "/") for k, v in zip(sectie.kolommen, rij, strict=True))
        + " |"
        for rij in sectie.rijen
    ]
    return "\n".join([kop, streep, *regels]) if regels else "_Geen gegevens in deze periode._"


def data_uri(svg: Path) -> str:
    """An SVG file as a data URI, so a markdown viewer without access to the file (the Prefect UI) shows it."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.read_bytes()).decode()


def markdown(r: Rapport, afbeeldingen: dict[str, str] | None = None) -> str:
    """The dashboard as markdown; ``afbeeldingen`` maps a picture's title to its path or URL."""
    f = r.filters
    filters = [f"periode {f.van:%d-%m-%Y} t/m {f.tot:%d-%m-%Y}"]
    if f.organisatie:
        filters.append(f"partner {f.organisatie}")
    if f.wijk:
        filters.append(f"wijk {f.wijk}")
    delen = [
        "# Rapportage — elkaar aanspreken op resultaten",
        "",
        f"Werkproces {r.werkproces}; {', '.join(filters)}; gemaakt op {r.gemaakt_op:%d-%m-%Y %H:%M} (UTC).",
        "",
        UITLEG,
    ]
    if afbeeldingen:
        delen += ["", "## Afbeeldingen", ""]
        for titel, bron in afbeeldingen.items():
            # A data URI (the Prefect UI shows the picture inline) is not repeated as text; a path is.
            delen.append(
                f"![{titel}]({bron})" if bron.startswith("data:") else f"![{titel}]({bron})  \n{titel}: `{bron}`"
            )
    for sectie in secties(r):
        delen += ["", f"## {sectie.titel}", "", markdown_tabel(sectie)]
    return "\n".join(delen) + "\n"


def schrijf(r: Rapport, map: Path | None = None) -> Bestanden:
    """Write JSON, one CSV per section, the markdown dashboard and both pictures into ``map``."""
    doel = (map or standaard_map()).resolve()
    (doel / "csv").mkdir(parents=True, exist_ok=True)
    werkproces = doel / "werkproces.svg"
    termijnen = doel / "termijnen.svg"
    werkproces.write_text(werkproces_svg(r), encoding="utf-8")
    termijnen.write_text(termijnen_svg(r), encoding="utf-8")
    json_bestand = doel / "rapport.json"
    json_bestand.write_text(r.model_dump_json(indent=2), encoding="utf-8")
    csv_bestanden = []
    for sectie in secties(r):
        pad = doel / "csv" / f"{sectie.sleutel}.csv"
        with pad.open("w", encoding="utf-8", newline="") as uit:
            schrijver = csv.writer(uit, delimiter=";")
            schrijver.writerow(sectie.kolommen)
            schrijver.writerows(["" if v is None else v for v in rij] for rij in sectie.rijen)
        csv_bestanden.append(pad)
    md = doel / "rapport.md"
    md.write_text(
        markdown(
            r, {"Werkproces met open en te late stappen": werkproces.name, "Termijnen per partner": termijnen.name}
        ),
        encoding="utf-8",
    )
    return Bestanden(
        map=doel,
        json_bestand=json_bestand,
        markdown=md,
        werkproces_svg=werkproces,
        termijnen_svg=termijnen,
        csv=csv_bestanden,
    )
