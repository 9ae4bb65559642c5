"""The development issuer's login endpoints answer only this machine: whoever reaches them may pick any
fictitious person (the privacyloket included), so a request from another address is refused before anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aanpak.toegang.ontwikkeluitgever import Ontwikkeluitgever
from models.adres import is_loopback


def _app(tmp_path: Path) -> FastAPI:
    app = FastAPI()
    app.include_router(Ontwikkeluitgever(tmp_path, "http://127.0.0.1:8100/ontwikkel-idp").router())
    return app


@pytest.mark.parametrize(
    ("methode", "pad"),
    [("GET", "/ontwikkel-idp/authorize"), ("POST", "/ontwikkel-idp/authorize"), ("POST", "/ontwikkel-idp/token")],
)
def test_login_endpoints_refuse_another_machine(tmp_path: Path, methode: str, pad: str) -> None:
    with TestClient(_app(tmp_path), base_url="http://127.0.0.1:8100", client=("192.0.2.7", 40000)) as c:
        antwoord = c.request(methode, pad, data={"persoon": "p.loket", "grant_type": "authorization_code"})
    assert antwoord.status_code == 403
    assert "alleen vanaf deze machine" in antwoord.text


def test_login_page_answers_this_machine(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path), base_url="http://127.0.0.1:8100", client=("127.0.0.1", 40000)) as c:
        antwoord = c.get("/ontwikkel-idp/authorize", params={"client_id": "onbekend"})
    assert antwoord.status_code != 403  # refused for its parameters, not for where it came from


def test_discovery_and_jwks_stay_public(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path), base_url="http://127.0.0.1:8100", client=("192.0.2.7", 40000)) as c:
        assert c.get("/ontwikkel-idp/jwks").status_code == 200


@pytest.mark.parametrize(
    ("host", "lokaal"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("192.0.2.7", False), ("", False)],
)
def test_is_loopback(host: str, lokaal: bool) -> None:
    assert is_loopback(host) is lokaal
