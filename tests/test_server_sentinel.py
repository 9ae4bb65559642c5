"""The sentinel test on the server: a case through the real uvicorn server, and its logs hold no personal data.

The server runs as ``aanpak server`` runs it (``uvicorn.run``'s own logging configuration, access log on,
lifespan on) in a child process, so what it writes to stdout and stderr is exactly what an operator's log
collector would keep; our loggers (``aanpak``) are turned up to DEBUG there. The test process drives a case
over HTTP with real tokens of a fake identity provider on loopback (``tests/idp.py``) and sentinel personal
values (tests/gegevens.py) — a signal, decisions with a personal motivation, a handoff, a need-to-know read —
and the refusals around it: a 422 on a bad BSN, a 404 for an unknown case and for another school's, a 401 for
a tampered token, a 403 for a foreign role, a 413, sentinels in paths and query strings. Then it stops the
server and reads everything it logged: no sentinel value, and no token nor any part of one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import wachttijden
from tests.gegevens import SENTINEL_BSN, SENTINEL_NAAM, SENTINEL_ZORG, SENTINELS, signaal_document
from tests.server_hulp import Uitgever

V1 = "/api/v1"
SCHOOL = "school.zorgcoordinator"
WIJKTEAM = "wijkteam.casusregisseur"
#: Fails the 11-proef: a 422 that must not repeat it, in the answer or the log.
BSN_FOUT = "111222334"
TOELICHTING = "Moeder van Zwaantje belde: kwetsbaar-kwartel-717"

#: The server process: the real app on the embedded default, trusting the test IdP given as argv[1], served by
#: uvicorn exactly as ``aanpak server`` does (aanpak/cli/server.py), on a socket bound to port 0.
_SERVER = """
import logging, socket, sys
import uvicorn
from aanpak.omgeving import bouw
from aanpak.server.app import maak_app
from aanpak.toegang import ToegangConfig, Uitgever, Verificateur
from tests.server_hulp import ORGANISATIES, PUBLIEK

