"""The aanpak server (/api/v1): httpx against the real app over ASGI, and once against uvicorn on loopback.

Real parts throughout: the case store on a SQLite file and on PostgreSQL (the ``omg`` fixture), RS256 tokens
signed with a test key and verified with PyJWT (``tests/server_hulp.py``, standing in for ``aanpak.toegang``),
uvicorn on 127.0.0.1 port 0, and one test with the session's Prefect server. ``AANPAK_PREFECT=false`` makes the
other tests run transitions directly, exactly as the CLI does on a bare machine.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from aanpak.config import STANDAARD_WERKPROCES, instellingen
from aanpak.omgeving import Omgeving
from aanpak.server.app import maak_app
from aanpak.server.logboeken import veilig_pad
from aanpak.store.db import maak_engine
from aanpak.store.schema import Verwerking
from aanpak.usecases import logboek
from tests.conftest import Klok, maak_omgeving
from tests.gegevens import SENTINEL_BSN, SENTINELS, signaal_document
from tests.server_hulp import EERSTE_VAN_TYPE, Klant, Uitgever

SCHOOL = "school.zorgcoordinator"
WIJKTEAM = "wijkteam.casusregisseur"
GEMEENTE = "gemeente.procesregisseur"
JGZ = "jgz.jeugdarts"
LOKET = "gemeente.privacyloket"
V1 = "/api/v1"
PROBLEEM = "application/problem+json"
ONBEKEND = "C-00000000"
#: Fails the 11-proef (the sentinel BSN with its last digit changed); must never be echoed back.
BSN_FOUT = "111222334"
_REF = re.compile(r"[A-Z]-[0-9A-HJKMNP-TV-Z]{8}")


@pytest.fixture(scope="module")
def uitgever() -> Uitgever:
    return Uitgever()


@pytest.fixture
def zonder_prefect(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    monkeypatch.setenv("AANPAK_DEPLOYMENTS", "false")
    instellingen.cache_clear()
    yield
    instellingen.cache_clear()


@dataclass
class Api:
    app: FastAPI
    klant: Klant
    uitgever: Uitgever
    omg: Omgeving

    def token(self, *rollen: str, persoon: str = "t.test") -> str:
        organisatie = EERSTE_VAN_TYPE[rollen[0].split(".")[0]] if rollen else "onbekend"
        return self.uitgever.token(persoon, organisatie, list(rollen))

    def als(self, rol: str, persoon: str = "t.test") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(rol, persoon=persoon)}", "X-Aanpak-Rol": rol}

    def get(self, pad: str, rol: str, **kwargs: Any) -> httpx.Response:
        return self.klant.get(V1 + pad, headers=self.als(rol), **kwargs)

    def post(self, pad: str, rol: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return self.klant.post(V1 + pad, headers={**self.als(rol), **kwargs.pop("headers", {})}, json=body, **kwargs)

    def delete(self, pad: str, rol: str) -> httpx.Response:
        return self.klant.delete(V1 + pad, headers=self.als(rol))


def _api(omg: Omgeving, uitgever: Uitgever) -> Api:
    app = maak_app(omg, uitgever.verificateur())
    return Api(app, Klant(app), uitgever, omg)


@pytest.fixture
def api(omg: Omgeving, uitgever: Uitgever, zonder_prefect: None) -> Api:
    return _api(omg, uitgever)


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()


def probleem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"] == PROBLEEM
    inhoud: dict[str, Any] = r.json()
    assert inhoud["status"] == status
    assert inhoud["type"].startswith("urn:aanpak:probleem:")
    return inhoud


def velden(inhoud: dict[str, Any]) -> list[str]:
    return [f["veld"] for f in inhoud.get("errors", [])]


def geen_persoonsgegevens(tekst: str, *extra: str) -> None:
    for s in (*SENTINELS, BSN_FOUT, *extra):
        assert s not in tekst, s


def registreer(api: Api, doc: dict[str, Any] | None = None, rol: str = SCHOOL) -> str:
    antwoord = ok(api.post("/signalen", rol, doc or signaal_document()), 201)
    assert antwoord["nieuwe_casus"] is True
    assert antwoord["overgang"] == "klaar"
    return str(antwoord["casus_ref"])


def besluit(api: Api, casus: str, stap: str, uitkomst: str, rol: str = SCHOOL, **extra: Any) -> dict[str, Any]:
    antwoord: dict[str, Any] = ok(
        api.post(f"/casussen/{casus}/stappen/{stap}/besluit", rol, {"uitkomst": uitkomst, **extra})
    )
    return antwoord


def naar_casusoverleg(api: Api) -> tuple[str, str]:
    """AVE 2 with casusregie offered to the wijkteam (procesregie at the gemeente); returns (case, handoff)."""
    casus = registreer(api)
    besluit(api, casus, "interne_weging", "eigen_ondersteuning")
    besluit(api, casus, "informeren_grondslag", "wettelijke_grondslag")
    r = besluit(api, casus, "ave_regie_bepalen", "lokaal", ave_fase=2, casusregie=WIJKTEAM, regie_voorstel="aanvaard")
    assert r["toegepast"] is not None
    (overdracht,) = r["toegepast"]["overdrachten"]
    return casus, str(overdracht)


def weigeringen(omg: Omgeving, casus: str, rol: str) -> list[Verwerking]:
    with omg.uow() as sessie:
        rijen = sessie.scalars(
            select(Verwerking).where(
                Verwerking.casus_ref == casus, Verwerking.rol == rol, Verwerking.uitkomst == "geweigerd"
            )
        ).all()
        sessie.expunge_all()
    return list(rijen)


# -- the spec and the public endpoints ---------------------------------------------------------------------------


def test_openapi_spec_en_docs_zonder_token(api: Api) -> None:
    spec = ok(api.klant.get(f"{V1}/openapi.json"))
    assert spec["openapi"].startswith("3.")
    for pad in ("/signalen", "/postvak", "/casussen/{casus_ref}/stappen/{stap}/besluit", "/audit/verifieer"):
        assert V1 + pad in spec["paths"], pad
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert "<html" in api.klant.get(f"{V1}/docs").text.lower()
    assert ok(api.klant.get(f"{V1}/gezondheid")) == {"status": "ok"}


def _beschermde_routes(app: FastAPI) -> list[tuple[str, str]]:
    spec = app.openapi()
    routes = []
    for pad, methoden in spec["paths"].items():
        for methode, operatie in methoden.items():
            if operatie.get("security"):
                routes.append(
                    (
                        methode.upper(),
                        pad.replace("{casus_ref}", ONBEKEND)
                        .replace("{stap}", "interne_weging")
                        .replace("{overdracht_ref}", "O-00000000")
                        .replace("{grondslag_ref}", "G-00000000"),
                    )
                )
    return routes


def test_elk_endpoint_behalve_gezondheid_en_spec_vraagt_een_token(api: Api, uitgever: Uitgever) -> None:
    routes = _beschermde_routes(api.app)
    assert len(routes) == len([r for r in api.app.openapi()["paths"].values() for _ in r]) - 1  # all but gezondheid
    vreemd = Uitgever().token("t.test", "school-de-wissel", [SCHOOL])  # a valid JWT from a key we do not trust
    verlopen = uitgever.token("t.test", "school-de-wissel", [SCHOOL], geldig=-60)
    for methode, pad in routes:
        for headers in (
            {},
            {"Authorization": "Bearer"},
            {"Authorization": "Basic dDp0"},
            {"Authorization": "Bearer onzin"},
            {"Authorization": f"Bearer {vreemd}"},
            {"Authorization": f"Bearer {verlopen}"},
        ):
            r = api.klant(methode, pad, headers=headers)
            inhoud = probleem(r, 401)
            assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"', (methode, pad)
            assert "onzin" not in r.text
            assert vreemd not in r.text
            assert inhoud["title"] == "Niet ingelogd"


def test_rol_die_het_token_niet_geeft_is_403(api: Api) -> None:
    token = api.token(SCHOOL)
    r = api.klant.get(f"{V1}/postvak", headers={"Authorization": f"Bearer {token}", "X-Aanpak-Rol": WIJKTEAM})
    assert velden(probleem(r, 403)) == ["header.x-aanpak-rol"]
    # Two roles and no choice: refused rather than guessed.
    twee = api.token(SCHOOL, "school.teamleider")
    r = api.klant.get(f"{V1}/postvak", headers={"Authorization": f"Bearer {twee}"})
    probleem(r, 403)
    # One role: that one, without a header.
    assert ok(api.klant.get(f"{V1}/postvak", headers={"Authorization": f"Bearer {token}"})) == []


# -- signalen ----------------------------------------------------------------------------------------------------


def test_signaal_registreren_en_casus_volgen(api: Api) -> None:
    antwoord = ok(api.post("/signalen", SCHOOL, signaal_document()), 201)
    assert _REF.fullmatch(antwoord["signaal_ref"])
    assert _REF.fullmatch(antwoord["casus_ref"])
    assert antwoord["gestarte_stappen"] == ["interne_weging"]
    assert antwoord["overgang"] == "klaar"
    geen_persoonsgegevens(json.dumps(antwoord))
    casus = antwoord["casus_ref"]

    taken = ok(api.get("/postvak", SCHOOL))
    assert [(t["casus_ref"], t["stap"]) for t in taken] == [(casus, "interne_weging")]
    assert ok(api.get("/postvak", SCHOOL, params={"bereik": "organisatie"}))[0]["casus_ref"] == casus

    tl = ok(api.get(f"/casussen/{casus}/tijdlijn", SCHOOL))
    assert tl["casus_ref"] == casus
    assert "interne_weging" in [s["stap"] for s in tl["stappen"]]
    geen_persoonsgegevens(json.dumps(tl))


def test_melder_rol_komt_uit_het_token(api: Api) -> None:
    doc = signaal_document(rol=WIJKTEAM)
    inhoud = probleem(api.post("/signalen", SCHOOL, doc), 422)
    assert velden(inhoud) == ["melder.rol"]
    # Without a role in the body the token's role is the melder's.
    del doc["melder"]["rol"]
    casus = registreer(api, doc, rol=SCHOOL)
    with api.omg.uow() as sessie:
        from aanpak.store.schema import Signaal

        assert sessie.scalars(select(Signaal.bron_rol)).all() == [SCHOOL]
    assert casus


def test_signaal_idempotent_met_header_of_sleutel(api: Api) -> None:
    doc = signaal_document()
    eerste = ok(api.post("/signalen", SCHOOL, doc, headers={"Idempotency-Key": "school-2026-000123"}), 201)
    tweede = ok(api.post("/signalen", SCHOOL, doc, headers={"Idempotency-Key": "school-2026-000123"}), 200)
    assert tweede["herhaald"] is True
    assert tweede["signaal_ref"] == eerste["signaal_ref"]
    met_sleutel = {**doc, "idempotentie_sleutel": "school-2026-000123"}
    assert ok(api.post("/signalen", SCHOOL, met_sleutel), 200)["signaal_ref"] == eerste["signaal_ref"]
    anders = probleem(api.post("/signalen", SCHOOL, met_sleutel, headers={"Idempotency-Key": "iets-anders-1"}), 422)
    assert velden(anders) == ["idempotentie_sleutel"]


@pytest.mark.parametrize(
    ("wijzig", "veld"),
    [
        (lambda d: d["jeugdige"].update(bsn=BSN_FOUT), "jeugdige.bsn"),
        (lambda d: d["jeugdige"].update(geboortedatum="Zwaantje"), "jeugdige.geboortedatum"),
        (lambda d: d["melder"].update(email="Zwaantje@@Xylofoonstra"), "melder.email"),
        (lambda d: d["jeugdige"].update(Xylofoonstra=SENTINEL_BSN), "jeugdige"),
        (lambda d: d.update({"Zwaantje Xylofoonstra": 1}), "(document)"),
        (lambda d: d.update(categorieen=["Zwaantje"]), "categorieen[0]"),
        (lambda d: d["jeugdige"].update(geboortedatum="2030-01-01"), "jeugdige.geboortedatum"),
        (lambda d: d.update(actor_rol=SCHOOL), "(document)"),
    ],
    ids=["bsn", "datum", "email", "onbekende-sleutel", "onbekende-sleutel-boven", "categorie", "toekomst", "actor"],
)
def test_ongeldig_signaal_noemt_het_veld_en_herhaalt_niets(api: Api, wijzig: Any, veld: str) -> None:
    doc = signaal_document()
    wijzig(doc)
    r = api.post("/signalen", SCHOOL, doc)
    inhoud = probleem(r, 422)
    assert veld in velden(inhoud)
    geen_persoonsgegevens(r.text)


def test_ongeldige_json_is_422(api: Api) -> None:
    r = api.klant.post(
        f"{V1}/signalen",
        headers={**api.als(SCHOOL), "content-type": "application/json"},
        content=b'{"zorg": "Zwaantje Xylofoonstra", ',
    )
    assert velden(probleem(r, 422))
    geen_persoonsgegevens(r.text)


MIB = 1024 * 1024


def test_te_groot_verzoek_is_413_met_content_length(api: Api) -> None:
    doc = signaal_document()
    doc["zorg"] = "x" * (MIB + 10)
    r = api.post("/signalen", SCHOOL, doc)
    assert probleem(r, 413)["title"] == "Verzoek te groot"


def test_te_groot_verzoek_is_413_zonder_content_length(api: Api) -> None:
    async def stukken() -> AsyncIterator[bytes]:
        yield b'{"zorg": "'
        for _ in range(20):
            yield b"x" * (64 * 1024)
        yield b'"}'

    r = api.klant.post(
        f"{V1}/signalen", headers={**api.als(SCHOOL), "content-type": "application/json"}, content=stukken()
    )
    assert "content-length" not in {k.lower() for k in r.request.headers}
    probleem(r, 413)


def test_te_groot_verzoek_is_413_met_liegende_content_length(api: Api) -> None:
    body = json.dumps({**signaal_document(), "zorg": "x" * (MIB + 10)}).encode()
    r = api.klant.post(
        f"{V1}/signalen",
        headers={**api.als(SCHOOL), "content-type": "application/json", "content-length": "100"},
        content=body,
    )
    probleem(r, 413)
    # Just under the limit is read as usual (and refused for its content, not its size).
    r = api.post("/signalen", SCHOOL, {**signaal_document(), "zorg": "x" * (MIB - 2048)})
    assert velden(probleem(r, 422)) == ["zorg"]


# -- stappen -----------------------------------------------------------------------------------------------------


def test_besluit_en_termijnen(api: Api) -> None:
    casus = registreer(api)
    versie = ok(api.get("/postvak", SCHOOL))[0]["versie"]
    verlengd = ok(
        api.post(f"/casussen/{casus}/stappen/interne_weging/verlengen", SCHOOL, {"aantal": 2, "reden": "overleg_nodig"})
    )
    assert verlengd["stap"] == "interne_weging"
    opgeschort = ok(
        api.post(f"/casussen/{casus}/stappen/interne_weging/opschorten", SCHOOL, {"reden": "wacht_op_informatie"})
    )
    assert opgeschort["status"] == "opgeschort"
    ok(api.post(f"/casussen/{casus}/stappen/interne_weging/hervatten", SCHOOL))
    # The version seen before the changes is stale now: 409.
    r = api.post(
        f"/casussen/{casus}/stappen/interne_weging/besluit",
        SCHOOL,
        {"uitkomst": "eigen_ondersteuning", "verwachte_versie": versie},
    )
    probleem(r, 409)
    genomen = besluit(api, casus, "interne_weging", "eigen_ondersteuning", toelichting="Zwaantje slaapt slecht")
    assert genomen["overgang"] == "klaar"
    assert genomen["toegepast"]["gestarte_stappen"] == ["informeren_grondslag"]
    geen_persoonsgegevens(json.dumps(genomen))
    # A second decision on the same step: 409, naming the step.
    r = api.post(f"/casussen/{casus}/stappen/interne_weging/besluit", SCHOOL, {"uitkomst": "geen_zorg"})
    assert velden(probleem(r, 409)) == ["stap"]
    # A step without monitoring reviews: refused by the domain, naming the step.
    r = api.post(f"/casussen/{casus}/stappen/informeren_grondslag/review", SCHOOL)
    assert velden(probleem(r, 422)) == ["stap"]


def test_ave_besluit_vraagt_een_keuze_over_het_regievoorstel(api: Api) -> None:
    casus = registreer(api)
    besluit(api, casus, "interne_weging", "eigen_ondersteuning")
    besluit(api, casus, "informeren_grondslag", "wettelijke_grondslag")
    (taak,) = [t for t in ok(api.get("/postvak", SCHOOL)) if t["casus_ref"] == casus]
    assert {v["ave"]: v["regel"] for v in taak["regievoorstel"]}[2] == "ave_2_standaard"
    r = api.post(f"/casussen/{casus}/stappen/ave_regie_bepalen/besluit", SCHOOL, {"uitkomst": "lokaal", "ave_fase": 2})
    assert velden(probleem(r, 422)) == ["regie_voorstel"]
    r = api.post(
        f"/casussen/{casus}/stappen/ave_regie_bepalen/besluit",
        SCHOOL,
        {"uitkomst": "lokaal", "ave_fase": 2, "regie_voorstel": "afwijken", "regie_reden": "Zwaantje wil het"},
    )
    assert velden(probleem(r, 422)) == ["regie_reden"]
    geen_persoonsgegevens(r.text, "Zwaantje")
    besluit(api, casus, "ave_regie_bepalen", "lokaal", ave_fase=2, regie_voorstel="aanvaard")
    tl = ok(api.get(f"/casussen/{casus}/tijdlijn", SCHOOL))
    assert [g["gegevens"]["regel"] for g in tl["gebeurtenissen"] if g["soort"] == "regievoorstel_aanvaard"] == [
        "ave_2_standaard"
    ]


def test_besluit_idempotent_en_zonder_actor_in_body(api: Api) -> None:
    casus = registreer(api)
    pad = f"/casussen/{casus}/stappen/interne_weging/besluit"
    eerste = ok(api.post(pad, SCHOOL, {"uitkomst": "eigen_ondersteuning"}, headers={"Idempotency-Key": "besluit-0001"}))
    tweede = ok(api.post(pad, SCHOOL, {"uitkomst": "eigen_ondersteuning"}, headers={"Idempotency-Key": "besluit-0001"}))
    assert tweede["herhaald"] is True
    assert tweede["besluit_ref"] == eerste["besluit_ref"]
    for veld in ("actor", "actor_rol", "door", "als"):
        assert velden(probleem(api.post(pad, SCHOOL, {"uitkomst": "x", veld: GEMEENTE}), 422)) == ["(document)"]


def test_overdracht_accepteren(api: Api) -> None:
    casus, overdracht = naar_casusoverleg(api)
    # Involved (procesregie) but not the receiving role: the use case refuses, 403.
    r = api.post(f"/overdrachten/{overdracht}/accepteer", GEMEENTE)
    assert velden(probleem(r, 403)) == ["actor_rol"]
    antwoord = ok(api.post(f"/overdrachten/{overdracht}/accepteer", WIJKTEAM))
    assert antwoord["overdracht"]["naar_rol"] == WIJKTEAM
    assert antwoord["overgang"] == "klaar"
    assert ok(api.get(f"/casussen/{casus}/tijdlijn", WIJKTEAM))["casusregie"] == WIJKTEAM
    # Uninvolved: exactly the unknown handoff's answer.
    onbekend = api.post("/overdrachten/O-00000000/accepteer", JGZ)
    niet_betrokken = api.post(f"/overdrachten/{overdracht}/accepteer", JGZ)
    assert probleem(onbekend, 404)["detail"] == "overdracht 'O-00000000' bestaat niet"
    assert niet_betrokken.status_code == 404
    assert niet_betrokken.text == onbekend.text.replace("O-00000000", overdracht)
    assert len(weigeringen(api.omg, casus, JGZ)) == 1


def test_verlengen_needs_a_reason(api: Api) -> None:
    casus = registreer(api)
    pad = f"/casussen/{casus}/stappen/interne_weging/verlengen"
    assert velden(probleem(api.post(pad, SCHOOL, {"aantal": 1}), 422)) == ["reden"]
    assert velden(probleem(api.post(pad, SCHOOL, {"aantal": 1, "reden": "vakantie"}), 422)) == ["reden"]
    verlengd = ok(api.post(pad, SCHOOL, {"aantal": 1, "reden": "wacht_op_informatie"}))
    assert verlengd["termijn_einde"].startswith("2026-12-09")


def test_the_statutory_meldcode_term_cannot_be_suspended_over_the_api(api: Api) -> None:
    casus = registreer(api)
    besluit(api, casus, "interne_weging", "meldcode")
    r = api.post(f"/casussen/{casus}/stappen/meldcode_vt/opschorten", SCHOOL, {"reden": "wacht_op_informatie"})
    assert velden(probleem(r, 422)) == ["stap"]


# -- niet betrokken = onbekend ------------------------------------------------------------------------------------

#: (method, path after the case, body) per family; all answer 404 for an uninvolved role, as for no case.
OPVRAGINGEN: list[tuple[str, str, Any]] = [
    ("GET", "/tijdlijn", None),
    ("POST", "/inzage", {"doel": "casusoverleg"}),
    ("POST", "/stappen/interne_weging/besluit", {"uitkomst": "geen_zorg"}),
    ("POST", "/stappen/interne_weging/opschorten", {"reden": "overig"}),
    ("POST", "/stappen/interne_weging/hervatten", None),
    ("POST", "/stappen/interne_weging/verlengen", {"aantal": 1, "reden": "overig"}),
    ("POST", "/stappen/uitvoering_monitoring/review", None),
    ("GET", "/grondslagen", None),
    ("POST", "/grondslagen", {"soort": "wettelijke_taak", "doel": "casusoverleg"}),
]
RECHTEN: list[tuple[str, str, Any]] = [
    ("POST", "/rechten/casussen/{c}/inzage", None),
    ("POST", "/rechten/casussen/{c}/beperking", {"reden": "bezwaar"}),
    ("DELETE", "/rechten/casussen/{c}/beperking", None),
    ("POST", "/rechten/casussen/{c}/correctie", {"wijzigingen": [{"veld": "achternaam", "waarde": "Anders"}]}),
    ("POST", "/bewaring/casussen/{c}/wis", None),
    ("POST", "/bewaring/casussen/{c}/bewaarplicht", {"reden": "rechtsvordering"}),
    ("DELETE", "/bewaring/casussen/{c}/bewaarplicht", None),
]


def test_casus_waar_de_rol_niet_bij_betrokken_is_antwoordt_als_onbekend_en_wordt_gelogd(api: Api) -> None:
    casus = registreer(api)
    routes = [(m, f"/casussen/{{c}}{p}", b) for m, p, b in OPVRAGINGEN] + RECHTEN
    for methode, sjabloon, body in routes:
        kwargs: dict[str, Any] = {"headers": api.als(JGZ)}
        if body is not None:
            kwargs["json"] = body
        onbekend = api.klant(methode, V1 + sjabloon.format(c=ONBEKEND), **kwargs)
        niet_betrokken = api.klant(methode, V1 + sjabloon.format(c=casus), **kwargs)
        verwacht = probleem(onbekend, 404)
        assert onbekend.text.replace(ONBEKEND, casus) == niet_betrokken.text, sjabloon
        assert niet_betrokken.status_code == 404
        assert verwacht["detail"] == f"casus '{ONBEKEND}' bestaat niet"
    gelogd = weigeringen(api.omg, casus, JGZ)
    assert len(gelogd) == len(routes)
    assert {(v.actor, v.organisatie, v.reden) for v in gelogd} == {("t.test", "jgz-limburg-noord", "niet_betrokken")}
    assert ok(api.post("/audit/verifieer", SCHOOL))["in_orde"] is True


# -- privacy: inzage, grondslagen, rechten -----------------------------------------------------------------------


def test_inzage_en_grondslagen(api: Api) -> None:
    casus = registreer(api)
    inzage = ok(api.post(f"/casussen/{casus}/inzage", SCHOOL, {"doel": "casusoverleg"}))
    assert inzage["casus_ref"] == casus
    assert inzage["logregel"] >= 1
    assert any(o["titel"].startswith("Zorg uit signaal") for o in inzage["getoond"])  # its own signal
    assert velden(probleem(api.post(f"/casussen/{casus}/inzage", SCHOOL, {"doel": "Zwaantje X"}), 422)) == ["doel"]

    vastgelegd = ok(
        api.post(
            f"/casussen/{casus}/grondslagen",
            SCHOOL,
            {"soort": "toestemming", "gegeven_door": ["ouders", "jeugdige"], "doel": "casusoverleg"},
        ),
        201,
    )
    lijst = ok(api.get(f"/casussen/{casus}/grondslagen", SCHOOL))
    assert [g["ref"] for g in lijst] == [vastgelegd["grondslag_ref"]]
    assert lijst[0]["van_kracht"] is True
    ingetrokken = ok(api.post(f"/grondslagen/{vastgelegd['grondslag_ref']}/intrekken", SCHOOL))
    assert ingetrokken["grondslag_ref"] == vastgelegd["grondslag_ref"]
    assert ok(api.get(f"/casussen/{casus}/grondslagen", SCHOOL))[0]["van_kracht"] is False
    probleem(api.post(f"/grondslagen/{vastgelegd['grondslag_ref']}/intrekken", JGZ), 404)
    probleem(api.post("/grondslagen/G-00000000/intrekken", SCHOOL), 404)


def test_rechten_van_betrokkenen_via_het_privacyloket(api: Api) -> None:
    casus = registreer(api)
    # Involved, but not the privacyloket: the use case's role check stands (403, naming the role).
    assert velden(probleem(api.post(f"/rechten/casussen/{casus}/inzage", SCHOOL), 403)) == ["actor_rol"]
    dossier = ok(api.post(f"/rechten/casussen/{casus}/inzage", LOKET))
    assert [c["ref"] for c in dossier["casussen"]] == [casus]
    r = api.post(
        f"/rechten/casussen/{casus}/correctie", LOKET, {"wijzigingen": [{"veld": "Xylofoonstra", "waarde": "x"}]}
    )
    assert velden(probleem(r, 422)) == ["wijzigingen[0].veld"]
    geen_persoonsgegevens(r.text)
    gecorrigeerd = ok(
        api.post(
            f"/rechten/casussen/{casus}/correctie", LOKET, {"wijzigingen": [{"veld": "achternaam", "waarde": "Anders"}]}
        )
    )
    assert gecorrigeerd["velden"] == ["achternaam"]
    assert ok(api.post(f"/rechten/casussen/{casus}/beperking", LOKET, {"reden": "bezwaar"}))["herhaald"] is False
    assert ok(api.delete(f"/rechten/casussen/{casus}/beperking", LOKET))["herhaald"] is False


def test_privacyloket_zoekt_op_bsn_in_de_body(api: Api) -> None:
    casus = registreer(api)
    body = {"bsn": SENTINEL_BSN, "doel": "inzageverzoek"}
    r = api.post("/rechten/zoek", LOKET, body)
    assert ok(r) == {"casus_refs": [casus]}
    assert ok(api.post("/rechten/zoek", LOKET, {"bsn": "999990019", "doel": "wisverzoek"})) == {"casus_refs": []}
    # A coordinator is refused (403, naming the role), and the refusal is logged.
    geweigerd = api.post("/rechten/zoek", GEMEENTE, body)
    assert velden(probleem(geweigerd, 403)) == ["actor_rol"]
    geen_persoonsgegevens(geweigerd.text)
    fout = api.post("/rechten/zoek", LOKET, {"bsn": BSN_FOUT, "doel": "inzageverzoek"})
    assert velden(probleem(fout, 422)) == ["bsn"]
    geen_persoonsgegevens(fout.text)
    assert velden(probleem(api.post("/rechten/zoek", LOKET, {"bsn": SENTINEL_BSN, "doel": "nieuwsgierig"}), 422)) == [
        "doel"
    ]
    # Only in the body: a query string is no way in.
    probleem(api.post(f"/rechten/zoek?bsn={SENTINEL_BSN}&doel=inzageverzoek", LOKET), 422)
    with api.omg.uow() as sessie:
        zoekregels = sessie.scalars(select(Verwerking).where(Verwerking.handeling == "zoeken_bsn")).all()
        assert [(v.rol, v.uitkomst) for v in zoekregels] == [
            (LOKET, "gevonden"),
            (LOKET, "niet_gevonden"),
            (GEMEENTE, "geweigerd"),
            (LOKET, "geweigerd"),
        ]
        for v in sessie.scalars(select(Verwerking)):
            assert SENTINEL_BSN not in json.dumps(logboek.inhoud(v))


def test_bewaring(api: Api) -> None:
    casus = registreer(api)
    # The overview and the deletion log name cases of every organisation: the privacyloket's alone.
    probleem(api.get("/bewaring", SCHOOL), 403)
    probleem(api.get("/bewaring/log", SCHOOL), 403)
    overzicht = ok(api.get("/bewaring", LOKET))
    assert overzicht["casussen"] == []
    # An open case is not erased: refused by the domain, naming the case.
    assert velden(probleem(api.post(f"/bewaring/casussen/{casus}/wis", LOKET), 422)) == ["casus"]
    plicht = ok(api.post(f"/bewaring/casussen/{casus}/bewaarplicht", LOKET, {"reden": "rechtsvordering"}), 201)
    assert plicht["casus_ref"] == casus
    opgeheven = ok(api.delete(f"/bewaring/casussen/{casus}/bewaarplicht", LOKET))
    assert [b["bewaarplicht_ref"] for b in opgeheven] == [plicht["bewaarplicht_ref"]]
    assert ok(api.get("/bewaring/log", LOKET, params={"casus": casus})) == []


# -- audit, rapport, werkproces ----------------------------------------------------------------------------------


def test_audit_verifieer(api: Api) -> None:
    casus = registreer(api)
    ok(api.post(f"/casussen/{casus}/inzage", SCHOOL, {"doel": "casusoverleg"}))
    v = ok(api.post("/audit/verifieer", SCHOOL))
    assert v["in_orde"] is True
    assert v["aantal"] >= 1
    anker = f"{v['kop_volgnummer']}:{v['kop_hash']}"
    assert ok(api.post("/audit/verifieer", SCHOOL, {"ankers": [anker]}))["in_orde"] is True
    fout = ok(api.post("/audit/verifieer", SCHOOL, {"ankers": [f"{v['kop_volgnummer']}:{'0' * 64}"]}))
    assert fout["in_orde"] is False
    assert fout["afwijkende_ankers"][0]["volgnummer"] == v["kop_volgnummer"]
    assert velden(probleem(api.post("/audit/verifieer", SCHOOL, {"ankers": ["Zwaantje"]}), 422)) == ["ankers[0]"]


def test_rapport(api: Api) -> None:
    registreer(api)
    rapport = ok(api.get("/rapport", SCHOOL, params={"van": "2026-01-01", "tot": "2026-12-31"}))
    assert rapport["filters"]["van"] == "2026-01-01"
    assert rapport["werkproces"]
    geen_persoonsgegevens(json.dumps(rapport))
    assert velden(probleem(api.get("/rapport", SCHOOL, params={"van": "Zwaantje"}), 422)) == ["query.van"]


def test_werkproces_tonen_en_controleren(api: Api) -> None:
    wp = ok(api.get("/werkproces", SCHOOL))
    assert wp["key"]
    assert wp["mermaid"].startswith(("flowchart", "graph"))
    controle = ok(api.post("/werkproces/controleer", SCHOOL, {"definitie": STANDAARD_WERKPROCES.read_text()}))
    assert controle == {
        "geldig": True,
        "key": wp["key"],
        "versie": wp["versie"],
        "stappen": len(wp["definitie"]["stappen"]),
        "rollen": len(wp["definitie"]["rollen"]),
    }
    kapot = probleem(api.post("/werkproces/controleer", SCHOOL, {"definitie": "key: venlo\nversie: 1\n"}), 422)
    assert kapot["errors"]
    schema = ok(api.get("/signaal/schema", SCHOOL))
    assert "melder" in schema["properties"]


# -- logs: no personal data, no token -----------------------------------------------------------------------------


def test_logs_bevatten_geen_persoonsgegevens_en_geen_token(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = api.token(SCHOOL)
    headers = {"Authorization": f"Bearer {token}", "X-Aanpak-Rol": SCHOOL}
    ok(api.klant.post(f"{V1}/signalen", headers=headers, json=signaal_document()), 201)
    slecht = signaal_document()
    slecht["jeugdige"]["bsn"] = BSN_FOUT
    probleem(api.klant.post(f"{V1}/signalen", headers=headers, json=slecht), 422)
    probleem(api.klant.get(f"{V1}/postvak", headers={"Authorization": f"Bearer {token}x"}), 401)
    tekst = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    geen_persoonsgegevens(tekst, token, "melder@school.example", "077-0000000")


def test_toegangslog_pad_zonder_query_en_zonder_vreemde_delen() -> None:
    assert veilig_pad(f"{V1}/casussen/C-7K3M9QXD/stappen/interne_weging/besluit") == (
        f"{V1}/casussen/C-7K3M9QXD/stappen/interne_weging/besluit"
    )
    assert veilig_pad(f"{V1}/postvak?naam=Zwaantje") == f"{V1}/postvak"
    assert veilig_pad(f"{V1}/casussen/Zwaantje%20Xylofoonstra/tijdlijn") == f"{V1}/casussen/[…]/tijdlijn"


def test_uvicorn_op_loopback(api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real server on 127.0.0.1 port 0: requests work, and the access log holds no data and no token."""
    caplog.set_level(logging.INFO)
    # Whatever configured logging earlier in the session (Prefect, another uvicorn), its access records reach us.
    for naam in ("uvicorn.access", "uvicorn.error", "uvicorn"):
        logger = logging.getLogger(naam)
        monkeypatch.setattr(logger, "disabled", False)
        monkeypatch.setattr(logger, "propagate", True)
        monkeypatch.setattr(logger, "level", logging.INFO)
    server = uvicorn.Server(uvicorn.Config(api.app, host="127.0.0.1", port=0, log_config=None, access_log=True))
    draad = threading.Thread(target=server.run, daemon=True)
    draad.start()
    try:
        einde = time.monotonic() + 60
        while not server.started:
            assert time.monotonic() < einde, "uvicorn startte niet"
            assert draad.is_alive()
            time.sleep(0.05)
        poort = server.servers[0].sockets[0].getsockname()[1]
        token = api.token(SCHOOL)
        headers = {"Authorization": f"Bearer {token}", "X-Aanpak-Rol": SCHOOL}
        with httpx.Client(base_url=f"http://127.0.0.1:{poort}", timeout=60) as client:
            antwoord = client.post(f"{V1}/signalen", headers=headers, json=signaal_document())
            assert antwoord.status_code == 201, antwoord.text
            casus = antwoord.json()["casus_ref"]
            assert client.get(f"{V1}/casussen/{casus}/tijdlijn", headers=headers).status_code == 200
            assert (
                client.get(f"{V1}/postvak", headers=headers, params={"zoek": f"Zwaantje {SENTINEL_BSN}"}).status_code
                == 200
            )
            assert client.get(f"{V1}/casussen/Xylofoonstra/tijdlijn", headers=headers).status_code == 422
            groot = client.post(f"{V1}/signalen", headers=headers, content=b"x" * (MIB + 1))
            assert groot.status_code == 413
            assert groot.headers["content-type"] == PROBLEEM
    finally:
        server.should_exit = True
        draad.join(60)
    toegang = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert len(toegang) >= 5, toegang
    assert any(f"/casussen/{casus}/tijdlijn" in regel for regel in toegang)
    assert any("/casussen/[…]/tijdlijn" in regel for regel in toegang)
    # Everything the server side logged (the test's own httpx client logs its full URLs: not the server's).
    server_kant = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(r.name.startswith("uvicorn.error") for r in server_kant)
    geen_persoonsgegevens("\n".join(r.getMessage() for r in server_kant), token)


