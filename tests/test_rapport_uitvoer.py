"""What managers get to see: `aanpak rapport` (tables and files) and the scheduled `rapportage` flow's artifacts.

Runs on the planted data set of ``tests.test_rapport`` (known answers) plus one real signal with the sentinel
personal data, which must appear in no output.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from prefect import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey
from typer.testing import CliRunner

from aanpak.cli import weergave
from aanpak.cli.main import app
from aanpak.config import instellingen
from aanpak.omgeving import Omgeving, bouw, zet_standaard
from aanpak.usecases.rapport import maak_rapport
from flows.rapportage import rapportage
from models.kalender import AMSTERDAM
from tests.conftest import Klok
from tests.gegevens import SENTINELS, signaleer
from tests.test_rapport import PERIODE, plant

BREEDTE = 250
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def cli_omg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Omgeving]:
    """The CLI's own environment (settings from AANPAK_*, SQLite under tmp_path), planted, with one real signal."""
    for naam in list(os.environ):
        if naam.startswith("AANPAK_"):
            monkeypatch.delenv(naam)
    monkeypatch.setenv("AANPAK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    monkeypatch.setattr(weergave.console, "_width", BREEDTE)
    monkeypatch.setattr(weergave.fout_console, "_width", BREEDTE)
    monkeypatch.chdir(tmp_path)
    instellingen.cache_clear()
    omg = bouw(klok=Klok(datetime(2026, 12, 1, 9, tzinfo=UTC)))
    plant(omg)
    signaleer(omg)  # real use cases, sentinel personal data
    zet_standaard(omg)
    yield omg
    zet_standaard(None)
    omg.engine.dispose()
    instellingen.cache_clear()


def _alle_tekst(map: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(map.rglob("*")) if p.is_file())


def _svg_groepen(pad: Path) -> dict[str, dict[str, str]]:
    wortel = ET.parse(pad).getroot()  # noqa: S314 - our own file, written by this test run
    return {g.attrib["id"]: g.attrib for g in wortel.iter(f"{SVG}g")}


def test_cli_rapport_tables_and_files(cli_omg: Omgeving, tmp_path: Path) -> None:
    uit = tmp_path / "uit"
    r = CliRunner().invoke(app, ["rapport", "--van", "2026-01-01", "--tot", "2026-11-30", "--map", str(uit)])
    assert r.exit_code == 0, r.output
    assert "Termijnen per partner en stap" in r.output
    assert "50,0%" in r.output  # school on interne_weging
    assert "75,0%" in r.output  # JGZ
    assert "niveau 1: 225 · niveau 2: 125" in r.output
    assert f"Afbeelding werkproces: {uit.resolve() / 'werkproces.svg'}" in r.output
    assert f"Afbeelding termijnen per partner: {uit.resolve() / 'termijnen.svg'}" in r.output

    # JSON: the same figures as the use case.
    verwacht = maak_rapport(cli_omg, PERIODE)
    gelezen = json.loads((uit / "rapport.json").read_text(encoding="utf-8"))
    assert gelezen == json.loads(verwacht.model_dump_json())

    # CSV: one file per section, semicolon-separated, raw numbers.
    with (uit / "csv" / "termijnen-per-partner-en-stap.csv").open(encoding="utf-8") as f:
        rijen = list(csv.DictReader(f, delimiter=";"))
    school = next(x for x in rijen if x["Partner"] == "school")
    assert (school["Op tijd"], school["Te laat"], school["% op tijd"]) == ("250", "250", "50.0")
    assert (school["Mediaan doorlooptijd (werkdagen)"], school["P90 doorlooptijd (werkdagen)"]) == ("10.5", "18")
    with (uit / "csv" / "trend-wijk.csv").open(encoding="utf-8") as f:
        wijk = {x["Wijk"]: x for x in csv.DictReader(f, delimiter=";")}
    assert wijk["onbekend"]["Totaal"] == "x"
    assert "<5" in wijk["arcen"].values()
    assert {p.name for p in (uit / "csv").iterdir()} == {
        "termijnen-per-partner.csv",
        "termijnen-per-partner-en-stap.csv",
        "warme-overdracht.csv",
        "open-per-stap.csv",
        "open-per-ave.csv",
        "trend-wijk.csv",
        "trend-leeftijdsgroep.csv",
        "trend-categorie.csv",
        "trend-organisatie.csv",
    }

    # Pictures: the werkproces with open/late counts per step, compliance per partner.
    stappen = _svg_groepen(uit / "werkproces.svg")
    assert (stappen["stap-casusoverleg"]["data-open"], stappen["stap-casusoverleg"]["data-te-laat"]) == ("100", "50")
    # The real signal of today opened a case: its first steps are open, not late.
    assert stappen["stap-interne_weging"]["data-te-laat"] == "0"
    assert stappen["stap-evaluatie"]["data-open"] == "10"
    partners = _svg_groepen(uit / "termijnen.svg")
    assert {k: (v["data-op-tijd"], v["data-te-laat"]) for k, v in partners.items()} == {
        "partner-jgz": ("375", "125"),
        "partner-school": ("250", "250"),
    }
    md = (uit / "rapport.md").read_text(encoding="utf-8")
    assert "![Werkproces met open en te late stappen](werkproces.svg)" in md
    assert "![Termijnen per partner](termijnen.svg)" in md
    # Open now: the real signal of today started school's interne_weging.
    assert "| school | interne_weging | 250 | 250 | 50,0% | 10,5 | 18 | 1 | 0 | niveau 1: 225 · niveau 2: 125 |" in md

    alles = r.output + _alle_tekst(uit)
    assert not [s for s in SENTINELS if s in alles]


def test_cli_rapport_default_folder_filters_and_refusal(cli_omg: Omgeving, tmp_path: Path) -> None:
    # Default: the last twelve months up to today (so today's real signal counts), under <data dir>/rapporten.
    r = CliRunner().invoke(app, ["rapport", "--partner", "school", "--wijk", "venlo-oost"])
    assert r.exit_code == 0, r.output
    map = (tmp_path / "data" / "rapporten").resolve()
    gelezen = json.loads((map / "rapport.json").read_text(encoding="utf-8"))
    assert gelezen["filters"] == {
        "van": "2026-01-01",
        "tot": "2026-12-01",
        "organisatie": "school",
        "wijk": "venlo-oost",
    }
    assert {p["organisatie"] for p in gelezen["prestaties"]} == {"school"}
    assert [t["rijen"] for t in gelezen["trends"] if t["dimensie"] == "organisatie"] == [["school"]]
    assert gelezen["trends"][0]["rijen"] == ["venlo-oost"]
    assert "2026-12" in gelezen["trends"][0]["kolommen"]
    assert not [s for s in SENTINELS if s in r.output + _alle_tekst(map)]

    r = CliRunner().invoke(app, ["rapport", "--organisatie", "geheimzinnig_bureau"])
    assert r.exit_code == 1
    assert "onbekende organisatie" in r.output
    assert "geheimzinnig_bureau" not in r.output  # errors never repeat input
    r = CliRunner().invoke(app, ["rapport", "--van", "2026-05-01", "--tot", "2026-04-01"])
    assert r.exit_code == 1


@pytest.mark.prefect
def test_flow_publishes_the_dashboard_as_artifacts(
    prefect_server: str, omg: Omgeving, klok: Klok, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No parameter picks the folder: the flow writes to <data dir>/rapporten only.
    monkeypatch.setenv("AANPAK_DATA_DIR", str(tmp_path / "data"))
    instellingen.cache_clear()
    map = tmp_path / "data" / "rapporten"
    plant(omg)
    zet_standaard(omg)
    try:
        klok.moment = datetime(2026, 12, 25, 8, tzinfo=AMSTERDAM)  # Eerste Kerstdag: no report
        assert rapportage(return_state=True).name == "Geen werkdag — geen rapportage"
        assert not (map / "rapport.md").exists()
        klok.moment = datetime(2026, 12, 1, 7, tzinfo=AMSTERDAM)
        staat = rapportage(return_state=True)
    finally:
        zet_standaard(None)
        instellingen.cache_clear()
    assert staat.is_completed()
    assert staat.name == "Rapportage bijgewerkt — 100 stappen te laat"
    sleutels = [
        "rapportage",
        "rapportage-termijnen-per-partner-en-stap",
        "rapportage-open-per-ave",
        "rapportage-trend-wijk",
    ]
    with get_client(sync_client=True) as client:
        laatste = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=sleutels))
        )
    per_sleutel = {a.key: a for a in laatste}
    assert set(per_sleutel) == set(sleutels)
    md = per_sleutel["rapportage"].data
    assert isinstance(md, str)
    assert "periode 01-01-2026 t/m 01-12-2026" in md
    # The pictures are embedded (the UI cannot read the worker's files): the very SVGs written to disk.
    for naam, titel in (
        ("werkproces.svg", "Werkproces met open en te late stappen"),
        ("termijnen.svg", "Termijnen per partner"),
    ):
        begin = md.index(f"![{titel}](data:image/svg+xml;base64,") + len(f"![{titel}](data:image/svg+xml;base64,")
        ingebed = base64.b64decode(md[begin : md.index(")", begin)])
        assert ingebed == (map / naam).read_bytes()
    assert "| school | interne_weging | 250 | 250 | 50,0% | 10,5 | 18 | 0 | 0 |" in md

    def tabel(sleutel: str) -> list[dict[str, str]]:
        data = per_sleutel[sleutel].data
        rijen = json.loads(data) if isinstance(data, str) else data
        assert isinstance(rijen, list)
        return rijen

    stap = {(x["Partner"], x["Stap"]): x for x in tabel("rapportage-termijnen-per-partner-en-stap")}
    assert stap[("jgz", "interne_weging")]["% op tijd"] == "75,0%"
    assert stap[("gemeente", "casusoverleg")]["Te laat nu"] == "50"
    assert {x["AVE"]: x["Open"] for x in tabel("rapportage-open-per-ave")} == {
        "1": "25",
        "2": "75",
        "3": "100",
        "4": "20",
    }
    wijk = {x["Wijk"]: x for x in tabel("rapportage-trend-wijk")}
    assert wijk["onbekend"]["Totaal"] == "x"
    assert (map / "rapport.md").exists()
    assert date(2026, 12, 1).isoformat() in (map / "rapport.json").read_text(encoding="utf-8")


@pytest.mark.prefect
def test_rapportage_in_prefect_without_personal_data(
    prefect_server: str, omg: Omgeving, klok: Klok, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real signals with sentinel personal data, then the scheduled flow: Prefect's whole database holds none of it."""
    from tests.test_flows import PERSOONSGEGEVENS, prefect_database, scan_database

    signaleer(omg)
    signaleer(omg, rol="jgz.jeugdverpleegkundige", bsn=None)
    monkeypatch.setenv("AANPAK_DATA_DIR", str(tmp_path))
    instellingen.cache_clear()
    zet_standaard(omg)
    try:
        klok.moment = datetime(2026, 12, 1, 7, tzinfo=AMSTERDAM)
        staat = rapportage(return_state=True)
    finally:
        zet_standaard(None)
        instellingen.cache_clear()
    assert staat.is_completed()
    assert (tmp_path / "rapporten" / "rapport.md").exists()
    scan = scan_database(prefect_database(), PERSOONSGEGEVENS)
    assert sum(scan.rijen.values()) > 0
    assert {w: p for w, p in scan.treffers.items() if p} == {}
    bestanden = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "rapporten").rglob("*") if p.is_file())
    assert [w for w in PERSOONSGEGEVENS if w.lower() in bestanden.lower()] == []
