"""Token verification against a fake identity provider on loopback, and the development issuer over real HTTP.

Every forgery is a real token sent through the real verifier, which fetches real keys over HTTP from the fake
IdP (tests/idp.py); the IdP's hit counters show what was fetched when. The development issuer's router runs in
uvicorn on port 0, so its tokens are verified exactly like any issuer's.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from jwt import PyJWK
from typer.testing import CliRunner

from aanpak.cli.main import app
from aanpak.config import Instellingen, instellingen
from aanpak.toegang import (
    Identiteit,
    RolNietToegestaan,
    Systeem,
    ToegangConfig,
    TokenOngeldig,
    Uitgever,
    UitgeverOnbereikbaar,
    Verificateur,
    kies_actor,
    laad_toegang,
)
from aanpak.toegang.inrichting import toegang_voor
from aanpak.toegang.ontwikkeluitgever import (
    Ontwikkeluitgever,
    OntwikkeluitgeverFout,
    OntwikkeluitgeverGeweigerd,
    ontwikkeluitgever_toegestaan,
    standaard_toegang,
)
from models.actor import Actor
from models.fouten import InvoerFout
from tests import idp
from tests.idp import (
    NepIdp,
    Uvicorn,
    ec_sleutel,
    handmatig,
    hmac_met,
    publieke_jwk,
    publieke_pem,
    rsa_met,
    rsa_sleutel,
)

nep_idp = idp.nep_idp  # the fixture

SYSTEEM = "school-de-wissel-administratie"


def uitgever(idp: NepIdp, **anders: Any) -> Uitgever:
    velden: dict[str, Any] = {
        "uitgever": idp.url,
        "publiek": "aanpak",
        "organisaties": ["school-de-wissel", "school-het-baken"],
        "systemen": {SYSTEEM: Systeem(organisatie="school-de-wissel", rol="school.zorgcoordinator")},
    }
    return Uitgever(**(velden | anders))


def verificateur(idp: NepIdp, *extra: Uitgever, **anders: Any) -> Verificateur:
    config = ToegangConfig(uitgevers=[uitgever(idp, **anders), *extra])
    return Verificateur(config, klok=idp.klok)


# -- the good path -------------------------------------------------------------------------------------------


def test_geldig_token_geeft_de_identiteit(nep_idp: NepIdp) -> None:
    identiteit = verificateur(nep_idp).verifieer(nep_idp.token())
    assert identiteit == Identiteit(
        persoon="a.mentor",
        organisatie="school-de-wissel",
        rollen=frozenset({"school.zorgcoordinator"}),
        uitgever=nep_idp.url,
        soort="persoon",
    )
    assert kies_actor(identiteit, None) == Actor("a.mentor", "school-de-wissel", "school.zorgcoordinator")


def test_sleutels_via_discovery_en_via_jwks_uri(nep_idp: NepIdp) -> None:
    verificateur(nep_idp).verifieer(nep_idp.token())
    assert (nep_idp.discovery_hits, nep_idp.jwks_hits) == (1, 1)
    verificateur(nep_idp, jwks_uri=nep_idp.url + "/jwks").verifieer(nep_idp.token())
    assert (nep_idp.discovery_hits, nep_idp.jwks_hits) == (1, 2)


def test_geneste_claims_en_rolnamen(nep_idp: NepIdp) -> None:
    """Keycloak-style roles (realm_access.roles) with the IdP's own role names translated; others ignored."""
    v = verificateur(
        nep_idp,
        claims={"persoon": "sub", "organisatie": "org", "rollen": "realm_access.roles"},
        rolnamen={"ZorgCoordinatoren": "school.zorgcoordinator", "Teamleiders": "school.teamleider"},
    )
    claims = nep_idp.claims(
        sub="u-4711", org="school-het-baken", realm_access={"roles": ["ZorgCoordinatoren", "offline_access"]}
    )
    identiteit = v.verifieer(nep_idp.token(claims, zonder=("preferred_username", "organisatie", "rollen")))
    assert (identiteit.persoon, identiteit.organisatie, identiteit.rollen) == (
        "u-4711",
        "school-het-baken",
        frozenset({"school.zorgcoordinator"}),
    )


