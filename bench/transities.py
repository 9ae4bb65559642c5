"""(a) transities: one full case through the real flows in process, against empty Prefect flow runs.

Our side replays the case path of ``aanpak.demo`` (two signals, eleven decisions, two warm handoffs) on a fresh
SQLite case store and times each transition as ``aanpak.uitvoering`` runs it: a real Prefect flow run in this
process (the use case task plus ``publiceer_casusbeeld``, run tags, name and artifact). The baseline is the same
number of empty flow runs with two empty task runs each, against the same Prefect server, heartbeats off for
both. The ratio is our cost per transition over Prefect's own bookkeeping for a flow run of that shape.

The coordinator's requests (registering a signal, recording a decision, accepting a handoff) are not
transitions; they are timed separately, as is the same case path without Prefect (``AANPAK_PREFECT=false``).
"""

from __future__ import annotations

import logging
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.settings import temporary_settings

from aanpak import uitvoering
from aanpak.omgeving import Omgeving
from aanpak.usecases import overdracht
from aanpak.usecases.besluit import BesluitIn, BesluitToegepast, neem_besluit, pas_besluit_toe
from aanpak.usecases.signaal import SignaalVerwerkt, verwerk_signaal
from bench.gegevens import Jeugd, bsns, signaal_document
from bench.meting import Resultaat, duur
from bench.opslag import STARTDAG, Klok, nieuwe_omgeving
from models.casus import kalender_voor
from models.signaal import lees_signaal
from tests.gegevens import als, registreer

SCHOOL = "school.zorgcoordinator"
JGZ = "jgz.jeugdverpleegkundige"
WIJKTEAM = "wijkteam.casusregisseur"
GEMEENTE = "gemeente.procesregisseur"


@dataclass(frozen=True)
class Stap:
    """One decision of the demo's case path; ``accepteren`` = who accepts the handoffs it offers."""

    stap: str
    uitkomst: str
    rol: str
    door: str
    na_werkdagen: int
    extra: tuple[tuple[str, object], ...] = ()
    accepteren: tuple[str, str] | None = None


#: The decisions of aanpak/demo/, in order.
STAPPEN: tuple[Stap, ...] = (
    Stap("afstemming_na_match", "afgestemd", SCHOOL, "a.mentor", 1),
    Stap("interne_weging", "eigen_ondersteuning", SCHOOL, "a.mentor", 1),
    Stap("informeren_grondslag", "wettelijke_grondslag", SCHOOL, "a.mentor", 2),
    Stap(
        "ave_regie_bepalen",
        "lokaal",
        SCHOOL,
        "a.mentor",
        1,
        (("ave_fase", 2), ("casusregie", WIJKTEAM), ("regie_voorstel", "aanvaard")),
        ("c.regisseur", WIJKTEAM),
    ),
    Stap("casusoverleg", "plan_opstellen", GEMEENTE, "d.procesregisseur", 5),
    Stap("plan_van_aanpak", "vastgesteld", WIJKTEAM, "c.regisseur", 6),
    Stap("uitvoering_monitoring", "evalueren", WIJKTEAM, "c.regisseur", 30),
    Stap("evaluatie", "afschalen", WIJKTEAM, "c.regisseur", 5),
    Stap(
        "op_afschalen",
        "afgeschaald",
        GEMEENTE,
        "d.procesregisseur",
        2,
        (("ave_fase", 1), ("casusregie", SCHOOL), ("regie_voorstel", "aanvaard")),
        ("a.mentor", SCHOOL),
    ),
    Stap("nazorg", "afgerond", SCHOOL, "a.mentor", 60),
    Stap("afsluiting", "gesloten", SCHOOL, "a.mentor", 2),
)


class Uitvoerder(Protocol):
    """How a transition runs after the request is stored (the three functions of aanpak.uitvoering)."""

    def signaal(self, omg: Omgeving, signaal_ref: str) -> SignaalVerwerkt: ...

    def besluit(self, omg: Omgeving, besluit_ref: str, casus_ref: str, stap: str) -> BesluitToegepast: ...

    def overdracht(self, omg: Omgeving, overdracht_ref: str, casus_ref: str) -> None: ...


