"""The transitions as Prefect background tasks, for long-lived task workers (``flows/taakworker.py``).

With ``AANPAK_TAAKWORKERS=true`` the caller (``aanpak/uitvoering.py``) does not create a deployment run that a
process worker polls for and starts a fresh Python process for; it submits one of these tasks
(``task.delay(...)``). Prefect hands it over a websocket to one subscribed task worker, which runs it in a thread
of its own long-lived process: the task calls the same transition flow (``signaal-ontvangen``,
``stap-afgerond``, ``regie-overgedragen``), so managers see the same named, tagged run with the same artifact.

The wall (docs/toegang.md) holds: these tasks take opaque references only and derive their tags from them; there
is no command, environment, folder or file a run could choose; a forged reference is refused by the use case
like any unknown one. The task returns nothing, so the result the worker persists holds no data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect import tags, task
from prefect.cache_policies import NO_CACHE
from prefect.settings import temporary_settings

from aanpak import prefect_zombies

#: The tag on every background transition task run (the recovery sweep looks for runs with it).
TAG = "overgang"


@contextmanager
def _zonder_heartbeats() -> Iterator[None]:
    """A transition run lasts seconds and is watched by the worker's own sweep (runner pid, age, the store);
    Prefect's flow heartbeats would add about a second to every run. Set here, in the thread that runs it."""
    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield


#: No retries of the background task itself: its flow's tasks retry transient faults, and the recovery sweep
#: applies from the store what did not complete.
_OPTIES: dict[str, Any] = {"cache_policy": NO_CACHE, "log_prints": False, "tags": [TAG], "retries": 0}


def opslagfout() -> str | None:
    """Why the task-scheduling storage is unsafe, or None.

    Prefect's task worker unpickles each run's parameters from that storage (the record names its own
    serializer). A storage *block* is a document any Prefect API user can edit — point it at files of their own
    and a worker runs their code beside the keys. So only ``PREFECT_LOCAL_STORAGE_PATH`` (a setting of this
    process, a folder only the service user can write; a shared mount across hosts) is accepted.
    """
    from prefect.settings import get_current_settings

    if get_current_settings().tasks.scheduling.default_storage_block:
        return (
            "PREFECT_TASKS_SCHEDULING_DEFAULT_STORAGE_BLOCK is ingesteld: een opslagblok kan iedere gebruiker van de "
            "Prefect-API wijzigen; gebruik PREFECT_LOCAL_STORAGE_PATH (een map die alleen de dienstgebruiker "
            "kan schrijven, gedeeld tussen de hosts)"
        )
    return None


def _met_runner(flow: Any) -> Any:
    """The flow, recording this worker process as its runner (``prefect_zombies``: a dead one is swept)."""
    return flow.with_options(on_running=[prefect_zombies.markeer_runner])


@task(name="overgang-signaal", **_OPTIES)
def overgang_signaal(signaal_ref: str) -> None:
    from flows.signaal_ontvangen import signaal_ontvangen

    with _zonder_heartbeats():
        _met_runner(signaal_ontvangen)(signaal_ref=signaal_ref)


@task(name="overgang-besluit", **_OPTIES)
def overgang_besluit(casus_ref: str, stap: str, besluit_ref: str) -> None:
    from flows.stap_afgerond import stap_afgerond

    with tags(f"casus:{casus_ref}", f"stap:{stap}"), _zonder_heartbeats():
        _met_runner(stap_afgerond)(casus_ref=casus_ref, stap=stap, besluit_ref=besluit_ref)


@task(name="overgang-overdracht", **_OPTIES)
def overgang_overdracht(casus_ref: str, overdracht_ref: str) -> None:
    from flows.regie_overgedragen import regie_overgedragen

    with tags(f"casus:{casus_ref}"), _zonder_heartbeats():
        _met_runner(regie_overgedragen)(casus_ref=casus_ref, overdracht_ref=overdracht_ref)


#: Everything a task worker serves.
TAKEN = (overgang_signaal, overgang_besluit, overgang_overdracht)
