"""``/health``, ``/ready`` and ``/metrics`` of the aanpak server (issue 15 §4), against real dependencies.

Readiness fails per check with a dependency that is really absent: a Prefect URL on a closed loopback port, a
PostgreSQL URL nobody answers, a schema one migration behind. Metrics are parsed with prometheus_client's own
parser, move after real registrations and decisions, and never carry a reference or personal data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from aanpak.config import instellingen
from aanpak.omgeving import Omgeving
from aanpak.server import gezondheid
from aanpak.server.app import maak_app
from aanpak.store.db import alembic_config, maak_engine
from aanpak.usecases.besluit import BesluitIn, neem_besluit, pas_besluit_toe
from aanpak.usecases.signaal import verwerk_signaal
from models.signaal import lees_signaal
from tests import wachttijden
from tests.conftest import Klok, gemigreerde_sqlite, maak_omgeving
from tests.gegevens import SENTINELS, als, registreer, signaal_document
from tests.ontvangers import vrije_poort
from tests.server_hulp import Uitgever

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = "school.zorgcoordinator"


@pytest.fixture(scope="module")
def uitgever() -> Uitgever:
    return Uitgever()


@pytest.fixture
def prefect_uit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    monkeypatch.delenv(gezondheid.METRICS_TOKEN, raising=False)
    instellingen.cache_clear()
    yield
    instellingen.cache_clear()


@pytest.fixture
def prefect_aan(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AANPAK_PREFECT", "true")
    monkeypatch.delenv(gezondheid.METRICS_TOKEN, raising=False)
    instellingen.cache_clear()
    yield
    instellingen.cache_clear()


def vraag(app: FastAPI, pad: str, *, client: tuple[str, int] = ("127.0.0.1", 50000), **kwargs: Any) -> httpx.Response:
    """A request through the ASGI app from ``client`` (the peer address the server sees)."""

    async def verzoek() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://aanpak.test") as http:
            return await http.get(pad, **kwargs)

    return asyncio.run(verzoek())


def metrieken(tekst: str) -> dict[str, float]:
    uit: dict[str, float] = {}
    for familie in text_string_to_metric_families(tekst):
        for sample in familie.samples:
            assert sample.labels == {}, sample  # counts only: no label could carry case data
            uit[sample.name] = sample.value
    return uit


def app_van(omg: Omgeving, uitgever: Uitgever) -> FastAPI:
    return maak_app(omg, uitgever.verificateur())


# -- liveness and readiness -----------------------------------------------------------------------------------


def test_health_en_ready_zonder_token(omg: Omgeving, uitgever: Uitgever, prefect_uit: None) -> None:
    app = app_van(omg, uitgever)
    assert vraag(app, "/health").json() == {"status": "ok"}
    r = vraag(app, "/ready")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "status": "gereed",
        "controles": {"database": "ok", "sleutels": "ok", "schema": "ok", "prefect": "niet ingesteld"},
        "mislukt": [],
    }
    assert vraag(app, "/api/v1/gezondheid").json() == {"status": "ok"}  # the older endpoint stays
    # Operational endpoints are not part of the API's contract.
    assert not {"/health", "/ready", "/metrics"} & set(app.openapi()["paths"])


def test_ready_503_als_prefect_niet_antwoordt(omg: Omgeving, uitgever: Uitgever, prefect_aan: None) -> None:
    from prefect.settings import temporary_settings

    app = app_van(omg, uitgever)
    poort = vrije_poort()
    dicht = f"http://127.0.0.1:{poort}/api"  # nothing listens there
    with temporary_settings(updates={"api.url": dicht, "api.auth_string": "geheim-prefect-wachtwoord"}):
        r = vraag(app, "/ready")
        m = vraag(app, "/metrics")
    assert r.status_code == 503, r.text
    assert r.json()["mislukt"] == ["prefect"]
    assert r.json()["controles"]["prefect"] == "niet bereikbaar"
    for geheim in (dicht, "geheim-prefect-wachtwoord", str(poort)):
        assert geheim not in r.text
    # The case store's metrics still answer; Prefect's are absent and say so.
    assert m.status_code == 200, m.text
    waarden = metrieken(m.text)
    assert waarden["aanpak_prefect_bereikbaar"] == 0
    assert "aanpak_prefect_runs_pending" not in waarden


def test_ready_en_metrics_met_een_echte_prefect(
    omg: Omgeving, uitgever: Uitgever, prefect_aan: None, prefect_server: str
) -> None:
    app = app_van(omg, uitgever)
    r = vraag(app, "/ready")
    assert r.status_code == 200, r.text
    assert r.json()["controles"]["prefect"] == "ok"
    voor = metrieken(vraag(app, "/metrics").text)
    assert voor["aanpak_prefect_bereikbaar"] == 1

    # A run of one of our deployments goes Pending, then Late: the counts move; a foreign deployment's run not.
    from prefect import get_client
    from prefect.states import Pending, Scheduled

    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("stap-afgerond")
        ons = client.create_deployment(flow_id=flow_id, name="stap-afgerond")
        vreemd = client.create_deployment(flow_id=flow_id, name="iets-anders")
        try:
            run = client.create_flow_run_from_deployment(ons, state=Pending())
            client.create_flow_run_from_deployment(vreemd, state=Pending())
            pending = metrieken(vraag(app, "/metrics").text)
            assert pending["aanpak_prefect_runs_pending"] == voor["aanpak_prefect_runs_pending"] + 1
            client.set_flow_run_state(run.id, Scheduled(name="Late"), force=True)
            laat = metrieken(vraag(app, "/metrics").text)
            assert laat["aanpak_prefect_runs_pending"] == voor["aanpak_prefect_runs_pending"]
            assert laat["aanpak_prefect_runs_late"] == voor["aanpak_prefect_runs_late"] + 1
        finally:
            client.delete_deployment(ons)
            client.delete_deployment(vreemd)


def test_ready_503_als_het_schema_achter_is(
    tmp_path: Path, sqlite_sjabloon: Path, klok: Klok, uitgever: Uitgever, prefect_uit: None
) -> None:
    from alembic.script import ScriptDirectory

    engine = gemigreerde_sqlite(sqlite_sjabloon, tmp_path / "achter.db")
    kop = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert kop is not None
    vorige = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(kop).down_revision
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": vorige})
    try:
        r = vraag(app_van(maak_omgeving(engine, klok), uitgever), "/ready")
    finally:
        engine.dispose()
    assert r.status_code == 503, r.text
    assert r.json()["mislukt"] == ["schema"]
    assert "aanpak db upgrade" in r.json()["controles"]["schema"]


def test_ready_en_metrics_503_als_de_database_niet_antwoordt(klok: Klok, uitgever: Uitgever, prefect_uit: None) -> None:
    url = f"postgresql+psycopg://aanpak:geheim-db-wachtwoord@127.0.0.1:{vrije_poort()}/aanpak"
    engine = maak_engine(url, connect_args={"connect_timeout": 2})
    try:
        app = app_van(maak_omgeving(engine, klok), uitgever)
        r = vraag(app, "/ready")
        m = vraag(app, "/metrics")
    finally:
        engine.dispose()
    assert r.status_code == 503, r.text
    assert r.json()["mislukt"] == ["database", "schema"]
    assert r.json()["controles"]["database"] == "niet bereikbaar"
    assert m.status_code == 503
    for tekst in (r.text, m.text):
        assert "geheim-db-wachtwoord" not in tekst
        assert "psycopg" not in tekst


# -- metrics --------------------------------------------------------------------------------------------------


def test_metrics_tellen_mee_en_noemen_geen_casus(
    omg: Omgeving, klok: Klok, uitgever: Uitgever, prefect_uit: None
) -> None:
    app = app_van(omg, uitgever)
    leeg = metrieken(vraag(app, "/metrics").text)
    assert set(leeg) == {naam for naam, _ in gezondheid.METRIEKEN.values()}
    assert set(leeg.values()) == {0}

    # A signal registered, not yet processed.
    signaal = registreer(omg, lees_signaal(signaal_document())).signaal_ref
    waarden = metrieken(vraag(app, "/metrics").text)
    assert waarden["aanpak_signalen_niet_verwerkt"] == 1
    assert waarden["aanpak_herstel_achterstand"] == 0
    klok.verder(minutes=6)  # now a lost run is suspected
    assert metrieken(vraag(app, "/metrics").text)["aanpak_herstel_achterstand"] == 1

    casus = verwerk_signaal(omg, signaal).casus_ref
    genomen = neem_besluit(
        omg, BesluitIn(casus_ref=casus, stap="interne_weging", uitkomst="eigen_ondersteuning"), als(SCHOOL)
    )
    waarden = metrieken(vraag(app, "/metrics").text)
    assert waarden["aanpak_signalen_niet_verwerkt"] == 0
    assert waarden["aanpak_besluiten_niet_toegepast"] == 1
    assert waarden["aanpak_meldingen_onbezorgd"] >= 1  # the case's opening told its partners (outbox)
    assert waarden["aanpak_stappen_te_laat"] == 0

    pas_besluit_toe(omg, genomen.besluit_ref)
    klok.verder(days=60)  # far past every term of the open steps
    waarden = metrieken(vraag(app, "/metrics").text)
    assert waarden["aanpak_besluiten_niet_toegepast"] == 0
    assert waarden["aanpak_stappen_te_laat"] >= 1

    for pad in ("/metrics", "/ready", "/health"):
        tekst = vraag(app, pad).text
        for s in SENTINELS:
            assert s not in tekst, (pad, s)
        for ref in (casus, signaal, genomen.besluit_ref):
            assert ref not in tekst, (pad, ref)


def test_metrics_zonder_token_alleen_loopback_en_niet_via_een_proxy(
    omg: Omgeving, uitgever: Uitgever, prefect_uit: None
) -> None:
    app = app_van(omg, uitgever)
    assert vraag(app, "/metrics").status_code == 200
    assert vraag(app, "/metrics", client=("::1", 50000)).status_code == 200
    assert vraag(app, "/metrics", client=("10.1.2.3", 50000)).status_code == 403
    doorgestuurd = vraag(app, "/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert doorgestuurd.status_code == 403
    assert "AANPAK_METRICS_TOKEN" in doorgestuurd.json()["detail"]
    # A proxy on the same host that adds only Via or X-Forwarded-Proto (nginx's proxy_pass adds neither of the
    # others by default) is a proxy all the same.
    assert vraag(app, "/metrics", headers={"Via": "1.1 nginx"}).status_code == 403
    assert vraag(app, "/metrics", headers={"X-Forwarded-Proto": "https"}).status_code == 403
    # Liveness and readiness stay open to the load balancer.
    assert vraag(app, "/ready", client=("10.1.2.3", 50000)).status_code == 200


def test_metrics_met_token(
    omg: Omgeving, uitgever: Uitgever, prefect_uit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(gezondheid.METRICS_TOKEN, "s3cr3t-scrape-token")
    app = app_van(omg, uitgever)
    elders = ("10.1.2.3", 50000)
    for kop in ({}, {"Authorization": "Bearer fout"}, {"Authorization": "Basic czNjcjN0"}):
        r = vraag(app, "/metrics", client=elders, headers=kop)
        assert r.status_code == 401, kop
        assert r.headers["www-authenticate"] == "Bearer"
        assert "s3cr3t" not in r.text
    assert vraag(app, "/metrics").status_code == 401  # loopback too: the token, once set, is the rule
    goed = vraag(app, "/metrics", client=elders, headers={"Authorization": "Bearer s3cr3t-scrape-token"})
    assert goed.status_code == 200
    assert goed.headers["content-type"].startswith("text/plain")
    assert "aanpak_besluiten_niet_toegepast" in metrieken(goed.text)


def test_deploymentnamen_gelijk_aan_prefect_yaml() -> None:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert set(gezondheid.DEPLOYMENTS) == {d["name"] for d in spec["deployments"]}


# -- a worker stops by draining (ops/systemd/worker_afbouwen.py) ----------------------------------------------

#: Behaves like Prefect 3.9's worker on SIGTERM (measured, docs/operations.md): ignores it and keeps "polling";
#: its run is a process in its own session that finishes when the test releases it.
NEPWORKER = r"""
import os, signal, subprocess, sys, time
from pathlib import Path
map_ = Path(sys.argv[1])
signal.signal(signal.SIGTERM, lambda *_: (map_ / "worker-kreeg-term").touch())
run = subprocess.Popen(
    [sys.executable, "-c",
     "import sys, time; from pathlib import Path; m = Path(sys.argv[1]); (m / 'run-loopt').touch()\n"
     "while not (m / 'los').exists(): time.sleep(0.05)\n"
     "(m / 'run-klaar').touch()", str(map_)],
    start_new_session=True,
)
(map_ / "worker.pid").write_text(str(os.getpid()))
while True:
    (map_ / "polls").write_text(str(time.monotonic()))  # a worker that still runs keeps writing this
    time.sleep(0.05)
