"""Encryption at rest (aanpak/crypto.py) and key rotation (aanpak/usecases/sleutels.py, `aanpak sleutels`).

The raw-file test drives a realistic case on a real SQLite file and reads the bytes of the database file, its
write-ahead log and shared-memory file while the store is still open (nothing checkpointed), looking for the
sentinel personal data in the encodings a leak would take. Rotation runs on SQLite and PostgreSQL (``omg``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, select, text
from typer.testing import CliRunner

from aanpak.cli.main import app
from aanpak.crypto import SleutelFout, Sleutelring, parse_sleutels
from aanpak.omgeving import Omgeving, zet_standaard
from aanpak.store.db import maak_engine, migreer
from aanpak.usecases.overdracht import accepteer_overdracht
from aanpak.usecases.sleutels import VersleuteldeKolom, herversleutel, status, versleutelde_kolommen
from models.signaal import normaliseer_naam
from tests.conftest import TEST_HMAC, TEST_SLEUTELS, Klok, maak_omgeving
from tests.gegevens import (
    SENTINEL_ADRES,
    SENTINEL_BSN,
    SENTINEL_GEBOORTEDATUM,
    SENTINEL_NAAM,
    SENTINEL_ZORG,
    SENTINELS,
    als,
    besluit,
    signaleer,
)

SCHOOL = "school.zorgcoordinator"
JGZ = "jgz.jeugdverpleegkundige"
WIJKTEAM = "wijkteam.casusregisseur"

K1 = TEST_SLEUTELS
K2 = "k2:" + base64.urlsafe_b64encode(bytes(range(32))).decode()
TOELICHTING = "Toelichtingsentinel-RV9: moeder belde over Zwaantje, Kwartelpad 717"

#: The contexts the schema has today; other tables may add more (discovery is generic).
BEKENDE_CONTEXTEN = {"jeugdige.identiteit", "signaal.zorg", "signaal.melder", "besluit.toelichting"}


def ring(*sleutels: str) -> Sleutelring:
    return Sleutelring(parse_sleutels(",".join(sleutels)), TEST_HMAC)


def casus_met_persoonsgegevens(omg: Omgeving, klok: Klok) -> str:
    """Two signals on one child (a match on name and birth date), decisions with notes, a warm handoff."""
    casus = signaleer(omg).casus_ref
    klok.zet(2026, 12, 2)
    signaleer(omg, rol=JGZ, bsn=None)
    klok.zet(2026, 12, 3)
    besluit(omg, casus, "interne_weging", "opschalen", SCHOOL, toelichting=TOELICHTING)
    besluit(omg, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL, toelichting=TOELICHTING)
    klok.zet(2026, 12, 7)
    toegepast = besluit(
        omg,
        casus,
        "ave_regie_bepalen",
        "lokaal",
        SCHOOL,
        ave_fase=2,
        toelichting=TOELICHTING,
        regie_voorstel="aanvaard",
    )
    klok.zet(2026, 12, 8)
    accepteer_overdracht(omg, toegepast.overdrachten[0], als(WIJKTEAM, "r.regisseur"))
    return casus


# -- a copy of the database file without the keys reveals nothing -------------------------------------------------


def _jjjj_mm_dd(iso: str) -> list[str]:
    j, m, d = iso.split("-")
    return [iso, f"{d}-{m}-{j}", f"{d}/{m}/{j}", f"{j}{m}{d}", f"{d}{m}{j}"]


def verboden_woorden() -> list[str]:
    """The sentinels plus what a leak would look like: dates in other notations, the normalised name keys."""
    voornaam, achternaam = SENTINEL_NAAM.split()
    return [
        *SENTINELS,
        SENTINEL_NAAM,
        SENTINEL_ZORG,
        SENTINEL_ADRES,
        "Sentinelzorg",
        "Toelichtingsentinel",
        "P. Melder",
        "melder@school.example",
        "077-0000000",
        "0770000000",
        "5911 AA",
        "5911AA",
        *_jjjj_mm_dd(SENTINEL_GEBOORTEDATUM),
        normaliseer_naam(voornaam),
        normaliseer_naam(achternaam),
        f"{normaliseer_naam(voornaam)}|{normaliseer_naam(achternaam)}",
        f"{SENTINEL_BSN[:3]}.{SENTINEL_BSN[3:6]}.{SENTINEL_BSN[6:]}",
        f"{SENTINEL_BSN[:4]}.{SENTINEL_BSN[4:6]}.{SENTINEL_BSN[6:]}",
    ]


def treffers(inhoud: bytes, woorden: list[str]) -> dict[str, list[str]]:
    """Which words occur (case-insensitively) in the bytes, in UTF-8 or UTF-16 (either byte order)."""
    laag = inhoud.lower()
    gevonden: dict[str, list[str]] = {}
    for woord in woorden:
        for codering in ("utf-8", "utf-16-le", "utf-16-be"):
            if woord.lower().encode(codering) in laag:
                gevonden.setdefault(woord, []).append(codering)
    return gevonden


@pytest.fixture
def sqlite_omg(tmp_path: Path, klok: Klok) -> Iterator[Omgeving]:
    """A case store on a real SQLite file (WAL mode), kept open — so nothing is checkpointed — until the end."""
    engine = maak_engine(f"sqlite:///{tmp_path / 'aanpak.db'}")
    migreer(engine)
    yield maak_omgeving(engine, klok)
    engine.dispose()


def ruwe_bestanden(omg: Omgeving) -> dict[str, bytes]:
    pad = Path(str(omg.engine.url.database))
    return {p.name: p.read_bytes() for p in (pad, Path(f"{pad}-wal"), Path(f"{pad}-shm")) if p.exists()}


def test_raw_sqlite_file_and_wal_reveal_no_personal_data(sqlite_omg: Omgeving, klok: Klok) -> None:
    omg = sqlite_omg
    casus_met_persoonsgegevens(omg, klok)
    with omg.engine.connect() as conn:  # the store really holds the case, and is still in WAL mode
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.execute(text("SELECT count(*) FROM besluit WHERE toelichting_versleuteld IS NOT NULL")).scalar()

    bestanden = ruwe_bestanden(omg)

    assert {"aanpak.db", "aanpak.db-wal", "aanpak.db-shm"} <= set(bestanden)
    wal = bestanden["aanpak.db-wal"]
    assert len(wal) > 0, "the case was not checkpointed: its pages are in the write-ahead log"
    assert b"a1:k1:" in wal, "the encrypted values are in the bytes scanned"
    woorden = verboden_woorden()
    for naam, inhoud in bestanden.items():
        assert treffers(inhoud, woorden) == {}, naam

    # The scan finds personal data in the WAL when it is there: one plaintext write, not checkpointed.
    with omg.engine.begin() as conn:
        conn.execute(
            text("UPDATE historie SET actor = :a WHERE id = (SELECT min(id) FROM historie)"), {"a": "Xylofoonstra"}
        )
    assert "Xylofoonstra" in treffers(ruwe_bestanden(omg)["aanpak.db-wal"], woorden)


# -- discovery -----------------------------------------------------------------------------------------------------


def test_encrypted_columns_are_discovered_from_the_schema() -> None:
    assert {k.context for k in versleutelde_kolommen()} >= BEKENDE_CONTEXTEN

    md = MetaData()
    Table(
        "dossier",
        md,
        Column("id", Integer, primary_key=True),
        Column("notitie_versleuteld", LargeBinary),
        Column("onderwerp", String(20)),
    )
    assert [k.context for k in versleutelde_kolommen(md)] == ["dossier.notitie"]


# -- rotation ------------------------------------------------------------------------------------------------------


def waarden(omg: Omgeving, kolommen: list[VersleuteldeKolom] | None = None) -> dict[tuple[str, Any], bytes]:
    """Every encrypted value in the store, by (context, primary key)."""
    uit: dict[tuple[str, Any], bytes] = {}
    with omg.uow() as sessie:
        for k in kolommen or versleutelde_kolommen():
            for *pk, waarde in sessie.execute(select(*k.sleutelkolommen, k.kolom).where(k.kolom.is_not(None))):
                uit[(k.context, tuple(pk))] = bytes(waarde)
    return uit


def klaartekst(r: Sleutelring, alles: dict[tuple[str, Any], bytes]) -> dict[tuple[str, Any], bytes]:
    return {sleutel: r.ontsleutel(waarde, sleutel[0]) for sleutel, waarde in alles.items()}


def test_rotation_to_a_new_key_then_the_old_key_can_go(omg: Omgeving, klok: Klok) -> None:
    casus_met_persoonsgegevens(omg, klok)
    voor = waarden(omg)
    assert {context for context, _ in voor} >= BEKENDE_CONTEXTEN
    inhoud = klaartekst(omg.sleutels, voor)
    s = status(omg)
    assert s.actueel == "k1"
    assert s.te_herversleutelen == 0
    assert all(set(k.per_sleutel) <= {"k1"} for k in s.kolommen)
    assert sum(n for k in s.kolommen for n in k.per_sleutel.values()) == len(voor)

    # Step 1: k2 in front of the ring. New data is under k2, old data still readable under k1.
    beide = replace(omg, sleutels=ring(K2, K1))
    s = status(beide)
    assert (s.actueel, s.te_herversleutelen, s.verwijderbaar) == ("k2", len(voor), [])

    droog = herversleutel(beide, droog=True)
    assert droog.droog is True
    assert droog.totaal == len(voor)
    assert waarden(omg) == voor, "a dry run changes nothing"

    r = herversleutel(beide, batch=2)
    assert r.totaal == len(voor)
    assert r.batches > len(BEKENDE_CONTEXTEN), "several batches: each one transaction"
    assert all(set(per) == {"k1"} for per in r.kolommen.values() if per)
    na = waarden(omg)
    assert na.keys() == voor.keys()
    assert all(omg.sleutels.sleutel_id_van(v) == "k2" for v in na.values())
    assert all(na[k] != voor[k] for k in voor)
    s = status(beide)
    assert (s.te_herversleutelen, s.verwijderbaar, s.ontbrekend) == (0, ["k1"], [])

    # Running it again finds nothing to do and writes nothing.
    nog_eens = herversleutel(beide, batch=2)
    assert nog_eens.totaal == 0
    assert waarden(omg) == na

    # Step 3: k1 removed from the ring: everything still reads, to the same plaintext.
    alleen_k2 = ring(K2)
    assert klaartekst(alleen_k2, na) == inhoud
    with pytest.raises(SleutelFout):
        ring(K1).ontsleutel(next(iter(na.values())), next(iter(na))[0])
    assert status(replace(omg, sleutels=alleen_k2)).ontbrekend == []


@dataclass(frozen=True)
class _CrashBijVersleutelen(Sleutelring):
    """Dies at the n-th encryption, as a process killed halfway through a batch would."""

    crash_bij: int = 0
    teller: list[int] = field(default_factory=lambda: [0])

    def versleutel(self, data: bytes, context: str) -> bytes:
        self.teller[0] += 1
        if self.teller[0] == self.crash_bij:
            raise RuntimeError("crash")
        return super().versleutel(data, context)


def test_rotation_resumes_after_a_crash_without_partial_batches(omg: Omgeving, klok: Klok) -> None:
    casus_met_persoonsgegevens(omg, klok)
    volgorde = ["jeugdige.identiteit", "signaal.zorg", "signaal.melder", "besluit.toelichting"]
    per_context = {k.context: k for k in versleutelde_kolommen()}
    kolommen = [per_context[c] for c in volgorde]
    voor = waarden(omg, kolommen)
    nieuw = ring(K2, K1)
    # One youth (a batch of 1 is committed), then two signals in one batch of 2: the crash hits the second.
    stervend = _CrashBijVersleutelen(nieuw.sleutels, nieuw.hmac_sleutel, crash_bij=3)

    with pytest.raises(RuntimeError):
        herversleutel(replace(omg, sleutels=stervend), batch=2, kolommen=kolommen)

    halverwege = waarden(omg, kolommen)
    onder_k2 = {k for k, v in halverwege.items() if nieuw.sleutel_id_van(v) == "k2"}
    assert onder_k2 == {k for k in voor if k[0] == "jeugdige.identiteit"}, "the open batch was rolled back whole"

    hervat = herversleutel(replace(omg, sleutels=nieuw), batch=2, kolommen=kolommen)

    assert hervat.totaal == len(voor) - len(onder_k2)
    na = waarden(omg, kolommen)
    assert all(nieuw.sleutel_id_van(v) == "k2" for v in na.values())
    assert {k: na[k] for k in onder_k2} == {k: halverwege[k] for k in onder_k2}, "done values were not redone"
    assert klaartekst(ring(K2), na) == klaartekst(omg.sleutels, voor)


def test_rotation_stops_on_a_missing_key_naming_column_and_key_only(omg: Omgeving, klok: Klok) -> None:
    casus_met_persoonsgegevens(omg, klok)
    voor = waarden(omg)
    k3 = "k3:" + base64.urlsafe_b64encode(b"\x03" * 32).decode()

    with pytest.raises(SleutelFout) as info:
        herversleutel(replace(omg, sleutels=ring(k3, K2)))

    assert "sleutel 'k1'" in str(info.value)
    assert any(c in str(info.value) for c in BEKENDE_CONTEXTEN)
    assert waarden(omg) == voor


# -- the command line -------------------------------------------------------------------------------------------


def test_cli_status_and_herversleutel(sqlite_omg: Omgeving, klok: Klok) -> None:
    casus_met_persoonsgegevens(sqlite_omg, klok)
    runner = CliRunner()
    nieuw = runner.invoke(app, ["sleutels", "nieuw", "--id", "k2"])
    assert nieuw.exit_code == 0
    regel = nieuw.stdout.strip().splitlines()[0]
    kid, sleutel = regel.split(":", 1)
    assert kid == "k2"
    assert len(base64.urlsafe_b64decode(sleutel)) == 32
    assert runner.invoke(app, ["sleutels", "nieuw", "--id", "k-2"]).exit_code == 2

    zet_standaard(replace(sqlite_omg, sleutels=ring(regel, K1)))
    try:
        s = runner.invoke(app, ["sleutels", "status"])
        assert s.exit_code == 0, s.output
        assert "nog onder een oudere sleutel" in s.stdout
        droog = runner.invoke(app, ["sleutels", "herversleutel", "--droog"])
        assert droog.exit_code == 0, droog.output
        assert "er is niets gewijzigd" in droog.stdout
        assert status(replace(sqlite_omg, sleutels=ring(regel, K1))).te_herversleutelen > 0
        echt = runner.invoke(app, ["sleutels", "herversleutel", "--batch", "3"])
        assert echt.exit_code == 0, echt.output
        assert "herversleuteld naar k2" in echt.stdout
        assert "k1 zijn niet meer nodig" in echt.stdout
        s = runner.invoke(app, ["sleutels", "status"])
        assert "Alle waarden staan onder de actuele sleutel." in s.stdout
        assert treffers((s.stdout + echt.stdout + droog.stdout).encode(), verboden_woorden()) == {}
    finally:
        zet_standaard(None)