# -- with Prefect ---------------------------------------------------------------------------------------------------


@pytest.mark.prefect
def test_signaal_en_besluit_als_prefect_flow_runs(
    omg: Omgeving, uitgever: Uitgever, prefect_server: str, flows_in_proces: None
) -> None:
    api = _api(omg, uitgever)
    casus = registreer(api)
    genomen = besluit(api, casus, "interne_weging", "eigen_ondersteuning")
    assert genomen["overgang"] == "klaar"
    assert genomen["toegepast"]["gestarte_stappen"] == ["informeren_grondslag"]


def _deployments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Transitions as deployment runs for a worker, as in production (the session's Prefect server)."""
    monkeypatch.setenv("AANPAK_PREFECT", "true")
    monkeypatch.setenv("AANPAK_DEPLOYMENTS", "true")
    instellingen.cache_clear()


@pytest.mark.prefect
def test_overgang_die_nog_loopt_is_202_en_het_signaal_is_vastgelegd(
    omg: Omgeving, uitgever: Uitgever, prefect_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deployment without a worker: the run is created but not picked up; the caller hears it is stored."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    from aanpak import uitvoering
    from aanpak.store.schema import Signaal

    monkeypatch.setattr(uitvoering, "WACHTTIJD_SECONDEN", 1.0)
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="aanpak-test-zonder-worker", type="process"), overwrite=True)
        deployment = client.create_deployment(
            client.create_flow_from_name("signaal-ontvangen"),
            "signaal-ontvangen",
            work_pool_name="aanpak-test-zonder-worker",
            entrypoint="flows/signaal_ontvangen.py:signaal_ontvangen",
        )
    try:
        _deployments(monkeypatch)
        api = _api(omg, uitgever)
        r = api.post("/signalen", SCHOOL, signaal_document())
        antwoord = ok(r, 202)
        assert antwoord["overgang"] == "bezig"
        assert antwoord["casus_ref"] is None
        assert antwoord["melding"].startswith("Vastgelegd")
        with omg.uow() as sessie:
            signaal = sessie.scalar(select(Signaal).where(Signaal.ref == antwoord["signaal_ref"]))
            assert signaal is not None
            assert signaal.verwerkt_op is None  # the worker would process it
    finally:
        instellingen.cache_clear()
        with get_client(sync_client=True) as client:
            for run in client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment]))
            ):
                client.delete_flow_run(run.id)
            client.delete_deployment(deployment)


