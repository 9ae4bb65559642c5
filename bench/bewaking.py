"""Bewaking pass cost: 100,000 open steps vs 1,000, with the same 100 due, and the query plans.

The bewaking must scale with what is due, not with what is open: its moments are precomputed on the rows and
read through (status, moment) indexes. The ratio of the two passes shows it; the plans show why.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, text, update

from aanpak.config import STANDAARD_WERKPROCES
from aanpak.crypto import Sleutelring, parse_sleutels
from aanpak.omgeving import Omgeving
from aanpak.store.db import UnitOfWork, maak_engine, migreer, sessiefabriek
from aanpak.store.schema import Casus, Historie, Jeugdige, Melding, Signalering, StapInstantie, WerkprocesVersie
from aanpak.store.werkprocessen import Werkprocessen
from aanpak.usecases.bewaking import _open_stappen_waar, bewaak
from bench.meting import Resultaat

NU = datetime(2026, 12, 16, 8, 0, tzinfo=UTC)
TE_LAAT = 100


def _omgeving(engine: Engine) -> Omgeving:
    sleutels = Sleutelring(parse_sleutels("k1:" + "B" * 43 + "="), b"b" * 32)
    return Omgeving(
        engine=engine,
        uow=UnitOfWork(sessiefabriek(engine)),
        sleutels=sleutels,
        werkprocessen=Werkprocessen(STANDAARD_WERKPROCES),
        klok=lambda: NU,
    )


def vul(omg: Omgeving, open_stappen: int) -> None:
    """``open_stappen`` open steps in as many cases; exactly TE_LAAT of them are due (overdue, level 0)."""
    with omg.uow() as sessie:
        wp_id, _ = omg.werkprocessen.actueel(sessie, NU)
    toekomst = NU + timedelta(days=60)
    verleden = NU - timedelta(days=1)
    with omg.engine.begin() as conn:
        conn.execute(
            insert(Jeugdige),
            [
                {
                    "id": i + 1,
                    "identiteit_versleuteld": b"x",
                    "bsn_hash": None,
                    "naam_hash": f"n{i}",
                    "aangemaakt_op": NU,
                }
                for i in range(open_stappen)
            ],
        )
        conn.execute(
            insert(Casus),
            [
                {
                    "id": i + 1,
                    "ref": f"C-B{i:07d}",
                    "jeugdige_id": i + 1,
                    "werkproces_id": wp_id,
                    "status": "open",
                    "ave_niveau": 2,
                    "casusregie": "wijkteam.casusregisseur",
                    "procesregie": "gemeente.procesregisseur",
                    "bestuurlijk": None,
                    "acuut": False,
                    "geopend_op": NU - timedelta(days=90),
                    "gesloten_op": None,
                    "versie": 1,
                }
                for i in range(open_stappen)
            ],
        )
        rijen: list[dict[str, Any]] = []
        for i in range(open_stappen):
            laat = i % (open_stappen // TE_LAAT) == 0
            rijen.append(
                {
                    "casus_id": i + 1,
                    "stap_key": "casusoverleg",
                    "volgnummer": 1,
                    "status": "open",
                    "eigenaar_rol": "gemeente.procesregisseur",
                    "acuut": False,
                    "gestart_op": NU - timedelta(days=30),
                    "termijn_einde": verleden if laat else toekomst,
                    "opgeschort_werkdagen": 0,
                    "verlengd_met": 0,
                    "herinnering_op": toekomst,
                    "escalatie_niveau": 0,
                    "volgende_escalatie_op": verleden if laat else toekomst,
                    "stagnatie_op": toekomst,
                    "versie": 1,
                }
            )
        conn.execute(insert(StapInstantie), rijen)


def herstel(omg: Omgeving) -> None:
    """Undo one pass, so the next repetition does the same work."""
    verleden = NU - timedelta(days=1)
    with omg.engine.begin() as conn:
        for tabel in (Signalering, Historie, Melding):
            conn.execute(delete(tabel))
        conn.execute(
            update(StapInstantie)
            .where(StapInstantie.escalatie_niveau > 0)
            .values(escalatie_niveau=0, volgende_escalatie_op=verleden)
        )


def pass_tijd(omg: Omgeving, herhalingen: int = 5) -> float:
    tijden = []
    for _ in range(herhalingen):
        herstel(omg)
        begin = time.perf_counter()
        signalen = bewaak(omg)
        tijden.append(time.perf_counter() - begin)
        assert len(signalen) == TE_LAAT, len(signalen)
    return statistics.median(tijden)


def plannen(omg: Omgeving) -> list[str]:
    stmt = _open_stappen_waar(StapInstantie.volgende_escalatie_op, NU, 1000)
    with omg.engine.connect() as conn:
        if omg.engine.dialect.name == "sqlite":
            sql = str(stmt.compile(omg.engine, compile_kwargs={"literal_binds": True})).replace(" FOR UPDATE", "")
            return [str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
        sql = str(stmt.compile(omg.engine, compile_kwargs={"literal_binds": True}))
        return [str(r[0]) for r in conn.execute(text(f"EXPLAIN {sql}"))]


def meet(url_maker: Any = None, groot: int = 100_000, klein: int = 1_000) -> dict[str, Any]:
    """Pass time with ``groot`` and ``klein`` open steps (same TE_LAAT due); SQLite unless ``url_maker`` gives a URL."""
    uit: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for naam, aantal in (("klein", klein), ("groot", groot)):
            url = url_maker(naam) if url_maker else f"sqlite:///{Path(tmp) / f'{naam}.db'}"
            engine = maak_engine(url)
            migreer(engine)
            omg = _omgeving(engine)
            vul(omg, aantal)
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            uit[naam] = pass_tijd(omg)
            if naam == "groot":
                uit["plan"] = plannen(omg)
            with omg.uow() as sessie:
                assert sessie.scalar(select(WerkprocesVersie.id)) is not None
            engine.dispose()
    uit["ratio"] = uit["groot"] / uit["klein"]
    return uit


PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_urls() -> Any:
    """A url_maker that creates a fresh database per size on the local PostgreSQL, or None when it is absent."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
    except OSError:
        return None
    admin = maak_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")

    def maak(naam: str) -> str:
        db = f"aanpak_bench_{naam}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{db}"'))
        return PG_ADMIN.rsplit("/", 1)[0] + f"/{db}"

    return maak


if __name__ == "__main__":
    for naam, maker in (("SQLite", None), ("PostgreSQL", postgres_urls())):
        if naam == "PostgreSQL" and maker is None:
            continue
        r = meet(maker)
        print(
            f"{naam}: bewaking pass {r['groot'] * 1000:.1f} ms (100k open) vs {r['klein'] * 1000:.1f} ms "
            f"(1k open), same 100 due: ratio {r['ratio']:.2f}"
        )
        print("  " + "\n  ".join(r["plan"]))


def resultaten() -> list[Resultaat]:
    """For ``python -m bench``: one result per database (PostgreSQL only when it answers)."""
    uit: list[Resultaat] = []
    for naam, maker in (("SQLite", None), ("PostgreSQL", postgres_urls())):
        if naam == "PostgreSQL" and maker is None:
            continue
        r = meet(maker)
        uit.append(
            Resultaat(
                naam=f"bewaking ({naam})",
                omvang=f"1 pass, {TE_LAAT} due; 100.000 vs 1.000 open steps",
                ons="pass over 100.000 open steps",
                basislijn="pass over 1.000 open steps",
                ons_s=r["groot"],
                basis_s=r["klein"],
                metingen="mediaan van 5",
                details=("issue 5 limit: ratio ≤ 2", *r["plan"]),
            )
        )
    return uit
