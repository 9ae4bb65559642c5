"""The CLI as a client of the aanpak server: the real server under uvicorn on loopback, the real CLI commands.

The server runs in this process (``tests/idp.py: Uvicorn``) over the ``omg`` case store (SQLite file, and
PostgreSQL where it answers) with the test identity provider of ``tests/server_hulp.py``; the client app
(``aanpak.klant.app``) runs through typer's CliRunner with ``AANPAK_API_URL`` and a token per organisation, and
twice as a subprocess of the real console entry (the import rule, ``--als`` refused before anything is sent).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from aanpak.cli import weergave
from aanpak.config import instellingen
from aanpak.klant import tokenbestand
from aanpak.klant.app import app as klant_app
from aanpak.omgeving import Omgeving
from aanpak.server.app import maak_app
from aanpak.store.schema import Signaal
from tests.gegevens import SENTINELS, signaal_document
from tests.idp import Uvicorn
from tests.server_hulp import EERSTE_VAN_TYPE, Uitgever
from tests.wachttijden import DRAAD, PROCES

SCHOOL = "school.zorgcoordinator"
WIJKTEAM = "wijkteam.casusregisseur"
GEMEENTE = "gemeente.procesregisseur"
BREEDTE = 200
_REF = "[0-9A-HJKMNP-TV-Z]{8}"
NIEUWE_CASUS = re.compile(rf"Signaal (S-{_REF}) geregistreerd: nieuwe casus (C-{_REF})\.")
OVERDRACHT = re.compile(rf"Overdracht aangeboden: (O-{_REF}) \(wacht op acceptatie\)\.")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def uitgever() -> Uitgever:
    return Uitgever()


@dataclass
class Klant:
    url: str
    uitgever: Uitgever
    omg: Omgeving
    runner: CliRunner

    def token(self, rol: str, *, persoon: str = "t.test", organisatie: str | None = None, geldig: int = 300) -> str:
        org = organisatie or EERSTE_VAN_TYPE[rol.split(".")[0]]
        return self.uitgever.token(persoon, org, [rol], geldig=geldig)

    def __call__(
        self, *args: str, rol: str | None = None, token: str | None = None, stdin: str | None = None
    ) -> Result:
        env = {"AANPAK_TOKEN": token if token is not None else (self.token(rol) if rol else "")}
        return self.runner.invoke(klant_app, list(args), input=stdin, env=env)


@pytest.fixture
def klant(omg: Omgeving, uitgever: Uitgever, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Klant]:
    for naam in list(os.environ):
        if naam.startswith("AANPAK_"):
            monkeypatch.delenv(naam)
    monkeypatch.setenv("AANPAK_PREFECT", "false")  # the server runs transitions directly (a bare machine)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(weergave.console, "_width", BREEDTE)
    monkeypatch.setattr(weergave.fout_console, "_width", BREEDTE)
    instellingen.cache_clear()
    server = Uvicorn()
    server.start(maak_app(omg, uitgever.verificateur()))
    monkeypatch.setenv("AANPAK_API_URL", server.url)
    try:
        yield Klant(server.url, uitgever, omg, CliRunner())
    finally:
        server.stop()
        instellingen.cache_clear()


def ok(r: Result) -> str:
    assert r.exit_code == 0, (r.exit_code, r.output, r.exception)
    assert r.stderr == ""
    return r.stdout


def geweigerd(r: Result, code: int = 1) -> str:
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert "Traceback" not in r.output
    return r.stderr


def geen_persoonsgegevens(tekst: str) -> None:
    for s in SENTINELS:
        assert s not in tekst, s


def registreer(klant: Klant, tmp_path: Path, **extra: Any) -> str:
    bestand = tmp_path / "signaal.json"
    bestand.write_text(json.dumps(signaal_document(**extra)), encoding="utf-8")
    uit = ok(klant("signaal", "registreer", "--bestand", str(bestand), rol=SCHOOL))
    m = NIEUWE_CASUS.search(uit)
    assert m, uit
    geen_persoonsgegevens(uit)
    return m.group(2)


# -- a case through its steps, as different organisations ----------------------------------------------------------


def test_een_casus_door_zijn_stappen_als_verschillende_organisaties(klant: Klant, tmp_path: Path) -> None:
    casus = registreer(klant, tmp_path)
    postvak = ok(klant("postvak", rol=SCHOOL))
    assert casus in postvak
    assert "interne_weging" in postvak
    assert f"Postvak {SCHOOL} bij school-de-wissel" in postvak
    ok(klant("stap", "verlengen", casus, "interne_weging", "2", "--reden", "overleg_nodig", rol=SCHOOL))
    ok(klant("stap", "opschorten", casus, "interne_weging", "--reden", "wacht_op_informatie", rol=SCHOOL))
    assert "hervat na" in ok(klant("stap", "hervatten", casus, "interne_weging", rol=SCHOOL))
    uit = ok(klant("stap", "besluit", casus, "interne_weging", "eigen_ondersteuning", rol=SCHOOL))
    assert "interne_weging → eigen_ondersteuning" in uit
    assert "Gestart: informeren_grondslag" in uit
    ok(klant("stap", "besluit", casus, "informeren_grondslag", "wettelijke_grondslag", rol=SCHOOL))
    # The AVE step's postvak line and the timeline carry the convenant's regie proposal, as in the local CLI.
    assert "Regievoorstel " in ok(klant("postvak", rol=SCHOOL))
    assert "Regievoorstel AVE 2: casusregie" in ok(klant("casus", "tijdlijn", casus, rol=SCHOOL))
    uit = ok(
        klant(
            "stap",
            "besluit",
            casus,
            "ave_regie_bepalen",
            "lokaal",
            "--ave",
            "2",
            "--casusregie",
            WIJKTEAM,
            "--regie-voorstel",
            "aanvaard",
            rol=SCHOOL,
        )
    )
    m = OVERDRACHT.search(uit)
    assert m, uit
    # The wijkteam accepts with its own token; the gemeente (procesregie) may not accept it for them.
    assert "--rol" in geweigerd(klant("overdracht", "accepteer", m.group(1), rol=GEMEENTE))
    assert f"casus {casus} ligt nu bij {WIJKTEAM}" in ok(klant("overdracht", "accepteer", m.group(1), rol=WIJKTEAM))
    tijdlijn = ok(klant("casus", "tijdlijn", casus, rol=WIJKTEAM))
    assert f"casusregie {WIJKTEAM}" in tijdlijn
    assert "ave_regie_bepalen" in tijdlijn
    geen_persoonsgegevens(tijdlijn)
    # A second decision on a decided step: refused naming the step, exit 1.
    fout = geweigerd(klant("stap", "besluit", casus, "interne_weging", "geen_zorg", rol=SCHOOL))
    assert fout.startswith("Geweigerd: stap:"), fout


def test_inzage_en_grondslag_via_de_server(klant: Klant, tmp_path: Path) -> None:
    casus = registreer(klant, tmp_path)
    uit = ok(
        klant("grondslag", "vastleggen", casus, "--soort", "wettelijke_taak", "--doel", "casusoverleg", rol=SCHOOL)
    )
    assert re.search(rf"Grondslag G-{_REF} \(wettelijke_taak\) vastgelegd voor casus {casus}\.", uit), uit
    assert "van kracht" in ok(klant("grondslag", "lijst", casus, rol=SCHOOL))
    inzage = ok(klant("casus", "inzien", casus, "--doel", "casusoverleg", rol=SCHOOL))
    assert f"Casus {casus}" in inzage
    assert "verwerkingslog, regel" in inzage
    # The inzage is in the disclosure log; its chain is intact (checked on the server).
    assert "Verwerkingslog in orde" in ok(klant("audit", "verifieer", rol=SCHOOL))


def test_school_b_krijgt_dezelfde_weigering_als_voor_een_onbekende_casus(klant: Klant, tmp_path: Path) -> None:
    casus = registreer(klant, tmp_path)
    school_b = klant.token(SCHOOL, organisatie="school-het-baken", persoon="b.baken")
    assert casus not in ok(klant("postvak", token=school_b))
    for opdracht in (["casus", "tijdlijn"], ["stap", "hervatten", "{c}", "interne_weging"]):
        args = [a.replace("{c}", "C-00000000") for a in opdracht] + ([] if "{c}" in opdracht else ["C-00000000"])
        onbekend = geweigerd(klant(*args, token=school_b))
        args_b = [a.replace("{c}", casus) for a in opdracht] + ([] if "{c}" in opdracht else [casus])
        niet_betrokken = geweigerd(klant(*args_b, token=school_b))
        assert onbekend.startswith("Geweigerd:"), onbekend
        assert niet_betrokken == onbekend.replace("C-00000000", casus)


# -- tokens -----------------------------------------------------------------------------------------------------------


def test_zonder_token_niet_ingelogd(klant: Klant) -> None:
    fout = geweigerd(klant("postvak", token=""))
    assert fout.startswith("Niet ingelogd of token verlopen:"), fout
    assert "aanpak login" in fout


def test_verlopen_token(klant: Klant) -> None:
    verlopen = klant.token(SCHOOL, geldig=-3600)
    fout = geweigerd(klant("postvak", token=verlopen))
    assert fout.startswith("Niet ingelogd of token verlopen:"), fout
    assert verlopen not in fout


def test_rol_die_het_token_niet_geeft(klant: Klant) -> None:
    fout = geweigerd(klant("postvak", "--rol", WIJKTEAM, rol=SCHOOL))
    assert fout.startswith("Geweigerd: --rol:"), fout


def test_ongeldig_signaal_noemt_het_veld_en_herhaalt_de_waarde_niet(klant: Klant, tmp_path: Path) -> None:
    doc = signaal_document()
    doc["jeugdige"]["bsn"] = "111222334"
    bestand = tmp_path / "fout.json"
    bestand.write_text(json.dumps(doc), encoding="utf-8")
    fout = geweigerd(klant("signaal", "registreer", "--bestand", str(bestand), rol=SCHOOL))
    assert fout.startswith("Ongeldige invoer (er is niets gewijzigd):"), fout
    assert "jeugdige.bsn" in fout
    assert "111222334" not in fout
    geen_persoonsgegevens(fout)


def test_login_bewaart_het_token_0600_en_logout_verwijdert_het(klant: Klant) -> None:
    token = klant.token(SCHOOL)
    assert "Ingelogd" in ok(klant("login", token="", stdin=token + "\n"))
    pad = tokenbestand.pad()
    assert stat.S_IMODE(pad.stat().st_mode) == 0o600
    assert stat.S_IMODE(pad.parent.stat().st_mode) == 0o700
    assert pad.read_text().strip() == token
    ok(klant("postvak", token=""))  # the stored token is used when AANPAK_TOKEN is empty
    pad.chmod(0o644)
    assert "leesbaar voor anderen" in geweigerd(klant("postvak", token=""))
    assert "Uitgelogd" in ok(klant("logout"))
    assert not pad.exists()
    assert geweigerd(klant("postvak", token="")).startswith("Niet ingelogd")


def test_login_weigert_een_koppeling(klant: Klant, tmp_path: Path) -> None:
    pad = tokenbestand.pad()
    pad.parent.mkdir(parents=True)
    doel = tmp_path / "elders"
    doel.write_text("van iemand anders\n")
    pad.symlink_to(doel)
    fout = geweigerd(klant("login", token="", stdin=klant.token(SCHOOL)))
    assert "koppeling" in fout
    assert doel.read_text() == "van iemand anders\n"
    assert "koppeling" in geweigerd(klant("postvak", token=""))


def test_login_weigert_iets_dat_geen_token_is(klant: Klant) -> None:
    assert "verwacht één token" in geweigerd(klant("login", token="", stdin="geen token hier\n"))
    assert not tokenbestand.pad().exists()


# -- unreachable server, timeouts, idempotency --------------------------------------------------------------------


def test_onbereikbare_server_is_een_nederlandse_melding(klant: Klant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AANPAK_API_URL", "http://127.0.0.1:9")  # discard: nothing listens
    fout = geweigerd(klant("postvak", rol=SCHOOL))
    assert fout.startswith("Niet gelukt: de aanpak-server"), fout
    assert "niet bereikbaar" in fout


def test_token_gaat_niet_onversleuteld_naar_een_andere_machine(klant: Klant, monkeypatch: pytest.MonkeyPatch) -> None:
    ontvangen: list[bytes] = []
    luisteraar = socket.socket()
    luisteraar.bind(("127.0.0.1", 0))
    luisteraar.listen(1)
    luisteraar.settimeout(0.5)
    poort = luisteraar.getsockname()[1]
    # Not loopback by name, though it reaches this machine: the client must refuse before it connects.
    monkeypatch.setenv("AANPAK_API_URL", f"http://127.0.0.1.nip.io:{poort}")
    fout = geweigerd(klant("postvak", rol=SCHOOL))
    assert "https://" in fout
    with contextlib.suppress(TimeoutError):
        verbinding, _ = luisteraar.accept()
        ontvangen.append(verbinding.recv(4096))
    luisteraar.close()
    assert ontvangen == []


class Vertrager:
    """A loopback proxy that holds the answer to the first POST until the client has sent it again.

    The first request reaches the server (it is recorded); the client's timeout expires before it hears back and
    it repeats the request with the same idempotency key, which the proxy passes straight through."""

    def __init__(self, doel: str) -> None:
        self.herhaald = threading.Event()
        self.sleutels: list[str | None] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _door(self) -> None:
                lengte = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(lengte) if lengte else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                r = httpx.request(self.command, doel + self.path, headers=headers, content=body, timeout=120)
                if self.command == "POST":
                    proxy.sleutels.append(self.headers.get("Idempotency-Key"))
                    if len(proxy.sleutels) == 1:
                        proxy.herhaald.wait(DRAAD)
                    else:
                        proxy.herhaald.set()
                inhoud = r.content
                try:
                    self.send_response(r.status_code)
                    self.send_header("Content-Type", r.headers.get("content-type", "application/json"))
                    self.send_header("Content-Length", str(len(inhoud)))
                    self.end_headers()
                    self.wfile.write(inhoud)
                except OSError:
                    pass  # the client gave up on this one

            do_GET = do_POST = _door

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._draad = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._draad.start()

    def stop(self) -> None:
        self.herhaald.set()
        self._server.shutdown()
        self._server.server_close()


def test_herhaald_verzoek_na_een_timeout_registreert_een_keer(
    klant: Klant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = Vertrager(klant.url)
    try:
        monkeypatch.setenv("AANPAK_API_URL", proxy.url)
        monkeypatch.setenv("AANPAK_API_TIMEOUT", "1")
        bestand = tmp_path / "signaal.json"
        bestand.write_text(json.dumps(signaal_document()), encoding="utf-8")
        uit = ok(klant("signaal", "registreer", "--bestand", str(bestand), rol=SCHOOL))
    finally:
        proxy.stop()
    assert "Dit signaal was al geregistreerd" in uit, uit
    assert len(proxy.sleutels) == 2
    assert proxy.sleutels[0] == proxy.sleutels[1]
    assert proxy.sleutels[0]
    with klant.omg.uow() as sessie:
        assert sessie.scalar(select(func.count()).select_from(Signaal)) == 1


def test_dezelfde_sleutel_registreert_een_keer(klant: Klant, tmp_path: Path) -> None:
    bestand = tmp_path / "signaal.json"
    bestand.write_text(json.dumps(signaal_document(sleutel="school-2026-000123")), encoding="utf-8")
    assert NIEUWE_CASUS.search(ok(klant("signaal", "registreer", "--bestand", str(bestand), rol=SCHOOL)))
    assert "al geregistreerd" in ok(klant("signaal", "registreer", "--bestand", str(bestand), rol=SCHOOL))


def test_werkproces_toon_van_de_server(klant: Klant) -> None:
    uit = ok(klant("werkproces", "toon", rol=SCHOOL))
    assert "interne_weging" in uit
    assert "flowchart TD" in uit
    assert ok(klant("werkproces", "toon", "--mermaid", rol=SCHOOL)).startswith("flowchart TD")


# -- the console entry: local or client, and what client mode imports ------------------------------------------------


def _aanpak(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from aanpak.cli.start import main; main()", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=PROCES,
        cwd=ROOT,
    )


def _env(klant: Klant, **extra: str) -> dict[str, str]:
    basis = {k: v for k, v in os.environ.items() if not k.startswith("AANPAK_")}
    return {**basis, "AANPAK_API_URL": klant.url, "COLUMNS": str(BREEDTE), **extra}


#: Runs a client command in a fresh interpreter and reports which heavy packages it imported.
_INVOER_REGEL = """
import sys
from aanpak.cli.start import main
sys.argv = ["aanpak", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
geladen = sorted({m.split(".")[0] for m in sys.modules} & {"prefect", "sqlalchemy", "alembic", "fastapi"})
geladen += sorted(m for m in sys.modules if m.startswith(("aanpak.store", "aanpak.usecases", "aanpak.uitvoering",
                                                          "aanpak.omgeving", "aanpak.cli.main")))
print("GELADEN=" + ",".join(geladen), file=sys.stderr)
sys.exit(code)
"""


def test_clientmodus_importeert_geen_prefect_en_geen_sqlalchemy(klant: Klant, tmp_path: Path) -> None:
    env = _env(klant, AANPAK_TOKEN=klant.token(SCHOOL))
    for args in (["postvak"], ["werkproces", "toon", "--mermaid"], ["--help"]):
        uit = subprocess.run(
            [sys.executable, "-c", _INVOER_REGEL, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=PROCES,
            cwd=tmp_path,
        )
        assert uit.returncode == 0, (args, uit.stdout, uit.stderr)
        assert "GELADEN=\n" in uit.stderr or uit.stderr.rstrip().endswith("GELADEN="), (args, uit.stderr)
    # The local CLI (no AANPAK_API_URL) does import them: the check above can fail.
    lokaal = {k: v for k, v in env.items() if k != "AANPAK_API_URL"}
    uit = subprocess.run(
        [sys.executable, "-c", _INVOER_REGEL, "--help"],
        env=lokaal,
        capture_output=True,
        text=True,
        timeout=PROCES,
        cwd=tmp_path,
    )
    assert "sqlalchemy" in uit.stderr.rsplit("GELADEN=", 1)[1]


def test_als_door_organisatie_geweigerd_in_clientmodus(klant: Klant) -> None:
    env = _env(klant, AANPAK_TOKEN=klant.token(SCHOOL))
    for vlag in (["--als", GEMEENTE], ["--door", "d.p"], ["--organisatie=school-het-baken"]):
        uit = _aanpak("stap", "hervatten", "C-00000000", "interne_weging", *vlag, env=env)
        assert uit.returncode == 2, (vlag, uit.stdout, uit.stderr)
        assert "clientmodus" in uit.stderr
        assert "token" in uit.stderr
        assert "Traceback" not in uit.stderr


def test_een_bestand_met_een_dubbele_sleutel_wordt_geweigerd_voor_het_verzenden(klant: Klant, tmp_path: Path) -> None:
    bestand = tmp_path / "dubbel.json"
    bestand.write_text('{"melder": {"naam": "x"}, "melder": {"naam": "y"}}', encoding="utf-8")
    fout = geweigerd(klant("signaal", "registreer", "--bestand", str(bestand), rol=SCHOOL))
    assert fout.startswith("Ongeldige invoer (er is niets gewijzigd):"), fout
    assert "melder: komt twee keer voor" in fout
    with klant.omg.uow() as sessie:
        assert sessie.scalar(select(func.count()).select_from(Signaal)) == 0
