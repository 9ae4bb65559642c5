"""Deferred deliveries get one planned retry run, not an empty run every minute (issue 12 §5).

A transition whose notifications cannot be delivered (the receiver refuses connections) delivers inside its own
run, finds rows deferred and schedules ONE run of the ``meldingen-versturen`` deployment for the earliest
retry, named after that moment. A second transition with rows still waiting plans no second run for the same
minute; without the deployment nothing is planned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId, FlowRunFilter
from prefect.client.schemas.objects import FlowRun

from aanpak import uitvoering
from aanpak.config import instellingen
from aanpak.omgeving import Omgeving, nu_utc, zet_standaard
from models.signaal import lees_signaal
from tests.gegevens import registreer, signaal_document
from tests.ontvangers import vrije_poort

pytestmark = pytest.mark.prefect


@pytest.fixture
def echte_tijd(omg: Omgeving, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Omgeving]:
    """Real time (the planned run is scheduled in Prefect's time) and a channel nobody answers on."""
    monkeypatch.setenv("AANPAK_PREFECT", "true")
    monkeypatch.setenv("AANPAK_DEPLOYMENTS", "false")
    kanalen = tmp_path / "k.yaml"
    kanalen.write_text(f'urls:\n  - "json://127.0.0.1:{vrije_poort()}/x":\n      tag: alle\n', encoding="utf-8")
    monkeypatch.setenv("AANPAK_KANALEN", str(kanalen))
    instellingen.cache_clear()
    echt = dataclasses.replace(omg, klok=nu_utc)
    zet_standaard(echt)
    yield echt
    zet_standaard(None)
    instellingen.cache_clear()


@pytest.fixture
def deployment(prefect_server: str) -> Iterator[UUID]:
    """The ``meldingen-versturen`` deployment as ``make up`` creates it (no worker needed: runs stay Scheduled)."""
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("meldingen-versturen")
        deployment_id = client.create_deployment(flow_id=flow_id, name="meldingen-versturen")
    yield deployment_id
    with get_client(sync_client=True) as client:
        client.delete_deployment(deployment_id)


def geplande_runs(deployment_id: UUID) -> list[FlowRun]:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(),
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
        )


def registreer_als_school(omg: Omgeving, sleutel: str, voornamen: str) -> str:
    document = signaal_document(bsn=None, voornamen=voornamen, sleutel=sleutel)
    return registreer(omg, lees_signaal(document)).signaal_ref


def test_uitgestelde_bezorging_plant_een_herhaling(echte_tijd: Omgeving, deployment: UUID) -> None:
    uitvoering.na_signaal(echte_tijd, registreer_als_school(echte_tijd, "herhaling-0001", "Noor"))
    runs = geplande_runs(deployment)
    assert len(runs) == 1
    assert runs[0].state is not None
    assert runs[0].state.is_scheduled()
    assert runs[0].name.startswith("meldingen · herhaling ")

    uitvoering.na_signaal(echte_tijd, registreer_als_school(echte_tijd, "herhaling-0002", "Sem"))
    assert [r.id for r in geplande_runs(deployment)] == [runs[0].id]
