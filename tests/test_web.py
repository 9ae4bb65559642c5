"""The web app (aanpak/web): login with the development issuer, sessions, CSRF and authorisation over real HTTP.

Real parts: the case store on a SQLite file (and PostgreSQL where it answers), the aanpak server on uvicorn on
127.0.0.1 with the development issuer mounted (its discovery, JWKS, authorize and token endpoints over HTTP),
the real ``Verificateur``. The browser here is httpx with a tiny cookie jar: httpx, like Python's cookiejar,
never sends a ``Secure`` cookie over http, while browsers do on loopback (tests/test_web_browser.py).
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from aanpak.config import instellingen
from aanpak.omgeving import Omgeving
from aanpak.server.app import maak_app
from aanpak.toegang import Verificateur
from aanpak.toegang.ontwikkeluitgever import Ontwikkeluitgever
from tests import wachttijden
from tests.conftest import Klok
from tests.gegevens import SENTINEL_BSN, SENTINEL_GEBOORTEDATUM, SENTINEL_ZORG, SENTINELS

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_SLEUTEL = re.compile(r'name="idempotentie_sleutel" value="([^"]+)"')
_CASUS = re.compile(r"/casussen/(C-[0-9A-Z]{4,12})")
_OVERDRACHT = re.compile(r"/overdrachten/(O-[0-9A-Z]{4,12})/accepteer")


@dataclass
class WebServer:
    url: str
    omg: Omgeving
    klok: Klok
    server: uvicorn.Server
    draad: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.draad.join(wachttijden.DRAAD)


def start_webserver(omg: Omgeving, klok: Klok, data_dir: Path) -> WebServer:
    """The aanpak server with the development issuer on a free loopback port (the issuer URL needs the port)."""
    sok = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sok.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sok.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sok.getsockname()[1]}"
    uitgever = Ontwikkeluitgever(data_dir, url + "/ontwikkel-idp")
    app = maak_app(omg, Verificateur(uitgever.toegang()), ontwikkeluitgever=uitgever)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=True))
    draad = threading.Thread(target=server.run, kwargs={"sockets": [sok]}, daemon=True)
    draad.start()
    einde = time.monotonic() + wachttijden.DRAAD
    while not server.started:
        assert time.monotonic() < einde, "uvicorn startte niet"
        assert draad.is_alive(), "uvicorn stopte"
        time.sleep(wachttijden.POLL)
    return WebServer(url, omg, klok, server, draad)


@pytest.fixture
def zonder_prefect(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    monkeypatch.setenv("AANPAK_DEPLOYMENTS", "false")
    instellingen.cache_clear()
    yield
    instellingen.cache_clear()


@pytest.fixture
def web(omg: Omgeving, klok: Klok, tmp_path: Path, zonder_prefect: None) -> Iterator[WebServer]:
    s = start_webserver(omg, klok, tmp_path / "data")
    yield s
    s.stop()


@dataclass
class Bezoeker:
    """A browser stand-in: follows redirects by hand and keeps cookies by name, Secure ones included."""

    url: str
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)
    bezocht: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = httpx.Client(timeout=wachttijden.HTTP_TIMEOUT * 12, follow_redirects=False)

    def _verzoek(self, methode: str, pad: str, **kwargs: Any) -> httpx.Response:
        doel = pad if pad.startswith("http") else self.url + pad
        self.bezocht.append(doel)
        kop = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        r = self.http.request(methode, doel, headers={"Cookie": kop} if kop else {}, **kwargs)
        for regel in r.headers.get_list("set-cookie"):
            self.set_cookies.append(regel)
            naam, _, rest = regel.partition("=")
            waarde = rest.split(";", 1)[0].strip('"')
            if "max-age=0" in regel.lower() or waarde == "":
                self.cookies.pop(naam, None)
            else:
                self.cookies[naam] = waarde
        return r

    def get(self, pad: str, *, volg: bool = True) -> httpx.Response:
        r = self._verzoek("GET", pad)
        while volg and r.status_code in (302, 303, 307):
            r = self._verzoek("GET", r.headers["location"])
        return r

    def post(self, pad: str, data: dict[str, Any], *, volg: bool = True) -> httpx.Response:
        r = self._verzoek("POST", pad, data=data)
        while volg and r.status_code in (302, 303):
            r = self._verzoek("GET", r.headers["location"])
        return r

    def log_in(self, persoon: str) -> httpx.Response:
        start = self.get("/inloggen/start", volg=False)
        assert start.status_code == 303, start.text
        kiespagina = self.get(start.headers["location"])
        assert kiespagina.status_code == 200
        assert persoon in kiespagina.text
        params = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
        gekozen = self._verzoek("POST", self.url + "/ontwikkel-idp/authorize", data={**params, "persoon": persoon})
        assert gekozen.status_code == 303, gekozen.text
        return self.get(gekozen.headers["location"])

    def csrf(self, pagina: httpx.Response) -> str:
        gevonden = _CSRF.search(pagina.text)
        assert gevonden, "geen CSRF-token op de pagina"
        return gevonden.group(1)


def signaalformulier(pagina: httpx.Response, bezoeker: Bezoeker, **anders: Any) -> dict[str, Any]:
    sleutel = _SLEUTEL.search(pagina.text)
    assert sleutel
    velden: dict[str, Any] = {
        "csrf": bezoeker.csrf(pagina),
        "idempotentie_sleutel": sleutel.group(1),
        "melder.naam": "Mevrouw Melder",
        "melder.email": "melder@school.example",
        "jeugdige.bsn": SENTINEL_BSN,
        "jeugdige.voornamen": "Zwaantje",
        "jeugdige.achternaam": "Xylofoonstra",
        "jeugdige.geboortedatum": SENTINEL_GEBOORTEDATUM,
        "jeugdige.adres.straat": "Kwartelpad",
        "jeugdige.adres.huisnummer": "717",
        "categorieen": ["verzuim", "gezondheid"],
        "zorg": SENTINEL_ZORG,
    }
    velden.update(anders)
    return velden


def casus_van(r: httpx.Response) -> str:
    gevonden = _CASUS.search(str(r.url))
    fout = re.search(r'<div class="foutoverzicht".*?</div>', r.text, re.S)
    assert gevonden, (r.url, r.status_code, fout.group(0) if fout else r.text[-2000:])
    return gevonden.group(1)


# -- login and session ----------------------------------------------------------------------------------------


def test_zonder_sessie_naar_inloggen(web: WebServer) -> None:
    b = Bezoeker(web.url)
    r = b.get("/", volg=False)
    assert r.status_code == 303
    assert r.headers["location"].endswith("/inloggen")
    pagina = b.get("/")
    assert pagina.status_code == 200
    assert "<h1>Inloggen</h1>" in pagina.text
    assert 'lang="nl"' in pagina.text


def test_inloggen_met_pkce_geeft_een_veilige_sessie(web: WebServer) -> None:
    b = Bezoeker(web.url)
    start = b.get("/inloggen/start", volg=False)
    params = parse_qs(urlsplit(start.headers["location"]).query)
    assert params["code_challenge_method"] == ["S256"]
    assert params["client_id"] == ["aanpak"]
    assert params["state"][0]
    assert params["nonce"][0]
    b.cookies.clear()
    b.set_cookies.clear()
    postvak = b.log_in("a.mentor")
    assert postvak.status_code == 200
    assert "<h1>Postvak</h1>" in postvak.text
    assert "<strong>a.mentor</strong>" in postvak.text
    assert "zorgco" in postvak.text.lower()
    assert "no-store" in postvak.headers["cache-control"]
    assert postvak.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in postvak.headers["content-security-policy"]
    assert "script-src 'none'" in postvak.headers["content-security-policy"]
    sessie = [c for c in b.set_cookies if c.startswith("__Host-aanpak_sessie=") and "max-age=0" not in c.lower()]
    assert sessie, b.set_cookies
    kenmerken = sessie[-1].lower()
    for attribuut in ("httponly", "secure", "samesite=lax", "path=/"):
        assert attribuut in kenmerken, (attribuut, sessie[-1])
    # The id in the cookie is random; the row holds only its hash.
    assert len(b.cookies["__Host-aanpak_sessie"]) >= 40


def test_verkeerde_state_of_hergebruikte_code_logt_niet_in(web: WebServer) -> None:
    b = Bezoeker(web.url)
    start = b.get("/inloggen/start", volg=False)
    params = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
    gekozen = b._verzoek("POST", web.url + "/ontwikkel-idp/authorize", data={**params, "persoon": "a.mentor"})
    terug = gekozen.headers["location"]
    vals = terug.replace(f"state={params['state']}", "state=vervalst")
    r = b.get(vals, volg=False)
    assert r.status_code == 400
    assert "__Host-aanpak_sessie" not in b.cookies
    # The login under way was used up by the failed attempt: the real state no longer works either.
    assert b.get(terug, volg=False).status_code == 400
    assert b.get("/", volg=False).headers["location"].endswith("/inloggen")


def test_token_eindpunt_controleert_verifier_client_en_redirect(web: WebServer) -> None:
    b = Bezoeker(web.url)

    def code() -> tuple[str, dict[str, str]]:
        start = b.get("/inloggen/start", volg=False)
        params = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
        gekozen = b._verzoek("POST", web.url + "/ontwikkel-idp/authorize", data={**params, "persoon": "a.mentor"})
        return parse_qs(urlsplit(gekozen.headers["location"]).query)["code"][0], params

    token = web.url + "/ontwikkel-idp/token"
    c, p = code()
    basis = {"grant_type": "authorization_code", "code": c, "client_id": "aanpak", "redirect_uri": p["redirect_uri"]}
    assert httpx.post(token, data={**basis, "code_verifier": "x" * 43}).status_code == 400
    # Used up by the failed exchange.
    assert httpx.post(token, data={**basis, "code_verifier": "x" * 43}).json() == {"error": "invalid_grant"}
    c, p = code()
    assert (
        httpx.post(token, data={**basis, "code": c, "client_id": "ander", "code_verifier": "x" * 43}).status_code == 401
    )
    c, p = code()
    assert (
        httpx.post(token, data={**basis, "code": c, "redirect_uri": "http://127.0.0.1:1/inloggen/terug"}).status_code
        == 400
    )
    # A redirect_uri that is not the web app's is refused at /authorize already, without a redirect.
    start = b.get("/inloggen/start", volg=False)
    params = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
    params["redirect_uri"] = "https://aanvaller.example/terug"
    r = b._verzoek("GET", web.url + "/ontwikkel-idp/authorize", params=params)
    assert r.status_code == 400
    assert "location" not in r.headers


def test_uitloggen_wist_de_sessie(web: WebServer) -> None:
    b = Bezoeker(web.url)
    postvak = b.log_in("a.mentor")
    oud = b.cookies["__Host-aanpak_sessie"]
    r = b.post("/uitloggen", {"csrf": b.csrf(postvak)})
    assert "U bent uitgelogd" in r.text
    b.cookies["__Host-aanpak_sessie"] = oud  # the old cookie opens nothing any more
    assert b.get("/", volg=False).headers["location"].startswith("/inloggen")


def test_verlopen_sessie_gaat_terug_naar_inloggen(web: WebServer) -> None:
    b = Bezoeker(web.url)
    b.log_in("a.mentor")
    web.klok.verder(minutes=29)
    assert b.get("/", volg=False).status_code == 200  # used: the idle term starts again
    web.klok.verder(minutes=29)
    assert b.get("/", volg=False).status_code == 200
    web.klok.verder(minutes=31)
    r = b.get("/", volg=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/inloggen?reden=verlopen"
    assert "Uw sessie is verlopen" in b.get(r.headers["location"]).text


def test_absolute_verlooptijd(web: WebServer) -> None:
    b = Bezoeker(web.url)
    b.log_in("a.mentor")
    for _ in range(21):  # used every 29 minutes for more than 10 hours
        web.klok.verder(minutes=29)
        if b.get("/", volg=False).status_code != 200:
            break
    else:
        pytest.fail("de sessie bleef langer dan 10 uur geldig")
    assert b.get("/", volg=False).headers["location"].startswith("/inloggen")


def test_formulier_zonder_csrf_wordt_geweigerd(web: WebServer) -> None:
    b = Bezoeker(web.url)
    postvak = b.log_in("a.mentor")
    formulier = b.get("/signalen/nieuw")
    velden = signaalformulier(formulier, b)
    del velden["csrf"]
    r = b.post("/signalen", velden)
    assert r.status_code == 403
    assert "Verzoek geweigerd" in r.text
    r = b.post("/signalen", {**velden, "csrf": "niet-het-token"})
    assert r.status_code == 403
    assert b.post("/uitloggen", {}).status_code == 403
    # Nothing was registered.
    assert "0 open taken" in b.get("/").text
    assert b.csrf(postvak)


def test_rol_wisselen(web: WebServer) -> None:
    b = Bezoeker(web.url)
    keuze = b.log_in("t.wissel")
    assert "<h1>Kies uw rol</h1>" in keuze.text
    r = b.post("/rol", {"csrf": b.csrf(keuze), "rol": "school.teamleider"})
    assert "<h1>Postvak</h1>" in r.text
    assert "Teamleider" in r.text or "teamleider" in r.text
    assert b.post("/rol", {"csrf": b.csrf(r), "rol": "gemeente.privacyloket"}).status_code == 403
    assert b.post("/rol", {"rol": "school.zorgcoordinator"}).status_code == 403


# -- signaal, postvak, casus ----------------------------------------------------------------------------------


def test_signaal_melden_fouten_per_veld_en_niets_opgeslagen(web: WebServer) -> None:
    b = Bezoeker(web.url)
    b.log_in("a.mentor")
    formulier = b.get("/signalen/nieuw")
    assert "<h1>Signaal melden</h1>" in formulier.text
    velden = signaalformulier(
        formulier, b, **{"jeugdige.bsn": "111222334", "categorieen": [], "jeugdige.achternaam": ""}
    )
    r = b.post("/signalen", velden)
    assert r.status_code == 422
    assert 'id="veld-jeugdige-bsn-fout"' in r.text
    assert 'aria-describedby="veld-jeugdige-bsn-hint veld-jeugdige-bsn-fout"' in r.text
    assert "elfproef" in r.text
    assert 'id="veld-jeugdige-achternaam-fout"' in r.text
    assert 'id="categorieen-fout"' in r.text
    assert "111222334" in r.text  # the typed value is kept for correction, on a no-store page
    assert "no-store" in r.headers["cache-control"]
    assert "0 open taken" in b.get("/").text


def test_signaal_melden_dubbel_verstuurd_een_keer_en_in_het_postvak(web: WebServer) -> None:
    b = Bezoeker(web.url)
    b.log_in("a.mentor")
    velden = signaalformulier(b.get("/signalen/nieuw"), b)
    eerste = b.post("/signalen", velden)
    assert eerste.status_code == 200, eerste.text
    casus = casus_van(eerste)
    assert "nieuwe casus" in eerste.text
    assert str(eerste.url).endswith(f"/casussen/{casus}?signaal=nieuw")
    tweede = b.post("/signalen", velden)
    assert casus_van(tweede) == casus
    postvak = b.get("/")
    assert postvak.text.count(f'href="/casussen/{casus}"') == 1
    assert "1 open taak" in postvak.text
    assert re.search(r"nog \d+ werkdag", postvak.text)
    for url in b.bezocht:
        for s in SENTINELS:
            assert s not in url


def test_jgz_meldt_hetzelfde_kind_en_ziet_de_match(web: WebServer) -> None:
    school = Bezoeker(web.url)
    school.log_in("a.mentor")
    casus = casus_van(school.post("/signalen", signaalformulier(school.get("/signalen/nieuw"), school)))
    jgz = Bezoeker(web.url)
    jgz.log_in("j.verpleegkundige")
    r = jgz.post("/signalen", signaalformulier(jgz.get("/signalen/nieuw"), jgz, **{"melder.naam": "Zuster Jgz"}))
    assert casus_van(r) == casus
    assert "gekoppeld aan een bestaande casus" in r.text


def _naar_ave2(web: WebServer) -> tuple[str, Bezoeker]:
    school = Bezoeker(web.url)
    school.log_in("a.mentor")
    casus = casus_van(school.post("/signalen", signaalformulier(school.get("/signalen/nieuw"), school)))
    for stap, uitkomst in (("interne_weging", "eigen_ondersteuning"), ("informeren_grondslag", "wettelijke_grondslag")):
        pagina = school.get(f"/casussen/{casus}")
        versie = re.search(
            rf'/stappen/{stap}/besluit">\s*<input type="hidden" name="csrf" value="[^"]+">\s*'
            r'<input type="hidden" name="versie" value="(\d+)"',
            pagina.text,
        )
        assert versie, (stap, pagina.text)
        r = school.post(
            f"/casussen/{casus}/stappen/{stap}/besluit",
            {"csrf": school.csrf(pagina), "uitkomst": uitkomst, "versie": versie.group(1)},
        )
        assert r.status_code == 200, r.text
        assert "Uw besluit is vastgelegd" in r.text
    return casus, school


def _besluit_ave2(b: Bezoeker, casus: str) -> httpx.Response:
    pagina = b.get(f"/casussen/{casus}")
    assert "/stappen/ave_regie_bepalen/besluit" in pagina.text, pagina.text
    versie = re.search(
        r'ave_regie_bepalen/besluit">\s*<input[^>]+>\s*<input type="hidden" name="versie" value="(\d+)"', pagina.text
    )
    assert versie
    return b.post(
        f"/casussen/{casus}/stappen/ave_regie_bepalen/besluit",
        {
            "csrf": b.csrf(pagina),
            "uitkomst": "lokaal",
            "ave_fase": "2",
            "casusregie": "wijkteam.casusregisseur",
            "regie_voorstel": "aanvaard",
            "versie": versie.group(1),
            "toelichting": "Overleg nodig",
        },
    )


def test_ave2_met_regie_naar_wijkteam_en_wijkteam_accepteert(web: WebServer) -> None:
    casus, school = _naar_ave2(web)
    r = _besluit_ave2(school, casus)
    assert r.status_code == 200, r.text
    assert "Uw besluit is vastgelegd" in r.text
    wijkteam = Bezoeker(web.url)
    postvak = wijkteam.log_in("c.regisseur")
    overdracht = _OVERDRACHT.search(postvak.text)
    assert overdracht, postvak.text
    assert re.search(r"1\s+overdracht om te accepteren", postvak.text)
    r = wijkteam.post(
        f"/overdrachten/{overdracht.group(1)}/accepteer", {"csrf": wijkteam.csrf(postvak), "casus": casus}
    )
    assert r.status_code == 200, r.text
    assert "U heeft de overdracht geaccepteerd" in r.text
    assert re.search(r"<dt>Casusregie</dt><dd>[^<]*(Casusregisseur|casusregisseur)", r.text), r.text
    assert re.search(r"0\s+overdrachten om te accepteren", wijkteam.get("/").text)


def test_verouderde_pagina_krijgt_het_versieconflict(web: WebServer) -> None:
    casus, school = _naar_ave2(web)
    oud = school.get(f"/casussen/{casus}")
    versie = re.search(
        r'ave_regie_bepalen/besluit">\s*<input[^>]+>\s*<input type="hidden" name="versie" value="(\d+)"', oud.text
    )
    assert versie
    assert _besluit_ave2(school, casus).status_code == 200
    r = school.post(
        f"/casussen/{casus}/stappen/ave_regie_bepalen/besluit",
        {"csrf": school.csrf(oud), "uitkomst": "geen_vervolg", "ave_fase": "1", "versie": versie.group(1)},
    )
    assert r.status_code == 409, r.text
    assert "net gewijzigd" in r.text


def test_school_b_opent_de_casus_van_school_a_niet(web: WebServer, caplog: pytest.LogCaptureFixture) -> None:
    a = Bezoeker(web.url)
    a.log_in("a.mentor")
    casus = casus_van(a.post("/signalen", signaalformulier(a.get("/signalen/nieuw"), a)))
    b = Bezoeker(web.url)
    postvak = b.log_in("b.baken")
    vreemd = b.get(f"/casussen/{casus}")
    onbekend = b.get("/casussen/C-00000000")
    assert vreemd.status_code == onbekend.status_code == 404
    assert vreemd.text == onbekend.text
    assert casus not in postvak.text
    r = b.post(f"/casussen/{casus}/stappen/interne_weging/besluit", {"csrf": b.csrf(postvak), "uitkomst": "geen_zorg"})
    assert r.status_code == 404
    for pagina in (vreemd, onbekend, postvak, r):
        for s in SENTINELS:
            assert s not in pagina.text


def test_geen_persoonsgegevens_in_logs_en_urls(
    omg: Omgeving,
    klok: Klok,
    tmp_path: Path,
    zonder_prefect: None,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    for naam in ("uvicorn.access", "uvicorn.error", "uvicorn"):
        logger = logging.getLogger(naam)
        monkeypatch.setattr(logger, "disabled", False)
        monkeypatch.setattr(logger, "propagate", True)
        monkeypatch.setattr(logger, "level", logging.INFO)
    web = start_webserver(omg, klok, tmp_path / "data")
    try:
        b = Bezoeker(web.url)
        b.log_in("a.mentor")
        formulier = b.get("/signalen/nieuw")
        b.post("/signalen", signaalformulier(formulier, b, **{"jeugdige.bsn": "111222334"}))  # refused
        r = b.post("/signalen", signaalformulier(formulier, b))
        casus = casus_van(r)
        assert SENTINEL_ZORG not in r.text  # the case page shows no concern text
        andere = Bezoeker(web.url)
        andere.log_in("b.baken")
        assert andere.get(f"/casussen/{casus}").status_code == 404
    finally:
        web.stop()
    toegang = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("/signalen" in regel for regel in toegang)
    server_kant = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    for s in (*SENTINELS, "111222334", b.cookies.get("__Host-aanpak_sessie", "-"), "code="):
        assert s not in server_kant, s
    for url in b.bezocht + andere.bezocht:
        for s in SENTINELS:
            assert s not in url


def test_inzage_met_doel_en_alleen_voor_betrokkenen(web: WebServer) -> None:
    a = Bezoeker(web.url)
    a.log_in("a.mentor")
    casus = casus_van(a.post("/signalen", signaalformulier(a.get("/signalen/nieuw"), a)))
    pagina = a.get(f"/casussen/{casus}")
    assert 'name="doel"' in pagina.text
    r = a.post(f"/casussen/{casus}/inzage", {"csrf": a.csrf(pagina), "doel": "casusoverleg"})
    assert r.status_code == 200, r.text
    assert "Deze inzage is gelogd" in r.text
    assert "Achtergehouden" in r.text
    assert "no-store" in r.headers["cache-control"]
    assert str(r.url).endswith(f"/casussen/{casus}/inzage")  # the purpose travels in the body, not the URL
    r = a.post(f"/casussen/{casus}/inzage", {"csrf": a.csrf(pagina), "doel": "nieuwsgierig"})
    assert r.status_code == 422
    assert "Geen inzage" in r.text
    assert a.post(f"/casussen/{casus}/inzage", {"doel": "casusoverleg"}).status_code == 403
    b = Bezoeker(web.url)
    postvak = b.log_in("b.baken")
    r = b.post(f"/casussen/{casus}/inzage", {"csrf": b.csrf(postvak), "doel": "casusoverleg"})
    assert r.status_code == 404
    for s in SENTINELS:
        assert s not in r.text


def test_grondslag_vastleggen(web: WebServer) -> None:
    a = Bezoeker(web.url)
    a.log_in("a.mentor")
    casus = casus_van(a.post("/signalen", signaalformulier(a.get("/signalen/nieuw"), a)))
    pagina = a.get(f"/casussen/{casus}")
    sleutel = re.search(
        r'grondslagen">\s*<input[^>]+>\s*<input type="hidden" name="idempotentie_sleutel" '
        r'value="([^"]+)"',
        pagina.text,
    )
    assert sleutel
    velden = {
        "csrf": a.csrf(pagina),
        "idempotentie_sleutel": sleutel.group(1),
        "soort": "toestemming",
        "gegeven_door": ["ouders", "jeugdige"],
        "ontvangers": ["jgz"],
        "categorieen": ["zorg"],
        "doel": "casusoverleg",
    }
    r = a.post(f"/casussen/{casus}/grondslagen", velden)
    assert r.status_code == 200, r.text
    assert "De grondslag is vastgelegd" in r.text
    fout = a.post(f"/casussen/{casus}/grondslagen", {**velden, "idempotentie_sleutel": "", "gegeven_door": []})
    assert fout.status_code == 422
    assert "gegeven_door" in fout.text


def test_postvak_te_laat_in_kleur_en_tekst_en_filters(web: WebServer) -> None:
    b = Bezoeker(web.url)
    b.log_in("a.mentor")
    casus = casus_van(b.post("/signalen", signaalformulier(b.get("/signalen/nieuw"), b)))
    op_tijd = b.get("/")
    assert 'class="urgentie op-tijd">Op tijd: nog' in op_tijd.text
    web.klok.verder(days=28)  # weeks later: the term has passed (the session is refreshed below by logging in)
    postvak = b.log_in("a.mentor")
    assert re.search(r'class="urgentie te-laat">Te laat: \d+ werkdag(en)? te laat', postvak.text), postvak.text
    assert re.search(r"<strong>1 te laat</strong>", postvak.text)
    stap = re.search(r'<option value="([a-z_]+)">', postvak.text)
    assert stap
    assert casus in b.get(f"/?stap={stap.group(1)}").text
    assert casus not in b.get("/?stap=bestaat_niet").text
    assert casus in b.get("/?ave=1").text
    assert casus not in b.get("/?ave=4").text
    assert casus in b.get("/?ave=Zwaantje").text  # an odd value is ignored, not echoed
    assert "Zwaantje" not in b.get("/?ave=Zwaantje").text


def test_werkproces_met_stappen_en_diagram(web: WebServer) -> None:
    b = Bezoeker(web.url)
    assert b.get("/werkproces", volg=False).headers["location"] == "/inloggen"
    assert b.get("/werkproces/diagram.svg", volg=False).status_code == 303
    b.log_in("c.regisseur")
    r = b.get("/werkproces")
    assert r.status_code == 200
    assert "<h1>Werkproces</h1>" in r.text
    assert "Interne weging" in r.text or "interne weging" in r.text.lower()
    svg = b.get("/werkproces/diagram.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text


def test_rapportage_met_filters(web: WebServer) -> None:
    b = Bezoeker(web.url)
    assert b.get("/rapportage", volg=False).headers["location"] == "/inloggen"
    b.log_in("a.mentor")
    casus_van(b.post("/signalen", signaalformulier(b.get("/signalen/nieuw"), b)))
    r = b.get("/rapportage")
    assert r.status_code == 200
    assert "<h1>Rapportage</h1>" in r.text
    assert "Termijnen per partner en stap" in r.text
    gefilterd = b.get("/rapportage?van=2026-01-01&tot=2026-12-01&organisatie=school&wijk=")
    assert gefilterd.status_code == 200
    assert 'value="school" selected' in gefilterd.text
    assert "01-01-2026" in gefilterd.text
    svg = b.get("/rapportage/termijnen.svg?van=2026-01-01")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    for s in SENTINELS:
        assert s not in r.text
        assert s not in svg.text


def test_privacyloket_zoekt_op_bsn_en_handelt_af(web: WebServer) -> None:
    a = Bezoeker(web.url)
    postvak_a = a.log_in("a.mentor")
    casus = casus_van(a.post("/signalen", signaalformulier(a.get("/signalen/nieuw"), a)))
    assert a.get("/privacyloket").status_code == 403
    assert (
        a.post(
            "/privacyloket/zoeken", {"csrf": a.csrf(postvak_a), "bsn": SENTINEL_BSN, "doel": "inzageverzoek"}
        ).status_code
        == 403
    )
    loket = Bezoeker(web.url)
    pagina = loket.log_in("p.loket")
    assert 'href="/privacyloket"' in pagina.text
    pagina = loket.get("/privacyloket")
    assert pagina.status_code == 200
    csrf = loket.csrf(pagina)
    fout = loket.post("/privacyloket/zoeken", {"csrf": csrf, "bsn": "111222334", "doel": "inzageverzoek"})
    assert fout.status_code == 422
    assert "111222334" not in fout.text
    gevonden = loket.post("/privacyloket/zoeken", {"csrf": csrf, "bsn": SENTINEL_BSN, "doel": "inzageverzoek"})
    assert gevonden.status_code == 200, gevonden.text
    assert f"Casus {casus}" in gevonden.text
    assert SENTINEL_BSN not in gevonden.text
    assert str(gevonden.url).endswith("/privacyloket/zoeken")
    dossier = loket.post(f"/privacyloket/casussen/{casus}/dossier", {"csrf": csrf})
    assert dossier.status_code == 200
    assert "Zwaantje" in dossier.text  # the authorised read, on a no-store page
    assert "no-store" in dossier.headers["cache-control"]
    assert (
        "De verwerking is beperkt"
        in loket.post(f"/privacyloket/casussen/{casus}/beperken", {"csrf": csrf, "reden": "bezwaar"}).text
    )
    assert "De beperking is opgeheven" in loket.post(f"/privacyloket/casussen/{casus}/opheffen", {"csrf": csrf}).text
    assert loket.post(f"/privacyloket/casussen/{casus}/wissen", {"csrf": csrf}).status_code == 422
    # An open case is not erased: the refusal is a readable message, the case stays.
    geweigerd = loket.post(f"/privacyloket/casussen/{casus}/wissen", {"csrf": csrf, "bevestig": "ja"})
    assert geweigerd.status_code == 409
    assert "nog open" in geweigerd.text
    assert a.get(f"/casussen/{casus}").status_code == 200


def test_redirect_uri_komt_uit_aanpak_web_url_niet_uit_de_host_header(
    omg: Omgeving, klok: Klok, tmp_path: Path, zonder_prefect: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AANPAK_WEB_URL", "https://aanpak.gemeente.example")
    s = start_webserver(omg, klok, tmp_path / "data")
    try:
        r = httpx.get(
            s.url + "/inloggen/start", headers={"Host": "aanvaller.example"}, timeout=wachttijden.HTTP_TIMEOUT
        )
    finally:
        s.stop()
    assert r.status_code in (302, 303, 307)
    doel = parse_qs(urlsplit(r.headers["location"]).query)
    assert doel["redirect_uri"] == ["https://aanpak.gemeente.example/inloggen/terug"]


def test_een_eigen_inlogdienst_vraagt_een_https_adres_van_de_webapp() -> None:
    from aanpak.web import maak_router
    from aanpak.web.instellingen import WebInstellingen

    with pytest.raises(ValueError, match="AANPAK_WEB_URL"):
        maak_router(None, WebInstellingen(uitgever="https://idp.gemeente.example", url=""))
    maak_router(None, WebInstellingen(uitgever="https://idp.gemeente.example", url="https://aanpak.gemeente.example"))