"""


def _wacht_tot(voorwaarde: Any, waarop: str) -> None:
    import time

    grens = time.monotonic() + wachttijden.PROCES
    while not voorwaarde():
        assert time.monotonic() < grens, f"wacht te lang op: {waarop}"
        time.sleep(0.05)


def test_worker_afbouwen_neemt_niets_nieuws_en_wacht_op_lopende_runs(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    wrapper = subprocess.Popen(
        [sys.executable, str(ROOT / "ops/systemd/worker_afbouwen.py"), sys.executable, "-c", NEPWORKER, str(tmp_path)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wacht_tot(lambda: (tmp_path / "run-loopt").exists() and (tmp_path / "worker.pid").exists(), "de run")
        worker_pid = int((tmp_path / "worker.pid").read_text())
        wrapper.send_signal(signal.SIGTERM)
        # The worker is stopped at once (it would have ignored SIGTERM): no more polling, no new runs …
        _wacht_tot(lambda: not Path(f"/proc/{worker_pid}").exists(), "het einde van de worker")
        assert not (tmp_path / "worker-kreeg-term").exists()  # SIGTERM went to the wrapper only
        # … while the run in flight goes on, and the wrapper waits for it.
        assert wrapper.poll() is None
        assert not (tmp_path / "run-klaar").exists()
        (tmp_path / "los").touch()
        _, fout = wrapper.communicate(timeout=wachttijden.PROCES)
        assert wrapper.returncode == 0, fout
        assert (tmp_path / "run-klaar").exists()
        assert "1 flow-run-proces(sen) afgewacht" in fout
    finally:
        if wrapper.poll() is None:
            os.kill(wrapper.pid, signal.SIGKILL)
            wrapper.wait()
