"""A long-lived task worker for the transitions, with its own recovery sweep at all hours.

    python -m flows.taakworker [--limiet 4] [--herstel-interval 60] [--herstel-na 120]

(``ops/worker.sh`` starts it with the same settings as the CLI: ``PREFECT_API_URL``, ``AANPAK_DATABASE_URL``, the
keys.) It subscribes to the background transition tasks of ``flows/overgangen.py`` (Prefect's task worker,
``prefect.task_worker.serve``): Prefect hands each submitted task over a websocket to exactly one subscribed
worker, which runs it in a thread of this process — no poll interval, no fresh Python process per transition.
Several workers may run at once (on one or several hosts); every transition is idempotent and takes its locks in
the case store.

Every ``--herstel-interval`` seconds a thread of the worker runs one recovery round, whatever the hour:

1. transition runs of this host whose process died are set Crashed (``prefect_zombies.ruim_op``);
2. transition runs not final after ``--herstel-na`` seconds (their worker was killed, or no worker took them)
   are set Crashed (``prefect_zombies.ruim_vastgelopen_op``), unless their runner still lives on this host;
3. signals and decisions the store still has unapplied after ``--herstel-na`` seconds
   (``herstel.onafgemaakt``) are applied here, each as its own transition flow run.

Two workers' rounds at once apply nothing twice: the use cases lock the case and are idempotent.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Sequence
from datetime import timedelta

from aanpak import prefect_zombies
from aanpak.omgeving import standaard
from aanpak.usecases import herstel
from flows import overgangen

logger = logging.getLogger("aanpak.taakworker")


def herstelronde(ouder_dan: timedelta) -> tuple[int, int]:
    """One round (see the module doc); returns (runs marked, transitions applied). Never raises."""
    gemarkeerd = len(prefect_zombies.ruim_op()) + len(prefect_zombies.ruim_vastgelopen_op(ouder_dan))
    toegepast = 0
    try:
        onaf = herstel.onafgemaakt(standaard(), ouder_dan)
    except Exception as exc:  # the store away: the next round tries again
        logger.warning("Herstel: casusopslag niet bereikbaar (%s)", type(exc).__name__)
        return gemarkeerd, 0
    for signaal_ref in onaf.signalen:
        toegepast += _probeer(signaal_ref, lambda r=signaal_ref: overgangen.overgang_signaal.fn(r))
    for besluit_ref, casus_ref, stap in onaf.besluiten:
        toegepast += _probeer(
            besluit_ref, lambda b=besluit_ref, c=casus_ref, s=stap: overgangen.overgang_besluit.fn(c, s, b)
        )
    return gemarkeerd, toegepast


def _probeer(referentie: str, doe: object) -> int:
    assert callable(doe)
    logger.warning("Herstel: %s was nog niet toegepast; nu toegepast door deze worker", referentie)
    try:
        doe()
    except Exception as exc:  # one failing transition does not stop the round; the next round tries again
        logger.warning("Herstel van %s mislukt (%s)", referentie, type(exc).__name__)
        return 0
    return 1


def _herstellus(stop: threading.Event, interval: float, ouder_dan: timedelta) -> None:
    while not stop.wait(interval):
        try:
            herstelronde(ouder_dan)
        except Exception as exc:  # never let the sweep thread die
            logger.warning("Herstelronde mislukt (%s)", type(exc).__name__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.taakworker", description=__doc__.splitlines()[0])
    parser.add_argument("--limiet", type=int, default=4, help="transitions at once in this worker")
    parser.add_argument("--herstel-interval", type=float, default=60.0, help="seconds between recovery rounds")
    parser.add_argument("--herstel-na", type=float, default=120.0, help="seconds before a transition is stuck")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from prefect.task_worker import serve

    fout = overgangen.opslagfout()
    if fout:
        logging.getLogger(__name__).error("Taakworker start niet: %s", fout)
        return 2
    standaard()  # fail fast (keys, database) before subscribing
    stop = threading.Event()
    lus = threading.Thread(
        target=_herstellus,
        args=(stop, args.herstel_interval, timedelta(seconds=args.herstel_na)),
        name="herstel",
        daemon=True,
    )
    lus.start()
    try:
        serve(*overgangen.TAKEN, limit=args.limiet)
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
