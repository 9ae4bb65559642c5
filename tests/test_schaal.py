"""Scale-out end to end: Prefect and the case store on PostgreSQL, two task workers, one killed with runs in flight.

A Prefect server on a fresh PostgreSQL database of its own, our case store on another, two task workers
(``python -m flows.taakworker``, separate processes) and this process as the coordinators' side, submitting
transitions the way the aanpak server does (``aanpak.uitvoering`` with ``AANPAK_TAAKWORKERS=true``) from several
threads at once. Ten cases, three transitions each (the signal, two decisions): 30 transitions.

While the second round of decisions is in flight, this test holds a row lock on every case (a real PostgreSQL
lock, as a slow transaction would), so that runs are Running on both workers; then worker A is killed with
``kill -9`` and the lock released. Then: every transition is applied exactly once (every case holds the same
steps, history and outbox as every other, nothing doubled), no transition run is left Scheduled, Pending or
Running in Prefect, and what A held was applied by B's recovery sweep (a Completed run by B for each decision
whose run died with A). Waits are bounded by tests/wachttijden.py, never timed.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select, text

from tests import wachttijden
from tests.schaal_hulp import (
    BESLUITEN,
    Cluster,
    Worker,
    besluit_en_overgang,
    in_context,
    postgres_bereikbaar,
    signaal_en_overgang,
)

CASUSSEN = 10
T = TypeVar("T")


def _wacht(omschrijving: str, voorwaarde: Callable[[], T | None], seconden: float = wachttijden.PROCES) -> T:
    grens = time.monotonic() + seconden
    while time.monotonic() < grens:
        uitkomst = voorwaarde()
        if uitkomst:
            return uitkomst
        time.sleep(wachttijden.POLL * 5)
    raise AssertionError(f"niet binnen {seconden:.0f} s: {omschrijving}")


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    if not postgres_bereikbaar():
        pytest.skip("PostgreSQL op 127.0.0.1:5432 antwoordt niet")
    from prefect.settings import temporary_settings

    from aanpak.config import instellingen
    from aanpak.omgeving import zet_standaard

    with Cluster(poort_voorkeur=9250, herstel_interval=3.0, herstel_na=15.0,
                 start_seconden=wachttijden.PREFECT_START) as c:  # fmt: skip
        for sleutel, waarde in c.aanpak_env().items():
            monkeypatch.setenv(sleutel, waarde)
        instellingen.cache_clear()
        with temporary_settings(
            updates={"api.url": c.api_url, "api.auth_string": None, "results.local_storage_path": c.opslag}
        ):
            yield c
        instellingen.cache_clear()
        zet_standaard(None)


def _runs(cluster: Cluster) -> tuple[list[Any], list[Any]]:
    """The transition flow runs and background task runs in Prefect."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, TaskRunFilter, TaskRunFilterTags

    from aanpak.prefect_zombies import OVERGANGSFLOWS, OVERGANGSTAG

    with get_client(sync_client=True) as client:
        flows = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=list(OVERGANGSFLOWS))))
        taken = client.read_task_runs(task_run_filter=TaskRunFilter(tags=TaskRunFilterTags(all_=[OVERGANGSTAG])))
    return flows, taken


def _van(worker: Worker, run: Any) -> bool:
    return bool(run.infrastructure_pid) and f":{worker.pid}:" in run.infrastructure_pid


