"""How transition tasks behave under Prefect: no results or cache stored, retries only for transient faults.

Nothing a task returns or raises may carry personal data, because Prefect stores states, messages and logs
for every UI user. Results are not persisted (only references are returned anyway), and unexpected errors are
re-raised as ``Storing`` with just the exception type, so no driver message or SQL parameter reaches Prefect.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import httpx
from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import exponential_backoff
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from models.fouten import DomeinFout

P = ParamSpec("P")
R = TypeVar("R")


class Storing(Exception):
    """A transient fault (database away, endpoint down): retried with backoff, then the run fails."""


class Fout(Exception):
    """An unexpected error, reported by type only (its message might hold data we must not show)."""


_TIJDELIJK: tuple[type[BaseException], ...] = (
    Storing,
    OperationalError,
    PoolTimeout,
    ConnectionError,
    TimeoutError,
    httpx.TransportError,
)


def is_tijdelijk(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _TIJDELIJK)


def alleen_tijdelijk(_task: Task[..., Any], _run: TaskRun, state: State[Any]) -> bool:
    """retry_condition_fn: retry transient faults; validation and conflicts are final."""
    try:
        state.result()
    except BaseException as exc:
        return is_tijdelijk(exc)
    return False


def veilig(functie: Callable[P, R]) -> Callable[P, R]:
    """Domain errors pass unchanged (their messages are PII-free by design); others lose their message."""

    @functools.wraps(functie)
    def omhulsel(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return functie(*args, **kwargs)
        except DomeinFout:
            raise
        except BaseException as exc:
            if is_tijdelijk(exc):
                raise Storing(f"tijdelijke storing ({type(exc).__name__}); wordt opnieuw geprobeerd") from None
            raise Fout(f"onverwachte fout ({type(exc).__name__})") from None

    return omhulsel


def transitietaak(functie: Callable[P, R]) -> Task[P, R]:
    """A thin, idempotent task around a use case (safe to retry: the use cases are idempotent)."""
    maak: Callable[[Callable[P, R]], Task[P, R]] = task(
        name=functie.__name__.replace("_", "-"),
        persist_result=False,
        cache_policy=NO_CACHE,
        retries=4,
        retry_delay_seconds=exponential_backoff(backoff_factor=0.5),
        retry_jitter_factor=0.5,
        retry_condition_fn=alleen_tijdelijk,
        log_prints=False,
    )
    return maak(veilig(functie))
