"""What happens after a coordinator's request is stored: the transition that follows it, run through Prefect.

The CLI writes through the use cases, then hands the opaque reference here. Three ways to run a transition,
chosen by configuration, with the same outcome because every transition is idempotent:

- ``AANPAK_PREFECT=false``: call the use case directly (a bare machine without Prefect; benchmarks' baseline);
- default: run the flow in this process, against ``PREFECT_API_URL`` or, when that is unset, the embedded
  default's local Prefect server under the data folder (``aanpak/prefect_lokaal.py``; never the ephemeral mode);
- ``AANPAK_DEPLOYMENTS=true`` with ``PREFECT_API_URL`` set: create a deployment run for a worker and wait for it;
- ``AANPAK_TAAKWORKERS=true`` with ``PREFECT_API_URL`` set: submit the transition as a Prefect background task
  (``flows/overgangen.py``, ``task.delay``) to the long-lived task workers (``flows/taakworker.py``) and wait
  for it — seconds instead of a process worker's poll and fresh Python process (docs/operations.md).

When Prefect does not answer (down, slow, 5xx), the request is already stored (the use case committed before
the transition): the coordinator gets ``PrefectNietBereikbaar`` naming the stored reference (exit 1), and the
recovery (``aanpak herstel``, the termijnbewaking) applies the transition once Prefect is back.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from aanpak import prefect_zombies
from aanpak.config import instellingen
from aanpak.omgeving import Omgeving, zet_standaard
from aanpak.usecases.besluit import BesluitToegepast, pas_besluit_toe
from aanpak.usecases.signaal import SignaalVerwerkt, verwerk_signaal

T = TypeVar("T")

#: How long the CLI waits for a deployment run before it says the transition is still being processed.
WACHTTIJD_SECONDEN = 120.0


#: Attempts and first pause of the caller's retries of a transient Prefect API error (500, 502, 503, timeouts).
POGINGEN = 4
EERSTE_PAUZE_SECONDEN = 0.5


class NogBezig(Exception):
    """The run was created but has not finished yet; the worker (or the recovery) will complete it."""

    def __init__(self, run_naam: str, referentie: str | None = None) -> None:
        self.referentie = referentie
        waarvan = f" van {referentie}" if referentie else ""
        super().__init__(f"de overgang{waarvan} wordt nog verwerkt door Prefect (run '{run_naam}')")


def _tijdelijk(exc: BaseException) -> bool:
    """A Prefect API fault worth another try: no answer, a timeout, or a 5xx."""
    from prefect.exceptions import PrefectHTTPStatusError

    if isinstance(exc, PrefectHTTPStatusError):
        return exc.response.status_code >= 500
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError | TimeoutError | ConnectionError)


def met_herhaling(referentie: str, actie: Callable[[], T]) -> T:
    """``actie`` with backoff and jitter on transient Prefect API faults; then ``PrefectNietBereikbaar``."""
    from models.fouten import PrefectNietBereikbaar

    for poging in range(POGINGEN):
        try:
            return actie()
        except Exception as exc:
            if not _tijdelijk(exc):
                raise
            if poging == POGINGEN - 1:
                raise PrefectNietBereikbaar(referentie) from None
            time.sleep(EERSTE_PAUZE_SECONDEN * 2**poging * (1 + random.random() / 2))
    raise AssertionError("onbereikbaar")  # pragma: no cover


@contextmanager
def _zonder_heartbeats() -> Iterator[None]:
    """In-process runs are short and watched by the caller; heartbeats would add ~1 s per run."""
    from prefect.settings import temporary_settings

    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield


@contextmanager
def verbonden(referentie: str) -> Iterator[None]:
    """Prefect settings for this block: ``PREFECT_API_URL`` if set, else the local server (started if needed).

    Raises ``PrefectNietBereikbaar`` (naming the stored ``referentie``) when the API does not answer its health
    check in ``AANPAK_PREFECT_BEREIKBAAR_SECONDEN`` or the local server does not start in time.
    """
    from prefect.settings import get_current_settings, temporary_settings

    from aanpak import prefect_lokaal
    from models.fouten import PrefectNietBereikbaar

    inst = instellingen()
    api = get_current_settings().api
    if api.url:
        auth = api.auth_string.get_secret_value() if api.auth_string else None
        if not prefect_lokaal.gezond(api.url, auth, timeout=inst.prefect_bereikbaar_seconden):
            raise PrefectNietBereikbaar(referentie)
        yield
        return
    try:
        verbinding = prefect_lokaal.zorg_voor_server(inst)
    except prefect_lokaal.PrefectStartFout:
        raise PrefectNietBereikbaar(referentie) from None
    with temporary_settings(updates={"api.url": verbinding.api_url, "api.auth_string": verbinding.auth}):
        yield


def _in_proces(omg: Omgeving, referentie: str, flow: Callable[..., Any], tags: list[str], **parameters: str) -> Any:
    from prefect import tags as prefect_tags
    from prefect.exceptions import PrefectHTTPStatusError

    from models.fouten import PrefectNietBereikbaar

    zet_standaard(omg)
    with verbonden(referentie), _zonder_heartbeats():
        casus_tag = next((t for t in tags if t.startswith("casus:")), None)
        if casus_tag:
            prefect_zombies.ruim_op(casus_tag)  # an earlier run of this case whose process died: Crashed
        try:
            with prefect_tags(*tags):
                return flow.with_options(on_running=[prefect_zombies.markeer_runner])(**parameters)  # type: ignore[attr-defined]
        except (httpx.HTTPError, PrefectHTTPStatusError):
            # Prefect went away or refused mid-run; the request is stored and recovery applies it (idempotent).
            raise PrefectNietBereikbaar(referentie) from None


def _als_deployment(referentie: str, naam: str, tags: list[str], **parameters: str) -> None:
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    def start() -> FlowRun:
        run = run_deployment(naam, parameters=parameters, tags=tags, timeout=WACHTTIJD_SECONDEN, as_subflow=False)
        assert isinstance(run, FlowRun)  # sync context: run_deployment returns the run, not a coroutine
        return run

    run = met_herhaling(referentie, start)
    if run.state is None or not run.state.is_final():
        raise NogBezig(run.name, referentie)
    if not run.state.is_completed():
        # The run's own message is PII-free (tasks re-raise without data); show it to the coordinator.
        from models.fouten import DomeinFout

        raise DomeinFout(f"de overgang is mislukt in Prefect run '{run.name}': {run.state.message or run.state.name}")


def _als_achtergrondtaak(referentie: str, taak_naam: str, **parameters: str) -> None:
    """Submit the transition to the task workers and wait for its final state (``NogBezig`` after the wait)."""
    from prefect.futures import PrefectDistributedFuture

    from flows import overgangen
    from models.fouten import DomeinFout

    fout = overgangen.opslagfout()
    if fout:
        raise DomeinFout(f"de overgang van {referentie} is vastgelegd maar niet doorgegeven: {fout}")
    taak = getattr(overgangen, taak_naam)
    toekomst: PrefectDistributedFuture[None] = met_herhaling(referentie, lambda: taak.delay(**parameters))
    try:
        toekomst.wait(timeout=WACHTTIJD_SECONDEN)
        staat = met_herhaling(referentie, lambda: toekomst.state)
    except Exception as exc:  # the task run exists and a worker (or the recovery) completes it
        if _tijdelijk(exc):
            raise NogBezig(str(toekomst.task_run_id), referentie) from None
        raise
    if not staat.is_final() or staat.is_crashed() or staat.is_cancelled():
        # Still waiting for a worker, or its worker died (the sweep marked it): the recovery applies it.
        raise NogBezig(str(toekomst.task_run_id), referentie)
    if not staat.is_completed():
        # The state's message is PII-free (tasks re-raise without data); show it to the coordinator.
        raise DomeinFout(f"de overgang van {referentie} is mislukt in Prefect: {staat.message or staat.name}")


def _voer_uit(
    omg: Omgeving,
    referentie: str,
    direct: Callable[[], T],
    flow_naam: str,
    flow: Callable[[], Callable[..., Any]],
    taak_naam: str,
    tags: list[str],
    **parameters: str,
) -> T:
    inst = instellingen()
    if not inst.prefect:
        return direct()
    if inst.taakworkers:
        with verbonden(referentie):
            _als_achtergrondtaak(referentie, taak_naam, **parameters)
        return direct()  # idempotent: the task worker applied it; this reads the outcome back
    if inst.deployments:
        with verbonden(referentie):
            _als_deployment(referentie, f"{flow_naam}/{flow_naam}", tags, **parameters)
        return direct()  # idempotent: the worker applied it; this reads the outcome back
    resultaat: T = _in_proces(omg, referentie, flow(), tags, **parameters)
    return resultaat


def na_signaal(omg: Omgeving, signaal_ref: str) -> SignaalVerwerkt:
    def flow() -> Callable[..., Any]:
        from flows.signaal_ontvangen import signaal_ontvangen

        return signaal_ontvangen

    return _voer_uit(
        omg,
        signaal_ref,
        lambda: verwerk_signaal(omg, signaal_ref),
        "signaal-ontvangen",
        flow,
        "overgang_signaal",
        [],
        signaal_ref=signaal_ref,
    )


def na_besluit(omg: Omgeving, besluit_ref: str, casus_ref: str, stap: str) -> BesluitToegepast:
    def flow() -> Callable[..., Any]:
        from flows.stap_afgerond import stap_afgerond

        return stap_afgerond

    return _voer_uit(
        omg,
        besluit_ref,
        lambda: pas_besluit_toe(omg, besluit_ref),
        "stap-afgerond",
        flow,
        "overgang_besluit",
        [f"casus:{casus_ref}", f"stap:{stap}"],
        casus_ref=casus_ref,
        stap=stap,
        besluit_ref=besluit_ref,
    )


def na_overdracht(omg: Omgeving, overdracht_ref: str, casus_ref: str) -> None:
    def flow() -> Callable[..., Any]:
        from flows.regie_overgedragen import regie_overgedragen

        return regie_overgedragen

    _voer_uit(
        omg,
        overdracht_ref,
        lambda: None,
        "regie-overgedragen",
        flow,
        "overgang_overdracht",
        [f"casus:{casus_ref}"],
        casus_ref=casus_ref,
        overdracht_ref=overdracht_ref,
    )
