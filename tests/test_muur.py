"""Prefect behind the wall, and keys that fail closed (issue 10 §5).

- A host without configured keys outside the embedded default refuses to start, and generates nothing.
- The embedded default's data folder is 0700, its key files and the SQLite store with its -wal/-shm 0600.
- The work pool's template (ops/werkpool.json) lets no run or deployment set the command, the environment or the
  folder: a real Prefect server refuses such a run (422), and the worker's resolved configuration ignores it.
- No deployment takes a file path or a switch that changes what a run does; a transition run with a forged
  reference finds nothing to apply.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import get_client
from prefect.client.schemas.actions import DeploymentUpdate, WorkPoolCreate
from prefect.exceptions import PrefectHTTPStatusError
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from aanpak.cli.main import app
from aanpak.config import Instellingen
from aanpak.crypto import SleutelsOntbreken
from aanpak.omgeving import Omgeving, bouw, sleutelring, zet_standaard
from aanpak.store.db import maak_engine
from aanpak.store.schema import Besluit, Historie, StapInstantie
from models.fouten import DomeinFout
from tests.conftest import TEST_SLEUTELS

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bestaat_niet_nodig"
HMAC_B64 = "aGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGg="  # 32 bytes "h"


def modus(pad: Path) -> int:
    return stat.S_IMODE(pad.stat().st_mode)


@pytest.fixture
def schone_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for naam in list(os.environ):
        if naam.startswith("AANPAK_"):
            monkeypatch.delenv(naam)
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    from aanpak.config import instellingen

    instellingen.cache_clear()
    zet_standaard(None)
    yield tmp_path / "data"
    zet_standaard(None)
    instellingen.cache_clear()


# -- keys fail closed ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PG_URL, "sqlite:////tmp/ergens-anders/aanpak.db"], ids=["postgresql", "sqlite-elders"])
def test_buiten_de_ingebedde_standaard_weigert_een_host_zonder_sleutels(tmp_path: Path, url: str) -> None:
    inst = Instellingen(data_dir=tmp_path / "data", database_url=url)
    assert not inst.ingebed
    with pytest.raises(SleutelsOntbreken) as info:
        bouw(inst)  # refused before the store is touched (this URL's database does not even exist)
    assert isinstance(info.value, DomeinFout)
    assert info.value.veld == "AANPAK_SLEUTELS en AANPAK_HMAC_SLEUTEL"
    assert "geen sleutels ingesteld" in info.value.melding
    assert not (tmp_path / "data").exists()  # no key files, not even the folder

    # One of the two configured is not enough; the message names only what is missing, never a value.
    half = Instellingen(data_dir=tmp_path / "data", database_url=url, sleutels=TEST_SLEUTELS)
    with pytest.raises(SleutelsOntbreken) as info:
        sleutelring(half)
    assert info.value.veld == "AANPAK_HMAC_SLEUTEL"
    assert TEST_SLEUTELS.split(":")[1] not in str(info.value)
    assert not (tmp_path / "data").exists()

    # Configured keys: accepted, nothing generated.
    ring = sleutelring(Instellingen(data_dir=tmp_path / "data", database_url=url, sleutels=TEST_SLEUTELS,
                                    hmac_sleutel=HMAC_B64))  # fmt: skip
    assert ring.hmac_sleutel == b"h" * 32
    assert not (tmp_path / "data").exists()


def test_de_ingebedde_standaard_met_expliciete_url_blijft_ingebed(tmp_path: Path) -> None:
    inst = Instellingen(data_dir=tmp_path, database_url=f"sqlite:///{(tmp_path / 'aanpak.db').resolve()}")
    assert inst.ingebed


def test_de_cli_weigert_zonder_sleutels_met_een_duidelijke_melding(schone_env: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("AANPAK_DATA_DIR", str(schone_env))
    monkeypatch.setenv("AANPAK_DATABASE_URL", PG_URL)
    uit = CliRunner().invoke(app, ["audit", "verifieer"])
    assert uit.exit_code == 1, uit.output
    assert "Geweigerd" in uit.output
    assert "AANPAK_HMAC_SLEUTEL" in uit.output
    assert "Traceback" not in uit.output
    assert not schone_env.exists()


def test_verse_datamap_is_0700_en_sleutels_en_opslag_0600(schone_env: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("AANPAK_DATA_DIR", str(schone_env))
    oud = os.umask(0o022)  # a usual umask: the modes must not depend on a strict one
    try:
        omg = bouw()
        with omg.engine.begin() as conn:  # a write, so that the WAL and shared-memory files exist
            conn.execute(text("UPDATE logboek_kop SET laatste_volgnummer = laatste_volgnummer"))
        db = schone_env / "aanpak.db"
        assert modus(schone_env) == 0o700
        assert modus(schone_env / "sleutels") == 0o700
        assert modus(schone_env / "sleutels" / "sleutels") == 0o600
        assert modus(schone_env / "sleutels" / "hmac-sleutel") == 0o600
        for pad in (db, db.with_name("aanpak.db-wal"), db.with_name("aanpak.db-shm")):
            assert pad.exists(), pad.name
            assert modus(pad) == 0o600, pad.name
        omg.engine.dispose()

        # An existing installation with lax modes is tightened at the next start.
        schone_env.chmod(0o755)
        db.chmod(0o644)
        (schone_env / "sleutels" / "hmac-sleutel").chmod(0o644)
        bouw().engine.dispose()
        assert (modus(schone_env), modus(db), modus(schone_env / "sleutels" / "hmac-sleutel")) == (0o700, 0o600, 0o600)
    finally:
        os.umask(oud)


def test_maak_engine_maakt_een_nieuw_sqlite_bestand_0600(tmp_path: Path) -> None:
    oud = os.umask(0o022)
    try:
        engine = maak_engine(f"sqlite:///{tmp_path / 'nieuw' / 'x.db'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert modus(tmp_path / "nieuw") == 0o700
        assert {p.name: modus(p) for p in (tmp_path / "nieuw").iterdir()} == {
            "x.db": 0o600,
            "x.db-wal": 0o600,
            "x.db-shm": 0o600,
        }
        engine.dispose()
    finally:
        os.umask(oud)


# -- the work pool: no run chooses what the worker executes ----------------------------------------------------

SJABLOON = json.loads((ROOT / "ops" / "werkpool.json").read_text(encoding="utf-8"))
OVERSCHRIJVINGEN: dict[str, Any] = {
    "command": "touch /tmp/pwned",
    "env": {"PYTHONSTARTUP": "/tmp/pwned.py"},
    "working_dir": "/tmp",
}


def test_up_sh_maakt_de_werkpool_met_dit_sjabloon() -> None:
    up = (ROOT / "ops" / "up.sh").read_text(encoding="utf-8")
    assert "work-pool create aanpak --type process --base-job-template ops/werkpool.json --overwrite" in up
    assert SJABLOON["variables"]["additionalProperties"] is False
    assert SJABLOON["variables"]["properties"] == {}
    assert not {"command", "env", "working_dir"} & set(SJABLOON["job_configuration"])


def _deployment(client: Any, pool: str, sjabloon: dict[str, Any]) -> Any:
    client.create_work_pool(WorkPoolCreate(name=pool, type="process", base_job_template=sjabloon), overwrite=True)
    flow_id = client.create_flow_from_name("muur-proef")
    return client.create_deployment(
        flow_id=flow_id, name=pool, work_pool_name=pool, entrypoint="flows/termijnbewaking.py:termijnbewaking"
    )


@pytest.mark.prefect
def test_de_werkpool_weigert_runs_die_commando_omgeving_of_map_kiezen(prefect_server: str) -> None:
    with get_client(sync_client=True) as client:
        dep = _deployment(client, "aanpak-muur", SJABLOON)
        gewoon = client.create_flow_run_from_deployment(dep)  # a run that chooses nothing is fine
        assert gewoon.deployment_id == dep
        for sleutel, waarde in OVERSCHRIJVINGEN.items():
            with pytest.raises(PrefectHTTPStatusError) as info:
                client.create_flow_run_from_deployment(dep, job_variables={sleutel: waarde})
            assert info.value.response.status_code == 422, sleutel
            assert "additional" in info.value.response.text.lower(), sleutel
        # Prefect 3.9 does accept them on a deployment update (it validates only when the pool changes), but then
        # refuses every run of that deployment; and the worker ignores them (next test).
        client.update_deployment(dep, DeploymentUpdate(job_variables={"command": "touch /tmp/pwned"}))
        with pytest.raises(PrefectHTTPStatusError) as info:
            client.create_flow_run_from_deployment(dep)
        assert info.value.response.status_code == 422

        # Control: Prefect's default process template accepts the very same override (the wall is ours).
        standaard = _deployment(client, "standaard-proef", ProcessWorker.get_default_base_job_template())
        open_run = client.create_flow_run_from_deployment(standaard, job_variables={"command": "touch /tmp/pwned"})
        assert open_run.job_variables == {"command": "touch /tmp/pwned"}


async def _los_op(sjabloon: dict[str, Any]) -> ProcessJobConfiguration:
    """The job configuration a process worker resolves for a run carrying ``OVERSCHRIJVINGEN``."""
    config = await ProcessJobConfiguration.from_template_and_values(sjabloon, dict(OVERSCHRIJVINGEN))
    assert isinstance(config, ProcessJobConfiguration)
    return config


@pytest.mark.prefect
def test_de_worker_negeert_overschrijvingen_ook_als_ze_binnenkwamen(prefect_server: str) -> None:
    """Defence in depth: the configuration the worker resolves from our template keeps its own command (the
    worker's default: run the flow), no extra environment and no chosen folder, whatever the values say."""
    config = asyncio.run(_los_op(SJABLOON))
    assert config.command is None
    assert config.env == {}
    assert config.working_dir is None
    # Control: Prefect's default template takes each of them.
    open_ = asyncio.run(_los_op(ProcessWorker.get_default_base_job_template()))
    assert open_.command == "touch /tmp/pwned"
    assert open_.env == {"PYTHONSTARTUP": "/tmp/pwned.py"}
    assert open_.working_dir == Path("/tmp")


# -- deployments: opaque references only, no file path, no switch ----------------------------------------------

#: What each deployment's flow may take: references (and one harmless switch of the dashboard's calendar).
TOEGESTAAN = {
    "signaal-ontvangen": {"signaal_ref"},
    "stap-afgerond": {"casus_ref", "stap", "besluit_ref"},
    "regie-overgedragen": {"casus_ref", "overdracht_ref"},
    "termijnbewaking": set(),
    "meldingen-versturen": set(),
    "bewaring": set(),
    "rapportage": {"ook_op_vrije_dagen"},
}


def test_geen_deployment_neemt_een_pad_of_een_schakelaar() -> None:
    from prefect.flows import Flow, load_flow_from_entrypoint
    from prefect.utilities.callables import parameter_schema

    definitie = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    namen = set()
    for dep in definitie["deployments"]:
        namen.add(dep["name"])
        assert not dep.get("parameters"), dep["name"]
        assert not dep["work_pool"].get("job_variables"), dep["name"]
        bestand, functie = dep["entrypoint"].split(":")
        flow: Flow[..., Any] = load_flow_from_entrypoint(f"{ROOT / bestand}:{functie}")
        parameters = set(parameter_schema(flow).properties)
        assert parameters == TOEGESTAAN[dep["name"]], dep["name"]
    assert namen == set(TOEGESTAAN)


@pytest.mark.prefect
def test_een_vervalst_besluit_vindt_niets_om_toe_te_passen(
    prefect_server: str, omg: Omgeving, flows_in_proces: None
) -> None:
    from flows.stap_afgerond import stap_afgerond
    from tests.gegevens import signaleer

    casus_ref = signaleer(omg).casus_ref

    def stand() -> tuple[int, int, list[str]]:
        with omg.uow() as s:
            return (
                s.scalar(select(func.count()).select_from(Besluit)) or 0,
                s.scalar(select(func.count()).select_from(Historie)) or 0,
                sorted(f"{st.stap_key}:{st.status}" for st in s.scalars(select(StapInstantie))),
            )

    voor = stand()
    zet_standaard(omg)
    try:
        state = stap_afgerond(casus_ref, "interne_weging", "B-VERVALST", return_state=True)
    finally:
        zet_standaard(None)
    assert state.is_failed()
    with pytest.raises(DomeinFout, match="bestaat niet"):
        state.result()
    assert stand() == voor  # nothing decided, nothing applied, nothing written


@pytest.mark.prefect
def test_een_pauze_is_een_handeling_van_de_beheerder_zichtbaar_in_de_events(prefect_server: str) -> None:
    """Pausing a deployment (its schedules stop) is recorded by Prefect as an event naming the changed field."""
    import time

    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    with get_client(sync_client=True) as client:
        dep = _deployment(client, "pauze-proef", SJABLOON)
        client.pause_deployment(dep)
        filter_ = EventFilter(
            event=EventNameFilter(name=["prefect.deployment.updated"]),
            resource=EventResourceFilter(id=[f"prefect.deployment.{dep}"]),
        )
        uiterlijk = time.monotonic() + 120  # events are persisted asynchronously: wait generously
        gevonden: list[Any] = []
        while not gevonden and time.monotonic() < uiterlijk:
            gevonden = [
                e for e in client.read_events(filter_, limit=50).events if "paused" in e.payload["updated_fields"]
            ]
            time.sleep(0.5)
    assert gevonden
    assert gevonden[0].payload["updates"]["paused"]["to"] is True