class ViaPrefect:
    """The embedded default: ``aanpak.uitvoering`` runs each transition as a flow run in this process."""

    def signaal(self, omg: Omgeving, signaal_ref: str) -> SignaalVerwerkt:
        return uitvoering.na_signaal(omg, signaal_ref)

    def besluit(self, omg: Omgeving, besluit_ref: str, casus_ref: str, stap: str) -> BesluitToegepast:
        return uitvoering.na_besluit(omg, besluit_ref, casus_ref, stap)

    def overdracht(self, omg: Omgeving, overdracht_ref: str, casus_ref: str) -> None:
        uitvoering.na_overdracht(omg, overdracht_ref, casus_ref)


class Direct:
    """What ``aanpak.uitvoering`` does with ``AANPAK_PREFECT=false``: the use cases, no Prefect."""

    def signaal(self, omg: Omgeving, signaal_ref: str) -> SignaalVerwerkt:
        return verwerk_signaal(omg, signaal_ref)

    def besluit(self, omg: Omgeving, besluit_ref: str, casus_ref: str, stap: str) -> BesluitToegepast:
        return pas_besluit_toe(omg, besluit_ref)

    def overdracht(self, omg: Omgeving, overdracht_ref: str, casus_ref: str) -> None:
        return None


@dataclass(frozen=True)
class Casusmeting:
    #: Wall time of each transition, in order.
    per_run: tuple[float, ...]
    #: Time spent in the coordinator's requests (outside the transitions).
    verzoeken_s: float

    @property
    def runs(self) -> int:
        return len(self.per_run)

    @property
    def transities_s(self) -> float:
        return sum(self.per_run)

    @property
    def totaal_s(self) -> float:
        return self.transities_s + self.verzoeken_s


class _Stopwatch:
    """Adds up the time spent in transitions and in the coordinator's requests separately."""

    def __init__(self) -> None:
        self.per_run: list[float] = []
        self.verzoeken = 0.0

    @contextmanager
    def transitie(self) -> Iterator[None]:
        begin = time.perf_counter()
        try:
            yield
        finally:
            self.per_run.append(time.perf_counter() - begin)

    @contextmanager
    def verzoek(self) -> Iterator[None]:
        begin = time.perf_counter()
        try:
            yield
        finally:
            self.verzoeken += time.perf_counter() - begin


def doorloop_casus(omg: Omgeving, klok: Klok, uitvoerder: Uitvoerder, jeugd: Jeugd, label: str) -> Casusmeting:
    """The demo's case from first signal to closure; checks that it really ended closed."""
    with omg.uow() as sessie:
        _, wp = omg.werkprocessen.actueel(sessie, klok())
    kalender = kalender_voor(wp)
    sw = _Stopwatch()

    with sw.verzoek():
        r1 = registreer(omg, lees_signaal(signaal_document(jeugd, SCHOOL, f"bench-{label}-school")))
    with sw.transitie():
        v1 = uitvoerder.signaal(omg, r1.signaal_ref)
    casus = v1.casus_ref
    klok.werkdagen(kalender, 1)
    tweede = signaal_document(jeugd, JGZ, f"bench-{label}-jgz", met_bsn=False, zorg="Groeicurve stagneert.")
    with sw.verzoek():
        r2 = registreer(omg, lees_signaal(tweede))
    with sw.transitie():
        v2 = uitvoerder.signaal(omg, r2.signaal_ref)
    if v2.casus_ref != casus or v2.nieuwe_casus:
        raise RuntimeError("het tweede signaal had de casus moeten matchen")

    toegepast: BesluitToegepast | None = None
    for s in STAPPEN:
        klok.werkdagen(kalender, s.na_werkdagen)
        invoer = BesluitIn.model_validate({"casus_ref": casus, "stap": s.stap, "uitkomst": s.uitkomst} | dict(s.extra))
        with sw.verzoek():
            genomen = neem_besluit(omg, invoer, als(s.rol, s.door))
        with sw.transitie():
            toegepast = uitvoerder.besluit(omg, genomen.besluit_ref, genomen.casus_ref, genomen.stap)
        if s.accepteren is None:
            continue
        if not toegepast.overdrachten:
            raise RuntimeError(f"stap {s.stap} had een overdracht moeten aanbieden")
        klok.werkdagen(kalender, 1)
        actor, rol = s.accepteren
        for ref in toegepast.overdrachten:
            with sw.verzoek():
                overdracht.accepteer_overdracht(omg, ref, als(rol, actor))
            with sw.transitie():
                uitvoerder.overdracht(omg, ref, casus)
    if toegepast is None or not toegepast.casus_gesloten:
        raise RuntimeError("de casus had gesloten moeten zijn")
    return Casusmeting(per_run=tuple(sw.per_run), verzoeken_s=sw.verzoeken)