def test_rollen_van_de_idp_zelf_tellen_niet(nep_idp: NepIdp) -> None:
    rollen = ["offline_access", "default-roles-convenant", "school.zorgcoordinator"]
    token = nep_idp.token(nep_idp.claims(rollen=rollen))
    identiteit = verificateur(nep_idp).verifieer(token)
    assert identiteit.rollen == frozenset({"school.zorgcoordinator"})
    assert kies_actor(identiteit, None).rol == "school.zorgcoordinator"


def test_uitgever_met_een_organisatie_zonder_organisatieclaim(nep_idp: NepIdp) -> None:
    v = verificateur(nep_idp, organisaties=["school-het-baken"], systemen={}, claims={"organisatie": None})
    identiteit = v.verifieer(nep_idp.token(zonder=("organisatie",)))
    assert identiteit.organisatie == "school-het-baken"


# -- attacks and broken tokens: 401 --------------------------------------------------------------------------


def _aanvallen(idp: NepIdp) -> dict[str, str]:
    sleutel = idp.sleutels[idp.actief]
    kop = {"alg": "RS256", "kid": idp.actief, "typ": "JWT"}
    geldig = idp.token()
    kop_b64, inhoud_b64, handtekening = geldig.split(".")
    midden = len(handtekening) // 2
    vervalst = handtekening[:midden] + ("A" if handtekening[midden] != "A" else "B") + handtekening[midden + 1 :]
    aanvaller = rsa_sleutel(99)
    return {
        "verlopen": idp.token(idp.claims(exp=int(idp.klok().timestamp()) - 120)),
        "nog niet geldig": idp.token(idp.claims(nbf=int(idp.klok().timestamp()) + 600)),
        "uitgegeven in de toekomst": idp.token(idp.claims(iat=int(idp.klok().timestamp()) + 600)),
        "onbekende uitgever": idp.token(idp.claims(iss="https://idp.aanvaller.example")),
        "verkeerd publiek": idp.token(idp.claims(aud="ander-systeem")),
        "alg none": handmatig({"alg": "none", "typ": "JWT"}, idp.claims()),
        "alg none met kid": handmatig({"alg": "none", "kid": idp.actief}, idp.claims()),
        "HS256 met de publieke sleutel": handmatig(
            {"alg": "HS256", "kid": idp.actief}, idp.claims(), hmac_met(publieke_pem(sleutel))
        ),
        "onbekende kid": idp.token(kid="bestaat-niet", sleutel=sleutel),
        "vervalste handtekening": f"{kop_b64}.{inhoud_b64}.{vervalst}",
        "andere inhoud": f"{kop_b64}.{handmatig(kop, idp.claims(rollen=['gemeente.burgemeester'])).split('.')[1]}"
        f".{handtekening}",
        "sleutel van een aanvaller": idp.token(kid=idp.actief, sleutel=aanvaller),
        "jwk in de kop": idp.token(
            kid="aanvaller", sleutel=aanvaller, kop={"jwk": {**publieke_jwk(aanvaller), "kid": "aanvaller"}}
        ),
        "jku in de kop": idp.token(kop={"jku": "http://127.0.0.1:1/jwks"}),
        "x5u in de kop": idp.token(kop={"x5u": "http://127.0.0.1:1/cert.pem"}),
        "RS384 niet toegestaan": idp.token(alg="RS384"),
        "geen JWT": "dit-is-geen-token",
        "leeg": "",
        "te lang": geldig + "A" * 20_000,
        "exp is tekst": idp.token(idp.claims(exp="morgen")),
        "persoon is een e-mailadres": idp.token(idp.claims(preferred_username="a.mentor@school.example")),
        "rollen geen lijst": idp.token(idp.claims(rollen={"rol": "school.zorgcoordinator"})),
        "iss is een lijst": handmatig(kop, idp.claims(iss=[idp.url]), rsa_met(rsa_sleutel(0))),
    }


NAMEN = [
    "verlopen",
    "nog niet geldig",
    "uitgegeven in de toekomst",
    "onbekende uitgever",
    "verkeerd publiek",
    "alg none",
    "alg none met kid",
    "HS256 met de publieke sleutel",
    "onbekende kid",
    "vervalste handtekening",
    "andere inhoud",
    "sleutel van een aanvaller",
    "jwk in de kop",
    "jku in de kop",
    "x5u in de kop",
    "RS384 niet toegestaan",
    "geen JWT",
    "leeg",
    "te lang",
    "exp is tekst",
    "persoon is een e-mailadres",
    "rollen geen lijst",
    "iss is een lijst",
]


