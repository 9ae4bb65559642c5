"""A fresh case store for a benchmark: SQLite in a temporary folder, fixed keys, an injected clock.

Built the way the tests build theirs (tests/conftest.py ``maak_omgeving``), without depending on pytest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from aanpak.config import STANDAARD_WERKPROCES
from aanpak.crypto import Sleutelring, parse_sleutels
from aanpak.omgeving import Omgeving
from aanpak.store.db import UnitOfWork, maak_engine, migreer, sessiefabriek
from aanpak.store.werkprocessen import Werkprocessen
from models.kalender import AMSTERDAM, Werkdagkalender, lokale_datum

#: Fixed benchmark keys (never used for real data): one AES-256 key and an HMAC key.
BENCH_SLEUTELS = "bench1:" + "B" * 43 + "="
BENCH_HMAC = b"bench-hmac-sleutel-niet-geheim-0" * 2

#: A Tuesday; every benchmark starts its simulated time here so runs are comparable.
STARTDAG = date(2026, 12, 1)


def sleutelring() -> Sleutelring:
    return Sleutelring(parse_sleutels(BENCH_SLEUTELS), BENCH_HMAC)


@dataclass
class Klok:
    """Simulated time that moves forward in werkdagen (like the demo's clock) or in minutes."""

    moment: datetime

    @classmethod
    def op(cls, dag: date = STARTDAG, uur: int = 9) -> Klok:
        return cls(datetime.combine(dag, time(uur, 0), tzinfo=AMSTERDAM).astimezone(UTC))

    def __call__(self) -> datetime:
        return self.moment

    def werkdagen(self, kalender: Werkdagkalender, n: int, uur: int = 10) -> None:
        dag = kalender.plus_werkdagen(lokale_datum(self.moment), n)
        self.moment = datetime.combine(dag, time(uur, 0), tzinfo=AMSTERDAM).astimezone(UTC)

    def verder(self, seconden: float) -> None:
        self.moment += timedelta(seconds=seconden)


def nieuwe_omgeving(map_: Path, klok: Klok, naam: str = "aanpak.db") -> Omgeving:
    """A migrated, empty SQLite case store under ``map_`` with the benchmark keys."""
    engine = maak_engine(f"sqlite:///{map_ / naam}")
    migreer(engine)
    return Omgeving(
        engine=engine,
        uow=UnitOfWork(sessiefabriek(engine)),
        sleutels=sleutelring(),
        werkprocessen=Werkprocessen(STANDAARD_WERKPROCES),
        klok=klok,
    )
