"""(b) intake: many signals through the use cases, against a raw insert of as many rows into ``signaal``.

Our side: for every signal the boundary validation (``lees_signaal``), registration (``registreer_signaal``:
idempotency, age check, keyed-hash matching of the youth, AES-GCM encryption, one transaction) and processing
(``verwerk_signaal``: open a case with its intake and first steps, history and outbox, or join the youth's open
case with a match; a second transaction) — called directly, without Prefect. About one signal in ten is about
a youth seen before (half of those without a BSN, so they match on name and birth date).

Baseline (fair: the same writes, one signal per transaction, the same durability): while our side runs, every
INSERT, UPDATE and DELETE it sends to SQLite is recorded with its parameters, per signal. The baseline replays
exactly those statements on a fresh store with the same engine (WAL, ``BEGIN IMMEDIATE``, SQLite's default
``synchronous``), each signal's statements in ONE transaction through the driver cursor — the same rows on
disk, without validation, reads, matching, encryption, the ORM or the second commit.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Match, Signaal
from aanpak.usecases.signaal import verwerk_signaal
from bench.gegevens import CATEGORIEEN, MELDERS, Jeugd, bsns, signaal_document
from bench.meting import Resultaat, duur, getal
from bench.opslag import STARTDAG, Klok, nieuwe_omgeving
from models.signaal import lees_signaal
from tests.gegevens import registreer

#: Simulated time between two signals.
TUSSENTIJD_S = 30.0


def documenten(aantal: int) -> tuple[list[dict[str, Any]], int]:
    """``aantal`` signal documents: distinct youths, and after every ninth one a repeat of an earlier youth
    by another reporter (≈10%). Returns the documents and the number of distinct youths."""
    herhalingen = aantal // 10
    uniek = aantal - herhalingen
    nummers = bsns("999")
    jeugd = [Jeugd.maak(i, next(nummers), STARTDAG) for i in range(uniek)]
    docs: list[dict[str, Any]] = []
    for i, j in enumerate(jeugd):
        docs.append(
            signaal_document(
                j,
                MELDERS[i % len(MELDERS)],
                f"bench-intake-{i:06d}",
                met_bsn=i % 10 != 7,  # some reporters (e.g. kinderopvang) have no BSN
                acuut=i % 33 == 0,
                categorieen=(CATEGORIEEN[i % len(CATEGORIEEN)], CATEGORIEEN[(i + 2) % len(CATEGORIEEN)]),
            )
        )
        if i % 9 == 8 and (k := i // 9) < herhalingen:
            eerder = jeugd[9 * k + 3]
            docs.append(
                signaal_document(
                    eerder,
                    MELDERS[(eerder.nummer + 1) % len(MELDERS)],
                    f"bench-intake-herhaling-{k:06d}",
                    met_bsn=k % 2 == 0,
                    categorieen=("gezondheid",),
                    zorg="Tweede zorg over dezelfde jeugdige.",
                )
            )
    assert len(docs) == aantal
    return docs, uniek


def _verwerk(omg: Omgeving, klok: Klok, docs: list[dict[str, Any]], opname: Schrijfopname | None = None) -> list[float]:
    """All signals, one after another; the wall time of each (validation + registration + processing)."""
    tijden: list[float] = []
    for doc in docs:
        klok.verder(TUSSENTIJD_S)
        if opname is not None:
            opname.volgend_signaal()
        begin = time.perf_counter()
        geregistreerd = registreer(omg, lees_signaal(doc))
        verwerk_signaal(omg, geregistreerd.signaal_ref)
        tijden.append(time.perf_counter() - begin)
    return tijden


def _controleer(omg: Omgeving, aantal: int, uniek: int) -> None:
    """The run did what it claims: every signal processed, one case per youth, the repeats matched."""
    with omg.uow() as sessie:
        signalen = sessie.scalar(select(func.count()).select_from(Signaal).where(Signaal.verwerkt_op.is_not(None)))
        casussen = sessie.scalar(select(func.count()).select_from(Casus))
        matches = sessie.scalar(select(func.count()).select_from(Match))
    if (signalen, casussen, matches) != (aantal, uniek, aantal - uniek):
        raise RuntimeError(
            f"intake klopt niet: {signalen} verwerkt, {casussen} casussen, {matches} matches "
            f"(verwacht {aantal}, {uniek}, {aantal - uniek})"
        )


class Schrijfopname:
    """Records the writes (INSERT/UPDATE/DELETE with their parameters) our side sends, one list per signal."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.per_signaal: list[list[tuple[str, Any, bool]]] = []
        event.listen(engine, "before_cursor_execute", self._noteer)

    def volgend_signaal(self) -> None:
        self.per_signaal.append([])

    def _noteer(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
    ) -> None:
        if self.per_signaal and statement.lstrip()[:6].upper() in _SCHRIJVEN:
            self.per_signaal[-1].append((statement, parameters, executemany))

    def stop(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._noteer)

    @property
    def statements(self) -> int:
        return sum(len(s) for s in self.per_signaal)


