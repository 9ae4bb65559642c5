"""How a transition run presents itself to managers: its tags, its name and a final state saying what next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.objects import State
from prefect.runtime import flow_run
from prefect.states import Completed

from aanpak.usecases.casusbeeld import Casusbeeld
from models.kalender import AMSTERDAM


def geplande_naam(soort: str) -> Callable[[], str]:
    """``flow_run_name`` of a scheduled flow: what it is and the moment it was planned for, Amsterdam time.

    "termijnbewaking · 01-12 14:15" in the managers' Runs list instead of a random "cherubic-badger". The
    moment is the run's expected start (the schedule's slot; for a run started by hand, its start).
    """

    def naam() -> str:
        moment: datetime = flow_run.get_scheduled_start_time()
        return f"{soort} · {moment.astimezone(AMSTERDAM):%d-%m %H:%M}"

    naam.__name__ = f"naam_{soort.replace('-', '_')}"
    return naam


def ave_tag(ave_fase: int | None) -> list[str]:
    """The tag of the AVE phase a decision set (``ave:2``), for the run that decided it; none otherwise."""
    return [] if ave_fase is None else [f"ave:{ave_fase}"]


def label_run(beeld: Casusbeeld, naam: str | None = None, besloten_ave: int | None = None) -> None:
    """Tag the current flow run with the case's references after the transition (UI filters on these).

    ``besloten_ave``: the AVE phase this run's decision set. The run then carries that phase's tag (``ave:2``)
    instead of the phase the case is in until the handoff to the new casusregie is accepted, so filtering on
    ``ave:2`` finds the run that decided AVE 2.
    """
    run_id = flow_run.get_id()
    if run_id is None:
        return
    beeld_tags = beeld.tags
    if besloten_ave is not None:
        beeld_tags = [t for t in beeld_tags if not t.startswith("ave:")] + ave_tag(besloten_ave)
    tags = sorted({*(flow_run.get_tags() or []), *beeld_tags})
    with get_client(sync_client=True) as client:
        client.update_flow_run(flow_run_id=UUID(run_id), tags=tags, name=naam)


def eindstand(beeld: Casusbeeld, resultaat: Any) -> State[Any]:
    """Completed, named after what the case now waits for ("Wacht op casusoverleg — wijkteam — …")."""
    return Completed(name=beeld.wacht_op[:100], message=beeld.beschrijving, data=resultaat)