logging.getLogger("aanpak").setLevel(logging.DEBUG)
logging.basicConfig(level=logging.WARNING)  # a root handler: what our loggers say reaches stderr
config = ToegangConfig(uitgevers=[Uitgever(uitgever=sys.argv[1], publiek=PUBLIEK, organisaties=ORGANISATIES)])
app = maak_app(bouw(), Verificateur(config))
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
print("POORT", sock.getsockname()[1], flush=True)
server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", server_header=False, proxy_headers=False))
server.run(sockets=[sock])
"""


def _wacht_op_poort(proces: subprocess.Popen[str]) -> int:
    assert proces.stdout is not None
    regel = proces.stdout.readline()  # blocks until the child printed its port (or died: "")
    assert regel.startswith("POORT "), regel
    return int(regel.split()[1])


def _wacht_op_gezondheid(url: str, proces: subprocess.Popen[str]) -> None:
    einde = time.monotonic() + wachttijden.PROCES
    while True:
        assert proces.poll() is None, "de server stopte"
        try:
            if httpx.get(f"{url}{V1}/gezondheid", timeout=wachttijden.HTTP_TIMEOUT).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < einde, "de server antwoordde niet"
        time.sleep(wachttijden.POLL)


def _delen(token: str) -> list[str]:
    """The token and its claims and signature parts (the header part is the same for every token of a key)."""
    _kop, inhoud, handtekening = token.split(".")
    return [token, inhoud, handtekening, handtekening[:24], handtekening[-24:]]


@pytest.fixture
def uitgever() -> Iterator[Uitgever]:
    u = Uitgever()
    try:
        yield u
    finally:
        u.idp.stop()


def test_server_logt_geen_persoonsgegevens_en_geen_token(tmp_path: Path, uitgever: Uitgever) -> None:
    omgeving = {
        **os.environ,
        "AANPAK_DATA_DIR": str(tmp_path),
        "AANPAK_DATABASE_URL": "",
        "AANPAK_PREFECT": "false",
        "AANPAK_DEPLOYMENTS": "false",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "PYTHONUNBUFFERED": "1",
    }
    omgeving.pop("AANPAK_TOEGANG", None)
    proces = subprocess.Popen(
        [sys.executable, "-c", _SERVER, uitgever.idp.url],
        env=omgeving,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    tokens: list[str] = []

    def kop(rol: str, organisatie: str, persoon: str = "t.test") -> dict[str, str]:
        token = uitgever.token(persoon, organisatie, [rol])
        tokens.append(token)
        return {"Authorization": f"Bearer {token}", "X-Aanpak-Rol": rol}

    statussen: list[int] = []
    try:
        url = f"http://127.0.0.1:{_wacht_op_poort(proces)}"
        _wacht_op_gezondheid(url, proces)
        school = kop(SCHOOL, "school-de-wissel", "a.mentor")
        wijkteam = kop(WIJKTEAM, "wijkteam-venlo", "c.regisseur")
        with httpx.Client(base_url=url + V1, timeout=wachttijden.PROCES) as client:

            def doe(methode: str, pad: str, verwacht: int, **kwargs: Any) -> httpx.Response:
                r = client.request(methode, pad, **kwargs)
                assert r.status_code == verwacht, (methode, pad, r.status_code, r.text)
                statussen.append(r.status_code)
                return r

            casus = doe("POST", "/signalen", 201, headers=school, json=signaal_document()).json()["casus_ref"]
            for stap, body in (
                ("interne_weging", {"uitkomst": "eigen_ondersteuning", "toelichting": TOELICHTING}),
                ("informeren_grondslag", {"uitkomst": "wettelijke_grondslag"}),
                (
                    "ave_regie_bepalen",
                    {"uitkomst": "lokaal", "ave_fase": 2, "casusregie": WIJKTEAM, "regie_voorstel": "aanvaard"},
                ),
            ):
                r = doe("POST", f"/casussen/{casus}/stappen/{stap}/besluit", 200, headers=school, json=body)
            (overdracht,) = r.json()["toegepast"]["overdrachten"]
            doe("POST", f"/overdrachten/{overdracht}/accepteer", 200, headers=wijkteam)
            inzage = doe("POST", f"/casussen/{casus}/inzage", 200, headers=wijkteam, json={"doel": "casusoverleg"})
            assert inzage.json()["casus_ref"] == casus
            doe("GET", f"/casussen/{casus}/tijdlijn", 200, headers=school)
            doe("GET", "/postvak", 200, headers=school, params={"naam": SENTINEL_NAAM, "bsn": SENTINEL_BSN})

            # The refusals.
            slecht = signaal_document()
            slecht["jeugdige"]["bsn"] = BSN_FOUT
            assert BSN_FOUT not in doe("POST", "/signalen", 422, headers=school, json=slecht).text
            doe("POST", "/signalen", 422, headers=school, json={**signaal_document(), SENTINEL_NAAM: SENTINEL_ZORG})
            doe("GET", "/casussen/C-00000000/tijdlijn", 404, headers=school)
            school_b = kop(SCHOOL, "school-het-baken", "b.coordinator")
            doe("GET", f"/casussen/{casus}/tijdlijn", 404, headers=school_b)
            doe("POST", f"/casussen/{casus}/inzage", 404, headers=school_b, json={"doel": "casusoverleg"})
            doe("GET", f"/casussen/{SENTINEL_BSN}/tijdlijn", 422, headers=school)
            doe("GET", "/casussen/Zwaantje%20Xylofoonstra/tijdlijn", 422, headers=school)
            vervalst = tokens[0][:-6] + ("AAAAAA" if not tokens[0].endswith("AAAAAA") else "BBBBBB")
            doe("GET", "/postvak", 401, headers={"Authorization": f"Bearer {vervalst}"})
            doe("GET", "/postvak", 403, headers={**school, "X-Aanpak-Rol": "gemeente.privacyloket"})
            doe("POST", "/signalen", 413, headers=school, content=SENTINEL_ZORG.encode() * 70_000)
    finally:
        proces.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully, as under a service manager
        try:
            uit, fout = proces.communicate(timeout=wachttijden.PROCES)
        except subprocess.TimeoutExpired:
            proces.kill()
            uit, fout = proces.communicate()
    log = uit + fout
    # The logs are there: one access line per request (uvicorn writes them to stdout), and the server's own.
    toegang = [regel for regel in uit.splitlines() if "HTTP/1.1" in regel]
    assert len(toegang) >= len(statussen), log
    for status in set(statussen):
        assert any(f'HTTP/1.1" {status}' in regel for regel in toegang), (status, toegang)
    assert f"/casussen/{casus}/tijdlijn" in log
    assert "Application startup complete" in fout
    assert "Logging error" not in fout
    # And none of it is personal data or a token.
    for s in (*SENTINELS, SENTINEL_NAAM, SENTINEL_ZORG, BSN_FOUT, TOELICHTING, "melder@school.example"):
        assert s not in log, s
    for token in (*tokens, vervalst):
        for deel in _delen(token):
            assert deel not in log
    assert "Bearer" not in log