@pytest.mark.parametrize("aanval", NAMEN)
def test_aanval_geeft_401(nep_idp: NepIdp, aanval: str) -> None:
    v = verificateur(nep_idp)
    v.verifieer(nep_idp.token())  # the genuine token passes: the refusal below is about the attack only
    token = _aanvallen(nep_idp)[aanval]
    with pytest.raises(TokenOngeldig) as fout:
        v.verifieer(token)
    assert not token or token not in str(fout.value)
    assert fout.value.__cause__ is None


def test_alle_aanvallen_staan_in_de_lijst(nep_idp: NepIdp) -> None:
    assert sorted(_aanvallen(nep_idp)) == sorted(NAMEN)


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "preferred_username", "organisatie", "rollen"])
def test_ontbrekende_claim_geeft_401(nep_idp: NepIdp, claim: str) -> None:
    with pytest.raises(TokenOngeldig, match=f"claim ontbreekt: {claim}|onbekende uitgever"):
        verificateur(nep_idp).verifieer(nep_idp.token(zonder=(claim,)))


def test_verlopen_binnen_de_speling_is_nog_geldig(nep_idp: NepIdp) -> None:
    v = verificateur(nep_idp)
    token = nep_idp.token()
    nep_idp.klok.verder(300 + 29)
    assert v.verifieer(token).persoon == "a.mentor"
    nep_idp.klok.verder(2)
    with pytest.raises(TokenOngeldig, match="verlopen"):
        v.verifieer(token)


def test_token_van_een_andere_geconfigureerde_uitgever_met_de_verkeerde_sleutel(nep_idp: NepIdp) -> None:
    """Two trusted issuers: IdP A's key cannot sign for issuer B."""
    ander = NepIdp(klok=nep_idp.klok, sleutels={"b-0": rsa_sleutel(7)}, actief="b-0")
    try:
        v = verificateur(nep_idp, uitgever(ander))
        assert v.verifieer(ander.token(ander.claims())).uitgever == ander.url
        vervalst = nep_idp.token(ander.claims(), kid="b-0", sleutel=nep_idp.sleutels["rsa-0"])
        with pytest.raises(TokenOngeldig, match="handtekening"):
            v.verifieer(vervalst)
    finally:
        ander.stop()


def test_organisatie_waaraan_de_uitgever_niet_gebonden_is_geeft_401(nep_idp: NepIdp) -> None:
    with pytest.raises(TokenOngeldig, match="organisatie"):
        verificateur(nep_idp).verifieer(nep_idp.token(nep_idp.claims(organisatie="gemeente-venlo")))


def test_sleutel_van_het_verkeerde_type_wordt_geweigerd(nep_idp: NepIdp) -> None:
    ec_kid = nep_idp.voeg_ec_toe()
    v = verificateur(nep_idp, algoritmes=["RS256", "ES256"])
    # An ES256 token pointing at the RSA key, and an RS256 token pointing at the EC key.
    with pytest.raises(TokenOngeldig, match="past niet"):
        v.verifieer(nep_idp.token(alg="ES256", kid="rsa-0", sleutel=ec_sleutel(0)))
    with pytest.raises(TokenOngeldig, match="past niet"):
        v.verifieer(nep_idp.token(alg="RS256", kid=ec_kid, sleutel=nep_idp.sleutels["rsa-0"]))


def test_discovery_die_een_andere_uitgever_noemt_levert_geen_sleutels(nep_idp: NepIdp) -> None:
    nep_idp.discovery_issuer = "https://idp.aanvaller.example"
    with pytest.raises(UitgeverOnbereikbaar):
        verificateur(nep_idp).verifieer(nep_idp.token())
    assert nep_idp.jwks_hits == 0


# -- roles: 403 ----------------------------------------------------------------------------------------------


def test_rol_kiezen() -> None:
    identiteit = Identiteit(
        persoon="t.wissel",
        organisatie="school-de-wissel",
        rollen=frozenset({"school.zorgcoordinator", "school.teamleider"}),
        uitgever="https://idp.example",
        soort="persoon",
    )
    with pytest.raises(RolNietToegestaan, match="kies een rol"):
        kies_actor(identiteit, None)
    with pytest.raises(RolNietToegestaan):
        kies_actor(identiteit, "gemeente.procesregisseur")
    assert kies_actor(identiteit, "school.teamleider") == Actor("t.wissel", "school-de-wissel", "school.teamleider")


