"""A scale-out cluster on this machine, for tests/test_schaal.py and ``make bench`` (P8).

A Prefect server on a fresh PostgreSQL database of its own, our case store on another fresh PostgreSQL database,
and task workers (``python -m flows.taakworker``) as separate processes, each in its own session so that it can
be killed by pid. ``Cluster`` is a context manager: on exit every process it started is killed and both
databases are dropped, whatever happened.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, ParamSpec, TypeVar

import httpx
from sqlalchemy import Engine, text

from aanpak.config import STANDAARD_WERKPROCES
from aanpak.crypto import Sleutelring, parse_sleutels
from aanpak.omgeving import Omgeving
from aanpak.store.db import UnitOfWork, maak_engine, migreer, sessiefabriek
from aanpak.store.werkprocessen import Werkprocessen

P = ParamSpec("P")
R = TypeVar("R")
ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("AANPAK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SLEUTELS = "k1:" + "A" * 43 + "="
HMAC = b"h" * 32


def postgres_bereikbaar() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def _poort(voorkeur: int) -> int:
    """``voorkeur`` when it is free (this project's port range), else any free port."""
    for kandidaat in (voorkeur, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", kandidaat))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError("geen vrije poort")


@dataclass
class Worker:
    naam: str
    proces: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proces.pid

    def kill9(self) -> None:
        os.kill(self.proces.pid, signal.SIGKILL)
        self.proces.wait()

    def logtekst(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Cluster:
    """Prefect on PostgreSQL + a case store on PostgreSQL + task workers (started with ``start_worker``)."""

    poort_voorkeur: int = 9250
    herstel_interval: float = 5.0
    herstel_na: float = 15.0
    start_seconden: float = 300.0
    map: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="aanpak-schaal-")))
    workers: list[Worker] = field(default_factory=list)
    _processen: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _databases: list[str] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)
    api_url: str = ""
    db_url: str = ""
    engine: Engine | None = None

    # -- lifecycle --------------------------------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None) -> None:
        for proces in reversed(self._processen):
            if proces.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proces.pid, signal.SIGKILL)
                proces.wait()
        for log in self._logs:
            log.close()
        shutil.rmtree(self.map, ignore_errors=True)
        if self.engine is not None:
            self.engine.dispose()
        if self._databases:
            admin = maak_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for naam in self._databases:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)'))
            admin.dispose()

    def _database(self, soort: str) -> str:
        naam = f"aanpak_schaal_{soort}_{uuid.uuid4().hex[:8]}"
        admin = maak_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{naam}"'))
        admin.dispose()
        self._databases.append(naam)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{naam}"

    def _start(self) -> None:
        prefect_db = self._database("prefect").replace("postgresql+psycopg://", "postgresql+asyncpg://")
        self.db_url = self._database("casus")
        self.engine = maak_engine(self.db_url)
        migreer(self.engine)
        poort = _poort(self.poort_voorkeur)
        self.api_url = f"http://127.0.0.1:{poort}/api"
        env = self._basis_env() | {
            "PREFECT_HOME": str(self.map / "server"),
            "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db,
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(poort),
            "PREFECT_UI_ENABLED": "false",
        }
        env.pop("PREFECT_API_URL", None)
        prefect = Path(sys.executable).with_name("prefect")
        self._proces([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(poort)], env, "server.log")
        grens = time.monotonic() + self.start_seconden
        while time.monotonic() < grens:
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self._processen[0].poll() is not None:
                raise RuntimeError(f"Prefect-server gestopt; zie {self.map / 'server.log'}")
            time.sleep(0.5)
        raise RuntimeError(f"Prefect-server niet gereed na {self.start_seconden:.0f} s")

    def _basis_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "AANPAK_"))}
        return env | {
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
            "PREFECT_LOCAL_STORAGE_PATH": str(self.opslag),
        }

    def _proces(self, opdracht: list[str], env: dict[str, str], log: str) -> subprocess.Popen[bytes]:
        bestand = (self.map / log).open("ab")
        self._logs.append(bestand)
        proces = subprocess.Popen(
            opdracht,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=bestand,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._processen.append(proces)
        return proces

    # -- what the workers and callers share ------------------------------------------------------------------

    @property
    def opslag(self) -> Path:
        """Prefect's task-scheduling storage (the background tasks' parameters): shared by caller and workers."""
        return self.map / "opslag"

    def aanpak_env(self) -> dict[str, str]:
        return {
            "AANPAK_DATABASE_URL": self.db_url,
            "AANPAK_SLEUTELS": SLEUTELS,
            "AANPAK_HMAC_SLEUTEL": base64.b64encode(HMAC).decode(),
            "AANPAK_DATA_DIR": str(self.map / "data"),
            "AANPAK_TAAKWORKERS": "true",
        }

    def start_worker(self, naam: str, limiet: int = 4) -> Worker:
        env = (
            self._basis_env()
            | self.aanpak_env()
            | {
                "PREFECT_API_URL": self.api_url,
                "PREFECT_HOME": str(self.map / naam),
            }
        )
        opdracht = [
            sys.executable,
            "-m",
            "flows.taakworker",
            "--limiet",
            str(limiet),
            "--herstel-interval",
            str(self.herstel_interval),
            "--herstel-na",
            str(self.herstel_na),
        ]
        proces = self._proces(opdracht, env, f"{naam}.log")
        worker = Worker(naam, proces, self.map / f"{naam}.log")
        self.workers.append(worker)
        return worker

    def wacht_op_abonnees(self, aantal: int, seconden: float) -> None:
        """Until ``aantal`` task workers have subscribed (Prefect's /task_workers/filter)."""
        grens = time.monotonic() + seconden
        while time.monotonic() < grens:
            for w in self.workers:
                if w.proces.poll() is not None:
                    raise RuntimeError(f"worker {w.naam} gestopt:\n{w.logtekst()[-3000:]}")
            try:
                antwoord = httpx.post(f"{self.api_url}/task_workers/filter", json={}, timeout=5)
                if antwoord.status_code == 200 and len(antwoord.json()) >= aantal:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"minder dan {aantal} task workers na {seconden:.0f} s")

    def omgeving(self) -> Omgeving:
        """The caller's context on the cluster's case store, with the real clock (the workers use it too)."""
        assert self.engine is not None
        from aanpak.omgeving import nu_utc

        omg = Omgeving(
            engine=self.engine,
            uow=UnitOfWork(sessiefabriek(self.engine)),
            sleutels=Sleutelring(parse_sleutels(SLEUTELS), HMAC),
            werkprocessen=Werkprocessen(STANDAARD_WERKPROCES),
            klok=nu_utc,
        )
        # The definition's snapshot, written once before coordinators register at once (the first cases under a
        # new version would race for it: uq_werkproces_versie_key).
        with omg.uow() as sessie:
            omg.werkprocessen.actueel(sessie, omg.nu())
        return omg


