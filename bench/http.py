"""(f) http: what the aanpak server adds — a signal over HTTP, and a ``postvak`` request — against the use cases.

Our side: the real server (``maak_app``) served by uvicorn on 127.0.0.1 in a thread, called with httpx (one
keep-alive connection) and a real RS256 bearer token that the server verifies against a fake identity
provider's JWKS on loopback (tests/idp.py; the keys are fetched once and cached, as in production). Every
request goes through the token check, JSON parsing and pydantic validation, the use case, and the JSON answer.

Baselines, on their own fresh store of the same kind:
- *signaal*: ``lees_signaal`` → ``registreer_signaal`` → ``verwerk_signaal`` called directly (as the intake
  benchmark), for the same documents; our side is ``POST /api/v1/signalen``, which does the same work.
- *postvak*: ``inzicht.postvak`` called in process for the school coordinator's organisation and role, against
  ``GET /api/v1/postvak`` with that coordinator's token, on the store the signals left (goal: within 2×).

Transitions run directly (``AANPAK_PREFECT=false``) on both sides, so neither measures Prefect. uvicorn's access
log is off (log level warning), as in the tests' servers. The ratios are of this process's CPU time: server
thread and client run in it, so all work of both sides is counted, and a machine busy with other processes does
not inflate one side more than the other (wall times, which it does, are in the details).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from aanpak.config import instellingen
from aanpak.omgeving import Omgeving
from aanpak.server.app import maak_app
from aanpak.store.schema import Signaal
from aanpak.usecases import inzicht
from aanpak.usecases.signaal import verwerk_signaal
from bench.intake import TUSSENTIJD_S, documenten
from bench.meting import Resultaat, duur, getal
from bench.opslag import Klok, nieuwe_omgeving
from models.signaal import lees_signaal
from tests.gegevens import registreer
from tests.idp import Uvicorn
from tests.server_hulp import EERSTE_VAN_TYPE, Uitgever

SCHOOL = "school.zorgcoordinator"


@contextmanager
def _zonder_prefect() -> Iterator[None]:
    """Transitions in process, without Prefect, for both sides; the caller's settings come back afterwards."""
    oud = {k: os.environ.get(k) for k in ("AANPAK_PREFECT", "AANPAK_DEPLOYMENTS")}
    os.environ.update({"AANPAK_PREFECT": "false", "AANPAK_DEPLOYMENTS": "false"})
    instellingen.cache_clear()
    try:
        yield
    finally:
        for k, v in oud.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        instellingen.cache_clear()


def _verwerkt(omg: Omgeving) -> int:
    with omg.uow() as sessie:
        return int(
            sessie.scalar(select(func.count()).select_from(Signaal).where(Signaal.verwerkt_op.is_not(None))) or 0
        )


@dataclass(frozen=True)
class Tijd:
    """Wall time and this process's CPU time (server thread and client together) of the same work."""

    wand: float
    cpu: float


def _gemeten(functie: Callable[[], object]) -> Tijd:
    wand, cpu = time.perf_counter(), time.process_time()
    functie()
    return Tijd(time.perf_counter() - wand, time.process_time() - cpu)


def _mediaan(functie: Callable[[], object], herhalingen: int) -> Tijd:
    functie()  # warm-up
    tijden = [_gemeten(functie) for _ in range(herhalingen)]
    return Tijd(statistics.median(t.wand for t in tijden), statistics.median(t.cpu for t in tijden))


