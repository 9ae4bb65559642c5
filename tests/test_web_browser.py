"""The web app in a real browser: Playwright driving Debian's Chromium, axe-core checking every page visited.

Skipped only when ``/usr/bin/chromium`` is absent (``.ci/run`` installs it with apt-get; never
``playwright install``). axe-core comes from npm (``npm ci --prefix tests/browser``). The server is the real
aanpak server on uvicorn on loopback with the development issuer (tests/test_web.py); the browser logs in by
the authorization code flow, picking a fictitious person on the issuer's page. Chromium accepts the ``Secure``
session cookie on http://127.0.0.1 (a loopback origin counts as secure).

``AANPAK_SCHERMEN=1`` also writes a screenshot of each page to ``docs/schermen/`` (docs/webapp.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from aanpak.omgeving import Omgeving
from tests.conftest import Klok, gemigreerde_sqlite, maak_omgeving
from tests.gegevens import SENTINEL_BSN, SENTINEL_GEBOORTEDATUM, SENTINEL_ZORG, SENTINELS
from tests.test_web import WebServer, start_webserver

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCHERMEN = Path(__file__).resolve().parent.parent / "docs" / "schermen"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="geen /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def axe() -> str:
    assert AXE.exists(), "axe-core ontbreekt: npm ci --prefix tests/browser"
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(
    sqlite_sjabloon: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch
) -> Iterator[WebServer]:
    map_ = tmp_path_factory.mktemp("web-browser")
    klok = Klok(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    omg: Omgeving = maak_omgeving(gemigreerde_sqlite(sqlite_sjabloon, map_ / "aanpak.db"), klok)
    s = start_webserver(omg, klok, map_ / "data")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    from aanpak.config import instellingen

    mp = pytest.MonkeyPatch()
    mp.setenv("AANPAK_PREFECT", "false")
    mp.setenv("AANPAK_DEPLOYMENTS", "false")
    instellingen.cache_clear()
    yield mp
    mp.undo()
    instellingen.cache_clear()


class Scherm:
    """One browser context (its own cookies) with the checks every visited page gets."""

    def __init__(self, browser: Browser, server: WebServer, axe: str) -> None:
        # bypass_csp: the pages allow no script at all; axe-core is injected by the test, not by the page.
        self.context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", bypass_csp=True)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.server = server
        self._axe = axe
        self.page.on("load", lambda p: self.urls.append(p.url))
        self.urls: list[str] = []

    def controleer(self, naam: str | None = None) -> None:
        """0 axe violations at WCAG 2.1 A and AA; no personal data in the URL; optionally a screenshot."""
        self.page.add_script_tag(content=self._axe)
        schendingen = self.page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}));
            }""",
            TAGS,
        )
        assert schendingen == [], (self.page.url, schendingen)
        for s in SENTINELS:
            assert s not in self.page.url
        if naam and os.environ.get("AANPAK_SCHERMEN") == "1":
            SCHERMEN.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCHERMEN / f"{naam}.png"), full_page=True)

    def ga(self, pad: str, naam: str | None = None) -> None:
        self.page.goto(self.server.url + pad)
        self.controleer(naam)

    def log_in(self, persoon: str, *, schermen: bool = False) -> None:
        self.ga("/", "inloggen" if schermen else None)
        assert self.page.locator("h1").inner_text() == "Inloggen"
        self.page.get_by_role("link", name="Inloggen").click()
        self.page.wait_for_url(re.compile(r".*/ontwikkel-idp/authorize.*"))
        self.controleer("ontwikkeluitgever" if schermen else None)
        self.page.get_by_role("button", name=persoon, exact=True).click()
        self.page.wait_for_url(re.compile(r".*/(rol)?$"))

    def meld_signaal(self, melder: str, *, schermen: bool = False) -> str:
        self.page.get_by_role("link", name="Signaal melden").click()
        self.controleer("signaal" if schermen else None)
        p = self.page
        p.get_by_label("Uw naam").fill(melder)
        p.get_by_label("BSN").fill(SENTINEL_BSN)
        p.get_by_label("Voornamen").fill("Zwaantje")
        p.get_by_label("Achternaam").fill("Xylofoonstra")
        p.get_by_label("Geboortedatum").fill(SENTINEL_GEBOORTEDATUM)
        p.get_by_label("Verzuim").check()
        p.get_by_label("Wat is uw zorg?").fill(SENTINEL_ZORG)
        p.get_by_role("button", name="Signaal melden").click()
        p.wait_for_url(re.compile(r".*/casussen/C-[0-9A-Z]+\?signaal=.*"))
        self.controleer("casus" if schermen else None)
        ref = re.search(r"/casussen/(C-[0-9A-Z]+)", p.url)
        assert ref
        return ref.group(1)

    def sluit(self) -> None:
        self.context.close()