# -- the workload: cases of three transitions each, by several coordinators at once ---------------------------

SCHOOL = "school.zorgcoordinator"
#: After the signal: the decisions of each case, in order (step, outcome); each is one more transition.
BESLUITEN = (("interne_weging", "eigen_ondersteuning"), ("informeren_grondslag", "wettelijke_grondslag"))


def signaal_en_overgang(omg: Omgeving, nummer: int, bsn: str) -> tuple[str, float]:
    """Register a signal for youth ``nummer`` and run its transition; returns (case ref, request→completion s)."""
    from aanpak import uitvoering
    from bench.gegevens import Jeugd, signaal_document
    from models.signaal import lees_signaal
    from tests.gegevens import registreer

    begin = time.perf_counter()
    jeugd = Jeugd.maak(nummer, bsn, omg.nu().date())
    geregistreerd = registreer(omg, lees_signaal(signaal_document(jeugd, SCHOOL, f"schaal-{nummer}")))
    try:
        casus_ref = uitvoering.na_signaal(omg, geregistreerd.signaal_ref).casus_ref
    except uitvoering.NogBezig:
        casus_ref = ""
    return casus_ref, time.perf_counter() - begin


def besluit_en_overgang(omg: Omgeving, casus_ref: str, stap: str, uitkomst: str) -> tuple[str, float]:
    """Record a decision on an open step and run its transition; returns (decision ref, request→completion s)."""
    from aanpak import uitvoering
    from aanpak.usecases.besluit import BesluitIn, neem_besluit
    from tests.gegevens import als

    begin = time.perf_counter()
    genomen = neem_besluit(omg, BesluitIn(casus_ref=casus_ref, stap=stap, uitkomst=uitkomst), als(SCHOOL, "a.mentor"))
    with contextlib.suppress(uitvoering.NogBezig):
        uitvoering.na_besluit(omg, genomen.besluit_ref, genomen.casus_ref, genomen.stap)
    return genomen.besluit_ref, time.perf_counter() - begin


def in_context(functie: Callable[P, R]) -> Callable[P, R]:
    """``functie`` run in a copy of the caller's context: Prefect's settings (``temporary_settings``) live in
    context variables, which a thread pool's threads do not inherit."""
    context = contextvars.copy_context()

    def omhulsel(*args: P.args, **kwargs: P.kwargs) -> R:
        return context.copy().run(functie, *args, **kwargs)

    return omhulsel
