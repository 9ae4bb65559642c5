"""What happens after a coordinator's request is stored: the transition that follows it, run through Prefect.

The CLI writes through the use cases, then hands the opaque reference here. Three ways to run a transition,
chosen by configuration, with the same outcome because every transition is idempotent:

- ``AANPAK_PREFECT=false``: call the use case directly (a bare machine without Prefect; benchmarks' baseline);
- default: run the flow in this process, against ``PREFECT_API_URL`` or, when that is unset, the embedded
  default's local Prefect server under the data folder (``aanpak/prefect_lokaal.py``; never the ephemeral mode);
- ``AANPAK_DEPLOYMENTS=true`` with ``PREFECT_API_URL`` set: create a deployment run for a worker and wait for it.

When Prefect does not answer (down, slow, 5xx), the request is already stored (the use case committed before
the transition): the coordinator gets ``PrefectNietBereikbaar`` naming the stored reference (exit 1), and the
recovery (``aanpak herstel``, the termijnbewaking) applies the transition once Prefect is back.
"""

from __future__ import annotations

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


class NogBezig(Exception):
    """The deployment run was created but has not finished yet; the worker will complete it."""

    def __init__(self, run_naam: str) -> None:
        super().__init__(f"de overgang wordt nog verwerkt door Prefect (run '{run_naam}')")


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


def _als_deployment(naam: str, tags: list[str], **parameters: str) -> None:
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    run = run_deployment(naam, parameters=parameters, tags=tags, timeout=WACHTTIJD_SECONDEN, as_subflow=False)
    assert isinstance(run, FlowRun)  # sync context: run_deployment returns the run, not a coroutine
    if run.state is None or not run.state.is_final():
        raise NogBezig(run.name)
    if not run.state.is_completed():
        # The run's own message is PII-free (tasks re-raise without data); show it to the coordinator.
        from models.fouten import DomeinFout

        raise DomeinFout(f"de overgang is mislukt in Prefect run '{run.name}': {run.state.message or run.state.name}")


def _voer_uit(
    omg: Omgeving,
    referentie: str,
    direct: Callable[[], T],
    flow_naam: str,
    flow: Callable[[], Callable[..., Any]],
    tags: list[str],
    **parameters: str,
) -> T:
    inst = instellingen()
    if not inst.prefect:
        return direct()
    if inst.deployments:
        with verbonden(referentie):
            _als_deployment(f"{flow_naam}/{flow_naam}", tags, **parameters)
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
        [f"casus:{casus_ref}"],
        casus_ref=casus_ref,
        overdracht_ref=overdracht_ref,
    )