def _direct(omg: Omgeving, klok: Klok, docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        klok.verder(TUSSENTIJD_S)
        verwerk_signaal(omg, registreer(omg, lees_signaal(doc)).signaal_ref)


def _koppen(uitgever: Uitgever, docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """One bearer token per melder role (at the first organisation of its type), valid for the whole run."""
    rollen = {str(d["melder"]["rol"]) for d in docs} | {SCHOOL}
    return {
        rol: {
            "Authorization": "Bearer "
            + uitgever.token(f"bench.{rol.split('.')[0]}", EERSTE_VAN_TYPE[rol.split(".")[0]], [rol], geldig=3600)
        }
        for rol in rollen
    }


def _over_http(client: httpx.Client, klok: Klok, koppen: dict[str, dict[str, str]], docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        klok.verder(TUSSENTIJD_S)
        r = client.post("/api/v1/signalen", headers=koppen[doc["melder"]["rol"]], json=doc)
        if r.status_code != 201 or r.json()["overgang"] != "klaar":
            raise RuntimeError(f"signaal over HTTP: {r.status_code}")


def meet(aantal: int, herhalingen: int) -> list[Resultaat]:
    docs, _uniek = documenten(aantal + 50)
    opwarm, docs = docs[:50], docs[50:]
    aantal_postvak = max(20, herhalingen * 20)
    uitgever = Uitgever()
    with _zonder_prefect(), tempfile.TemporaryDirectory(prefix="aanpak-bench-http-") as tmp:
        map_ = Path(tmp)
        # Both sides warm up on the store they are measured on, with the same first documents.
        klok_d = Klok.op()
        omg_d = nieuwe_omgeving(map_, klok_d, "direct.db")
        _direct(omg_d, klok_d, opwarm)
        direct = _gemeten(lambda: _direct(omg_d, klok_d, docs))

        klok_h = Klok.op()
        omg_h = nieuwe_omgeving(map_, klok_h, "http.db")
        server = Uvicorn()
        server.start(maak_app(omg_h, uitgever.verificateur()))
        try:
            koppen = _koppen(uitgever, opwarm + docs)
            with httpx.Client(base_url=server.url, timeout=60) as client:
                _over_http(client, klok_h, koppen, opwarm)  # warm-up: JWKS fetched, routes and caches warm
                http = _gemeten(lambda: _over_http(client, klok_h, koppen, docs))
                school = {**koppen[SCHOOL], "X-Aanpak-Rol": SCHOOL}

                def vraag_postvak() -> None:
                    r = client.get("/api/v1/postvak", headers=school)
                    if r.status_code != 200:
                        raise RuntimeError(f"postvak over HTTP: {r.status_code}")

                organisatie = EERSTE_VAN_TYPE["school"]
                taken = len(inzicht.postvak(omg_h, organisatie=organisatie, rol=SCHOOL))
                postvak_http = _mediaan(vraag_postvak, aantal_postvak)
                postvak_direct = _mediaan(
                    lambda: inzicht.postvak(omg_h, organisatie=organisatie, rol=SCHOOL), aantal_postvak
                )
        finally:
            server.stop()
            uitgever.idp.stop()
        if _verwerkt(omg_d) != aantal + len(opwarm) or _verwerkt(omg_h) != aantal + len(opwarm):
            raise RuntimeError("niet alle signalen zijn verwerkt")
        omg_d.engine.dispose()
        omg_h.engine.dispose()

    signaal = Resultaat(
        naam="http-signaal",
        omvang=f"{getal(aantal)} signalen",
        ons="`POST /api/v1/signalen` via uvicorn op loopback: token, JSON, validatie, use case, antwoord",
        basislijn="lees_signaal → registreer_signaal → verwerk_signaal direct aangeroepen",
        ons_s=http.cpu,
        basis_s=direct.cpu,
        metingen=f"CPU-tijd van het proces (server en klant samen), elk 1 doorloop na opwarmen met {len(opwarm)}",
        details=(
            f"per signaal CPU: over HTTP {duur(http.cpu / aantal)}, direct {duur(direct.cpu / aantal)}",
            _wand(http, direct),
        ),
    )
    postvak = Resultaat(
        naam="http-postvak",
        omvang=f"postvak met {taken} taken",
        ons="`GET /api/v1/postvak` via uvicorn op loopback (token van de zorgcoördinator)",
        basislijn="inzicht.postvak in het proces",
        ons_s=postvak_http.cpu,
        basis_s=postvak_direct.cpu,
        metingen=f"CPU-tijd van het proces, mediaan van {aantal_postvak} na opwarmen; doel ≤ 2×",
        details=(_wand(postvak_http, postvak_direct),),
    )
    return [signaal, postvak]


def _wand(ons: Tijd, basis: Tijd) -> str:
    return (
        f"wandtijd: ons {duur(ons.wand)}, basislijn {duur(basis.wand)}, {ons.wand / basis.wand:.1f}× "
        "(op een belaste machine vooral wachten op de CPU)"
    )
