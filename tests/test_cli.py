"""The `aanpak` command line, in process (typer's CliRunner), on a SQLite case store under a temporary data folder.

The context is built from the environment exactly as the CLI builds it (``AANPAK_DATA_DIR`` = a temporary folder,
``AANPAK_PREFECT=false`` so transitions run without a Prefect server), with one difference: an injected clock
standing on Tuesday 1 December 2026, 10:00 in Amsterdam, so due dates are exact. ``test_cli_bouwt_zijn_omgeving_*``
checks the CLI's own lazy construction too.

Exit codes (aanpak/cli/main.py): 0 ok, 1 refused by the domain, 2 usage. Refusals go to stderr, results to stdout.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from aanpak.cli import weergave
from aanpak.cli.main import app
from aanpak.config import STANDAARD_WERKPROCES, instellingen
from aanpak.omgeving import bouw, standaard, zet_standaard
from aanpak.store.schema import Casus, Jeugdige, Signaal
from models.kalender import AMSTERDAM
from tests.conftest import sjabloon_in_datamap
from tests.gegevens import SENTINEL_GEBOORTEDATUM, SENTINELS, register_met_een_school, signaal_document

BREEDTE = 200

SCHOOL = "school.zorgcoordinator"
WIJKTEAM = "wijkteam.casusregisseur"
GEMEENTE = "gemeente.procesregisseur"
VEILIG_THUIS = "veilig_thuis.medewerker"

#: Personal data of the professional who signals: encrypted in the store, so never shown either.
MELDER_GEGEVENS = ["Mw. P. Melder", "077-0000000", "melder@school.example"]
#: Fails the 11-proef (the sentinel BSN with its last digit changed); must never be echoed back.
BSN_FOUT = "111222334"

_REF = "[0-9A-HJKMNP-TV-Z]{8}"  # Crockford base32, as aanpak.usecases.casusopslag.nieuwe_ref
NIEUWE_CASUS = re.compile(rf"Signaal (S-{_REF}) geregistreerd: nieuwe casus (C-{_REF})\.")
GEMATCHT = re.compile(rf"Signaal (S-{_REF}) gematcht \((\w+)\) met lopende casus (C-{_REF});")
BESLUIT = re.compile(rf"Besluit B-{_REF}: (\w+) → (\w+)\.")
OVERDRACHT = re.compile(rf"Overdracht aangeboden: (O-{_REF}) \(wacht op acceptatie\)\.")

# -- fixtures ------------------------------------------------------------------------------------------------


@dataclass
class Klok:
    moment: datetime

    def __call__(self) -> datetime:
        return self.moment

    def zet(self, jaar: int, maand: int, dag: int, uur: int = 10) -> None:
        self.moment = datetime(jaar, maand, dag, uur, tzinfo=AMSTERDAM).astimezone(UTC)


@dataclass
class Cli:
    runner: CliRunner
    data_dir: Path
    klok: Klok

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=stdin)


@pytest.fixture
def omgeving_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Only the environment: AANPAK_* from scratch, a data folder under tmp_path, no Prefect, fixed width."""
    for naam in list(os.environ):
        if naam.startswith("AANPAK_"):
            monkeypatch.delenv(naam)
    monkeypatch.setenv("AANPAK_ORGANISATIES", str(register_met_een_school(tmp_path)))
    data_dir = tmp_path / "data"
    monkeypatch.setenv("AANPAK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    monkeypatch.setenv("COLUMNS", str(BREEDTE))
    # The consoles were created at import; a COLUMNS seen then would pin their width.
    monkeypatch.setattr(weergave.console, "_width", BREEDTE)
    monkeypatch.setattr(weergave.fout_console, "_width", BREEDTE)
    monkeypatch.chdir(tmp_path)  # the embedded default ".aanpak" would land here, not in the repository
    instellingen.cache_clear()
    zet_standaard(None)
    yield data_dir
    zet_standaard(None)
    instellingen.cache_clear()


@pytest.fixture
def cli_klok() -> Klok:
    k = Klok(datetime.now(UTC))
    k.zet(2026, 12, 1)  # a Tuesday
    return k


@pytest.fixture
def cli(omgeving_env: Path, cli_klok: Klok, sqlite_sjabloon: Path) -> Iterator[Cli]:
    sjabloon_in_datamap(sqlite_sjabloon, omgeving_env)  # migrated once per session, copied here
    omg = bouw(klok=cli_klok)  # from the settings, as standaard() builds it, plus the clock
    zet_standaard(omg)
    yield Cli(CliRunner(), omgeving_env, cli_klok)
    zet_standaard(None)
    omg.engine.dispose()


# -- helpers ----------------------------------------------------------------------------------------------------


def ok(r: Result) -> str:
    assert r.exit_code == 0, (r.exit_code, r.output, r.exception)
    assert r.stderr == ""
    return r.stdout


def geweigerd(r: Result) -> str:
    """Exit 1 through the CLI's own handling (not a crash), message on stderr only."""
    assert r.exit_code == 1, (r.exit_code, r.output, r.exception)
    assert isinstance(r.exception, SystemExit), f"onafgehandelde fout: {r.exception!r}"
    assert r.stdout == ""
    return r.stderr


def gebruiksfout(r: Result) -> str:
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert r.stdout == ""
    return r.stderr


def geen_persoonsgegevens(tekst: str) -> None:
    for s in [*SENTINELS, *MELDER_GEGEVENS, BSN_FOUT]:
        assert s not in tekst, f"persoonsgegevens in de uitvoer: {s!r}"


def schrijf(pad: Path, data: Any) -> Path:
    pad.write_text(json.dumps(data), encoding="utf-8")
    return pad


def registreer(cli: Cli, doc: dict[str, Any] | None = None) -> str:
    """Register a signal from a file; return the new case reference."""
    uit = ok(
        cli(
            "signaal",
            "registreer",
            "--bestand",
            str(schrijf(cli.data_dir.parent / "s.json", doc or signaal_document())),
        )
    )
    m = NIEUWE_CASUS.search(uit)
    assert m is not None, uit
    return m.group(2)


def besluit(cli: Cli, casus: str, stap: str, uitkomst: str, rol: str, *extra: str) -> str:
    return ok(cli("stap", "besluit", casus, stap, uitkomst, "--als", rol, "--door", "t.test", *extra))


def naar_ave_regie(cli: Cli) -> str:
    casus = registreer(cli)
    besluit(cli, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    besluit(cli, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)
    return casus


def naar_casusoverleg(cli: Cli) -> tuple[str, str]:
    """AVE 2 with casusregie offered to the wijkteam; returns (case, handoff)."""
    casus = naar_ave_regie(cli)
    uit = besluit(
        cli,
        casus,
        "ave_regie_bepalen",
        "lokaal",
        SCHOOL,
        "--ave",
        "2",
        "--casusregie",
        WIJKTEAM,
        "--regie-voorstel",
        "aanvaard",
    )
    m = OVERDRACHT.search(uit)
    assert m is not None, uit
    return casus, m.group(1)


def regel_met(tekst: str, *delen: str) -> str:
    """The one output line holding all ``delen`` (a table row)."""
    regels = [r for r in tekst.splitlines() if all(d in r for d in delen)]
    assert len(regels) == 1, (delen, tekst)
    return regels[0]


def aantal(rij: type[Signaal] | type[Jeugdige] | type[Casus]) -> int:
    with standaard().uow() as sessie:
        return sessie.scalar(select(func.count()).select_from(rij)) or 0


# -- signaal registreer ----------------------------------------------------------------------------------------


def test_registreer_from_a_file_opens_a_new_casus(cli: Cli) -> None:
    pad = schrijf(cli.data_dir.parent / "signaal.json", signaal_document())
    uit = ok(cli("signaal", "registreer", "--bestand", str(pad)))
    assert NIEUWE_CASUS.search(uit), uit
    assert "Gestart: interne_weging" in uit
    geen_persoonsgegevens(uit)
    assert (aantal(Signaal), aantal(Casus)) == (1, 1)


def test_registreer_from_stdin(cli: Cli) -> None:
    uit = ok(cli("signaal", "registreer", "--bestand", "-", stdin=json.dumps(signaal_document())))
    assert NIEUWE_CASUS.search(uit), uit
    assert "Gestart: interne_weging" in uit


def test_registreer_with_options_fills_the_document(cli: Cli) -> None:
    uit = ok(
        cli(
            "signaal",
            "registreer",
            "--rol",
            SCHOOL,
            "--melder",
            "Mw. P. Melder",
            "--voornamen",
            "Zwaantje",
            "--achternaam",
            "Xylofoonstra",
            "--geboortedatum",
            SENTINEL_GEBOORTEDATUM,
            "--categorie",
            "verzuim",
            "--zorg",
            "Komt vaak te laat.",
        )
    )
    m = NIEUWE_CASUS.search(uit)
    assert m is not None, uit
    geen_persoonsgegevens(uit)
    # The same child by file (name and birth date): the options really reached the document.
    tweede = ok(
        cli(
            "signaal",
            "registreer",
            "-f",
            str(schrijf(cli.data_dir.parent / "jgz.json", signaal_document("jgz.jeugdverpleegkundige"))),
        )
    )
    match = GEMATCHT.search(tweede)
    assert match is not None, tweede
    assert (match.group(2), match.group(3)) == ("naam_geboortedatum", m.group(2))


def test_registreer_invalid_json(cli: Cli) -> None:
    pad = cli.data_dir.parent / "kapot.json"
    pad.write_text('{"melder": ', encoding="utf-8")
    fout = geweigerd(cli("signaal", "registreer", "--bestand", str(pad)))
    assert "er is niets gewijzigd" in fout
    assert "bestand: geen geldige JSON (regel 1, kolom 12)" in fout


def test_registreer_unreadable_file(cli: Cli) -> None:
    fout = geweigerd(cli("signaal", "registreer", "--bestand", str(cli.data_dir.parent / "bestaat-niet.json")))
    assert "bestand: kan niet gelezen worden" in fout


@pytest.mark.parametrize("bron", ["bestand", "opties"])
def test_registreer_invalid_bsn_stores_nothing(cli: Cli, bron: str) -> None:
    if bron == "bestand":
        pad = schrijf(cli.data_dir.parent / "bsn.json", signaal_document(bsn=BSN_FOUT))
        args = ["--bestand", str(pad)]
    else:
        args = ["--rol", SCHOOL, "--melder", "Mw. P. Melder", "--bsn", BSN_FOUT, "--voornamen", "Zwaantje"]
        args += ["--achternaam", "Xylofoonstra", "--geboortedatum", SENTINEL_GEBOORTEDATUM]
        args += ["--categorie", "verzuim", "--zorg", "Komt vaak te laat."]
    r = cli("signaal", "registreer", *args)
    fout = geweigerd(r)
    assert "Ongeldige invoer (er is niets gewijzigd)" in fout
    assert "jeugdige.bsn: geen geldig BSN" in fout
    geen_persoonsgegevens(r.output)
    assert (aantal(Signaal), aantal(Jeugdige), aantal(Casus)) == (0, 0, 0)


def test_registreer_age_outside_the_convenant(cli: Cli) -> None:
    doc = signaal_document(geboortedatum="2001-03-17")  # 25 on 1 December 2026; the convenant runs to 20
    r = cli("signaal", "registreer", "--bestand", str(schrijf(cli.data_dir.parent / "oud.json", doc)))
    fout = geweigerd(r)
    assert "jeugdige.geboortedatum: leeftijd valt buiten het convenant (0-20 jaar)" in fout
    assert "2001" not in r.output
    geen_persoonsgegevens(r.output)
    assert (aantal(Signaal), aantal(Jeugdige), aantal(Casus)) == (0, 0, 0)


def test_registreer_unknown_melder_role(cli: Cli) -> None:
    doc = signaal_document("school.conciërge")
    fout = geweigerd(cli("signaal", "registreer", "--bestand", str(schrijf(cli.data_dir.parent / "r.json", doc))))
    assert "melder.rol: onbekende rol in werkproces" in fout
    assert "conciërge" not in fout  # a document's role text is never repeated (it may be a name, an escape)
    assert aantal(Signaal) == 0


@pytest.mark.parametrize(("bsn", "op"), [("111222333", "bsn"), (None, "naam_geboortedatum")])
def test_a_second_signaal_is_matched(cli: Cli, bsn: str | None, op: str) -> None:
    casus = registreer(cli)
    doc = signaal_document("jgz.jeugdverpleegkundige", bsn=bsn)
    uit = ok(cli("signaal", "registreer", "--bestand", "-", stdin=json.dumps(doc)))
    m = GEMATCHT.search(uit)
    assert m is not None, uit
    assert (m.group(2), m.group(3)) == (op, casus)
    assert "de betrokken partners worden geïnformeerd" in uit
    assert "Gestart: afstemming_na_match" in uit
    geen_persoonsgegevens(uit)
    assert aantal(Casus) == 1


def test_the_same_idempotency_key_registers_once(cli: Cli) -> None:
    doc = json.dumps(signaal_document(sleutel="upload-2026-12-01-001"))
    eerste = ok(cli("signaal", "registreer", "--bestand", "-", stdin=doc))
    tweede = ok(cli("signaal", "registreer", "--bestand", "-", stdin=doc))
    m1 = NIEUWE_CASUS.search(eerste)
    assert m1 is not None, eerste
    signaal_ref, casus_ref = m1.groups()
    assert "al geregistreerd" in tweede, tweede
    assert signaal_ref in tweede
    assert casus_ref in tweede
    assert (aantal(Signaal), aantal(Casus)) == (1, 1)


# -- postvak --------------------------------------------------------------------------------------------------


def test_an_ave_besluit_names_the_regie_voorstel_option_and_postvak_shows_the_proposal(cli: Cli) -> None:
    casus = naar_ave_regie(cli)
    uit = ok(cli("postvak", "--rol", SCHOOL))
    regel = regel_met(uit, f"Regievoorstel {casus}", "AVE 2")
    assert f"casusregie {WIJKTEAM} bij wijkteam-venlo" in regel
    assert "regel ave_2_standaard" in regel
    weigering = cli(
        "stap", "besluit", casus, "ave_regie_bepalen", "lokaal", "--als", SCHOOL, "--door", "t.t", "--ave", "2"
    )
    assert weigering.exit_code == 1
    assert "--regie-voorstel" in weigering.output
    besluit(
        cli,
        casus,
        "ave_regie_bepalen",
        "lokaal",
        SCHOOL,
        "--ave",
        "2",
        "--regie-voorstel",
        "afwijken",
        "--reden",
        "expertise",
        "--casusregie",
        "jgz.jeugdverpleegkundige",
    )
    tl = ok(cli("casus", "tijdlijn", casus))
    assert "regievoorstel_afgeweken" in tl
    assert "expertise" in tl


def test_postvak_shows_an_open_stap_with_its_termijn(cli: Cli) -> None:
    casus = registreer(cli)
    uit = ok(cli("postvak", "--rol", SCHOOL))
    assert f"Postvak {SCHOOL}" in uit
    # 5 werkdagen from Tuesday 1 December: Wednesday 2 … Tuesday 8 December, end of day.
    rij = regel_met(uit, casus)
    for deel in ("Interne weging en collegiale consultatie", SCHOOL, "08-12-2026", "5 werkdagen", "open"):
        assert deel in rij, (deel, rij)
    geen_persoonsgegevens(uit)


def test_postvak_per_organisatie(cli: Cli) -> None:
    casus = registreer(cli)
    uit = ok(cli("postvak", "--organisatie", "school-de-wissel"))
    assert "Postvak school-de-wissel" in uit
    assert "08-12-2026" in regel_met(uit, casus, "Interne weging")


def test_postvak_empty(cli: Cli) -> None:
    registreer(cli)
    assert (
        ok(cli("postvak", "--rol", "jgz.jeugdarts")).strip()
        == "Niets te doen voor jgz.jeugdarts bij jgz-limburg-noord."
    )


def test_postvak_asks_for_rol_or_organisatie(cli: Cli) -> None:
    assert "geef --rol en/of --organisatie" in gebruiksfout(cli("postvak"))


@pytest.mark.parametrize(
    ("optie", "waarde", "melding"),
    [
        ("--rol", "school.conciërge", "rol: onbekende rol 'school.conciërge'"),
        ("--organisatie", "bakkerij", "organisatie: onbekende organisatie 'bakkerij'"),
    ],
)
def test_postvak_unknown(cli: Cli, optie: str, waarde: str, melding: str) -> None:
    assert melding in geweigerd(cli("postvak", optie, waarde))


# -- stap besluit ---------------------------------------------------------------------------------------------


def test_besluit_starts_the_next_stap(cli: Cli) -> None:
    casus = registreer(cli)
    uit = besluit(cli, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    m = BESLUIT.search(uit)
    assert m is not None, uit
    assert m.groups() == ("interne_weging", "eigen_ondersteuning")
    assert "Gestart: informeren_grondslag" in uit
    postvak = ok(cli("postvak", "--rol", SCHOOL))
    assert "Informeren en grondslag of toestemming vastleggen" in regel_met(postvak, casus)


def test_besluit_on_a_closed_stap_is_refused(cli: Cli) -> None:
    casus = registreer(cli)
    besluit(cli, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    r = cli("stap", "besluit", casus, "interne_weging", "eigen_ondersteuning", "--als", SCHOOL, "--door", "t.test")
    assert f"stap 'interne_weging' van casus {casus} is al afgerond" in geweigerd(r)


def test_besluit_by_the_wrong_rol_is_refused(cli: Cli) -> None:
    casus = registreer(cli)
    r = cli("stap", "besluit", casus, "interne_weging", "geen_zorg", "--als", "jgz.jeugdarts", "--door", "j.arts")
    fout = geweigerd(r)
    assert (
        "rol 'jgz.jeugdarts' van 'jgz-limburg-noord' mag over stap 'interne_weging' niet besluiten "
        "(wel: school.zorgcoordinator@school-de-wissel)"
    ) in fout
    # Nothing changed: the step is still open with the school.
    assert "open" in regel_met(ok(cli("postvak", "--rol", SCHOOL)), casus, "Interne weging")


def test_besluit_unknown_uitkomst(cli: Cli) -> None:
    casus = registreer(cli)
    r = cli("stap", "besluit", casus, "interne_weging", "doorsturen", "--als", SCHOOL, "--door", "t.test")
    fout = geweigerd(r)
    assert "uitkomst: stap 'interne_weging' kent geen uitkomst 'doorsturen'" in fout
    assert "(wel: geen_zorg, eigen_ondersteuning, meldcode, opschalen)" in fout


def test_besluit_unknown_casus(cli: Cli) -> None:
    r = cli("stap", "besluit", "C-00000000", "interne_weging", "geen_zorg", "--als", SCHOOL, "--door", "t.test")
    assert "casus 'C-00000000' bestaat niet" in geweigerd(r)


@pytest.mark.parametrize("weg", ["--als", "--door"])
def test_besluit_without_a_required_option_is_a_usage_error(cli: Cli, weg: str) -> None:
    casus = registreer(cli)
    opties = {"--als": SCHOOL, "--door": "t.test"}
    del opties[weg]
    args = [a for paar in opties.items() for a in paar]
    fout = gebruiksfout(cli("stap", "besluit", casus, "interne_weging", "geen_zorg", *args))
    assert f"Optie '{weg}' ontbreekt" in fout  # typer's texts in Dutch (aanpak/cli/nederlands.py)


@pytest.mark.parametrize(
    ("extra", "veld"),
    [
        (["--ave", "7"], "--ave"),
        (["--toelichting", "Zwaantje Xylofoonstra slaapt slecht. " * 300], "toelichting"),
    ],
    ids=["ave", "toelichting"],
)
def test_besluit_invalid_options_refused_without_traceback(cli: Cli, extra: list[str], veld: str) -> None:
    casus = naar_ave_regie(cli)
    r = cli("stap", "besluit", casus, "ave_regie_bepalen", "lokaal", "--als", SCHOOL, "--door", "t.test", *extra)
    geen_persoonsgegevens(r.output + str(r.exception or ""))  # what a terminal would show, traceback included
    fout = geweigerd(r)
    assert veld in fout


def test_besluit_short_casus_ref_refused_without_traceback(cli: Cli) -> None:
    r = cli("stap", "besluit", "C", "interne_weging", "geen_zorg", "--als", SCHOOL, "--door", "t.test")
    assert "casus" in geweigerd(r)


# -- warme overdracht -----------------------------------------------------------------------------------------


def test_ave_besluit_offers_an_overdracht(cli: Cli) -> None:
    casus, overdracht = naar_casusoverleg(cli)
    postvak = ok(cli("postvak", "--rol", WIJKTEAM))
    rij = regel_met(postvak, overdracht)
    # The handoff term: 2 werkdagen → Thursday 3 December.
    for deel in (casus, "casusregie overnemen", overdracht, "03-12-2026", "2 werkdagen", "aangeboden"):
        assert deel in rij, (deel, rij)
    # Until acceptance the school keeps casusregie and AVE stays 1; procesregie is assigned directly.
    kop = ok(cli("casus", "tijdlijn", casus)).splitlines()[0]
    assert "AVE 1, casusregie school.zorgcoordinator, procesregie gemeente.procesregisseur" in kop


def test_overdracht_accept(cli: Cli) -> None:
    casus, overdracht = naar_casusoverleg(cli)
    uit = ok(cli("overdracht", "accepteer", overdracht, "--als", WIJKTEAM, "--door", "c.r"))
    assert f"casusregie van casus {casus} ligt nu bij {WIJKTEAM}." in uit
    kop = ok(cli("casus", "tijdlijn", casus)).splitlines()[0]
    assert f"AVE 2, casusregie {WIJKTEAM}, procesregie {GEMEENTE}" in kop
    assert ok(cli("postvak", "--rol", WIJKTEAM)).strip() == f"Niets te doen voor {WIJKTEAM} bij wijkteam-venlo."


def test_overdracht_accept_by_the_wrong_rol(cli: Cli) -> None:
    _, overdracht = naar_casusoverleg(cli)
    fout = geweigerd(cli("overdracht", "accepteer", overdracht, "--als", GEMEENTE, "--door", "d.p"))
    assert f"alleen rol '{WIJKTEAM}' kan deze overdracht accepteren" in fout
    assert "aangeboden" in regel_met(ok(cli("postvak", "--rol", WIJKTEAM)), overdracht)


def test_overdracht_unknown(cli: Cli) -> None:
    fout = geweigerd(cli("overdracht", "accepteer", "O-00000000", "--als", WIJKTEAM, "--door", "c.r"))
    assert "overdracht 'O-00000000' bestaat niet" in fout


# -- termijnen: opschorten, hervatten, verlengen -----------------------------------------------------------------


def test_opschorten_and_hervatten_shift_the_termijn(cli: Cli) -> None:
    casus = registreer(cli)
    opschorten = ["--reden", "wacht_op_informatie", "--als", SCHOOL, "--door", "a"]
    uit = ok(cli("stap", "opschorten", casus, "interne_weging", *opschorten))
    assert uit.strip() == f"Stap interne_weging van {casus} is opgeschort."
    assert "opgeschort" in regel_met(ok(cli("postvak", "--rol", SCHOOL)), casus)
    r = cli("stap", "besluit", casus, "interne_weging", "geen_zorg", "--als", SCHOOL, "--door", "a")
    assert "stap 'interne_weging' is opgeschort; hervat hem eerst" in geweigerd(r)

    cli.klok.zet(2026, 12, 3)  # Thursday: suspended on Tuesday and Wednesday
    uit = ok(cli("stap", "hervatten", casus, "interne_weging", "--als", SCHOOL, "--door", "a"))
    assert uit.strip() == "Stap interne_weging hervat na 2 werkdag(en); uiterlijk 10-12-2026."
    rij = regel_met(ok(cli("postvak", "--rol", SCHOOL)), casus)
    assert "10-12-2026" in rij
    assert "open" in rij


def test_opschorten_with_an_unknown_reason_is_a_usage_error(cli: Cli) -> None:
    casus = registreer(cli)
    r = cli("stap", "opschorten", casus, "interne_weging", "--reden", "vakantie", "--als", SCHOOL, "--door", "a")
    assert "--reden" in gebruiksfout(r)


def test_hervatten_of_an_open_stap_is_refused(cli: Cli) -> None:
    casus = registreer(cli)
    r = cli("stap", "hervatten", casus, "interne_weging", "--als", SCHOOL, "--door", "a")
    assert "stap 'interne_weging' is niet opgeschort" in geweigerd(r)


def test_verlengen_within_and_beyond_the_room(cli: Cli) -> None:
    casus, _ = naar_casusoverleg(cli)
    # casusoverleg: 10 werkdagen from 1 December = 15 December; max_verlenging 5.
    uit = ok(
        cli(
            "stap",
            "verlengen",
            casus,
            "casusoverleg",
            "2",
            "--reden",
            "overleg_nodig",
            "--als",
            GEMEENTE,
            "--door",
            "d.p",
        )
    )
    assert uit.strip() == "Stap casusoverleg verlengd; uiterlijk 17-12-2026."
    r = cli(
        "stap", "verlengen", casus, "casusoverleg", "4", "--reden", "overleg_nodig", "--als", GEMEENTE, "--door", "d.p"
    )
    assert "aantal: verlenging van 4 werkdagen gaat boven de afgesproken ruimte (nog 3 werkdagen)" in geweigerd(r)
    uit = ok(
        cli(
            "stap",
            "verlengen",
            casus,
            "casusoverleg",
            "3",
            "--reden",
            "overleg_nodig",
            "--als",
            GEMEENTE,
            "--door",
            "d.p",
        )
    )
    assert uit.strip() == "Stap casusoverleg verlengd; uiterlijk 22-12-2026."


def test_verlengen_without_a_reason_is_a_usage_error(cli: Cli) -> None:
    casus = registreer(cli)
    r = cli("stap", "verlengen", casus, "interne_weging", "1", "--als", SCHOOL, "--door", "a")
    assert "--reden" in gebruiksfout(r)
    r = cli("stap", "verlengen", casus, "interne_weging", "1", "--reden", "vakantie", "--als", SCHOOL, "--door", "a")
    assert "--reden" in gebruiksfout(r)


def test_a_wettelijke_termijn_cannot_be_suspended(cli: Cli) -> None:
    casus = registreer(cli)
    besluit(cli, casus, "interne_weging", "meldcode", SCHOOL)
    r = cli("stap", "opschorten", casus, "meldcode_vt", "--reden", "overig", "--als", VEILIG_THUIS, "--door", "v.t")
    assert "kan niet opgeschort worden" in geweigerd(r)


def test_verlengen_by_a_rol_without_authority(cli: Cli) -> None:
    casus, _ = naar_casusoverleg(cli)
    r = cli(
        "stap",
        "verlengen",
        casus,
        "casusoverleg",
        "1",
        "--reden",
        "overleg_nodig",
        "--als",
        "politie.wijkagent",
        "--door",
        "w.a",
    )
    assert "rol 'politie.wijkagent' mag de termijn van stap 'casusoverleg' niet wijzigen" in geweigerd(r)


def test_a_wettelijke_termijn_cannot_be_extended(cli: Cli) -> None:
    casus = registreer(cli)
    uit = besluit(cli, casus, "interne_weging", "meldcode", SCHOOL)
    assert "Gestart: meldcode_vt, informeren_grondslag" in uit
    r = cli(
        "stap",
        "verlengen",
        casus,
        "meldcode_vt",
        "1",
        "--reden",
        "overleg_nodig",
        "--als",
        VEILIG_THUIS,
        "--door",
        "v.t",
    )
    fout = geweigerd(r)
    assert "wettelijk" in fout
    assert "art. 4.1.1 lid 2 Wmo 2015" in fout
    # 5 werkdagen from 1 December, unchanged.
    assert "08-12-2026" in regel_met(ok(cli("postvak", "--rol", VEILIG_THUIS)), casus)


# -- casus tijdlijn ---------------------------------------------------------------------------------------------


def test_tijdlijn_shows_steps_and_history_without_personal_data(cli: Cli) -> None:
    casus, overdracht = naar_casusoverleg(cli)
    ok(cli("signaal", "registreer", "--bestand", "-", stdin=json.dumps(signaal_document("jgz.jeugdverpleegkundige"))))
    ok(cli("overdracht", "accepteer", overdracht, "--als", WIJKTEAM, "--door", "c.regisseur"))
    ok(
        cli(
            "stap",
            "besluit",
            casus,
            "afstemming_na_match",
            "afgestemd",
            "--als",
            WIJKTEAM,
            "--door",
            "c.regisseur",
            "--toelichting",
            "Gebeld met moeder van Zwaantje Xylofoonstra, Kwartelpad 717.",
        )
    )
    uit = ok(cli("casus", "tijdlijn", casus))
    assert uit.splitlines()[0].startswith(f"Casus {casus} — open, AVE 2, casusregie {WIJKTEAM}")
    stappen, historie = uit.split("Historie", 1)
    for naam, uitkomst in [
        ("Signaal vastleggen", "geregistreerd"),
        ("Interne weging en collegiale consultatie", "eigen_ondersteuning"),
        ("Informeren en grondslag of toestemming vastleggen", "toestemming"),
        ("AVE-fase en regie bepalen", "lokaal"),
        ("Afstemming na match", "afgestemd"),
    ]:
        assert "afgerond" in regel_met(stappen, naam, uitkomst)
    assert "open" in regel_met(stappen, "Multidisciplinair casusoverleg")
    for soort in (
        "casus_geopend",
        "stap_gestart",
        "besluit_genomen",
        "stap_afgerond",
        "overdracht_aangeboden",
        "overdracht_geaccepteerd",
        "signaal_gematcht",
        "regie_toegewezen",
    ):
        assert soort in historie, soort
    assert "c.regisseur" in regel_met(historie, "overdracht_geaccepteerd")
    geen_persoonsgegevens(uit)


def test_tijdlijn_unknown_casus(cli: Cli) -> None:
    assert "casus 'C-00000000' bestaat niet" in geweigerd(cli("casus", "tijdlijn", "C-00000000"))


# -- werkproces -------------------------------------------------------------------------------------------------


def _definitie() -> dict[str, Any]:
    data = yaml.safe_load(STANDAARD_WERKPROCES.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_werkproces_toon_all_steps(cli: Cli) -> None:
    uit = ok(cli("werkproces", "toon"))
    tabel, mermaid = uit.split("Mermaid (plak in een Markdown-viewer):", 1)
    data = _definitie()
    stappen = data["stappen"]
    assert len(stappen) >= 13
    assert f"{data['naam']} — versie {data['versie']}" in tabel
    for s in stappen:
        assert re.search(rf"│ {s['key']} +│", tabel), s["key"]  # the key line under the (wrapped) name
        assert s["naam"] in uit, s["naam"]
    assert "5 werkdagen (acuut 24 uren) — wettelijk" in regel_met(tabel, "veilig_thuis.medewerker")
    assert mermaid.strip().startswith("flowchart TD")


def _mermaid(cli: Cli) -> list[str]:
    uit = ok(cli("werkproces", "toon", "--mermaid"))
    assert uit.startswith("flowchart TD\n")
    return [r.strip() for r in uit.splitlines()]


def test_werkproces_mermaid_has_every_transition(cli: Cli) -> None:
    regels = _mermaid(cli)
    data = _definitie()
    verwacht = [f"start([signaal]) --> {data['intake']['stap']}", f"match([match]) -.-> {data['intake']['bij_match']}"]
    for s in data["stappen"]:
        assert any(r.startswith(f'{s["key"]}["{s["naam"]}<br/>') for r in regels), s["key"]
        for u in s["uitkomsten"]:
            verwacht += [f"{s['key']} -->|{u['key']}| {v}" for v in u["volgende"]]
            if u.get("sluit_casus"):
                verwacht.append(f"{s['key']} -->|{u['key']}| einde([casus gesloten])")
    assert len(verwacht) >= 28
    ontbreekt = [e for e in verwacht if e not in regels]
    assert ontbreekt == []


def test_werkproces_mermaid_has_an_arrow_for_every_uitkomst(cli: Cli) -> None:
    regels = _mermaid(cli)
    ontbreekt = [
        f"{s['key']}.{u['key']}"
        for s in _definitie()["stappen"]
        for u in s["uitkomsten"]
        if not any(r.startswith(f"{s['key']} -->|{u['key']}| ") for r in regels)
    ]
    assert ontbreekt == []


def test_werkproces_controleer_the_default(cli: Cli) -> None:
    data = _definitie()
    uit = ok(cli("werkproces", "controleer", str(STANDAARD_WERKPROCES)))
    telling = f"{len(data['stappen'])} stappen, {len(data['rollen'])} rollen"
    assert uit == f"{STANDAARD_WERKPROCES}: geldig — {data['key']} versie {data['versie']}, {telling}.\n"


def test_werkproces_controleer_a_broken_copy(cli: Cli) -> None:
    tekst = STANDAARD_WERKPROCES.read_text(encoding="utf-8")
    oud = "volgende: [meldcode_vt, informeren_grondslag]"
    assert tekst.count(oud) == 1
    kapot = cli.data_dir.parent / "venlo-kapot.yaml"
    kapot.write_text(tekst.replace(oud, "volgende: [meldcode_vt, melding_oud]"), encoding="utf-8")
    fout = geweigerd(cli("werkproces", "controleer", str(kapot)))
    assert f"werkproces-definitie {kapot} is ongeldig" in fout
    assert "stappen[1].uitkomsten[2].volgende[1]: overgang naar onbekende stap 'melding_oud'" in fout
    # `toon --bestand` validates the same way.
    assert "stappen[1].uitkomsten[2].volgende[1]" in geweigerd(cli("werkproces", "toon", "--bestand", str(kapot)))


def test_werkproces_controleer_a_missing_file(cli: Cli) -> None:
    pad = cli.data_dir.parent / "bestaat-niet.yaml"
    assert "bestaat-niet.yaml" in geweigerd(cli("werkproces", "controleer", str(pad)))


# -- how refusals are printed -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "letterlijk"),
    [
        (["postvak", "--rol", "[bold]school.zorgcoordinator"], "onbekende rol '[bold]school.zorgcoordinator'"),
        (["postvak", "--rol", "school.zorg[/]"], "onbekende rol 'school.zorg[/]'"),
        (["casus", "tijdlijn", "C-[/b]"], "casus 'C-[/b]' bestaat niet"),
    ],
    ids=["opmaak", "sluittag", "casusref"],
)
def test_a_refusal_shows_the_input_literally(cli: Cli, args: list[str], letterlijk: str) -> None:
    assert letterlijk in geweigerd(cli(*args))


# -- bewaking, db, the CLI's own context ------------------------------------------------------------------------


def _bewaking(cli: Cli) -> tuple[int, list[str]]:
    """One round; returns the count on its last line and the lines above it."""
    *regels, slot = ok(cli("bewaking")).strip().splitlines()
    m = re.fullmatch(r"(\d+) nieuwe \w+\(en\)\.", slot)
    assert m is not None, slot
    assert len(regels) == int(m.group(1)), (regels, slot)
    return int(m.group(1)), regels


def test_bewaking_reports_an_overdue_termijn_once(cli: Cli) -> None:
    assert _bewaking(cli) == (0, [])
    casus = registreer(cli)
    assert _bewaking(cli) == (0, [])  # due 8 December: nothing to report on the 1st
    cli.klok.zet(2026, 12, 10)  # Thursday, two werkdagen past the due day
    _, regels = _bewaking(cli)
    assert any(all(d in r for d in (casus, "interne_weging", SCHOOL, "08-12-2026")) for r in regels), regels
    assert _bewaking(cli) == (0, [])  # the same moment again: nothing is reported twice
    assert "2 werkdagen te laat" in regel_met(ok(cli("postvak", "--rol", SCHOOL)), casus)


def test_db_upgrade_names_the_store(cli: Cli) -> None:
    uit = ok(cli("db", "upgrade"))
    assert f"Casusopslag bijgewerkt: sqlite:///{(cli.data_dir / 'aanpak.db').resolve()}" in uit


def test_cli_builds_its_omgeving_from_the_environment(omgeving_env: Path) -> None:
    """Without an installed context the CLI builds its own from AANPAK_*: the store lands in the data folder."""
    runner = CliRunner()
    r = runner.invoke(app, ["signaal", "registreer", "--bestand", "-"], input=json.dumps(signaal_document()))
    uit = ok(r)
    assert NIEUWE_CASUS.search(uit), uit
    try:
        assert (omgeving_env / "aanpak.db").is_file()
        assert not (omgeving_env.parent / ".aanpak").exists()
        assert str(standaard().engine.url.database) == str((omgeving_env / "aanpak.db").resolve())
    finally:
        standaard().engine.dispose()