@task(name="bench-lege-taak", persist_result=False, cache_policy=NO_CACHE, log_prints=False)
def lege_taak(ref: str) -> str:
    return ref


@flow(name="bench-lege-flow", persist_result=False, log_prints=False)
def lege_flow(ref: str) -> str:
    """The baseline: a flow run with as many task runs as our transition flows (the use case + casusbeeld)."""
    lege_taak(ref)
    return lege_taak(ref)


def lege_runs(aantal: int) -> list[float]:
    """Wall time of each of ``aantal`` empty flow runs."""
    tijden: list[float] = []
    for i in range(aantal):
        begin = time.perf_counter()
        lege_flow(f"R{i:05d}")
        tijden.append(time.perf_counter() - begin)
    return tijden


class HerhaalTeller(logging.Handler):
    """Counts the Prefect client's retries: on a SQLite server a locked database becomes a 503, and the client
    then waits about 2 s before it tries again. These waits, not our code, make single runs take 2–3 s."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.aantal = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "retryable" in record.getMessage():
            self.aantal += 1

    @contextmanager
    def actief(self) -> Iterator[HerhaalTeller]:
        logger = logging.getLogger("prefect.client")
        niveau = logger.level
        logger.addHandler(self)
        logger.setLevel(logging.DEBUG)  # the retry message is logged at DEBUG; the console shows WARNING+
        try:
            yield self
        finally:
            logger.removeHandler(self)
            logger.setLevel(niveau)


class ApiTeller(logging.Handler):
    """Counts the HTTP requests to the Prefect API per endpoint (httpx logs each one at INFO): where a
    transition's extra time goes. Log and event batches sent by Prefect's background workers count too."""

    _VERZOEK = re.compile(r'HTTP Request: (\w+) \S*?/api(/[^ ?"]*)')
    _ID = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.per_endpoint: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if gevonden := self._VERZOEK.search(record.getMessage()):
            methode, pad = gevonden.groups()
            self.per_endpoint[f"{methode} {self._ID.sub('/{id}', pad)}"] += 1

    @property
    def aantal(self) -> int:
        return sum(self.per_endpoint.values())

    @contextmanager
    def actief(self) -> Iterator[ApiTeller]:
        logger = logging.getLogger("httpx")
        niveau, door = logger.level, logger.propagate
        logger.addHandler(self)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # counted here, not printed
        try:
            yield self
        finally:
            logger.removeHandler(self)
            logger.setLevel(niveau)
            logger.propagate = door


def extra_verzoeken(ons: ApiTeller, basis: ApiTeller, runs: int) -> str:
    """Per run, the endpoints our side calls more often than the baseline, most first."""
    verschil = {k: (ons.per_endpoint[k] - basis.per_endpoint[k]) / runs for k in ons.per_endpoint}
    grootste = sorted(((v, k) for k, v in verschil.items() if v >= 0.5), reverse=True)
    return ", ".join(f"{k} +{v:.1f}" for v, k in grootste[:8]) or "geen"


#: How long the benchmark waits for its Prefect server to answer (a busy 2-core machine needs more than 60 s).
PREFECT_START_S = 300.0


@contextmanager
def prefect_server(map_: Path) -> Iterator[float]:
    """One Prefect server for the whole benchmark, started as the embedded default starts it (a real
    ``prefect server start`` on a free loopback port, its SQLite database under ``map_``; never the ephemeral
    mode); yields its start-up time and stops it afterwards."""
    from aanpak import prefect_lokaal
    from aanpak.config import Instellingen

    inst = Instellingen(data_dir=map_, prefect_poort=0, prefect_start_seconden=PREFECT_START_S)
    begin = time.perf_counter()
    try:
        verbinding = prefect_lokaal.zorg_voor_server(inst)
        with temporary_settings(
            updates={
                "api.url": verbinding.api_url,
                "api.auth_string": verbinding.auth,
                "flows.heartbeat_frequency": None,
            }
        ):
            yield time.perf_counter() - begin
    finally:
        prefect_lokaal.stop(inst)


def meet(herhalingen: int) -> Resultaat:
    jeugd_bsns = bsns("998")
    teller = iter(range(1_000_000))

    def casus(map_: Path, uitvoerder: Uitvoerder) -> Casusmeting:
        nummer = next(teller)
        klok = Klok.op(STARTDAG)
        omg = nieuwe_omgeving(map_, klok, f"casus-{nummer}.db")
        try:
            jeugd = Jeugd.maak(nummer, next(jeugd_bsns), STARTDAG)
            return doorloop_casus(omg, klok, uitvoerder, jeugd, f"{nummer}")
        finally:
            omg.engine.dispose()

    ons: list[Casusmeting] = []
    direct: list[Casusmeting] = []
    basis: list[list[float]] = []
    herhaald_ons, herhaald_basis = HerhaalTeller(), HerhaalTeller()
    api_ons, api_basis = ApiTeller(), ApiTeller()
    with (
        tempfile.TemporaryDirectory(prefix="aanpak-bench-transities-") as tmp,
        prefect_server(Path(tmp) / "prefect-server") as opstart,
    ):
        map_ = Path(tmp)
        # Warm-up: imports, first flow registrations, SQLAlchemy statement caches, on both sides.
        runs = casus(map_, ViaPrefect()).runs
        casus(map_, Direct())
        lege_runs(runs)
        for _ in range(herhalingen):  # interleaved, so drift (a growing Prefect database) hits both sides
            with herhaald_ons.actief(), api_ons.actief():
                ons.append(casus(map_, ViaPrefect()))
            with herhaald_basis.actief(), api_basis.actief():
                basis.append(lege_runs(runs))
            direct.append(casus(map_, Direct()))

    if any(m.runs != runs for m in (*ons, *direct)):
        raise RuntimeError("het aantal transities verschilt per herhaling")
    ons_s = statistics.median(m.transities_s for m in ons)
    basis_s = statistics.median(sum(b) for b in basis)
    direct_s = statistics.median(m.transities_s for m in direct)
    verzoeken_s = statistics.median(m.verzoeken_s for m in ons)
    totaal_s = statistics.median(m.totaal_s for m in ons)
    # Per run, the median is robust against the ~2 s waits after a 503: the typical cost of one run.
    ons_run = statistics.median(t for m in ons for t in m.per_run)
    basis_run = statistics.median(t for b in basis for t in b)
    return Resultaat(
        naam="transities",
        omvang=f"1 casus, {runs} flow-runs (3 taken) tegen {runs} lege (2 taken)",
        ons=f"{runs} overgangen van één casus als echte flow-runs in proces (uitvoering.na_*)",
        basislijn=f"{runs} lege flow-runs met elk 2 lege taken, zelfde Prefect-server",
        ons_s=ons_s,
        basis_s=basis_s,
        metingen=f"mediaan van {herhalingen} casussen (afwisselend met de basislijn), na opwarmen",
        details=(
            f"mediaan per flow-run: ons {duur(ons_run)}, lege flow-run {duur(basis_run)} "
            f"(verhouding {ons_run / basis_run:.1f}×, verschil {duur(ons_run - basis_run)})",
            f"herhaalde API-verzoeken na 503 (SQLite-server bezet, ≈2 s wachten): ons {herhaald_ons.aantal}, "
            f"basislijn {herhaald_basis.aantal} (over {herhalingen}×{runs} runs per kant)",
            f"API-verzoeken per flow-run (incl. logbatches): ons {api_ons.aantal / (herhalingen * runs):.1f}, "
            f"lege flow-run {api_basis.aantal / (herhalingen * runs):.1f}; "
            f"meer dan de basislijn: {extra_verzoeken(api_ons, api_basis, herhalingen * runs)}",
            f"dezelfde overgangen zonder Prefect (use cases direct, AANPAK_PREFECT=false): {duur(direct_s)} "
            f"({duur(direct_s / runs)} per overgang)",
            f"verzoeken van coördinatoren (signaal registreren, besluit vastleggen, overdracht accepteren), "
            f"buiten de flows: {duur(verzoeken_s)}; hele casuspad met flows: {duur(totaal_s)}",
            f"opstart Prefect-server (eenmalig, niet meegeteld): {duur(opstart)}",
        ),
    )