def test_rol_die_de_persoon_niet_heeft_geeft_403(nep_idp: NepIdp) -> None:
    identiteit = verificateur(nep_idp).verifieer(nep_idp.token())
    with pytest.raises(RolNietToegestaan):
        kies_actor(identiteit, "gemeente.privacyloket")


def test_rolnamen_die_niets_opleveren_geven_403_bij_het_kiezen(nep_idp: NepIdp) -> None:
    v = verificateur(nep_idp, rolnamen={"ZorgCoordinatoren": "school.zorgcoordinator"})
    identiteit = v.verifieer(nep_idp.token(nep_idp.claims(rollen=["offline_access"])))
    assert identiteit.rollen == frozenset()
    with pytest.raises(RolNietToegestaan):
        kies_actor(identiteit, None)


# -- partner systems -----------------------------------------------------------------------------------------


def test_client_credentials_van_een_partnersysteem(nep_idp: NepIdp) -> None:
    claims = {k: v for k, v in nep_idp.claims(sub=SYSTEEM, azp=SYSTEEM).items() if k not in ("rollen",)}
    claims.pop("preferred_username")
    claims["organisatie"] = "school-het-baken"  # a system cannot claim another organisation: the mapping decides
    identiteit = verificateur(nep_idp).verifieer(nep_idp.token(claims))
    assert identiteit == Identiteit(
        persoon=SYSTEEM,
        organisatie="school-de-wissel",
        rollen=frozenset({"school.zorgcoordinator"}),
        uitgever=nep_idp.url,
        soort="systeem",
    )
    assert kies_actor(identiteit, None).rol == "school.zorgcoordinator"
    with pytest.raises(RolNietToegestaan):
        kies_actor(identiteit, "school.teamleider")


def test_onbekende_client_is_geen_systeem(nep_idp: NepIdp) -> None:
    claims = nep_idp.claims(sub="andere-client", azp="andere-client")
    for naam in ("preferred_username", "organisatie", "rollen"):
        claims.pop(naam)
    with pytest.raises(TokenOngeldig, match="claim ontbreekt"):
        verificateur(nep_idp).verifieer(nep_idp.token(claims))


# -- the key cache -------------------------------------------------------------------------------------------


def test_jwks_wordt_gecachet_en_na_de_ttl_opnieuw_gehaald(nep_idp: NepIdp) -> None:
    v = verificateur(nep_idp)
    for _ in range(5):
        v.verifieer(nep_idp.token())
    assert nep_idp.jwks_hits == 1
    nep_idp.klok.verder(599)
    v.verifieer(nep_idp.token())
    assert nep_idp.jwks_hits == 1
    nep_idp.klok.verder(2)
    v.verifieer(nep_idp.token())
    assert nep_idp.jwks_hits == 2


def test_onbekende_kid_haalt_eenmaal_opnieuw_en_niet_vaker_dan_de_pauze(nep_idp: NepIdp) -> None:
    v = verificateur(nep_idp)
    v.verifieer(nep_idp.token())
    assert nep_idp.jwks_hits == 1
    nep_idp.klok.verder(31)
    for i in range(20):  # a flood of random kids
        with pytest.raises(TokenOngeldig, match="onbekende sleutel"):
            v.verifieer(nep_idp.token(kid=f"willekeurig-{i}", sleutel=nep_idp.sleutels["rsa-0"]))
    assert nep_idp.jwks_hits == 2
    nep_idp.klok.verder(31)
    with pytest.raises(TokenOngeldig, match="onbekende sleutel"):
        v.verifieer(nep_idp.token(kid="nog-een", sleutel=nep_idp.sleutels["rsa-0"]))
    assert nep_idp.jwks_hits == 3


def test_sleutelrotatie_bij_de_idp(nep_idp: NepIdp) -> None:
    v = verificateur(nep_idp)
    oud = nep_idp.token()
    v.verifieer(oud)
    nep_idp.klok.verder(60)
    nieuw_kid = nep_idp.roteer(behoud_oude=False)
    nieuw = nep_idp.token()
    assert v.verifieer(nieuw).persoon == "a.mentor"  # unknown kid: one refetch finds the new key
    assert nep_idp.jwks_hits == 2
    with pytest.raises(TokenOngeldig, match="onbekende sleutel"):
        v.verifieer(oud)  # the old key is gone from the JWKS, and no refetch within the pause
    assert nep_idp.jwks_hits == 2
    assert nieuw_kid == "rsa-1"


