"""Shared fixtures: a real case store on a SQLite file and, where it answers, on PostgreSQL; a movable clock.

Tests that take ``omg`` run once per database. PostgreSQL gets one fresh database per test session (created on
127.0.0.1:5432 with trust auth) and is emptied between tests; when the server is absent those runs are skipped.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

# Before anything imports Prefect: tests never touch ~/.prefect and send no telemetry.
# Forced, not defaulted: `make test` exports the embedded default's folders, which tests must leave alone.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="aanpak-prefect-home-")
# The embedded default writes (e.g. the notification mailbox folder) land in a temporary folder, not the tree.
os.environ["AANPAK_DATA_DIR"] = tempfile.mkdtemp(prefix="aanpak-data-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")

from aanpak.config import STANDAARD_WERKPROCES
from aanpak.crypto import Sleutelring, parse_sleutels
from aanpak.omgeving import Omgeving
from aanpak.store.db import UnitOfWork, maak_engine, migreer, sessiefabriek
from aanpak.store.schema import Basis
from aanpak.store.werkprocessen import Werkprocessen
from models.kalender import AMSTERDAM

PG_ADMIN_URL = os.environ.get("AANPAK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

TEST_SLEUTELS = "k1:" + "A" * 43 + "="
TEST_HMAC = b"h" * 32


def postgres_bereikbaar() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Klok:
    """An injected clock: tests move time across weekends and holidays without sleeping."""

    moment: datetime

    def __call__(self) -> datetime:
        return self.moment

    def zet(self, jaar: int, maand: int, dag: int, uur: int = 10, minuut: int = 0) -> None:
        self.moment = datetime(jaar, maand, dag, uur, minuut, tzinfo=AMSTERDAM).astimezone(UTC)

    def verder(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def klok() -> Klok:
    return Klok(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # a Tuesday


def sleutelring() -> Sleutelring:
    return Sleutelring(parse_sleutels(TEST_SLEUTELS), TEST_HMAC)


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    if not postgres_bereikbaar():
        pytest.skip("PostgreSQL op 127.0.0.1:5432 antwoordt niet")
    naam = f"aanpak_test_{uuid.uuid4().hex[:10]}"
    admin = maak_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{naam}"'))
    engine = maak_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{naam}")
    migreer(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)'))
    admin.dispose()


def _leeg(engine: Engine) -> None:
    tabellen = ", ".join(f'"{t.name}"' for t in reversed(Basis.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tabellen} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = maak_engine(f"sqlite:///{tmp_path / 'aanpak.db'}")
        migreer(eng)
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        _leeg(eng)
        yield eng


def maak_omgeving(engine: Engine, klok: Klok, werkproces: Path = STANDAARD_WERKPROCES) -> Omgeving:
    return Omgeving(
        engine=engine,
        uow=UnitOfWork(sessiefabriek(engine)),
        sleutels=sleutelring(),
        werkprocessen=Werkprocessen(werkproces),
        klok=klok,
    )


@pytest.fixture
def omg(engine: Engine, klok: Klok) -> Omgeving:
    return maak_omgeving(engine, klok)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """One real Prefect server (temporary SQLite database) for the whole test session; yields its API URL."""
    from prefect.settings import get_current_settings, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=60),
        temporary_settings(updates={"flows.heartbeat_frequency": None}),
    ):
        yield str(get_current_settings().api.url)


@pytest.fixture
def flows_in_proces(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Transitions run as in-process flow runs (not a bare call, not a deployment), whatever the shell says."""
    from aanpak.config import instellingen
    from aanpak.omgeving import zet_standaard

    monkeypatch.setenv("AANPAK_PREFECT", "true")
    monkeypatch.setenv("AANPAK_DEPLOYMENTS", "false")
    instellingen.cache_clear()
    yield
    instellingen.cache_clear()
    zet_standaard(None)
