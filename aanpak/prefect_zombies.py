"""Transition runs whose process died: marked Crashed in Prefect, so that none stays "Running" forever.

An in-process transition run (``aanpak/uitvoering.py``) runs without heartbeats (they cost ~1 s per run), so
Prefect cannot notice when the CLI process is killed halfway. Each such run therefore records its runner in
the flow run's ``infrastructure_pid`` (``aanpak:<host>:<pid>:<process start>``, set when the run enters Running,
no personal data). Before a transition, on every recovery round (``aanpak herstel``, the termijnbewaking) and
when the local server starts, runs of this host still Pending/Running whose process is gone are set Crashed;
the recovery then applies the transition from the store (``aanpak/usecases/herstel.py``). The process start
time guards against a reused pid. Runs of other hosts are left alone: deployment runs keep their heartbeats.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

VOORVOEGSEL = "aanpak"
MELDING = "Het proces van deze overgang is gestopt; het herstel past de overgang toe vanuit de casusopslag."


def _starttijd(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), or '0' where /proc is absent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return "0"
    return stat.rsplit(")", 1)[1].split()[19]  # field 22; the command name (field 2) may contain spaces


def merkteken(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{VOORVOEGSEL}:{socket.gethostname()}:{pid}:{_starttijd(pid)}"


def leeft(teken: str) -> bool | None:
    """Is the runner named by ``teken`` alive? None when it is not ours or not on this host (unknown)."""
    delen = teken.split(":")
    if len(delen) != 4 or delen[0] != VOORVOEGSEL or delen[1] != socket.gethostname():
        return None
    pid = int(delen[2])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return delen[3] == "0" or _starttijd(pid) == delen[3]


def markeer_runner(_flow: Any, flow_run: Any, _state: Any) -> None:
    """``on_running`` hook: record this process as the run's runner."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        client.update_flow_run(flow_run_id=flow_run.id, infrastructure_pid=merkteken())


@contextmanager
def _verbonden() -> Iterator[bool]:
    """The configured Prefect API, else the embedded default's server if it runs; never starts one."""
    from prefect.settings import get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield True
        return
    from aanpak.prefect_lokaal import bekend

    verbinding = bekend()
    if verbinding is None:
        yield False
        return
    with temporary_settings(updates={"api.url": verbinding.api_url, "api.auth_string": verbinding.auth}):
        yield True


def ruim_op(tag: str | None = None) -> list[str]:
    """Set this host's dead in-process runs (optionally only those with ``tag``) Crashed; returns their names.

    Never fails the caller: when Prefect cannot be asked, nothing is marked and the next round tries again.
    """
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    gemarkeerd: list[str] = []
    try:
        with _verbonden() as er_is_prefect:
            if not er_is_prefect:
                return []
            filter_ = FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING])),
                tags=FlowRunFilterTags(all_=[tag]) if tag else None,
            )
            with get_client(sync_client=True) as client:
                for run in client.read_flow_runs(flow_run_filter=filter_, limit=200):
                    if run.infrastructure_pid and leeft(run.infrastructure_pid) is False:
                        client.set_flow_run_state(run.id, Crashed(message=MELDING), force=True)
                        gemarkeerd.append(run.name)
    except Exception as exc:  # Prefect away or refusing: recovery of the store must go on regardless
        logger.warning("Zombie-runs niet nagekeken (%s)", type(exc).__name__)
    for naam in gemarkeerd:
        logger.warning("Run %s: proces gestopt, gemarkeerd als Crashed", naam)
    return gemarkeerd


#: The transition flows, whatever starts them (in process, a deployment run, a task worker).
OVERGANGSFLOWS = ("signaal-ontvangen", "stap-afgerond", "regie-overgedragen")
#: The tag of the background transition tasks (flows/overgangen.py).
OVERGANGSTAG = "overgang"
VASTGELOPEN = (
    "Deze overgang is niet binnen de termijn afgemaakt (worker gestopt of geen worker beschikbaar); "
    "het herstel past de overgang toe vanuit de casusopslag."
)


def _niet_levend(teken: str | None) -> bool:
    """No runner recorded, a dead one, or one on another host (whose liveness we cannot see)."""
    return not teken or leeft(teken) is not True


def ruim_vastgelopen_op(ouder_dan: timedelta) -> list[str]:
    """Transition runs still Scheduled/Pending/Running after ``ouder_dan``: Crashed, with a Dutch message.

    A transition takes seconds; one that is not final after ``ouder_dan`` lost its worker (``kill -9``), was
    handed to a worker that died before it started, or no worker takes it. A run whose runner still lives on this
    host is left alone. The recovery (``herstel.onafgemaakt``) applies the transition from the store; a run
    marked here that a worker still picks up later runs an idempotent transition and changes nothing.
    Never fails the caller; returns the names of the runs it marked.
    """
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
        FlowRunFilterParentTaskRunId,
        FlowRunFilterState,
        FlowRunFilterStateType,
        TaskRunFilter,
        TaskRunFilterState,
        TaskRunFilterStateType,
        TaskRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    open_ = [StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING]
    grens = datetime.now(UTC) - ouder_dan
    gemarkeerd: list[str] = []
    try:
        with _verbonden() as er_is_prefect:
            if not er_is_prefect:
                return []
            with get_client(sync_client=True) as client:
                runs = client.read_flow_runs(
                    flow_filter=FlowFilter(name=FlowFilterName(any_=list(OVERGANGSFLOWS))),
                    flow_run_filter=FlowRunFilter(
                        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=open_)),
                        expected_start_time=FlowRunFilterExpectedStartTime(before_=grens),
                    ),
                    limit=200,
                )
                for run in runs:
                    if _niet_levend(run.infrastructure_pid):
                        client.set_flow_run_state(run.id, Crashed(message=VASTGELOPEN), force=True)
                        gemarkeerd.append(run.name)
                taken = client.read_task_runs(
                    task_run_filter=TaskRunFilter(
                        tags=TaskRunFilterTags(all_=[OVERGANGSTAG]),
                        state=TaskRunFilterState(type=TaskRunFilterStateType(any_=open_)),
                    ),
                    limit=200,
                )
                for taak in taken:
                    moment = taak.expected_start_time or taak.created
                    if moment is None or moment > grens:
                        continue
                    kinderen = client.read_flow_runs(
                        flow_run_filter=FlowRunFilter(parent_task_run_id=FlowRunFilterParentTaskRunId(any_=[taak.id])),
                        limit=5,
                    )
                    if any(not _niet_levend(k.infrastructure_pid) for k in kinderen):
                        continue
                    client.set_task_run_state(taak.id, Crashed(message=VASTGELOPEN), force=True)
                    gemarkeerd.append(taak.name)
    except Exception as exc:  # Prefect away or refusing: recovery of the store must go on regardless
        logger.warning("Vastgelopen runs niet nagekeken (%s)", type(exc).__name__)
    for naam in gemarkeerd:
        logger.warning("Run %s: niet afgemaakt, gemarkeerd als Crashed", naam)
    return gemarkeerd
