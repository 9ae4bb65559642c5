"""The disclosure log keyed with the server's key: someone with database access alone cannot rewrite it unseen.

Each kind of consistent rewrite is done twice: without the key (what a database administrator can do) it is
found without an anchor; with the key (the same code path, so the rewrite itself is sound) it verifies — which
shows it is the key that finds it. An old, unkeyed chain keeps verifying after migration 0007 and is bound by its
keyed switch entry.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, insert, select, text
from typer.testing import CliRunner

from aanpak.cli.main import app
from aanpak.crypto import SleutelsOntbreken
from aanpak.omgeving import Omgeving, bouw, zet_standaard
from aanpak.store.db import alembic_config, maak_engine, migreer
from aanpak.store.schema import LogboekKop, Verwerking
from aanpak.usecases import logboek
from tests.conftest import Klok
from tests.test_cli import omgeving_env  # noqa: F401 - fixture

SCHOOL = "school.zorgcoordinator"
VELDEN = (
    "moment",
    "casus_ref",
    "handeling",
    "actor",
    "rol",
    "organisatie",
    "doel",
    "grondslagen",
    "uitkomst",
    "categorieen",
    "geweigerd",
    "reden",
)

Regels = list[dict[str, Any]]
Hasher = Callable[[str, dict[str, object]], str]


def _vul(omg: Omgeving, klok: Klok, n: int) -> None:
    with omg.uow() as s:
        for i in range(n):
            klok.verder(hours=1)
            logboek.schrijf(
                s, moment=klok(), casus_ref="C-TEST0001", handeling="inzien", actor=f"a{i}", rol=SCHOOL,
                organisatie="school", doel="casusoverleg", uitkomst="verstrekt", categorieen=["identiteit"],
            )  # fmt: skip


def _sha256(vorige: str, velden: dict[str, object]) -> str:
    """The old unkeyed chain's hash: what anyone with the database can compute."""
    import json

    tekst = json.dumps(velden, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(f"{vorige}\n{tekst}".encode()).hexdigest()


def _herschrijf(
    omg: Omgeving, bewerk: Callable[[Regels], Regels], regel_hash: Hasher, kop_sleutel: bytes | None
) -> None:
    """Rewrite the whole log consistently: edit the entries, renumber, re-chain every hash and the head."""
    with omg.uow() as s:
        regels = [
            {k: getattr(v, k) for k in VELDEN} for v in s.scalars(select(Verwerking).order_by(Verwerking.volgnummer))
        ]
        s.execute(delete(Verwerking), execution_options={"synchronize_session": False})
        s.expunge_all()
        kop = s.get_one(LogboekKop, 1)
        vorige, nummer = kop.begin_hash, kop.begin_volgnummer
        for r in bewerk(regels):
            v = Verwerking(volgnummer=nummer, vorige_hash=vorige, hash="", **r)
            v.hash = regel_hash(vorige, logboek.inhoud(v))
            s.add(v)
            s.flush()
            vorige, nummer = v.hash, nummer + 1
        kop.laatste_hash, kop.laatste_volgnummer = vorige, nummer - 1
        if kop_sleutel is None:
            kop.kop_mac = None
        else:
            kop.kop_mac = logboek.kop_mac(kop_sleutel, kop)


def _wijzig(r: Regels) -> Regels:
    r[2]["doel"] = "iets_anders"
    return r


def _verwijder(r: Regels) -> Regels:
    return r[:2] + r[3:]


def _voeg_in(r: Regels) -> Regels:
    return [*r[:3], {**r[2], "actor": "ingevoegd", "moment": r[2]["moment"] + timedelta(minutes=1)}, *r[3:]]


def _kap_af(r: Regels) -> Regels:
    return r[:4]


def _herorden(r: Regels) -> Regels:
    return [r[0], r[3], r[2], r[1], *r[4:]]


def _alles(r: Regels) -> Regels:
    return [{**x, "actor": "iemand.anders", "categorieen": []} for x in r]


HERSCHRIJVINGEN = {
    "wijzigen": _wijzig,
    "verwijderen": _verwijder,
    "invoegen": _voeg_in,
    "afkappen": _kap_af,
    "herordenen": _herorden,
    "alles": _alles,
}


@pytest.mark.parametrize("soort", list(HERSCHRIJVINGEN))
def test_een_consistente_herschrijving_zonder_sleutel_wordt_gevonden(omg: Omgeving, klok: Klok, soort: str) -> None:
    _vul(omg, klok, 6)
    with omg.uow() as s:
        assert logboek.verifieer(s).in_orde
    geraden = b"g" * 32

    # Without the key: the old unkeyed hash, or a guessed key; the head's own MAC cannot be made either.
    for regel_hash, kop_sleutel in (
        (_sha256, None),
        (lambda vorige, velden: logboek.mac(geraden, vorige, velden), geraden),
    ):
        _herschrijf(omg, HERSCHRIJVINGEN[soort], regel_hash, kop_sleutel)
        with omg.uow() as s:
            v = logboek.verifieer(s)
        assert not v.in_orde, soort
        assert v.breuken
        # Put the real chain back for the next attempt (with the key: the insider's path, verified below).
        _herstel(omg, klok)

    # With the key the very same rewrite verifies: the key, not a clumsy rewrite, is what finds it above.
    sleutel = omg.sleutels.logboek_sleutel
    with omg.uow() as s:
        anker = (s.get_one(LogboekKop, 1).laatste_volgnummer, s.get_one(LogboekKop, 1).laatste_hash)
        tweede = s.scalar(select(Verwerking.hash).where(Verwerking.volgnummer == 2))
    assert tweede is not None
    _herschrijf(omg, HERSCHRIJVINGEN[soort], lambda vorige, velden: logboek.mac(sleutel, vorige, velden), sleutel)
    with omg.uow() as s:
        assert logboek.verifieer(s).in_orde, soort
        # Anchors kept elsewhere still catch a rewrite by someone who holds the key.
        afwijking = [logboek.controleer_anker(s, *anker), logboek.controleer_anker(s, 2, tweede)]
    assert any(a is not None for a in afwijking), soort


def _herstel(omg: Omgeving, klok: Klok) -> None:
    with omg.engine.begin() as conn:
        conn.execute(delete(Verwerking))
        conn.execute(text("DELETE FROM logboek_kop"))
    klok.verder(days=-1)
    _vul(omg, klok, 6)


def test_met_de_sleutel_klopt_de_keten_en_zonder_sleutel_weigert_het_logboek(omg: Omgeving, klok: Klok) -> None:
    _vul(omg, klok, 3)
    with omg.uow() as s:
        v = logboek.verifieer(s)
        assert v.in_orde
        assert (v.aantal, v.ongesleuteld, v.sleutel_vanaf) == (3, 0, 1)
        assert logboek.verifieer(s, sleutel=b"x" * 32).breuken  # another server's key does not fit
        kop = s.get_one(LogboekKop, 1)
        regel = s.scalars(select(Verwerking).where(Verwerking.volgnummer == 2)).one()
        assert (
            regel.hash
            == hmac.new(
                omg.sleutels.logboek_sleutel,
                f"{regel.vorige_hash}\n".encode() + _sha256_tekst(logboek.inhoud(regel)),
                hashlib.sha256,
            ).hexdigest()
        )
        assert kop.kop_mac == logboek.kop_mac(omg.sleutels.logboek_sleutel, kop)
    # The key is the server's: it is nowhere in the database.
    with omg.engine.connect() as conn:
        rijen = [*conn.execute(text("SELECT * FROM verwerking")), *conn.execute(text("SELECT * FROM logboek_kop"))]
    inhoud = " ".join(str(r) for r in rijen)
    assert omg.sleutels.logboek_sleutel.hex() not in inhoud
    assert omg.sleutels.hmac_sleutel.hex() not in inhoud

    # A connection to the same database without the key may neither write nor verify (fail closed).
    vreemd = maak_engine(omg.engine.url.render_as_string(hide_password=False))
    try:
        from sqlalchemy.orm import Session

        with Session(vreemd) as s, pytest.raises(SleutelsOntbreken):
            logboek.verifieer(s)
        with Session(vreemd) as s, pytest.raises(SleutelsOntbreken):
            logboek.schrijf(s, moment=klok(), casus_ref=None, handeling="inzien", actor="x", rol=SCHOOL,
                            organisatie=None, doel="test", uitkomst="verstrekt")  # fmt: skip
    finally:
        vreemd.dispose()


def _sha256_tekst(velden: dict[str, object]) -> bytes:
    import json

    return json.dumps(velden, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()


# -- an old database: the unkeyed chain keeps verifying up to the keyed switch entry -----------------------------


def _oude_database(pad: Path | str, klok: Klok, n: int) -> None:
    """A store at migration 0005 (before the key) with ``n`` entries chained the old, unkeyed way."""
    engine = maak_engine(pad if isinstance(pad, str) else f"sqlite:///{pad}")
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    vorige = logboek.NUL_HASH
    with engine.begin() as conn:
        for i in range(1, n + 1):
            klok.verder(hours=1)
            v = Verwerking(
                volgnummer=i, moment=klok(), casus_ref="C-OUD00001", handeling="inzien", actor=f"oud{i}", rol=SCHOOL,
                organisatie="school", doel="casusoverleg", grondslagen=[], uitkomst="verstrekt",
                categorieen=["identiteit"], geweigerd=[], reden=None, vorige_hash=vorige, hash="",
            )  # fmt: skip
            v.hash = logboek._hash(vorige, v)
            conn.execute(
                insert(Verwerking).values({k: getattr(v, k) for k in (*VELDEN, "volgnummer", "vorige_hash", "hash")})
            )
            vorige = v.hash
        conn.execute(
            text("UPDATE logboek_kop SET laatste_hash = :h, laatste_volgnummer = :n WHERE id = 1"),
            {"h": vorige, "n": n},
        )
    engine.dispose()


def test_een_oude_keten_blijft_kloppen_en_wordt_door_de_overgang_gebonden(
    omgeving_env: Path,  # noqa: F811 - fixture
    klok: Klok,
) -> None:
    omgeving_env.mkdir(parents=True)
    _oude_database(omgeving_env / "aanpak.db", klok, 3)

    uit = CliRunner().invoke(app, ["audit", "verifieer"])  # builds the context: keys, then migration 0007
    assert uit.exit_code == 0, uit.output
    assert "Verwerkingslog in orde: 4 regel(s) (regels 1–4)" in uit.output
    assert "3 regel(s) van vóór de sleutel" in uit.output
    assert "overgangsregel 4" in uit.output

    omg = bouw(klok=klok)
    zet_standaard(omg)
    _vul(omg, klok, 2)
    with omg.uow() as s:
        v = logboek.verifieer(s)
        assert v.in_orde
        assert (v.aantal, v.ongesleuteld, v.sleutel_vanaf) == (6, 3, 4)
        overgang = s.scalars(select(Verwerking).where(Verwerking.volgnummer == 4)).one()
        assert (overgang.handeling, overgang.actor, overgang.casus_ref) == (logboek.OVERGANG, "aanpak", None)

    # What an administrator could do before: change an old entry and re-chain the old part, unkeyed. The keyed
    # switch entry was chained onto the old head, so now it shows.
    with omg.uow() as s:
        vorige = logboek.NUL_HASH
        for r in s.scalars(select(Verwerking).where(Verwerking.volgnummer < 4).order_by(Verwerking.volgnummer)):
            r.actor = "iemand.anders" if r.volgnummer == 2 else r.actor
            r.vorige_hash, r.hash = vorige, logboek._hash(vorige, r)
            vorige = r.hash
    uit = CliRunner().invoke(app, ["audit", "verifieer"])
    assert uit.exit_code == 1
    assert "regel 4: past niet op de vorige regel" in uit.output

    # Pretending the whole log is old (moving the switch point, dropping the head's MAC) does not pass either.
    with omg.uow() as s:
        kop = s.get_one(LogboekKop, 1)
        kop.sleutel_vanaf, kop.kop_mac = kop.laatste_volgnummer + 1, None
    with omg.uow() as s:
        assert not logboek.verifieer(s).in_orde
    zet_standaard(None)


def test_een_oude_keten_migreert_niet_zonder_sleutel(tmp_path: Path, klok: Klok) -> None:
    """Migration 0007 must key the switch entry: a process without the key refuses instead of leaving it open."""
    _oude_database(tmp_path / "oud.db", klok, 2)
    engine = maak_engine(f"sqlite:///{tmp_path / 'oud.db'}")  # no context: no key for this engine
    try:
        with pytest.raises(SleutelsOntbreken):
            migreer(engine)
        with engine.connect() as conn:  # refused as a whole: still at 0005, the old chain untouched
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0005"
            assert conn.execute(text("SELECT count(*) FROM verwerking")).scalar_one() == 2
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_de_overgang_op_postgresql(klok: Klok) -> None:
    """Migration 0007 on PostgreSQL: the old chain verifies and is closed by the keyed switch entry."""
    import uuid

    from tests.conftest import PG_ADMIN_URL, postgres_bereikbaar, sleutelring

    if not postgres_bereikbaar():
        pytest.skip("PostgreSQL op 127.0.0.1:5432 antwoordt niet")
    naam = f"aanpak_oud_{uuid.uuid4().hex[:10]}"
    admin = maak_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{naam}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{naam}"
    try:
        _oude_database(url, klok, 3)
        engine = maak_engine(url)
        sleutel = sleutelring().logboek_sleutel
        logboek.gebruik_sleutel(engine, sleutel)
        migreer(engine)
        from sqlalchemy.orm import Session

        with Session(engine) as s:
            v = logboek.verifieer(s)
            assert v.in_orde, v.breuken
            assert (v.aantal, v.ongesleuteld, v.sleutel_vanaf) == (4, 3, 4)
            assert s.scalars(select(Verwerking.handeling).where(Verwerking.volgnummer == 4)).one() == logboek.OVERGANG
            assert logboek.verifieer(s, sleutel=b"x" * 32).breuken
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)'))
        admin.dispose()