def test_idp_onbereikbaar_houdt_de_bekende_sleutels(nep_idp: NepIdp) -> None:
    v = verificateur(nep_idp)
    v.verifieer(nep_idp.token())
    token = nep_idp.token(nep_idp.claims(exp=int(nep_idp.klok().timestamp()) + 3600))
    nep_idp.stop()
    nep_idp.klok.verder(900)  # past the TTL: the fetch fails, the cached key stays in use
    assert v.verifieer(token).persoon == "a.mentor"


def test_idp_onbereikbaar_zonder_sleutels() -> None:
    idp = NepIdp()
    idp.stop()
    v = verificateur(idp)
    with pytest.raises(UitgeverOnbereikbaar):
        v.verifieer(idp.token())


def test_gelijktijdige_verificaties_halen_de_sleutels_eenmaal(nep_idp: NepIdp) -> None:
    v = verificateur(nep_idp)
    token = nep_idp.token()
    resultaten: list[str] = []
    fouten: list[BaseException] = []
    start = threading.Barrier(8)

    def werk() -> None:
        start.wait()
        try:
            for _ in range(10):
                resultaten.append(v.verifieer(token).persoon)
        except BaseException as exc:
            fouten.append(exc)

    draden = [threading.Thread(target=werk) for _ in range(8)]
    for d in draden:
        d.start()
    for d in draden:
        d.join(timeout=60)
    assert not fouten
    assert resultaten == ["a.mentor"] * 80
    assert nep_idp.jwks_hits == 1


def test_es256_toegestaan_wanneer_geconfigureerd(nep_idp: NepIdp) -> None:
    ec_kid = nep_idp.voeg_ec_toe()
    token = nep_idp.token(alg="ES256", kid=ec_kid)
    assert verificateur(nep_idp, algoritmes=["ES256"]).verifieer(token).soort == "persoon"
    with pytest.raises(TokenOngeldig, match="algoritme"):
        verificateur(nep_idp, algoritmes=["RS256"]).verifieer(token)


# -- no token in logs or errors ------------------------------------------------------------------------------