_SCHRIJVEN = {"INSERT", "UPDATE", "DELETE"}


def _speel_af(omg: Omgeving, opname: Schrijfopname) -> float:
    """The recorded writes on a fresh store, one transaction per signal; the total wall time."""
    totaal = 0.0
    with omg.engine.connect() as conn:
        for schrijven in opname.per_signaal:
            begin = time.perf_counter()
            with conn.begin():  # BEGIN IMMEDIATE, as ours (aanpak.store.db.maak_engine)
                cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                for statement, parameters, executemany in schrijven:
                    if executemany:
                        cursor.executemany(statement, parameters)
                    else:
                        cursor.execute(statement, parameters)
                cursor.close()
            totaal += time.perf_counter() - begin
    return totaal


def _basislijn(map_: Path, opname: Schrijfopname, aantal: int, uniek: int, herhalingen: int) -> float:
    """Median over ``herhalingen`` fresh stores of replaying our writes, one signal per transaction."""
    tijden: list[float] = []
    for i in range(herhalingen):
        omg = nieuwe_omgeving(map_, Klok.op(), f"basislijn-{i}.db")
        try:
            tijden.append(_speel_af(omg, opname))
            if i == 0:
                _controleer(omg, aantal, uniek)  # the replay wrote what ours wrote
        finally:
            omg.engine.dispose()
    return statistics.median(tijden)


def meet(aantal: int, herhalingen: int) -> Resultaat:
    docs, uniek = documenten(aantal)
    with tempfile.TemporaryDirectory(prefix="aanpak-bench-intake-") as tmp:
        map_ = Path(tmp)
        # Warm-up on a throw-away store: imports, definition loading, statement caches, the calendar's years.
        opwarm = nieuwe_omgeving(map_, Klok.op(), "opwarmen.db")
        _verwerk(opwarm, Klok.op(), docs[: min(100, aantal)])
        opwarm.engine.dispose()

        klok = Klok.op()
        omg = nieuwe_omgeving(map_, klok)
        opname = Schrijfopname(omg.engine)
        try:
            tijden = _verwerk(omg, klok, docs, opname)
            opname.stop()
            _controleer(omg, aantal, uniek)
        finally:
            omg.engine.dispose()
        basis_s = _basislijn(map_, opname, aantal, uniek, herhalingen)

    ons_s = sum(tijden)
    gesorteerd = sorted(tijden)
    p95 = gesorteerd[min(len(gesorteerd) - 1, int(0.95 * len(gesorteerd)))]
    tiende = max(1, aantal // 10)
    per_tiende = [statistics.median(tijden[i : i + tiende]) for i in range(0, min(aantal, tiende * 10), tiende)]
    return Resultaat(
        naam="intake",
        omvang=f"{getal(aantal)} signalen ({getal(uniek)} jeugdigen, {getal(aantal - uniek)} matches)",
        ons="lees_signaal → registreer_signaal → verwerk_signaal per signaal, zonder Prefect (1 doorloop)",
        basislijn=(
            f"dezelfde {getal(opname.statements)} schrijfopdrachten (INSERT/UPDATE/DELETE) opnieuw afgespeeld "
            "op een verse opslag, één transactie per signaal, zelfde duurzaamheid"
        ),
        ons_s=ons_s,
        basis_s=basis_s,
        metingen=f"ons 1 doorloop na opwarmen met 100 signalen; basislijn mediaan van {herhalingen} afspelingen",
        details=(
            f"per signaal: ons {duur(ons_s / aantal)} (mediaan {duur(statistics.median(tijden))}, "
            f"p95 {duur(p95)}), basislijn {duur(basis_s / aantal)} "
            f"({opname.statements / aantal:.1f} schrijfopdrachten per signaal)",
            f"{aantal / ons_s:.0f} signalen/s (basislijn {aantal / basis_s:.0f}/s); mediaan per tiende van de reeks "
            f"(groeiende opslag, wisselende machinebelasting): {', '.join(f'{t * 1e3:.1f}' for t in per_tiende)} ms",
        ),
    )