@pytest.fixture
def scherm(browser: Browser, server: WebServer, axe: str) -> Iterator[Any]:
    geopend: list[Scherm] = []

    def nieuw() -> Scherm:
        s = Scherm(browser, server, axe)
        geopend.append(s)
        return s

    yield nieuw
    for s in geopend:
        s.sluit()


def test_school_meldt_een_signaal_en_vindt_de_casus_in_het_postvak(scherm: Any) -> None:
    school: Scherm = scherm()
    school.log_in("a.mentor", schermen=True)
    assert school.page.locator("h1").inner_text() == "Postvak"
    school.controleer("postvak-leeg")
    # Errors first: nothing stored, each error next to its field and linked from the summary.
    school.page.get_by_role("link", name="Signaal melden").click()
    school.page.get_by_label("BSN").fill("111222334")
    school.page.get_by_role("button", name="Signaal melden").click()
    assert school.page.get_by_role("alert").is_visible()
    bsn = school.page.get_by_label("BSN")
    assert bsn.get_attribute("aria-invalid") == "true"
    assert "fout" in (bsn.get_attribute("aria-describedby") or "")
    school.controleer("signaal-fouten")
    casus = school.meld_signaal("Mevrouw Melder", schermen=True)
    assert "nieuwe casus" in school.page.locator("main").inner_text()
    school.page.get_by_role("link", name="Postvak").click()
    school.controleer("postvak")
    rij = school.page.get_by_role("row").filter(has_text=casus)
    assert rij.count() == 1
    assert re.search(r"(nog \d+ werkdag|vandaag|te laat)", rij.inner_text())
    school.page.get_by_role("link", name="Werkproces").click()
    school.page.wait_for_url(re.compile(r".*/werkproces$"))
    school.controleer("werkproces")
    assert school.page.locator("img.diagram").evaluate("i => i.naturalWidth") > 0
    school.page.get_by_role("link", name="Rapportage").click()
    school.page.wait_for_url(re.compile(r".*/rapportage$"))
    school.controleer("rapportage")


def test_jgz_meldt_hetzelfde_kind_en_ziet_de_match(scherm: Any) -> None:
    school: Scherm = scherm()
    school.log_in("a.mentor")
    casus = school.meld_signaal("Mevrouw Melder")
    jgz: Scherm = scherm()
    jgz.log_in("j.verpleegkundige")
    assert jgz.meld_signaal("Zuster Jgz") == casus
    assert "gekoppeld aan een bestaande casus" in jgz.page.locator("main").inner_text()


def test_ave2_met_regie_naar_wijkteam_dat_de_overdracht_accepteert(scherm: Any) -> None:
    school: Scherm = scherm()
    school.log_in("a.mentor")
    casus = school.meld_signaal("Mevrouw Melder")
    for naam in ("Interne weging", "Informeren en grondslag"):
        kop = school.page.get_by_role("heading", name=re.compile(f"Besluit: {naam}", re.I))
        assert kop.count() == 1, school.page.locator("main").inner_text()
        stap = kop.inner_text().removeprefix("Besluit: ")
        sectie = school.page.get_by_role("region", name=f"Besluit: {stap}")
        keuze = "eigen_ondersteuning" if naam == "Interne weging" else "wettelijke_grondslag"
        sectie.locator(f"input[value={keuze}]").check()
        sectie.get_by_role("button", name="Besluit vastleggen").click()
        school.page.wait_for_url(re.compile(r".*\?gedaan=besluit"))
        school.controleer()
    sectie = school.page.get_by_role("region", name=re.compile("Besluit: .*AVE", re.I))
    sectie.locator("input[value=lokaal]").check()
    sectie.get_by_label("AVE-fase", exact=True).select_option(value="2")
    sectie.get_by_label("Casusregie naar").select_option("wijkteam.casusregisseur")
    sectie.get_by_label("Voorstel aanvaarden").check()
    sectie.get_by_label("Motivering").fill("Overleg met het wijkteam nodig")
    school.controleer("casus-besluit")
    sectie.get_by_role("button", name="Besluit vastleggen").click()
    school.page.wait_for_url(re.compile(r".*\?gedaan=besluit"))
    school.controleer()
    wijkteam: Scherm = scherm()
    wijkteam.log_in("c.regisseur")
    wijkteam.controleer("postvak-overdracht")
    rij = wijkteam.page.get_by_role("row").filter(has_text=casus)
    rij.get_by_role("button", name=re.compile("Accepteer")).first.click()
    wijkteam.page.wait_for_url(re.compile(r".*\?gedaan=overdracht"))
    wijkteam.controleer()
    assert "U heeft de overdracht geaccepteerd" in wijkteam.page.locator("main").inner_text()


