"""Purging a deleted case from Prefect: its flow runs (with task runs, states and logs) and its artifacts.

Everything goes through the Prefect API, so it works the same against the embedded server and a production
server on PostgreSQL:

- flow runs tagged ``casus:<REF>``: deleting a flow run deletes its task runs, states and run inputs
  (database cascade); the server then deletes the run's logs in a background task;
- artifacts: every version of the case's keyed artifact (``casus-<ref>``) and any other artifact created by
  those runs; deleting the latest version also updates or removes the artifact collection row.

Events cannot be deleted through the API (Prefect 3.9 has no delete route for events). The events of the
deleted runs name the run (``C-… · stap``) and its tags — references, never personal data — and are removed by
Prefect's own retention (``PREFECT_SERVER_EVENTS_RETENTION_PERIOD``, see docs/bewaring.md).
"""

from __future__ import annotations

from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterTags,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.exceptions import ObjectNotFound
from pydantic import BaseModel, ConfigDict

from aanpak.usecases.casusbeeld import artefact_sleutel

#: Page size for reading what to delete (the API caps reads; we loop until nothing is left).
PAGINA = 200


class Opgeschoond(BaseModel):
    """What the purge deleted in Prefect (counts only)."""

    model_config = ConfigDict(frozen=True)

    flow_runs: int = 0
    artefacten: int = 0

    def als_dict(self) -> dict[str, int]:
        return {"flow_runs": self.flow_runs, "artefacten": self.artefacten}


def casus_tag(casus_ref: str) -> str:
    return f"casus:{casus_ref}"


def run_ids(casus_ref: str) -> list[UUID]:
    """The ids of the case's flow runs still in Prefect."""
    ids: list[UUID] = []
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[casus_tag(casus_ref)])),
                limit=PAGINA,
                offset=len(ids),
            )
            ids.extend(r.id for r in runs)
            if len(runs) < PAGINA:
                return ids


def schoon_casus_op(casus_ref: str) -> Opgeschoond:
    """Delete the case's artifacts and flow runs in Prefect; safe to repeat (what is gone is skipped)."""
    ids = run_ids(casus_ref)
    artefacten = 0
    with get_client(sync_client=True) as client:
        filters = [ArtifactFilter(key=ArtifactFilterKey(any_=[artefact_sleutel(casus_ref)]))]
        for i in range(0, len(ids), PAGINA):
            filters.append(ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids[i : i + PAGINA])))
        for artefact_filter in filters:
            while True:
                gevonden = client.read_artifacts(artifact_filter=artefact_filter, limit=PAGINA)
                for artefact in gevonden:
                    try:
                        client.delete_artifact(artefact.id)
                        artefacten += 1
                    except ObjectNotFound:
                        pass
                if len(gevonden) < PAGINA:
                    break
        runs = 0
        for run_id in ids:
            try:
                client.delete_flow_run(run_id)
                runs += 1
            except ObjectNotFound:
                pass
    return Opgeschoond(flow_runs=runs, artefacten=artefacten)


def resterende_logs(flow_run_ids: list[UUID]) -> int:
    """How many log lines of these (deleted) runs the server still holds; it deletes them in the background."""
    if not flow_run_ids:
        return 0
    with get_client(sync_client=True) as client:
        return len(
            client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=flow_run_ids)), limit=PAGINA)
        )
