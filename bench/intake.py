"""(b) intake: many signals through the use cases, against a raw insert of as many rows into ``signaal``.

Our side: for every signal the boundary validation (``lees_signaal``), registration (``registreer_signaal``:
idempotency, age check, keyed-hash matching of the youth, AES-GCM encryption, one transaction) and processing
(``verwerk_signaal``: open a case with its intake and first steps, history and outbox, or join the youth's open
case with a match; a second transaction) — called directly, without Prefect. About one signal in ten is about
a youth seen before (half of those without a BSN, so they match on name and birth date).

Baseline: the same number of rows with precomputed dummy values written into the ``signaal`` table with one
plain SQLAlchemy Core ``executemany`` in one transaction, on the same kind of fresh store and engine.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Jeugdige, Match, Signaal
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


def _verwerk(omg: Omgeving, klok: Klok, docs: list[dict[str, Any]]) -> list[float]:
    """All signals, one after another; the wall time of each (validation + registration + processing)."""
    tijden: list[float] = []
    for doc in docs:
        klok.verder(TUSSENTIJD_S)
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


def _rijen(aantal: int, jeugdige_id: int) -> list[dict[str, Any]]:
    """Precomputed dummy values for the raw insert, shaped like a registered signal."""
    nu = datetime(2026, 12, 1, 9, tzinfo=UTC)
    zorg, melder = b"z" * 80, b"m" * 160  # about the size of the real ciphertexts
    return [
        {
            "ref": f"S-B{i:07d}",
            "jeugdige_id": jeugdige_id,
            "casus_id": None,
            "bron_rol": MELDERS[i % len(MELDERS)],
            "bron_organisatie": MELDERS[i % len(MELDERS)].split(".", 1)[0],
            "categorieen": ["ontwikkeling", "verzuim"],
            "acuut": False,
            "leeftijdsgroep": "12-15",
            "wijk": "venlo-zuid",
            "zorg_versleuteld": zorg,
            "melder_versleuteld": melder,
            "ontvangen_op": nu + timedelta(seconds=i * TUSSENTIJD_S),
            "verwerkt_op": None,
            "gematcht_op": None,
        }
        for i in range(aantal)
    ]


def _basislijn(map_: Path, aantal: int, herhalingen: int) -> float:
    """Median time of one executemany of ``aantal`` rows into ``signaal`` in one transaction."""
    omg = nieuwe_omgeving(map_, Klok.op(), "basislijn.db")
    try:
        with omg.engine.begin() as conn:
            jeugdige_id = conn.execute(
                insert(Jeugdige)
                .values(identiteit_versleuteld=b"i" * 120, bsn_hash=None, naam_hash="0" * 64, aangemaakt_op=Klok.op()())
                .returning(Jeugdige.id)
            ).scalar_one()
        rijen = _rijen(aantal, jeugdige_id)
        tijden: list[float] = []
        for _ in range(herhalingen + 1):  # the first is the warm-up
            with omg.engine.begin() as conn:
                conn.execute(delete(Signaal))
            begin = time.perf_counter()
            with omg.engine.begin() as conn:
                conn.execute(insert(Signaal), rijen)
            tijden.append(time.perf_counter() - begin)
        with omg.engine.connect() as conn:
            if conn.scalar(select(func.count()).select_from(Signaal)) != aantal:
                raise RuntimeError("de basislijn schreef niet alle rijen")
        return statistics.median(tijden[1:])
    finally:
        omg.engine.dispose()


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
        try:
            tijden = _verwerk(omg, klok, docs)
            _controleer(omg, aantal, uniek)
        finally:
            omg.engine.dispose()
        basis_s = _basislijn(map_, aantal, herhalingen)

    ons_s = sum(tijden)
    gesorteerd = sorted(tijden)
    p95 = gesorteerd[min(len(gesorteerd) - 1, int(0.95 * len(gesorteerd)))]
    tiende = max(1, aantal // 10)
    per_tiende = [statistics.median(tijden[i : i + tiende]) for i in range(0, min(aantal, tiende * 10), tiende)]
    return Resultaat(
        naam="intake",
        omvang=f"{getal(aantal)} signalen ({getal(uniek)} jeugdigen, {getal(aantal - uniek)} matches)",
        ons="lees_signaal → registreer_signaal → verwerk_signaal per signaal, zonder Prefect (1 doorloop)",
        basislijn=f"SQLAlchemy Core executemany van {getal(aantal)} rijen in `signaal`, één transactie",
        ons_s=ons_s,
        basis_s=basis_s,
        metingen=f"ons 1 doorloop na opwarmen met 100 signalen; basislijn mediaan van {herhalingen}",
        details=(
            f"per signaal: ons {duur(ons_s / aantal)} (mediaan {duur(statistics.median(tijden))}, "
            f"p95 {duur(p95)}), basislijn {duur(basis_s / aantal)} per rij",
            f"{aantal / ons_s:.0f} signalen/s; mediaan per tiende van de reeks (groeiende opslag, "
            f"wisselende machinebelasting): {', '.join(f'{t * 1e3:.1f}' for t in per_tiende)} ms",
        ),
    )
