"""P8 schaal: 90 transitions through two task workers on PostgreSQL against the same 90 in process.

One cluster on this machine (``tests/schaal_hulp.py``): a Prefect server on a fresh PostgreSQL database, our case
store on another. Six coordinators at once (threads) take cases of three transitions (the signal and two
decisions): 30 cases, 90 transitions per side, each timed from the coordinator's request (registering the signal,
recording the decision) to the transition's completion. Three rounds of ten cases per side, interleaved (in
process, workers, in process, …) on the same cluster, the workers running (idle) throughout.

- **Baseline:** the 90 transitions run in the caller's process (``aanpak.uitvoering``'s default: a flow run in
  this process against the same Prefect server, heartbeats off).
- **Ours:** the same 90 through two task workers (``AANPAK_TAAKWORKERS=true``, ``python -m flows.taakworker``).

Reported: the throughput ratio (transitions per second through the workers over in process; goal ≥ 50 %) and
the ratio of the median request-to-completion latencies (goal ≤ 3×). Needs PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import count

from bench.meting import Resultaat, duur
from tests.schaal_hulp import (
    BESLUITEN,
    Cluster,
    besluit_en_overgang,
    in_context,
    postgres_bereikbaar,
    signaal_en_overgang,
)

COORDINATOREN = 6
RONDES = 3
CASUSSEN = 10  # per round and side: 3 rounds x 10 cases x 3 transitions = 90 per side


def _ronde(cluster: Cluster, nummers: count[int], bsns: list[str]) -> tuple[float, list[float]]:
    """Ten cases by six coordinators at once: (wall time, request→completion of each transition)."""
    from aanpak.omgeving import Omgeving

    omg: Omgeving = cluster.omgeving()

    def casus(_: int) -> list[float]:
        nummer = next(nummers)
        casus_ref, duur_signaal = signaal_en_overgang(omg, nummer, bsns[nummer])
        tijden = [duur_signaal]
        if not casus_ref:
            raise RuntimeError("een signaal is niet binnen de wachttijd verwerkt")
        for stap, uitkomst in BESLUITEN:
            tijden.append(besluit_en_overgang(omg, casus_ref, stap, uitkomst)[1])
        return tijden

    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=COORDINATOREN) as pool:
        per_casus = list(pool.map(in_context(casus), range(CASUSSEN)))
    return time.perf_counter() - begin, [t for tijden in per_casus for t in tijden]


def resultaten() -> list[Resultaat]:
    """P8, or nothing (with a note) when PostgreSQL does not answer on 127.0.0.1:5432."""
    if not postgres_bereikbaar():
        print("   P8 overgeslagen: PostgreSQL op 127.0.0.1:5432 antwoordt niet", flush=True)
        return []
    return [meet()]


def meet() -> Resultaat:
    from prefect.settings import temporary_settings

    from aanpak.config import instellingen
    from bench.gegevens import bsns

    nummers = count()
    reeks = bsns("997")
    alle_bsns = [next(reeks) for _ in range(2 * RONDES * CASUSSEN)]
    oud = {k: os.environ.get(k) for k in ("AANPAK_DATABASE_URL", "AANPAK_SLEUTELS", "AANPAK_HMAC_SLEUTEL",
                                          "AANPAK_DATA_DIR", "AANPAK_TAAKWORKERS")}  # fmt: skip
    start = time.perf_counter()
    with Cluster(poort_voorkeur=9251, herstel_interval=60.0, herstel_na=120.0) as cluster:
        os.environ.update(cluster.aanpak_env())
        try:
            with temporary_settings(
                updates={
                    "api.url": cluster.api_url,
                    "api.auth_string": None,
                    "results.local_storage_path": cluster.opslag,
                    "flows.heartbeat_frequency": None,
                }
            ):
                cluster.start_worker("a")
                cluster.start_worker("b")
                cluster.wacht_op_abonnees(2, 300)
                opstart = time.perf_counter() - start
                # Interleaved rounds (in process, workers, in process, …), so that a machine whose load changes
                # affects both sides alike; the workers are idle while the baseline runs.
                basis_s, ons_s = 0.0, 0.0
                basis: list[float] = []
                ons: list[float] = []
                for _ in range(RONDES):
                    for via_workers in (False, True):
                        os.environ["AANPAK_TAAKWORKERS"] = "true" if via_workers else "false"
                        instellingen.cache_clear()
                        wand, tijden = _ronde(cluster, nummers, alle_bsns)
                        if via_workers:
                            ons_s, ons = ons_s + wand, ons + tijden
                        else:
                            basis_s, basis = basis_s + wand, basis + tijden
        finally:
            for sleutel, waarde in oud.items():
                if waarde is None:
                    os.environ.pop(sleutel, None)
                else:
                    os.environ[sleutel] = waarde
            instellingen.cache_clear()
    n = len(ons)
    doorvoer = basis_s / ons_s
    latentie = statistics.median(ons) / statistics.median(basis)
    return Resultaat(
        naam="P8 schaal",
        omvang=f"{n} overgangen, {COORDINATOREN} coördinatoren tegelijk, PostgreSQL",
        ons=f"twee task workers ({n / ons_s:.2f} overgangen/s, mediaan verzoek→klaar {duur(statistics.median(ons))})",
        basislijn=f"in het proces ({n / basis_s:.2f} overgangen/s, mediaan {duur(statistics.median(basis))})",
        ons_s=ons_s,
        basis_s=basis_s,
        metingen=f"{RONDES} rondes per kant om en om op hetzelfde cluster, de workers draaien ook tijdens de basislijn",
        details=(
            f"doorvoer workers / in het proces: {doorvoer:.0%} (doel ≥ 50 %)",
            f"mediaan verzoek→klaar workers / in het proces: {latentie:.1f}× (doel ≤ 3×)",
            f"p90 verzoek→klaar: workers {duur(_p90(ons))}, in het proces {duur(_p90(basis))}",
            f"opstart cluster (Prefect-server op PostgreSQL, niet meegeteld): {duur(opstart)}",
        ),
    )


def _p90(tijden: list[float]) -> float:
    return statistics.quantiles(tijden, n=10)[-1]