def test_geen_token_of_claimwaarde_in_logs(nep_idp: NepIdp, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    v = verificateur(nep_idp)
    goed = nep_idp.token()
    v.verifieer(goed)
    geheim = "x.geheimenaam"
    fout = nep_idp.token(nep_idp.claims(preferred_username=geheim, organisatie="organisatie-geheim"))
    with pytest.raises(TokenOngeldig) as exc:
        v.verifieer(fout)
    assert caplog.records, "the verifier logs its key fetch; the test must see those records"
    tekst = caplog.text + str(exc.value)
    for deel in (*goed.split("."), *fout.split("."), geheim, "organisatie-geheim"):
        assert deel not in tekst


# -- configuration -------------------------------------------------------------------------------------------


def _schrijf(tmp_path: Path, tekst: str) -> Path:
    pad = tmp_path / "toegang.yaml"
    pad.write_text(tekst, encoding="utf-8")
    return pad


GELDIG = """
speling_seconden: 20
uitgevers:
  - uitgever: https://login.venlo.example/realms/convenant
    publiek: aanpak
    algoritmes: [RS256, ES256]
    claims: {persoon: sub, organisatie: organisatie, rollen: realm_access.roles}
    organisaties: [gemeente-venlo]
    rolnamen: {Procesregie: gemeente.procesregisseur}
  - uitgever: https://idp.school.example
    publiek: aanpak-venlo
    jwks_uri: https://idp.school.example/keys
    organisaties: [school-de-wissel]
    claims: {organisatie: null}
    systemen:
      school-de-wissel-administratie: {organisatie: school-de-wissel, rol: school.zorgcoordinator}
"""


def test_laad_toegang(tmp_path: Path) -> None:
    config = laad_toegang(_schrijf(tmp_path, GELDIG))
    assert [u.uitgever for u in config.uitgevers] == [
        "https://login.venlo.example/realms/convenant",
        "https://idp.school.example",
    ]
    assert config.speling_seconden == 20
    assert config.uitgevers[1].claims.organisatie is None


@pytest.mark.parametrize(
    ("vervang", "door", "veld"),
    [
        ("[RS256, ES256]", "[RS256, HS256]", "uitgevers.0.algoritmes.1"),
        ("[RS256, ES256]", "[none]", "uitgevers.0.algoritmes.0"),
        ("[RS256, ES256]", "[RS257]", "uitgevers.0.algoritmes.0"),
        ("[RS256, ES256]", "[]", "uitgevers.0.algoritmes"),
        ("https://idp.school.example/keys", "http://idp.school.example/keys", "uitgevers.1.jwks_uri"),
        ("publiek: aanpak-venlo", "publiek: aanpak-venlo\n    geheim: x", "uitgevers.1.geheim"),
        ("{organisatie: school-de-wissel, rol", "{organisatie: gemeente-venlo, rol", "uitgevers.1"),
        ("organisaties: [school-de-wissel]", "organisaties: [school-de-wissel, school-het-baken]", "uitgevers.1"),
        (
            "rol: school.zorgcoordinator",
            "rol: Zorgcoordinator",
            "uitgevers.1.systemen.school-de-wissel-administratie.rol",
        ),
        ("speling_seconden: 20", "speling_seconden: 3600", "speling_seconden"),
    ],
)
def test_configfouten_noemen_het_veld(tmp_path: Path, vervang: str, door: str, veld: str) -> None:
    assert vervang in GELDIG
    with pytest.raises(InvoerFout) as fout:
        laad_toegang(_schrijf(tmp_path, GELDIG.replace(vervang, door)))
    assert veld in [v for v, _ in fout.value.fouten]
    assert "HS256" not in str(fout.value)
    assert "RS257" not in str(fout.value)


def test_hmac_en_none_met_reden(tmp_path: Path) -> None:
    with pytest.raises(InvoerFout, match="HMAC"):
        laad_toegang(_schrijf(tmp_path, GELDIG.replace("[RS256, ES256]", "[HS512]")))
    with pytest.raises(InvoerFout, match="nooit toegestaan"):
        laad_toegang(_schrijf(tmp_path, GELDIG.replace("[RS256, ES256]", "[None]")))


def test_onleesbare_configuratie(tmp_path: Path) -> None:
    with pytest.raises(InvoerFout, match="bestand"):
        laad_toegang(tmp_path / "bestaat-niet.yaml")
    with pytest.raises(InvoerFout, match="YAML"):
        laad_toegang(_schrijf(tmp_path, "uitgevers: [\n"))


# -- the development issuer ----------------------------------------------------------------------------------


@pytest.fixture
def ontwikkel_server(tmp_path: Path) -> Iterator[tuple[Ontwikkeluitgever, Uvicorn]]:
    server = Uvicorn()
    uitgever = Ontwikkeluitgever(tmp_path / "data", server.url + "/ontwikkel-idp")
    fastapi_app = FastAPI()
    fastapi_app.include_router(uitgever.router())
    server.start(fastapi_app)
    try:
        yield uitgever, server
    finally:
        server.stop()


def test_ontwikkeluitgever_sleutelbestand(tmp_path: Path) -> None:
    eerste = Ontwikkeluitgever(tmp_path, "http://127.0.0.1:8100/ontwikkel-idp")
    pad = tmp_path / "sleutels" / "ontwikkeluitgever.pem"
    assert stat.S_IMODE(pad.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "sleutels").stat().st_mode) == 0o700
    assert Ontwikkeluitgever(tmp_path, "http://127.0.0.1:8100/ontwikkel-idp").kid == eerste.kid  # reused
    jwks = eerste.jwks()
    assert [set(k) for k in jwks["keys"]] == [{"kty", "n", "e", "kid", "use", "alg"}]  # no private part
    os.chmod(pad, 0o644)
    with pytest.raises(OntwikkeluitgeverFout, match="leesbaar"):
        Ontwikkeluitgever(tmp_path, "http://127.0.0.1:8100/ontwikkel-idp")


