"""Delivering 1,000 outbox notifications to a loopback JSON webhook, against apprise calling it in a loop.

Ours: ``aanpak.usecases.bezorging.bezorg`` on a SQLite case store — expand each outbox row to its channel,
claim in batches, render the Dutch text from the case's definition, send (8 threads, one apprise call per
recipient channel, with the idempotency header) and record each outcome in its own transaction.
Baseline: one ``apprise.Apprise`` object notifying the same receiver 1,000 times in a loop, no database.
Each repetition delivers a fresh set of rows (inserted untimed); the receiver checks every key arrived once.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import apprise
from sqlalchemy import select

from aanpak.meldingen.instellingen import Beleid
from aanpak.meldingen.kanalen import Kanaal, Kanalen
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Melding
from aanpak.usecases import bezorging
from aanpak.usecases.signaal import verwerk_signaal
from bench.gegevens import Jeugd, bsns, signaal_document
from bench.meting import Resultaat, duur
from bench.opslag import STARTDAG, Klok, nieuwe_omgeving
from models.signaal import lees_signaal
from tests.gegevens import registreer


class _Ontvanger:
    """A loopback JSON webhook counting the ``Idempotency-Key`` of every request."""

    def __init__(self) -> None:
        self.teller: Counter[str | None] = Counter()
        self.lock = threading.Lock()
        ontvanger = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with ontvanger.lock:
                    ontvanger.teller[self.headers.get("Idempotency-Key")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/meldingen"

    def leeg(self) -> None:
        with self.lock:
            self.teller.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _casus(omg: Omgeving) -> int:
    jeugd = Jeugd(
        nummer=1,
        bsn=next(bsns()),
        voornamen="Bench",
        achternaam="Melding",
        geboortedatum=STARTDAG - timedelta(days=4000),
    )
    doc = signaal_document(jeugd, "school.zorgcoordinator", "bench-meldingen-1")
    verwerkt = verwerk_signaal(omg, registreer(omg, lees_signaal(doc)).signaal_ref)
    with omg.uow() as sessie:
        return sessie.scalars(select(Casus.id).where(Casus.ref == verwerkt.casus_ref)).one()


def _vul(omg: Omgeving, casus_id: int, ronde: int, aantal: int) -> None:
    """``aantal`` fresh outbox rows (as the use cases write them), untimed."""
    nu = omg.nu()
    with omg.uow() as sessie:
        ref = sessie.get_one(Casus, casus_id).ref
        sessie.add_all(
            Melding(
                sleutel=f"{ref}:bench:{ronde}:{i}:wijkteam.casusregisseur",
                casus_id=casus_id,
                soort="stap_gestart",
                ontvanger_rol="wijkteam.casusregisseur",
                stap_key="plan_van_aanpak",
                termijn_einde=nu + timedelta(days=10),
                gegevens={"eigenaar": "wijkteam.casusregisseur"},
                status="wachtend",
                pogingen=0,
                volgende_poging=nu,
                aangemaakt_op=nu,
            )
            for i in range(aantal)
        )


def _controleer(ontvanger: _Ontvanger, aantal: int) -> None:
    with ontvanger.lock:
        if len(ontvanger.teller) != aantal or any(n != 1 for n in ontvanger.teller.values()):
            raise RuntimeError(
                f"ontvanger kreeg {sum(ontvanger.teller.values())} berichten, {len(ontvanger.teller)} uniek"
            )


def meet(aantal: int = 1_000, herhalingen: int = 3) -> Resultaat:
    ontvanger = _Ontvanger()
    beleid = Beleid()
    kanalen = Kanalen((Kanaal("alle/json", "json", frozenset({"alle"}), ontvanger.url),), "bench")
    try:
        with tempfile.TemporaryDirectory(prefix="aanpak-bench-meldingen-") as tmp:
            klok = Klok.op()
            omg = nieuwe_omgeving(Path(tmp), klok)
            try:
                casus_id = _casus(omg)
                bezorging.bezorg(omg, kanalen, beleid)  # the case's own notifications, untimed
                ons: list[float] = []
                for ronde in range(herhalingen + 1):  # the first is the warm-up
                    _vul(omg, casus_id, ronde, aantal)
                    ontvanger.leeg()
                    begin = time.perf_counter()
                    verslag = bezorging.bezorg(omg, kanalen, beleid)
                    ons.append(time.perf_counter() - begin)
                    if verslag.verzonden != aantal:
                        raise RuntimeError(f"{verslag.verzonden} van {aantal} bezorgd")
                    _controleer(ontvanger, aantal)
                    klok.verder(60)
            finally:
                omg.engine.dispose()

        basis: list[float] = []
        a = apprise.Apprise()
        a.add(ontvanger.url)
        for _ in range(herhalingen + 1):
            ontvanger.leeg()
            begin = time.perf_counter()
            for i in range(aantal):
                if not a.notify(body=f"Bericht {i}", title="Actie nodig"):
                    raise RuntimeError("apprise kon de ontvanger niet bereiken")
            basis.append(time.perf_counter() - begin)
    finally:
        ontvanger.stop()

    ons_s, basis_s = statistics.median(ons[1:]), statistics.median(basis[1:])
    return Resultaat(
        naam="meldingen",
        omvang=f"{aantal:,} meldingen".replace(",", "."),
        ons=f"bezorg(): verdelen, claimen, Nederlandse tekst opmaken, via apprise versturen ({beleid.parallel} "
        "threads, Idempotency-Key) en per bericht vastleggen — SQLite",
        basislijn=f"apprise.Apprise().notify() {aantal}× in een lus naar dezelfde ontvanger, zonder opslag",
        ons_s=ons_s,
        basis_s=basis_s,
        metingen=f"mediaan van {herhalingen} na opwarmen, elke herhaling {aantal} nieuwe uitgaande meldingen",
        details=(
            f"per melding: ons {duur(ons_s / aantal)}, basislijn {duur(basis_s / aantal)}; "
            f"{aantal / ons_s:.0f} meldingen/s bezorgd en vastgelegd",
        ),
    )
