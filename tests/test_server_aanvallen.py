"""Attacks on the aanpak server over HTTP (issue 10 §6): forged tokens, foreign roles, another school's case.

Everything goes through the real app (httpx over ASGI) with the real verifier, which fetches the fake identity
provider's keys over real HTTP on loopback (``tests/idp.py``); the verifier shares the IdP's clock, so expiry
does not depend on the wall clock. The case store is a real SQLite file and, where it answers, PostgreSQL.
The token forgeries themselves are the verifier tests' list (``tests/test_toegang.py``): here each must come
back as a 401 problem, on the wire, without echoing the token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aanpak.omgeving import Omgeving
from aanpak.server.app import maak_app
from aanpak.toegang import ToegangConfig, Verificateur
from aanpak.toegang import Uitgever as ToegangUitgever
from tests.gegevens import SENTINEL_BSN, SENTINELS, signaal_document
from tests.idp import Klok, NepIdp
from tests.server_hulp import ORGANISATIES, PUBLIEK, Klant
from tests.test_server import weigeringen, zonder_prefect
from tests.test_toegang import NAMEN, _aanvallen

__all__ = ["zonder_prefect"]  # the fixture, used by name

V1 = "/api/v1"
PROBLEEM = "application/problem+json"
SCHOOL = "school.zorgcoordinator"
WIJKTEAM = "wijkteam.casusregisseur"
GEMEENTE = "gemeente.procesregisseur"
SCHOOL_A = "school-de-wissel"
SCHOOL_B = "school-het-baken"
ORG = {
    SCHOOL: SCHOOL_A,
    WIJKTEAM: "wijkteam-venlo",
    GEMEENTE: "gemeente-venlo",
    "jgz.jeugdarts": "jgz-limburg-noord",
    "gemeente.privacyloket": "gemeente-venlo",
}


@pytest.fixture
def idp() -> Iterator[NepIdp]:
    nep = NepIdp(klok=Klok(datetime.now(UTC).replace(microsecond=0)))
    try:
        yield nep
    finally:
        nep.stop()


@dataclass
class Server:
    app: FastAPI
    klant: Klant
    idp: NepIdp
    omg: Omgeving

    def token(self, rol: str, *, persoon: str = "t.test", organisatie: str | None = None, **claims: Any) -> str:
        inhoud = self.idp.claims(
            sub=f"test:{persoon}", preferred_username=persoon, organisatie=organisatie or ORG[rol], rollen=[rol]
        )
        return self.idp.token(inhoud | claims)

    def als(self, rol: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(rol, **kwargs)}", "X-Aanpak-Rol": rol}

    def met_token(self, token: str) -> httpx.Response:
        return self.klant.get(f"{V1}/postvak", headers={"Authorization": f"Bearer {token}"})


def _verificateur(idp: NepIdp, organisaties: list[str]) -> Verificateur:
    config = ToegangConfig(uitgevers=[ToegangUitgever(uitgever=idp.url, publiek=PUBLIEK, organisaties=organisaties)])
    return Verificateur(config, klok=idp.klok)


@pytest.fixture
def server(omg: Omgeving, idp: NepIdp, zonder_prefect: None) -> Server:
    app = maak_app(omg, _verificateur(idp, ORGANISATIES))
    return Server(app, Klant(app), idp, omg)


def probleem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"] == PROBLEEM
    inhoud: dict[str, Any] = r.json()
    assert inhoud["status"] == status
    assert inhoud["type"].startswith("urn:aanpak:probleem:")
    return inhoud


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()


def niet_in(tekst: str, token: str) -> None:
    """Neither the token nor any of its three parts (header, claims, signature) is in ``tekst``."""
    for deel in (token, *[d for d in token.split(".") if len(d) >= 8]):
        assert deel not in tekst


# -- forged and broken tokens: 401 on the wire --------------------------------------------------------------------


@pytest.mark.parametrize("aanval", NAMEN)
def test_vervalst_of_kapot_token_is_401(server: Server, aanval: str) -> None:
    assert ok(server.met_token(server.token(SCHOOL))) == []  # the genuine token passes: the 401 is the attack's
    token = _aanvallen(server.idp)[aanval]
    r = server.met_token(token)
    inhoud = probleem(r, 401)
    assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert inhoud["title"] == "Niet ingelogd"
    if token:
        niet_in(r.text, token)
    # Also where the request carries a body: refused before anything is read or stored.
    r = server.klant.post(f"{V1}/signalen", headers={"Authorization": f"Bearer {token}"}, json=signaal_document())
    probleem(r, 401)
    for s in SENTINELS:
        assert s not in r.text


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "preferred_username", "organisatie", "rollen"])
def test_ontbrekende_claim_is_401(server: Server, claim: str) -> None:
    claims = server.idp.claims()
    del claims[claim]
    probleem(server.met_token(server.idp.token(claims)), 401)


def test_onbekende_kid_haalt_de_sleutels_eenmaal_opnieuw_en_dan_401(server: Server) -> None:
    ok(server.met_token(server.token(SCHOOL)))
    assert server.idp.jwks_hits == 1
    server.idp.klok.verder(31)  # past the refetch pause since that first fetch
    sleutel = server.idp.sleutels[server.idp.actief]
    probleem(server.met_token(server.idp.token(kid="verzonnen-1", sleutel=sleutel)), 401)
    assert server.idp.jwks_hits == 2  # refetched once: the IdP might have rotated
    probleem(server.met_token(server.idp.token(kid="verzonnen-2", sleutel=sleutel)), 401)
    assert server.idp.jwks_hits == 2  # not again within the pause: invented kids cannot hammer the IdP
    # A genuine rotation after the pause is picked up by that one refetch.
    server.idp.klok.verder(31)
    nieuw = server.idp.roteer()
    assert ok(server.met_token(server.idp.token(server.idp.claims(), kid=nieuw))) == []
    assert server.idp.jwks_hits == 3


def test_uitgever_die_een_organisatie_noemt_waaraan_hij_niet_gebonden_is_is_401(
    omg: Omgeving, idp: NepIdp, zonder_prefect: None
) -> None:
    """An issuer bound to school A only: its tokens for the gemeente or school B are refused, even if valid."""
    app = maak_app(omg, _verificateur(idp, [SCHOOL_A]))
    klant = Klant(app)

    def postvak(organisatie: str, rol: str) -> httpx.Response:
        token = idp.token(idp.claims(organisatie=organisatie, rollen=[rol]))
        return klant.get(f"{V1}/postvak", headers={"Authorization": f"Bearer {token}"})

    assert ok(postvak(SCHOOL_A, SCHOOL)) == []
    for organisatie, rol in ((SCHOOL_B, SCHOOL), ("gemeente-venlo", "gemeente.privacyloket"), ("nergens", SCHOOL)):
        r = postvak(organisatie, rol)
        probleem(r, 401)
        assert organisatie not in r.text


def test_rol_die_de_persoon_niet_heeft_is_403(server: Server) -> None:
    token = server.token(SCHOOL)
    for rol in ("gemeente.privacyloket", GEMEENTE, "Zwaantje Xylofoonstra"):
        r = server.klant.get(f"{V1}/postvak", headers={"Authorization": f"Bearer {token}", "X-Aanpak-Rol": rol})
        inhoud = probleem(r, 403)
        assert [f["veld"] for f in inhoud["errors"]] == ["header.x-aanpak-rol"]
        assert rol not in r.text
    # The role in a body is no way around it.
    r = server.klant.post(
        f"{V1}/signalen",
        headers={"Authorization": f"Bearer {token}"},
        json={**signaal_document(), "actor_rol": "gemeente.privacyloket"},
    )
    probleem(r, 422)


# -- school B and school A's case: 404, exactly like an unknown case, and logged ---------------------------------

ONBEKEND = "C-00000000"

#: Every endpoint that names a case: (method, path with {c}, body).
CASUSROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/casussen/{c}/tijdlijn", None),
    ("POST", "/casussen/{c}/inzage", {"doel": "casusoverleg"}),
    ("POST", "/casussen/{c}/stappen/interne_weging/besluit", {"uitkomst": "geen_zorg"}),
    ("POST", "/casussen/{c}/stappen/interne_weging/opschorten", {"reden": "overig"}),
    ("POST", "/casussen/{c}/stappen/interne_weging/hervatten", None),
    ("POST", "/casussen/{c}/stappen/interne_weging/verlengen", {"aantal": 1, "reden": "overig"}),
    ("POST", "/casussen/{c}/stappen/uitvoering_monitoring/review", None),
    ("GET", "/casussen/{c}/grondslagen", None),
    ("POST", "/casussen/{c}/grondslagen", {"soort": "wettelijke_taak", "doel": "casusoverleg"}),
    ("POST", "/rechten/casussen/{c}/inzage", None),
    ("POST", "/rechten/casussen/{c}/beperking", {"reden": "bezwaar"}),
    ("DELETE", "/rechten/casussen/{c}/beperking", None),
    ("POST", "/rechten/casussen/{c}/correctie", {"wijzigingen": [{"veld": "achternaam", "waarde": "Anders"}]}),
    ("POST", "/bewaring/casussen/{c}/wis", None),
    ("POST", "/bewaring/casussen/{c}/bewaarplicht", {"reden": "rechtsvordering"}),
    ("DELETE", "/bewaring/casussen/{c}/bewaarplicht", None),
]


def _casusroutes_in_de_spec(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (methode.upper(), pad.removeprefix(V1))
        for pad, methoden in app.openapi()["paths"].items()
        for methode in methoden
        if "{casus_ref}" in pad
    }


def test_de_lijst_dekt_elk_casusendpoint(server: Server) -> None:
    """A new case endpoint must be added above, so that school B is tried on it too."""
    gedekt = {(m, p.replace("{c}", "{casus_ref}").replace("interne_weging", "{stap}")) for m, p, _ in CASUSROUTES}
    gedekt |= {(m, p.replace("uitvoering_monitoring", "{stap}")) for m, p in gedekt}
    assert _casusroutes_in_de_spec(server.app) <= gedekt


def _registreer(server: Server) -> str:
    antwoord = ok(server.klant.post(f"{V1}/signalen", headers=server.als(SCHOOL), json=signaal_document()), 201)
    return str(antwoord["casus_ref"])


def test_school_b_vindt_de_casus_van_school_a_niet(server: Server) -> None:
    casus = _registreer(server)
    a = server.als(SCHOOL)
    b = server.als(SCHOOL, persoon="b.coordinator", organisatie=SCHOOL_B)
    # Details that school A's case has by now: a ground, and a handoff offered to the wijkteam.
    grondslag = ok(
        server.klant.post(
            f"{V1}/casussen/{casus}/grondslagen", headers=a, json={"soort": "wettelijke_taak", "doel": "casusoverleg"}
        ),
        201,
    )["grondslag_ref"]

    for methode, sjabloon, body in CASUSROUTES:
        kwargs: dict[str, Any] = {"headers": b} if body is None else {"headers": b, "json": body}
        onbekend = server.klant(methode, V1 + sjabloon.format(c=ONBEKEND), **kwargs)
        van_a = server.klant(methode, V1 + sjabloon.format(c=casus), **kwargs)
        probleem(onbekend, 404)
        assert van_a.status_code == 404, (sjabloon, van_a.text)
        assert van_a.text == onbekend.text.replace(ONBEKEND, casus), sjabloon
        assert dict(van_a.headers).keys() == dict(onbekend.headers).keys()
    # Withdrawing school A's ground: as unknown as a ground that does not exist.
    onbekend = server.klant.post(f"{V1}/grondslagen/G-00000000/intrekken", headers=b)
    van_a = server.klant.post(f"{V1}/grondslagen/{grondslag}/intrekken", headers=b)
    probleem(onbekend, 404)
    assert van_a.text == onbekend.text.replace("G-00000000", grondslag)
    # School B's postvak holds nothing of it; school A's does.
    assert ok(server.klant.get(f"{V1}/postvak", headers=b, params={"bereik": "organisatie"})) == []
    assert [t["casus_ref"] for t in ok(server.klant.get(f"{V1}/postvak", headers=a))] == [casus]

    # Every attempt is in the disclosure log, with school B's organisation.
    gelogd = weigeringen(server.omg, casus, SCHOOL)
    assert len(gelogd) == len(CASUSROUTES) + 1
    assert {(v.actor, v.organisatie, v.reden) for v in gelogd} == {("b.coordinator", SCHOOL_B, "niet_betrokken")}
    # School A itself is refused nothing.
    assert ok(server.klant.get(f"{V1}/casussen/{casus}/tijdlijn", headers=a))["casus_ref"] == casus


def test_school_b_kan_een_overdracht_van_school_a_niet_accepteren(server: Server) -> None:
    casus = _registreer(server)
    a = server.als(SCHOOL)
    for stap, body in (
        ("interne_weging", {"uitkomst": "eigen_ondersteuning"}),
        ("informeren_grondslag", {"uitkomst": "wettelijke_grondslag"}),
        (
            "ave_regie_bepalen",
            {"uitkomst": "lokaal", "ave_fase": 2, "casusregie": WIJKTEAM, "regie_voorstel": "aanvaard"},
        ),
    ):
        r = ok(server.klant.post(f"{V1}/casussen/{casus}/stappen/{stap}/besluit", headers=a, json=body))
    (overdracht,) = r["toegepast"]["overdrachten"]
    b = server.als(SCHOOL, persoon="b.coordinator", organisatie=SCHOOL_B)
    onbekend = server.klant.post(f"{V1}/overdrachten/O-00000000/accepteer", headers=b)
    van_a = server.klant.post(f"{V1}/overdrachten/{overdracht}/accepteer", headers=b)
    probleem(onbekend, 404)
    assert van_a.text == onbekend.text.replace("O-00000000", overdracht)
    assert len(weigeringen(server.omg, casus, SCHOOL)) == 1
    # The wijkteam it was offered to still can.
    assert ok(server.klant.post(f"{V1}/overdrachten/{overdracht}/accepteer", headers=server.als(WIJKTEAM)))


# -- problem details never echo a submitted value ------------------------------------------------------------------

SENTINEL = "Zwaantje Xylofoonstra"


def _lichamen(schema: dict[str, Any], spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Bodies for a request schema: every property a sentinel (wrong type or content), and an unknown sentinel key."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    eigenschappen = list(schema.get("properties", {}))
    yield dict.fromkeys(eigenschappen, SENTINEL)
    yield {naam: [SENTINEL_BSN] for naam in eigenschappen}
    yield {naam: {SENTINEL: SENTINEL_BSN} for naam in eigenschappen}
    yield {SENTINEL: SENTINEL_BSN}
    for naam in eigenschappen:  # one field at a time: the others absent or valid
        yield {naam: SENTINEL}


def test_problemen_herhalen_nooit_een_ingestuurde_waarde(server: Server) -> None:
    """Every endpoint with a body, as an involved coordinator, fed sentinels: whatever the answer, no echo."""
    casus = _registreer(server)
    spec = server.app.openapi()
    gedaan = 0
    for pad, methoden in spec["paths"].items():
        for methode, operatie in methoden.items():
            inhoud = operatie.get("requestBody", {}).get("content", {}).get("application/json")
            if not inhoud or pad.endswith("/rechten/zoek"):
                continue
            url = (
                pad.replace("{casus_ref}", casus)
                .replace("{stap}", "interne_weging")
                .replace("{overdracht_ref}", "O-00000000")
                .replace("{grondslag_ref}", "G-00000000")
            )
            for body in _lichamen(inhoud["schema"], spec):
                r = server.klant(methode.upper(), url, headers=server.als(SCHOOL), json=body)
                assert r.status_code < 500, (pad, body, r.text)
                if r.status_code >= 400:
                    assert r.headers["content-type"] == PROBLEEM, (pad, r.text)
                for s in (*SENTINELS, SENTINEL):
                    assert s not in r.text, (pad, body, r.text)
                gedaan += 1
    assert gedaan > 50
    # Sentinels in the path, the query and the headers are not repeated either.
    for pad in (
        f"{V1}/casussen/{SENTINEL_BSN}/tijdlijn",
        f"{V1}/casussen/{casus}/stappen/xylofoonstra/besluit",
        f"{V1}/postvak?bereik={SENTINEL}",
        f"{V1}/rapport?organisatie={SENTINEL}&van={SENTINEL_BSN}",
    ):
        r = server.klant("POST" if pad.endswith("besluit") else "GET", pad, headers=server.als(SCHOOL), json={})
        assert 400 <= r.status_code < 500, (pad, r.text)
        for s in (*SENTINELS, SENTINEL, "xylofoonstra"):
            assert s not in r.text, (pad, r.text)
    r = server.klant.post(
        f"{V1}/signalen", headers={**server.als(SCHOOL), "Idempotency-Key": SENTINEL}, json=signaal_document()
    )
    assert r.status_code in (201, 422), r.text
    assert SENTINEL not in r.text


def test_een_gequote_waarde_blijft_alleen_staan_als_referentie_of_bekende_sleutel() -> None:
    from aanpak.server.problemen import GEMASKEERD, zonder_waarden

    bekend = frozenset({"interne_weging", "geen_zorg"})
    tekst = "stap 'interne_weging' kent geen uitkomst 'Zwaantje X' (wel: geen_zorg); casus 'C-7K3M9QXD', 'zwaantje'"
    assert zonder_waarden(tekst, bekend) == (
        f"stap 'interne_weging' kent geen uitkomst {GEMASKEERD} (wel: geen_zorg); casus 'C-7K3M9QXD', {GEMASKEERD}"
    )


def test_een_waarde_met_een_apostrof_lekt_niet_half() -> None:
    from aanpak.server.problemen import zonder_waarden

    gemaskeerd = zonder_waarden("stap 'interne_weging' kent geen uitkomst 'd'Hondt Jansen'", frozenset())
    assert "Hondt" not in gemaskeerd
    assert gemaskeerd.startswith("stap ")
