"""Shared fixtures: a real case store on a SQLite file and, where it answers, on PostgreSQL; a movable clock.

Tests that take ``omg`` run once per database. SQLite is migrated once per session into a template file that
each test copies; PostgreSQL gets one fresh database per test session (created on 127.0.0.1:5432 with trust
auth) and is emptied between tests; when the server is absent those runs are skipped. One real Prefect server
(aanpak/prefect_lokaal.py, on a free port) serves the whole session. Tests needing Prefect or PostgreSQL are
marked ``prefect`` / ``postgres`` (also automatically, by fixture), so ``make test-snel`` can leave them out.
"""

from __future__ import annotations

import os
import shutil
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
# No test may fall back on Prefect's ephemeral server: without the session server a Prefect call fails loudly.
os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
# A local server started by the code under test (prefect_lokaal) never takes the shared port 4200.
os.environ["AANPAK_PREFECT_POORT"] = "0"
# pytest-xdist workers inherit COLUMNS=80/LINES=24, which would pin the width of the CLI's rich consoles when
# they are created at import; tests set the widths they need (COLUMNS, BREEDTE), the same with and without -n.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

from aanpak.config import STANDAARD_WERKPROCES, Instellingen
from aanpak.crypto import Sleutelring, parse_sleutels
from aanpak.omgeving import Omgeving
from aanpak.store.db import UnitOfWork, maak_engine, migreer, sessiefabriek, wal_leeg
from aanpak.store.schema import Basis
from aanpak.store.werkprocessen import Werkprocessen
from models.kalender import AMSTERDAM
from tests import wachttijden

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark by need: a test using the Prefect server is ``prefect``, one using PostgreSQL is ``postgres``."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "prefect_server" in fixtures:
            item.add_marker(pytest.mark.prefect)
        if "pg_engine" in fixtures:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def sqlite_sjabloon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite case store migrated once per session; tests copy the file instead of running alembic again."""
    pad = tmp_path_factory.mktemp("sjabloon") / "aanpak.db"
    eng = maak_engine(f"sqlite:///{pad}")
    migreer(eng)
    wal_leeg(eng)  # everything in the main file, so that copying that one file copies the whole schema
    eng.dispose()
    return pad


def gemigreerde_sqlite(sjabloon: Path, pad: Path) -> Engine:
    """A fresh, migrated SQLite case store at ``pad`` (a copy of the session's template)."""
    shutil.copyfile(sjabloon, pad)
    return maak_engine(f"sqlite:///{pad}")


def sjabloon_in_datamap(sjabloon: Path, data_dir: Path) -> None:
    """Put the migrated template where the embedded default keeps its store (``<data_dir>/aanpak.db``).

    For tests of the CLI or the server that build their context from the settings (``bouw()``): the migration
    then finds the schema at head and does nothing, instead of running alembic from scratch for every test.
    The folder and file get the modes the embedded default gives them (0700, 0600).
    """
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    doel = data_dir / "aanpak.db"
    shutil.copyfile(sjabloon, doel)
    doel.chmod(0o600)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_sjabloon: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = gemigreerde_sqlite(sqlite_sjabloon, tmp_path / "aanpak.db")
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


@dataclass(frozen=True)
class PrefectServer:
    api_url: str
    auth: str | None
    map: Path

    def env(self) -> dict[str, str]:
        """What a child process needs to reach the session server."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_API_AUTH_STRING": self.auth or ""}


@pytest.fixture(scope="session")
def prefect_sessie(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """One real Prefect server for the whole session, started the way the embedded default starts it.

    Its home and SQLite database live in a temporary folder; the start wait is generous (tests/wachttijden.py).
    """
    from aanpak import prefect_lokaal

    inst = Instellingen(
        data_dir=tmp_path_factory.mktemp("prefect-server"),
        prefect_poort=0,
        prefect_start_seconden=wachttijden.PREFECT_START,
    )
    verbinding = prefect_lokaal.zorg_voor_server(inst)
    yield PrefectServer(verbinding.api_url, verbinding.auth, prefect_lokaal.map_van(inst))
    prefect_lokaal.stop(inst)


@pytest.fixture(scope="session")
def prefect_server(prefect_sessie: PrefectServer) -> Iterator[str]:
    """The session's Prefect server as this process's API (heartbeats off); yields its API URL."""
    from prefect.settings import temporary_settings

    with temporary_settings(
        updates={
            "api.url": prefect_sessie.api_url,
            "api.auth_string": prefect_sessie.auth,
            "flows.heartbeat_frequency": None,
            # Where the server keeps its database, for tests that read it directly (privacy scans).
            "server.database.connection_url": f"sqlite+aiosqlite:///{prefect_sessie.map / 'prefect.db'}",
        }
    ):
        yield prefect_sessie.api_url
        _leeg_prefect_wachtrijen()


def _leeg_prefect_wachtrijen() -> None:
    """Send the buffered logs and events while the server still answers (else the exit retries in vain)."""
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def leeg() -> None:
        try:
            uit = APILogWorker.instance().drain()
            if inspect.isawaitable(uit):
                await uit
        except RuntimeError:  # never started
            pass
        alles = EventsWorker.drain_all()
        if inspect.isawaitable(alles):
            await alles

    run_coro_as_sync(leeg())


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
