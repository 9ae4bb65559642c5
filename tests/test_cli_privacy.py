"""The privacy commands of `aanpak` in process: inzien, grondslag, audit and rechten (see tests/test_cli.py).

What a refusal prints never holds personal data; what an authorised view prints does, and is logged.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from sqlalchemy import select

from tests.gegevens import SENTINEL_BSN, SENTINEL_ZORG, signaal_document
from tests.test_cli import NIEUWE_CASUS, Cli, cli, cli_klok, geen_persoonsgegevens, geweigerd, ok, omgeving_env

__all__ = ["cli", "cli_klok", "omgeving_env"]  # fixtures used here

SCHOOL = "school.zorgcoordinator"
LOKET = "gemeente.privacyloket"


def nieuwe_casus(cli: Cli, tmp_path: Path) -> str:
    pad = tmp_path / "signaal.json"
    pad.write_text(json.dumps(signaal_document()), encoding="utf-8")
    match = NIEUWE_CASUS.search(ok(cli("signaal", "registreer", "--bestand", str(pad))))
    assert match is not None
    return match.group(2)


def test_inzien_refuses_without_personal_data_and_logs(cli: Cli, tmp_path: Path) -> None:
    ref = nieuwe_casus(cli, tmp_path)
    fout = geweigerd(
        cli("casus", "inzien", ref, "--als", "politie.wijkagent", "--door", "w.agent", "--doel", "veiligheid")
    )
    assert f"casus '{ref}' bestaat niet" in fout  # not involved: as if the case did not exist
    geen_persoonsgegevens(fout)
    log = ok(cli("audit", "toon", "--casus", ref))
    assert "geweigerd (niet_betrokken)" in log
    geen_persoonsgegevens(log)


def test_grondslag_and_inzien(cli: Cli, tmp_path: Path) -> None:
    ref = nieuwe_casus(cli, tmp_path)
    basis = ["grondslag", "vastleggen", ref, "--soort", "toestemming", "--doel", "casusoverleg"]
    wie = ["--als", SCHOOL, "--door", "a.mentor"]
    fout = geweigerd(cli(*basis, "--gegeven-door", "ouders", *wie))
    assert "--gegeven-door" in fout
    assert "12 tot en met 15" in fout
    uit = ok(cli(*basis, "--gegeven-door", "ouders", "--gegeven-door", "jeugdige", *wie))
    grond = re.search(r"Grondslag (G-\w{8}) \(toestemming\) vastgelegd", uit)
    assert grond is not None
    lijst = ok(cli("grondslag", "lijst", ref))
    assert grond.group(1) in lijst
    assert "van kracht" in lijst

    gezien = ok(cli("casus", "inzien", ref, *wie, "--doel", "casusoverleg"))
    assert "Zwaantje" in gezien
    assert SENTINEL_BSN in gezien
    assert SENTINEL_ZORG in gezien  # the school's own signal
    assert "verwerkingslog, regel 2" in gezien

    ok(cli("grondslag", "intrekken", grond.group(1), *wie))
    na = ok(cli("casus", "inzien", ref, *wie, "--doel", "casusoverleg"))
    assert SENTINEL_BSN not in na
    assert "geen toestemming of wettelijke grondslag" in na


def test_audit_verifieer_finds_a_changed_entry(cli: Cli, tmp_path: Path) -> None:
    ref = nieuwe_casus(cli, tmp_path)
    for _ in range(3):
        cli("casus", "inzien", ref, "--als", SCHOOL, "--door", "a.mentor", "--doel", "casusoverleg")
    uit = ok(cli("audit", "verifieer"))
    assert "Verwerkingslog in orde: 3 regel(s)" in uit
    kop = re.search(r"Kop: (3:[0-9a-f]{64})", uit)
    assert kop is not None
    assert "1 anker(s) kloppen" in ok(cli("audit", "verifieer", "--anker", kop.group(1)))
    with sqlite3.connect(cli.data_dir / "aanpak.db") as conn:
        conn.execute("UPDATE verwerking SET doel = 'iets_anders' WHERE volgnummer = 2")
    fout = geweigerd(cli("audit", "verifieer"))
    assert "regel 2: inhoud gewijzigd" in fout
    # A rewrite that recomputes every hash and the head without the server's key: found without an anchor too.
    from aanpak.omgeving import standaard
    from aanpak.store.schema import LogboekKop, Verwerking
    from aanpak.usecases import logboek

    with standaard().uow() as s:
        vorige = logboek.NUL_HASH
        for v in s.scalars(select(Verwerking).order_by(Verwerking.volgnummer)):
            v.vorige_hash = vorige
            v.hash = logboek._hash(vorige, v)
            vorige = v.hash
        s.get_one(LogboekKop, 1).laatste_hash = vorige
    fout = geweigerd(cli("audit", "verifieer"))
    assert "regel 1: inhoud gewijzigd" in fout
    assert "kop klopt niet met de sleutel" in fout
    fout = geweigerd(cli("audit", "verifieer", "--anker", kop.group(1)))
    assert "anker 3: hash wijkt af" in fout


def test_rechten_inzage_corrigeer_and_beperk(cli: Cli, tmp_path: Path) -> None:
    ref = nieuwe_casus(cli, tmp_path)
    loket = ["--als", LOKET, "--door", "p.loket"]
    fout = geweigerd(cli("rechten", "inzage", ref, "--als", SCHOOL, "--door", "a.mentor"))
    assert "privacyloket" in fout
    pad = tmp_path / "inzage" / "verzoek.json"
    assert "Inzage geschreven" in ok(cli("rechten", "inzage", ref, *loket, "--formaat", "json", "--uitvoer", str(pad)))
    dossier = json.loads(pad.read_text(encoding="utf-8"))
    assert dossier["jeugdige"]["bsn"] == SENTINEL_BSN
    assert oct(pad.stat().st_mode & 0o777) == "0o600"
    assert "INZAGE IN PERSOONSGEGEVENS" in ok(cli("rechten", "inzage", ref, *loket))

    assert "Gecorrigeerd: achternaam" in ok(cli("rechten", "corrigeer", ref, *loket, "--veld", "achternaam=Bos"))
    fout = geweigerd(cli("rechten", "corrigeer", ref, *loket, "--veld", "geboortedatum=morgen"))
    assert "geboortedatum" in fout
    assert "morgen" not in fout

    assert "Verwerking beperkt" in ok(cli("rechten", "beperk", ref, *loket, "--reden", "juistheid_betwist"))
    fout = geweigerd(cli("casus", "inzien", ref, "--als", SCHOOL, "--door", "a.mentor", "--doel", "casusoverleg"))
    assert "beperkt" in fout
    assert "Beperking opgeheven" in ok(cli("rechten", "hef-beperking-op", ref, *loket))
    assert "Verwerkingslog in orde" in ok(cli("audit", "verifieer"))


def test_rechten_zoek_by_bsn_for_the_privacyloket_only(cli: Cli, tmp_path: Path) -> None:
    ref = nieuwe_casus(cli, tmp_path)
    loket = ["--als", LOKET, "--door", "p.loket", "--doel", "inzageverzoek"]
    assert ok(cli("rechten", "zoek", "--bsn", SENTINEL_BSN, *loket)).split() == [ref]
    # Typed hidden at the prompt, so the number stays out of the shell history.
    gevraagd = ok(cli("rechten", "zoek", *loket, stdin=f"{SENTINEL_BSN}\n"))
    assert ref in gevraagd
    assert SENTINEL_BSN not in gevraagd
    assert "Geen casus gevonden" in ok(cli("rechten", "zoek", "--bsn", "999990019", *loket))
    fout = geweigerd(
        cli("rechten", "zoek", "--bsn", SENTINEL_BSN, "--als", SCHOOL, "--door", "a.mentor", "--doel", "wisverzoek")
    )
    assert "privacyloket" in fout
    geen_persoonsgegevens(fout)
    fout = geweigerd(cli("rechten", "zoek", "--bsn", "111222334", *loket))
    assert "111222334" not in fout
    log = ok(cli("audit", "toon", "--casus", ref))
    assert "zoeken_bsn" in log
    geen_persoonsgegevens(log)
