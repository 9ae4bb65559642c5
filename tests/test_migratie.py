"""Migrations run once: processes that start together on a fresh database all succeed (issue 12 §3).

Four real processes build their context on the same fresh database and are released at the same moment; each
migrates (``aanpak.store.db.migreer``). Without the lock, concurrent alembic DDL on PostgreSQL ends in a
UniqueViolation on ``alembic_version``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from aanpak.store.db import maak_engine, migreer, op_head
from tests import wachttijden
from tests.conftest import PG_ADMIN_URL, postgres_bereikbaar

ROOT = Path(__file__).resolve().parents[1]
PROCESSEN = 4

#: Each child waits for the start file, then migrates; it prints "ok" when it got through.
KIND = """
import sys, time
from pathlib import Path
start = Path(sys.argv[2])
while not start.exists():
    time.sleep(0.01)
from aanpak.store.db import maak_engine, migreer, op_head
engine = maak_engine(sys.argv[1])
migreer(engine)
engine.dispose()
print("ok")
"""


def samen_migreren(url: str, map_: Path) -> list[subprocess.CompletedProcess[str]]:
    start = map_ / "start"
    kinderen = [
        subprocess.Popen(
            [sys.executable, "-c", KIND, url, str(start)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSEN)
    ]
    time.sleep(1.0)  # let them import (not a correctness wait: the start file releases them together)
    start.touch()
    uitkomsten = []
    for kind in kinderen:
        uit, fout = kind.communicate(timeout=wachttijden.PROCES)
        uitkomsten.append(subprocess.CompletedProcess(kind.args, kind.returncode, uit, fout))
    return uitkomsten


def controleer(uitkomsten: list[subprocess.CompletedProcess[str]], engine: Engine) -> None:
    for u in uitkomsten:
        assert u.returncode == 0, u.stderr[-3000:]
        assert u.stdout.strip() == "ok"
    assert op_head(engine)
    tabellen = set(inspect(engine).get_table_names())
    assert {"casus", "signaal", "stap", "alembic_version"} <= tabellen
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_vier_processen_op_een_vers_sqlite_bestand(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vers.db'}"
    uitkomsten = samen_migreren(url, tmp_path)
    engine = maak_engine(url)
    try:
        controleer(uitkomsten, engine)
    finally:
        engine.dispose()


@pytest.fixture
def verse_pg_database() -> Iterator[str]:
    if not postgres_bereikbaar():
        pytest.skip("PostgreSQL op 127.0.0.1:5432 antwoordt niet")
    naam = f"aanpak_migratie_{uuid.uuid4().hex[:10]}"
    admin = maak_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{naam}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{naam}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_vier_processen_op_een_verse_postgres_database(verse_pg_database: str, tmp_path: Path) -> None:
    uitkomsten = samen_migreren(verse_pg_database, tmp_path)
    engine = maak_engine(verse_pg_database)
    try:
        controleer(uitkomsten, engine)
    finally:
        engine.dispose()


def test_schema_op_head_neemt_geen_slot(tmp_path: Path) -> None:
    """A start on a migrated store only reads: the SQLite lock file is never taken again (nor created)."""
    pad = tmp_path / "aanpak.db"
    engine = maak_engine(f"sqlite:///{pad}")
    try:
        assert not op_head(engine)
        migreer(engine)
        slot = Path(f"{pad}.migratieslot")
        assert slot.exists()
        slot.unlink()
        assert op_head(engine)
        migreer(engine)
        assert not slot.exists()
    finally:
        engine.dispose()
