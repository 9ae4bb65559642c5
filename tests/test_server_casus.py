"""A whole case through the aanpak API with httpx, on a SQLite file and on PostgreSQL (skipped when absent).

From the school's signal to the closed case, every step decided by the organisation whose role owns it, each
with its own token; the wijkteam accepts the regie and gives it back. Halfway, two coordinators of the gemeente
decide the same step at the same moment (two threads, two requests, a barrier): one wins, the other hears 409,
and nothing is recorded twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from aanpak.omgeving import Omgeving
from aanpak.server.app import maak_app
from aanpak.store.schema import Besluit, Casus, StapInstantie
from tests import wachttijden
from tests.gegevens import SENTINELS, signaal_document
from tests.server_hulp import Klant, Uitgever
from tests.test_server import zonder_prefect

__all__ = ["zonder_prefect"]  # the fixture, used by name

V1 = "/api/v1"
SCHOOL = ("school.zorgcoordinator", "school-de-wissel", "a.mentor")
WIJKTEAM = ("wijkteam.casusregisseur", "wijkteam-venlo", "c.regisseur")
GEMEENTE = ("gemeente.procesregisseur", "gemeente-venlo", "d.procesregisseur")
GEMEENTE_2 = ("gemeente.procesregisseur", "gemeente-venlo", "f.collega")

Wie = tuple[str, str, str]


@pytest.fixture(scope="module")
def uitgever() -> Uitgever:
    return Uitgever()


class Api:
    def __init__(self, omg: Omgeving, uitgever: Uitgever) -> None:
        self.klant = Klant(maak_app(omg, uitgever.verificateur()))
        self.uitgever = uitgever

    def kop(self, wie: Wie) -> dict[str, str]:
        rol, organisatie, persoon = wie
        return {"Authorization": f"Bearer {self.uitgever.token(persoon, organisatie, [rol])}", "X-Aanpak-Rol": rol}

    def __call__(self, methode: str, pad: str, wie: Wie, body: Any = None) -> httpx.Response:
        return self.klant(methode, V1 + pad, headers=self.kop(wie), json=body)


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()


def _aantal(omg: Omgeving, casus: str, stap: str) -> tuple[int, int]:
    """(instances of the step, decisions on it) in the store."""
    with omg.uow() as sessie:
        stappen = (
            select(StapInstantie.id)
            .join(Casus, Casus.id == StapInstantie.casus_id)
            .where(Casus.ref == casus, StapInstantie.stap_key == stap)
        )
        n_stappen = sessie.scalar(select(func.count()).select_from(stappen.subquery())) or 0
        n_besluiten = sessie.scalar(select(func.count()).where(Besluit.stap_id.in_(stappen))) or 0
    return int(n_stappen), int(n_besluiten)


def _gelijktijdig(*verzoeken: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """Each request in its own thread, released together by a barrier."""
    barriere = threading.Barrier(len(verzoeken))
    antwoorden: list[httpx.Response | BaseException | None] = [None] * len(verzoeken)

    def doe(i: int) -> None:
        try:
            barriere.wait(timeout=wachttijden.DRAAD)
            antwoorden[i] = verzoeken[i]()
        except BaseException as exc:
            antwoorden[i] = exc

    draden = [threading.Thread(target=doe, args=(i,)) for i in range(len(verzoeken))]
    for d in draden:
        d.start()
    for d in draden:
        d.join(timeout=wachttijden.DRAAD)
    uit = []
    for a in antwoorden:
        assert isinstance(a, httpx.Response), a
        uit.append(a)
    return uit


def test_een_hele_casus_via_de_api(omg: Omgeving, uitgever: Uitgever, zonder_prefect: None) -> None:
    api = Api(omg, uitgever)

    def besluit(casus: str, stap: str, wie: Wie, uitkomst: str, **extra: Any) -> dict[str, Any]:
        antwoord: dict[str, Any] = ok(
            api("POST", f"/casussen/{casus}/stappen/{stap}/besluit", wie, {"uitkomst": uitkomst, **extra})
        )
        assert antwoord["overgang"] == "klaar"
        return antwoord

    def accepteer_alles(antwoord: dict[str, Any], wie: Wie) -> None:
        overdrachten = antwoord["toegepast"]["overdrachten"]
        assert overdrachten
        for ref in overdrachten:
            assert ok(api("POST", f"/overdrachten/{ref}/accepteer", wie))["overgang"] == "klaar"

    geregistreerd = ok(api("POST", "/signalen", SCHOOL, signaal_document()), 201)
    casus = geregistreerd["casus_ref"]
    assert geregistreerd["gestarte_stappen"] == ["interne_weging"]
    assert [t["stap"] for t in ok(api("GET", "/postvak", SCHOOL))] == ["interne_weging"]

    besluit(casus, "interne_weging", SCHOOL, "eigen_ondersteuning", toelichting="Zwaantje oogt moe")
    besluit(casus, "informeren_grondslag", SCHOOL, "wettelijke_grondslag")
    aanbod = besluit(
        casus, "ave_regie_bepalen", SCHOOL, "lokaal", ave_fase=2, casusregie=WIJKTEAM[0], regie_voorstel="aanvaard"
    )
    # The wijkteam sees the handoff in its postvak and accepts it.
    assert [t["soort"] for t in ok(api("GET", "/postvak", WIJKTEAM))] == ["overdracht"]
    accepteer_alles(aanbod, WIJKTEAM)
    assert ok(api("GET", f"/casussen/{casus}/tijdlijn", WIJKTEAM))["casusregie"] == WIJKTEAM[0]
    inzage = ok(api("POST", f"/casussen/{casus}/inzage", WIJKTEAM, {"doel": "casusoverleg"}))
    assert inzage["casus_ref"] == casus

    # Two coordinators of the gemeente decide the casusoverleg at once: one wins, one hears 409.
    (taak,) = [t for t in ok(api("GET", "/postvak", GEMEENTE)) if t["stap"] == "casusoverleg"]
    pad = f"/casussen/{casus}/stappen/casusoverleg/besluit"
    body = {"uitkomst": "plan_opstellen", "verwachte_versie": taak["versie"]}
    antwoorden = _gelijktijdig(lambda: api("POST", pad, GEMEENTE, body), lambda: api("POST", pad, GEMEENTE_2, body))
    assert sorted(r.status_code for r in antwoorden) == [200, 409], [r.text for r in antwoorden]
    verloren = next(r for r in antwoorden if r.status_code == 409)
    assert verloren.headers["content-type"] == "application/problem+json"
    assert verloren.json()["status"] == 409
    assert _aantal(omg, casus, "casusoverleg") == (1, 1)
    assert _aantal(omg, casus, "plan_van_aanpak") == (1, 0)
    # And the loser trying again later is still refused: the step is decided.
    assert api("POST", pad, GEMEENTE_2, {"uitkomst": "plan_opstellen"}).status_code == 409

    besluit(casus, "plan_van_aanpak", WIJKTEAM, "vastgesteld")
    ok(api("POST", f"/casussen/{casus}/stappen/uitvoering_monitoring/review", WIJKTEAM))
    besluit(casus, "uitvoering_monitoring", WIJKTEAM, "evalueren")
    besluit(casus, "evaluatie", WIJKTEAM, "afschalen")
    terug = besluit(
        casus, "op_afschalen", GEMEENTE, "afgeschaald", ave_fase=1, casusregie=SCHOOL[0], regie_voorstel="aanvaard"
    )
    accepteer_alles(terug, SCHOOL)
    besluit(casus, "nazorg", SCHOOL, "afgerond")
    besluit(casus, "afsluiting", SCHOOL, "gesloten")

    tijdlijn = ok(api("GET", f"/casussen/{casus}/tijdlijn", SCHOOL))
    assert tijdlijn["status"] == "gesloten"
    assert tijdlijn["gesloten_op"] is not None
    for s in SENTINELS:
        assert s not in str(tijdlijn)
    assert ok(api("GET", "/postvak", SCHOOL)) == []
    assert ok(api("POST", "/audit/verifieer", SCHOOL))["in_orde"] is True
    # Closed is closed: a late decision is a conflict, not a new step.
    r = api("POST", f"/casussen/{casus}/stappen/afsluiting/besluit", SCHOOL, {"uitkomst": "gesloten"})
    assert r.status_code == 409