@pytest.mark.prefect
def test_overgang_die_mislukt_is_202_zonder_traceback(
    omg: Omgeving, uitgever: Uitgever, prefect_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``stap-afgerond`` deployment exists: the decision is stored and the answer says so, nothing more."""
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    instellingen.cache_clear()
    api = _api(omg, uitgever)
    casus = registreer(api)
    _deployments(monkeypatch)
    try:
        r = api.post(f"/casussen/{casus}/stappen/interne_weging/besluit", SCHOOL, {"uitkomst": "eigen_ondersteuning"})
        antwoord = ok(r, 202)
        assert antwoord["overgang"] == "mislukt"
        assert antwoord["toegepast"] is None
        assert "Traceback" not in r.text
        assert _REF.fullmatch(antwoord["besluit_ref"])
    finally:
        instellingen.cache_clear()


def test_cli_server_refuses_the_development_issuer_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    """No configured issuer and a shared database: the server does not start (no mode without tokens)."""
    from typer.testing import CliRunner

    from aanpak.cli.main import app

    monkeypatch.setenv("AANPAK_DATABASE_URL", "postgresql+psycopg://aanpak@127.0.0.1:1/aanpak")
    monkeypatch.delenv("AANPAK_TOEGANG", raising=False)
    monkeypatch.delenv("AANPAK_ONTWIKKELUITGEVER_TOESTAAN", raising=False)
    instellingen.cache_clear()
    try:
        r = CliRunner().invoke(app, ["server", "--port", "8110"])
    finally:
        instellingen.cache_clear()
    assert r.exit_code == 1
    assert "ontwikkeluitgever" in r.output


def test_cli_server_refuses_a_toegang_file_without_issuers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aanpak.cli.main import app

    leeg = tmp_path / "toegang.yaml"
    leeg.write_text("uitgevers: []\n", encoding="utf-8")
    monkeypatch.setenv("AANPAK_TOEGANG", str(leeg))
    instellingen.cache_clear()
    try:
        r = CliRunner().invoke(app, ["server", "--port", "8110"])
    finally:
        instellingen.cache_clear()
    assert r.exit_code == 1
    assert "uitgever" in r.output


def test_onverwachte_fout_is_500_zonder_traceback_in_de_log(
    tmp_path: Path, uitgever: Uitgever, zonder_prefect: None, caplog: pytest.LogCaptureFixture, klok: Klok
) -> None:
    """A store that cannot be opened: 500 as problem details, the log names only the error's type."""
    caplog.set_level(logging.DEBUG)
    kapot = maak_engine(f"sqlite:///{tmp_path / 'bestaat-niet' / 'aanpak.db'}")
    api = _api(maak_omgeving(kapot, klok), uitgever)
    r = api.post("/signalen", SCHOOL, signaal_document())
    inhoud = probleem(r, 500)
    assert inhoud["title"] == "Interne fout"
    assert "OperationalError" not in r.text
    assert any("OperationalError" in rec.getMessage() for rec in caplog.records if rec.name == "aanpak.server")
    assert "Traceback" not in caplog.text
    geen_persoonsgegevens(caplog.text + r.text)


#: A server process with uvicorn's own logging configuration (as `aanpak server` runs it), printing its port.
_SERVERPROCES = """
import sys, threading, time
import httpx, uvicorn
from aanpak.omgeving import bouw
from aanpak.server.app import maak_app
from tests.server_hulp import Uitgever

uitgever = Uitgever()
server = uvicorn.Server(uvicorn.Config(maak_app(bouw(), uitgever.verificateur()), host="127.0.0.1", port=0))
draad = threading.Thread(target=server.run, daemon=True)
draad.start()
einde = time.monotonic() + 60
while not server.started and time.monotonic() < einde:
    time.sleep(0.05)
poort = server.servers[0].sockets[0].getsockname()[1]
kop = {"Authorization": "Bearer " + uitgever.token("t.test", "school-de-wissel", ["school.zorgcoordinator"])}
with httpx.Client(base_url=f"http://127.0.0.1:{poort}", timeout=60) as client:
    print(client.get("/api/v1/postvak", params={"bsn": sys.argv[1], "naam": sys.argv[2]}, headers=kop).status_code)
    print(client.get(f"/api/v1/casussen/{sys.argv[2]}/tijdlijn", headers=kop).status_code)
    print(kop["Authorization"], file=sys.stderr)  # the test checks the token appears only in this line
server.should_exit = True
draad.join(60)
"""


def test_toegangslog_met_uvicorns_eigen_logconfiguratie(tmp_path: Path) -> None:
    """uvicorn's access formatter unpacks the record's arguments: the filters keep them, minus query and data."""
    import os
    import subprocess
    import sys

    omgeving = {
        **os.environ,
        "AANPAK_DATA_DIR": str(tmp_path),
        "AANPAK_DATABASE_URL": "",
        "AANPAK_PREFECT": "false",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    uit = subprocess.run(
        [sys.executable, "-c", _SERVERPROCES, SENTINEL_BSN, "Xylofoonstra"],
        capture_output=True,
        text=True,
        timeout=180,
        env=omgeving,
        check=False,
    )
    assert uit.returncode == 0, uit.stderr
    alles = (uit.stdout + uit.stderr).splitlines()  # uvicorn logs access to stdout, the rest to stderr
    assert [r for r in uit.stdout.splitlines() if r.isdigit()] == ["200", "422"]
    toegang = [regel for regel in alles if "HTTP/1.1" in regel]
    assert len(toegang) == 2, alles
    assert '"GET /api/v1/postvak HTTP/1.1" 200' in toegang[0]
    assert '"GET /api/v1/casussen/[…]/tijdlijn HTTP/1.1" 422' in toegang[1]
    assert "Logging error" not in uit.stderr
    regels = [r for r in alles if not r.startswith("Bearer ")]
    geen_persoonsgegevens("\n".join(regels))
    token = next(r for r in uit.stderr.splitlines() if r.startswith("Bearer ")).split()[1]
    assert token not in "\n".join(regels)