@pytest.mark.postgres
@pytest.mark.prefect
def test_dertig_overgangen_op_twee_workers_waarvan_een_sterft(cluster: Cluster) -> None:
    from prefect.client.schemas.objects import StateType

    from aanpak.store.schema import Besluit, Casus, Historie, Melding, Signaal, StapInstantie
    from bench.gegevens import bsns

    a = cluster.start_worker("a")
    b = cluster.start_worker("b")
    cluster.wacht_op_abonnees(2, wachttijden.PREFECT_START)
    omg = cluster.omgeving()
    nummers = bsns("998")
    bsn = [next(nummers) for _ in range(CASUSSEN)]

    with ThreadPoolExecutor(max_workers=CASUSSEN) as pool:
        # Round 1: ten signals at once.
        signalen = [pool.submit(in_context(signaal_en_overgang), omg, i, bsn[i]) for i in range(CASUSSEN)]
        casussen = [f.result(timeout=wachttijden.PROCES)[0] for f in signalen]
        assert all(casussen), "elk signaal opent zijn casus"
        assert len(set(casussen)) == CASUSSEN

        # Round 2: ten decisions at once, held in the workers by a lock on every case; then A dies.
        (stap, uitkomst), laatste = BESLUITEN[0], BESLUITEN[1:]
        slot = omg.engine.connect()
        transactie = slot.begin()
        slot.execute(text("SELECT id FROM casus FOR NO KEY UPDATE"))
        lopend: list[Future[tuple[str, float]]] = [
            pool.submit(in_context(besluit_en_overgang), omg, c, stap, uitkomst) for c in casussen
        ]

        def beide_bezig() -> bool:
            flows, _ = _runs(cluster)
            bezig = [r for r in flows if r.state_type == StateType.RUNNING and "besluit_ref" in r.parameters]
            return any(_van(a, r) for r in bezig) and any(_van(b, r) for r in bezig)

        try:
            _wacht("runs in uitvoering op beide workers", beide_bezig, wachttijden.OPGESLAGEN)
            a.kill9()
        finally:
            transactie.rollback()
            slot.close()
        besluiten_ronde_2 = [f.result(timeout=wachttijden.PROCES)[0] for f in lopend]

        def toegepast(refs: list[str]) -> bool:
            with omg.uow() as s:
                return s.scalar(
                    select(func.count())
                    .select_from(Besluit)
                    .where(Besluit.ref.in_(refs), Besluit.toegepast_op.is_not(None))
                ) == len(refs)

        _wacht("elk besluit van ronde 2 toegepast (herstel door worker b)", lambda: toegepast(besluiten_ronde_2))

        # Round 3: the next decision of every case, with one worker left.
        for volgende, uitkomst_ in laatste:
            ronde = [pool.submit(in_context(besluit_en_overgang), omg, c, volgende, uitkomst_) for c in casussen]
            refs = [f.result(timeout=wachttijden.PROCES)[0] for f in ronde]
            _wacht(f"elk besluit {volgende} toegepast", lambda: toegepast(refs))  # noqa: B023 (used at once)

    # Every transition applied once: each case holds the same steps, history and outbox as every other.
    with omg.uow() as s:
        assert s.scalar(select(func.count()).select_from(Signaal).where(Signaal.verwerkt_op.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(Besluit).where(Besluit.toegepast_op.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(Besluit)) == CASUSSEN * len(BESLUITEN)
        beelden: list[tuple[Counter[Any], Counter[Any], Counter[Any]]] = []
        for casus_id in s.scalars(select(Casus.id)).all():
            stappen = Counter(
                s.execute(
                    select(StapInstantie.stap_key, StapInstantie.status).where(StapInstantie.casus_id == casus_id)
                ).all()
            )
            historie = Counter(
                s.execute(select(Historie.soort, Historie.stap_key).where(Historie.casus_id == casus_id)).all()
            )
            meldingen = Counter(
                s.execute(
                    select(Melding.soort, Melding.ontvanger_rol, Melding.stap_key).where(Melding.casus_id == casus_id)
                ).all()
            )
            assert all(n == 1 for n in stappen.values()), f"een stap twee keer gestart: {stappen}"
            beelden.append((stappen, historie, meldingen))
    assert len(beelden) == CASUSSEN
    assert all(beeld == beelden[0] for beeld in beelden), "elke casus heeft dezelfde stappen, historie en meldingen"
    assert sum(beelden[0][1].values()) > 0
    assert sum(beelden[0][2].values()) > 0

    # No transition run left open in Prefect (the sweep marks what died with A).
    open_ = {StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING}

    def niets_open() -> tuple[list[Any], list[Any]] | None:
        flows, taken = _runs(cluster)
        if any(r.state_type in open_ for r in flows) or any(t.state_type in open_ for t in taken):
            return None
        return flows, taken

    flows, taken = _wacht("geen run meer Scheduled/Pending/Running", niets_open)
    assert len(taken) == CASUSSEN * (1 + len(BESLUITEN))

    # What A held when it died was applied by B: a Crashed run of A, a Completed run of B, per decision.
    gestorven = [r for r in flows if _van(a, r) and r.state_type == StateType.CRASHED]
    assert gestorven, "worker a had runs in uitvoering toen hij stierf"
    for run in gestorven:
        ref = run.parameters["besluit_ref"]
        assert any(
            _van(b, r) and r.state_type == StateType.COMPLETED and r.parameters.get("besluit_ref") == ref for r in flows
        ), f"besluit {ref} niet door worker b afgemaakt"
    assert "nu toegepast door deze worker" in b.logtekst()


# -- the wall and the caller's retries, without a cluster ------------------------------------------------------


def test_achtergrondtaken_nemen_alleen_referenties() -> None:
    """What a task run hands a worker: opaque references (and the step key), nothing that chooses behaviour."""
    import inspect

    from flows.overgangen import TAKEN

    toegestaan = {"signaal_ref", "casus_ref", "stap", "besluit_ref", "overdracht_ref"}
    for taak in TAKEN:
        parameters = inspect.signature(taak.fn).parameters
        assert set(parameters) <= toegestaan, taak.name
        assert all(p.annotation in (str, "str") for p in parameters.values()), taak.name
        assert "overgang" in taak.tags


def test_een_tijdelijke_fout_wordt_herhaald_en_daarna_vastgelegd_gemeld(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 503 blip is retried until it passes; a Prefect that keeps refusing names the stored reference."""
    import httpx

    from aanpak import uitvoering
    from models.fouten import PrefectNietBereikbaar
    from tests.ontvangers import HttpOntvanger

    monkeypatch.setattr(uitvoering, "EERSTE_PAUZE_SECONDEN", 0.01)
    ontvanger = HttpOntvanger().start()
    url = f"http://127.0.0.1:{ontvanger.poort}/meldingen"
    pogingen = []

    def vraag() -> int:
        pogingen.append(1)
        return httpx.post(url, json={}, timeout=wachttijden.HTTP_TIMEOUT).raise_for_status().status_code

    try:
        ontvanger.weiger = 2
        assert uitvoering.met_herhaling("B-TEST0001", vraag) == 200
        assert len(pogingen) == 3
        pogingen.clear()
        ontvanger.stand = "503"
        with pytest.raises(PrefectNietBereikbaar, match="Vastgelegd als B-TEST0001"):
            uitvoering.met_herhaling("B-TEST0001", vraag)
        assert len(pogingen) == uitvoering.POGINGEN
    finally:
        ontvanger.stop()
