"""How a transition run presents itself to managers: its tags, its name and a final state saying what next."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.objects import State
from prefect.runtime import flow_run
from prefect.states import Completed

from aanpak.usecases.casusbeeld import Casusbeeld


def label_run(beeld: Casusbeeld, naam: str | None = None) -> None:
    """Tag the current flow run with the case's references after the transition (UI filters on these)."""
    run_id = flow_run.get_id()
    if run_id is None:
        return
    tags = sorted({*(flow_run.get_tags() or []), *beeld.tags})
    with get_client(sync_client=True) as client:
        client.update_flow_run(flow_run_id=UUID(run_id), tags=tags, name=naam)


def eindstand(beeld: Casusbeeld, resultaat: Any) -> State[Any]:
    """Completed, named after what the case now waits for ("Wacht op casusoverleg — wijkteam — …")."""
    return Completed(name=beeld.wacht_op[:100], message=beeld.beschrijving, data=resultaat)
