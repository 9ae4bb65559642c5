"""The defects a newcomer met (issue 14), one test each, plus the boundary's other promises outside the corpus:
free-text flags, replayed audit text, the inzage file, an unreachable store, Dutch typer texts."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import apprise
import pytest
from sqlalchemy import func, select, update

from aanpak.config import STANDAARD_WERKPROCES
from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.instellingen import Beleid
from aanpak.omgeving import Omgeving, standaard, zet_standaard
from aanpak.rapportage.svg import BREED, werkproces_svg
from aanpak.rapportage.tabellen import trendsectie
from aanpak.store.schema import Correctie, Jeugdige, Melding, Verwerking
from aanpak.usecases import bezorging, termijnen
from aanpak.usecases.rapport import Filters, Rapport, maak_rapport
from models.casus import Opschortreden
from tests.conftest import TEST_HMAC, TEST_SLEUTELS
from tests.gegevens import als, signaal_document, signaleer
from tests.ontvangers import vrije_poort
from tests.test_cli import NIEUWE_CASUS, Cli, cli, cli_klok, geweigerd, ok, omgeving_env

__all__ = ["cli", "cli_klok", "omgeving_env"]  # fixtures used here

SCHOOL = "school.zorgcoordinator"
LOKET = "gemeente.privacyloket"
ENGELS = ["Usage", "Show this message", "Options", "Commands", "Arguments", "Missing", "Error", "Try ", "Invalid"]


def nieuwe_casus(cli: Cli, **kwargs: object) -> str:
    pad = cli.data_dir.parent / "signaal.json"
    pad.write_text(json.dumps(signaal_document(**kwargs)), encoding="utf-8")  # type: ignore[arg-type]
    m = NIEUWE_CASUS.search(ok(cli("signaal", "registreer", "--bestand", str(pad))))
    assert m is not None
    return m.group(2)


# -- typer in Dutch -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["stap", "besluit", "--help"], ["signaal", "registreer", "--help"]])
def test_hulp_is_nederlands(cli: Cli, args: list[str]) -> None:
    uit = ok(cli(*args))
    assert "Gebruik:" in uit
    assert "Toon deze hulp en stop." in uit
    for woord in ENGELS:
        assert woord not in uit, woord


@pytest.mark.parametrize(
    ("args", "verwacht"),
    [
        (["stap", "besluit", "C-1", "s", "u", "--door", "x"], "Optie '--als' ontbreekt"),
        (["stap", "besluit", "C-1"], "Argument 'stap' ontbreekt"),
        (["stap", "besluit", "C-1", "s", "u", "--als", "a", "--door", "b", "--ave", "GEHEIM7"], "geen geheel getal"),
        (["postvak", "--GEHEIM7"], "Onbekende optie"),
        (["GEHEIM7"], "Onbekende opdracht"),
        (["stap", "opschorten", "C-1", "s", "--reden", "GEHEIM7", "--als", "a", "--door", "b"], "kies uit"),
    ],
)
def test_gebruiksfout_is_nederlands_en_herhaalt_de_waarde_niet(cli: Cli, args: list[str], verwacht: str) -> None:
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert verwacht in r.stderr
    assert "Gebruik:" in r.stderr
    assert "GEHEIM7" not in r.stderr
    for woord in ENGELS:
        assert woord not in r.stderr, woord


# -- free text flags, replayed text, the inzage file, an unreachable store ------------------------------------------


@pytest.mark.parametrize("door", ["a.mentor\x1b[2J", "a.men\x00tor", "a.mentor\u202e"])
def test_stuurtekens_in_door_worden_geweigerd(cli: Cli, door: str) -> None:
    casus = nieuwe_casus(cli)
    fout = geweigerd(cli("stap", "besluit", casus, "interne_weging", "geen_zorg", "--als", SCHOOL, "--door", door))
    assert "--door: bevat een stuurteken" in fout
    assert "\x1b" not in fout
    assert "\x00" not in fout


def test_audit_toon_toont_opgeslagen_stuurtekens_onschadelijk(cli: Cli) -> None:
    casus = nieuwe_casus(cli)
    geweigerd(cli("casus", "inzien", casus, "--als", "politie.wijkagent", "--door", "w.agent", "--doel", "veiligheid"))
    with standaard().uow() as sessie:  # as a row written before the boundary refused such handles
        sessie.execute(update(Verwerking).values(actor="w.agent\x1b[2J\x07"))
    uit = ok(cli("audit", "toon", "--casus", casus))
    assert "\x1b" not in uit
    assert "\x07" not in uit
    assert "\\x1b" in "".join(uit.split())  # shown as text, wrapped or not


def test_inzage_uitvoer_volgt_geen_koppeling_en_overschrijft_niets(cli: Cli, tmp_path: Path) -> None:
    casus = nieuwe_casus(cli)
    doelwit = tmp_path / "van-een-ander.txt"
    doelwit.write_text("ongemoeid", encoding="utf-8")
    koppeling = tmp_path / "inzage.json"
    koppeling.symlink_to(doelwit)
    args = ["rechten", "inzage", casus, "--als", LOKET, "--door", "p.loket", "--formaat", "json"]
    fout = geweigerd(cli(*args, "--uitvoer", str(koppeling)))
    assert "--uitvoer: bestaat al (of is een koppeling)" in fout
    fout = geweigerd(cli(*args, "--uitvoer", str(doelwit)))
    assert "--uitvoer: bestaat al" in fout
    assert doelwit.read_text(encoding="utf-8") == "ongemoeid"
    nieuw = tmp_path / "nieuw" / "inzage.json"
    ok(cli(*args, "--uitvoer", str(nieuw)))
    assert stat.S_IMODE(os.stat(nieuw).st_mode) == 0o600
    assert json.loads(nieuw.read_text(encoding="utf-8"))


def test_onbereikbare_casusopslag_geeft_een_nederlandse_melding(
    omgeving_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from aanpak.cli.main import app
    from aanpak.config import instellingen

    poort = vrije_poort()  # nothing listens there
    monkeypatch.setenv("AANPAK_DATABASE_URL", f"postgresql+psycopg://postgres:geheimwachtwoord@127.0.0.1:{poort}/x")
    monkeypatch.setenv("AANPAK_SLEUTELS", TEST_SLEUTELS)  # keys configured: the store is what is missing
    monkeypatch.setenv("AANPAK_HMAC_SLEUTEL", base64.urlsafe_b64encode(TEST_HMAC).decode())
    instellingen.cache_clear()
    zet_standaard(None)
    r = CliRunner().invoke(app, ["postvak", "--rol", SCHOOL])
    assert r.exit_code == 1, (r.output, r.exception)
    assert isinstance(r.exception, SystemExit)
    assert "de casusopslag is niet bereikbaar" in r.stderr
    assert "geheimwachtwoord" not in r.output
    assert "Traceback" not in r.output


# -- defects a newcomer met -------------------------------------------------------------------------------------------


def test_werkproces_controleer_ziet_een_versie_die_al_met_andere_inhoud_in_gebruik_is(cli: Cli) -> None:
    nieuwe_casus(cli)  # the definition in force is now snapshotted
    kopie = cli.data_dir.parent / "gewijzigd.yaml"
    kopie.write_text(STANDAARD_WERKPROCES.read_text(encoding="utf-8") + "\n# gewijzigd\n", encoding="utf-8")
    fout = geweigerd(cli("werkproces", "controleer", str(kopie)))
    assert "al in gebruik met een andere inhoud; verhoog de versie" in fout
    ok(cli("werkproces", "controleer", str(STANDAARD_WERKPROCES)))  # the same text stays geldig


def test_match_op_naam_met_nieuw_bsn_legt_een_correctie_vast(omg: Omgeving) -> None:
    signaleer(omg, bsn=None)
    tweede = signaleer(omg, rol="jgz.jeugdverpleegkundige")  # same name and birth date, now with a BSN
    assert tweede.gematcht_op == "naam_geboortedatum"
    with omg.uow() as sessie:
        correcties = list(sessie.scalars(select(Correctie)))
        assert sessie.scalar(select(func.count()).select_from(Jeugdige)) == 1
    assert len(correcties) == 1
    assert "bsn" in correcties[0].velden
    assert correcties[0].rol == "jgz.jeugdverpleegkundige"
    vorige = json.loads(omg.sleutels.ontsleutel(correcties[0].vorige_versleuteld, "correctie.vorige"))
    assert vorige["bsn"] is None


def test_postvak_kanaal_met_map_werkt_zoals_gedocumenteerd(tmp_path: Path) -> None:
    k = kanaalconfig.lees(f"urls:\n  - postvak://?map={tmp_path}:\n      tag: alle\n", "kanalen.yaml", {})
    (kanaal,) = k.kanalen
    assert kanaal.tags == {"alle"}
    plugin = apprise.Apprise.instantiate(kanaal.url + "&rol=wijkteam.casusregisseur&kenmerk=k1&moment=m1")
    assert plugin is not None
    assert plugin.notify(body="Tekst", title="Onderwerp")
    assert (tmp_path / "wijkteam.casusregisseur" / "m1-k1.txt").read_text(encoding="utf-8").startswith("Onderwerp")


def test_hervatten_zonder_verschuiving_meldt_geen_termijnwijziging(omg: Omgeving) -> None:
    verwerkt = signaleer(omg)
    stap = verwerkt.gestarte_stappen[0]
    termijnen.opschorten(omg, verwerkt.casus_ref, stap, Opschortreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.m"))
    r = termijnen.hervatten(omg, verwerkt.casus_ref, stap, als(SCHOOL, "a.m"))  # the same day: nothing moves
    assert r.werkdagen_opgeschort == 0
    with omg.uow() as sessie:
        soorten = list(sessie.scalars(select(Melding.soort)))
    assert "termijn_gewijzigd" not in soorten


def test_mislukte_bezorging_gaat_naar_leidinggevende_en_beheerder_niet_alleen_naar_zichzelf(omg: Omgeving) -> None:
    signaleer(omg)
    dood = kanaalconfig.lees(f'urls:\n  - "json://127.0.0.1:{vrije_poort()}/x":\n      tag: alle\n', "k.yaml", {})
    beleid = Beleid(max_pogingen=1, timeout=1.0, beheerder="gemeente.procesregisseur@gemeente-venlo")
    bezorging.bezorg(omg, dood, beleid)
    with omg.uow() as sessie:
        oorspronkelijk = {
            m.id: m.ontvanger_rol for m in sessie.scalars(select(Melding)) if m.soort != "bezorging_mislukt"
        }
        notices = list(sessie.scalars(select(Melding).where(Melding.soort == "bezorging_mislukt")))
    assert SCHOOL in oorspronkelijk.values()
    assert notices
    for melding_id, rol in oorspronkelijk.items():
        naar = {n.ontvanger_rol for n in notices if f":bezorging-mislukt:{melding_id}:" in n.sleutel}
        assert rol not in naar, (rol, naar)  # never only (or also) the role whose channel failed
        assert "gemeente.procesregisseur" in naar
    naar_school = {n.ontvanger_rol for n in notices if rol_van(oorspronkelijk, n.sleutel) == SCHOOL}
    assert "school.teamleider" in naar_school


def rol_van(oorspronkelijk: dict[int, str], sleutel: str) -> str:
    melding_id = int(sleutel.split(":bezorging-mislukt:", 1)[1].split(":", 1)[0])
    return oorspronkelijk[melding_id]


# -- the managers' report ----------------------------------------------------------------------------------------------


def _rapport_met_signalen(omg: Omgeving) -> Rapport:
    """Six signals: ages 5, 13, 16 (two each), each with two categories."""
    for i, geboren in enumerate(["2021-01-05", "2013-02-05", "2010-03-05", "2021-04-05", "2013-05-05", "2010-06-05"]):
        signaleer(
            omg,
            bsn=None,
            voornamen=f"Kind{'abcdef'[i]}",
            geboortedatum=geboren,
            categorieen=["verzuim", "ontwikkeling"],
        )
    return maak_rapport(omg, Filters(van=date(2026, 11, 1), tot=date(2026, 12, 31)))


def test_rapport_leeftijdsgroepen_op_leeftijd_en_categorietotaal_zegt_wat_het_telt(omg: Omgeving) -> None:
    r = _rapport_met_signalen(omg)
    (leeftijd,) = [t for t in r.trends if t.dimensie == "leeftijdsgroep"]
    assert leeftijd.rijen == ["4-11", "12-15", "16-17"]  # not as text (12-15, 16-17, 4-11)
    (categorie,) = [t for t in r.trends if t.dimensie == "categorie"]
    sectie = trendsectie(categorie)
    assert sectie.kolommen[-1] == "Totaal vermeldingen"
    assert sectie.rijen[-1][0] == "Totaal vermeldingen"
    assert "totalen tellen vermeldingen, geen signalen" in sectie.titel


def test_werkproces_afbeelding_past_op_een_pagina_en_snijdt_geen_namen_af(omg: Omgeving) -> None:
    r = _rapport_met_signalen(omg)
    svg = ElementTree.fromstring(werkproces_svg(r))  # noqa: S314 - our own picture, made just now
    breedte, hoogte = int(svg.get("width") or 0), int(svg.get("height") or 0)
    assert breedte <= 1400, (breedte, hoogte)  # was 2,220 × 398
    assert hoogte >= breedte / 2
    teksten = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    alles = " ".join(teksten)
    for s in r.open_per_stap:
        for woord in s.stapnaam.split():
            assert woord in alles, s.stapnaam
    assert not any(t.endswith("…") for t in teksten), [t for t in teksten if t.endswith("…")]
    for tekst in teksten:  # every line fits its box (≈ 7 px a character at 12 px)
        assert len(tekst) * 7 <= BREED or tekst.startswith("Werkproces"), tekst


def test_werkproces_toon_citeert_wat_de_repository_bevat(cli: Cli) -> None:
    uit = ok(cli("werkproces", "toon"))
    assert "domain.md" not in uit
    assert "docs/werkproces.md" in uit
    assert (STANDAARD_WERKPROCES.parents[2] / "docs" / "werkproces.md").is_file()


def test_meerregelige_zorg_via_opties_mag(cli: Cli) -> None:
    args = ["--rol", SCHOOL, "--melder", "Mw. P. Melder", "--voornamen", "Zwaantje", "--achternaam", "Xylofoonstra"]
    args += ["--geboortedatum", "2014-03-17", "--categorie", "verzuim", "--zorg", "Regel een.\nRegel twee."]
    assert NIEUWE_CASUS.search(ok(cli("signaal", "registreer", *args)))


def test_een_onbekende_referentie_van_20_kb_wordt_niet_teruggegeven(cli: Cli) -> None:
    ref = "C-" + "QZXSENTINEL" * 2000
    fout = geweigerd(cli("casus", "tijdlijn", ref))
    assert "bestaat niet" in fout
    assert "QZXSENTINEL" not in fout
    assert len(fout) < 1000