def test_gelijktijdige_start_maakt_een_sleutel(tmp_path: Path) -> None:
    """Several processes starting at once on a fresh data folder end up with one and the same key."""
    kids: list[str] = []
    start = threading.Barrier(4)

    def maak() -> None:
        start.wait()
        kids.append(Ontwikkeluitgever(tmp_path, "http://127.0.0.1:8100/ontwikkel-idp").kid)

    draden = [threading.Thread(target=maak) for _ in range(4)]
    for d in draden:
        d.start()
    for d in draden:
        d.join(timeout=120)
    assert len(kids) == 4
    assert len(set(kids)) == 1
    assert sorted(p.name for p in (tmp_path / "sleutels").iterdir()) == ["ontwikkeluitgever.pem"]  # no leftovers


def test_ontwikkelpersonen_hebben_rollen_van_het_werkproces() -> None:
    from aanpak.config import STANDAARD_WERKPROCES
    from aanpak.toegang.ontwikkeluitgever import laad_personen
    from models.werkproces import laad_bestand

    wp, _ = laad_bestand(STANDAARD_WERKPROCES)
    bekend = {r.key for r in wp.rollen}
    personen = laad_personen()
    rollen = {r for p in personen.personen for r in p.rollen} | {s.rol for s in personen.systemen}
    assert rollen <= bekend
    assert any(len(p.rollen) > 1 for p in personen.personen)  # someone must name a role per request


def test_cli_en_ontwikkeluitgever_dezelfde_grens() -> None:
    from aanpak.cli import toegang as cli_toegang
    from aanpak.toegang import ontwikkeluitgever

    assert cli_toegang.MAX_GELDIG == ontwikkeluitgever.MAX_GELDIG


def test_ontwikkeltoken_geverifieerd_over_http(ontwikkel_server: tuple[Ontwikkeluitgever, Uvicorn]) -> None:
    uitgever, server = ontwikkel_server
    assert httpx.get(server.url + "/ontwikkel-idp/jwks").json() == uitgever.jwks()
    v = Verificateur(standaard_toegang(server.url))
    assert v.verifieer(uitgever.geef_token("a.mentor")) == Identiteit(
        persoon="a.mentor",
        organisatie="school-de-wissel",
        rollen=frozenset({"school.zorgcoordinator"}),
        uitgever=server.url + "/ontwikkel-idp",
        soort="persoon",
    )
    twee = v.verifieer(uitgever.geef_token("t.wissel"))
    with pytest.raises(RolNietToegestaan, match="kies een rol"):
        kies_actor(twee, None)
    een = v.verifieer(uitgever.geef_token("t.wissel", rol="school.teamleider"))
    assert een.rollen == frozenset({"school.teamleider"})
    systeem = v.verifieer(uitgever.geef_token(SYSTEEM))
    assert (systeem.soort, systeem.organisatie, systeem.rollen) == (
        "systeem",
        "school-de-wissel",
        frozenset({"school.zorgcoordinator"}),
    )


def test_ontwikkeltoken_van_een_andere_sleutel_geweigerd(
    ontwikkel_server: tuple[Ontwikkeluitgever, Uvicorn], tmp_path: Path
) -> None:
    uitgever, server = ontwikkel_server
    ander = Ontwikkeluitgever(tmp_path / "andere-laptop", uitgever.uitgever)
    with pytest.raises(TokenOngeldig):
        Verificateur(standaard_toegang(server.url)).verifieer(ander.geef_token("a.mentor"))


def test_ontwikkeltoken_kort_geldig(ontwikkel_server: tuple[Ontwikkeluitgever, Uvicorn]) -> None:
    uitgever, server = ontwikkel_server
    v = Verificateur(standaard_toegang(server.url))
    with pytest.raises(OntwikkeluitgeverFout):
        uitgever.geef_token("onbekend.persoon")
    with pytest.raises(OntwikkeluitgeverFout):
        uitgever.geef_token("a.mentor", rol="gemeente.privacyloket")
    with pytest.raises(InvoerFout):
        uitgever.geef_token("a.mentor", geldig_seconden=86400)
    assert v.verifieer(uitgever.geef_token("a.mentor", geldig_seconden=60)).persoon == "a.mentor"