def test_school_b_opent_de_casus_van_school_a_niet(scherm: Any) -> None:
    a: Scherm = scherm()
    a.log_in("a.mentor")
    casus = a.meld_signaal("Mevrouw Melder")
    b: Scherm = scherm()
    b.log_in("b.baken")
    antwoord = b.page.goto(b.server.url + f"/casussen/{casus}")
    assert antwoord is not None
    assert antwoord.status == 404
    b.controleer("niet-gevonden")
    tekst = b.page.locator("main").inner_text()
    assert "Niet gevonden" in tekst
    for s in SENTINELS:
        assert s not in b.page.content()


def test_formulier_zonder_csrf_wordt_geweigerd(scherm: Any) -> None:
    s: Scherm = scherm()
    s.log_in("a.mentor")
    s.ga("/signalen/nieuw")
    s.page.evaluate("document.querySelector('main form input[name=csrf]').remove()")
    s.page.get_by_label("Uw naam").fill("Mevrouw Melder")
    with s.page.expect_response(lambda r: r.url.endswith("/signalen")) as antwoord:
        s.page.get_by_role("button", name="Signaal melden").click()
    assert antwoord.value.status == 403
    s.controleer()
    assert "Verzoek geweigerd" in s.page.locator("h1").inner_text()


def test_verlopen_sessie_gaat_terug_naar_inloggen(scherm: Any, server: WebServer) -> None:
    s: Scherm = scherm()
    s.log_in("a.mentor")
    assert s.page.locator("h1").inner_text() == "Postvak"
    server.klok.verder(minutes=31)
    s.page.reload()
    s.page.wait_for_url(re.compile(r".*/inloggen\?reden=verlopen"))
    s.controleer()
    assert s.page.locator("h1").inner_text() == "Inloggen"
    assert "Uw sessie is verlopen" in s.page.locator("main").inner_text()


def test_privacyloket_zoekt_op_bsn_en_toont_het_dossier(scherm: Any) -> None:
    school: Scherm = scherm()
    school.log_in("a.mentor")
    casus = school.meld_signaal("Mevrouw Melder")
    loket: Scherm = scherm()
    loket.log_in("p.loket")
    loket.page.get_by_role("link", name="Privacyloket").click()
    loket.page.wait_for_url(re.compile(r".*/privacyloket$"))
    loket.controleer()
    loket.page.get_by_label("BSN").fill(SENTINEL_BSN)
    loket.page.get_by_label("Doel").select_option(value="inzageverzoek")
    loket.page.get_by_role("button", name="Zoeken").click()
    loket.page.wait_for_url(re.compile(r".*/privacyloket/zoeken$"))
    loket.controleer("privacyloket")
    sectie = loket.page.get_by_role("region", name=f"Casus {casus}")
    sectie.get_by_role("button", name="Dossier tonen (inzage)").click()
    loket.page.wait_for_url(re.compile(r".*/dossier$"))
    loket.controleer("dossier")
    assert "Zwaantje" in loket.page.locator("main").inner_text()


def test_stijl_werkt_onder_de_csp_van_de_paginas(browser: Browser, server: WebServer) -> None:
    """Without bypassing the pages' Content-Security-Policy the stylesheet still applies (nothing inline)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "/inloggen")
        kleur = page.evaluate("getComputedStyle(document.querySelector('.kop')).backgroundColor")
        assert kleur == "rgb(1, 104, 155)"
    finally:
        context.close()