@pytest.mark.parametrize(
    ("url", "toegestaan", "geweigerd"),
    [
        ("sqlite:////tmp/x/aanpak.db", False, False),
        ("postgresql+psycopg://aanpak:geheim@db/aanpak", False, True),
        ("postgresql+psycopg://aanpak@db/aanpak", True, False),
        ("geen url", False, True),
    ],
)
def test_ontwikkeluitgever_alleen_op_sqlite(url: str, toegestaan: bool, geweigerd: bool) -> None:
    if geweigerd:
        with pytest.raises(OntwikkeluitgeverGeweigerd) as fout:
            ontwikkeluitgever_toegestaan(url, toegestaan)
        assert "geheim" not in str(fout.value)
    else:
        ontwikkeluitgever_toegestaan(url, toegestaan)


# -- the command line ----------------------------------------------------------------------------------------


@pytest.fixture
def cli_omgeving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("AANPAK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("AANPAK_DATABASE_URL", raising=False)
    monkeypatch.delenv("AANPAK_ONTWIKKELUITGEVER_TOESTAAN", raising=False)
    monkeypatch.setenv("AANPAK_SERVER_URL", "http://127.0.0.1:8100")
    instellingen.cache_clear()
    yield tmp_path
    instellingen.cache_clear()


def test_cli_token(cli_omgeving: Path) -> None:
    r = CliRunner().invoke(app, ["token", "t.wissel", "--rol", "school.teamleider", "--geldig", "120"])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip()
    uitgever = Ontwikkeluitgever(cli_omgeving, "http://127.0.0.1:8100/ontwikkel-idp")  # the same key file
    claims = jwt.decode(token, PyJWK(uitgever.jwks()["keys"][0]), algorithms=["RS256"], audience="aanpak")
    assert claims["iss"] == "http://127.0.0.1:8100/ontwikkel-idp"
    assert claims["rollen"] == ["school.teamleider"]
    assert claims["exp"] - claims["iat"] == 120


def test_cli_token_geweigerd_op_postgresql(cli_omgeving: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AANPAK_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/aanpak")
    instellingen.cache_clear()
    r = CliRunner().invoke(app, ["token", "a.mentor"])
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "AANPAK_ONTWIKKELUITGEVER_TOESTAAN" in r.output
    monkeypatch.setenv("AANPAK_ONTWIKKELUITGEVER_TOESTAAN", "true")
    instellingen.cache_clear()
    assert CliRunner().invoke(app, ["token", "a.mentor"]).exit_code == 0


def test_cli_token_onbekende_persoon(cli_omgeving: Path) -> None:
    r = CliRunner().invoke(app, ["token", "x.onbekend"])
    assert r.exit_code == 1
    assert "x.onbekend" not in r.output
    assert "persoon" in r.output


def test_cli_toegang_controleer(tmp_path: Path) -> None:
    goed = _schrijf(tmp_path, GELDIG)
    r = CliRunner().invoke(app, ["toegang", "controleer", str(goed)])
    assert r.exit_code == 0, r.output
    assert "geldig — 2 uitgever(s)" in " ".join(r.output.split())
    fout = tmp_path / "fout.yaml"
    fout.write_text(GELDIG.replace("[RS256, ES256]", "[HS256]"), encoding="utf-8")
    r = CliRunner().invoke(app, ["toegang", "controleer", str(fout)])
    assert r.exit_code == 1
    assert "uitgevers.0.algoritmes.0" in r.output
    fout.write_text(GELDIG.replace("gemeente.procesregisseur", "gemeente.opperhoofd"), encoding="utf-8")
    r = CliRunner().invoke(app, ["toegang", "controleer", str(fout)])
    assert r.exit_code == 1
    assert "uitgevers.0.rolnamen.Procesregie" in r.output
    assert "opperhoofd" not in r.output


def test_toegang_voor_kiest_het_bestand_of_de_ontwikkeluitgever(cli_omgeving: Path) -> None:
    config, ontwikkel = toegang_voor()
    assert ontwikkel is not None
    assert [u.uitgever for u in config.uitgevers] == ["http://127.0.0.1:8100/ontwikkel-idp"]
    assert config == standaard_toegang("http://127.0.0.1:8100")
    pad = _schrijf(cli_omgeving, GELDIG)
    config, ontwikkel = toegang_voor(Instellingen(toegang=pad))
    assert ontwikkel is None
    assert len(config.uitgevers) == 2
    with pytest.raises(OntwikkeluitgeverGeweigerd):
        toegang_voor(Instellingen(database_url="postgresql+psycopg://postgres@127.0.0.1:5432/aanpak"))
