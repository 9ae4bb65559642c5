"""Helpers for the server tests: a test token issuer (RS256 JWTs via PyJWT), its verifier, and a sync client.

The issuer is the fake identity provider of ``tests/idp.py`` (a real HTTP server on loopback); the server
verifies its tokens with the real ``aanpak.toegang.Verificateur``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI

import aanpak
from aanpak.toegang import ToegangConfig, Verificateur
from aanpak.toegang import Uitgever as ToegangUitgever
from tests.idp import NepIdp

PUBLIEK = "aanpak"
#: The embedded default's organisation register: the test issuer may assert any of its organisations.
_REGISTER = yaml.safe_load((Path(aanpak.__file__).parent / "definities" / "organisaties.yaml").read_text("utf-8"))
ORGANISATIES = [o["key"] for o in _REGISTER["organisaties"]]
#: The first organisation of each type (school → school-de-wissel): where a test's role acts by default.
EERSTE_VAN_TYPE: dict[str, str] = {}
for _o in _REGISTER["organisaties"]:
    EERSTE_VAN_TYPE.setdefault(_o["type"], _o["key"])


class Uitgever:
    """A test identity provider on loopback (discovery + JWKS over real HTTP) and the real verifier for it."""

    def __init__(self) -> None:
        self.idp = NepIdp()

    def token(self, persoon: str, organisatie: str, rollen: list[str], *, geldig: int = 300) -> str:
        nu = int(time.time())
        claims = self.idp.claims(
            sub=f"test:{persoon}",
            preferred_username=persoon,
            organisatie=organisatie,
            rollen=rollen,
            iat=nu,
            nbf=nu,
            exp=nu + geldig,
        )
        return self.idp.token(claims)

    def verificateur(self) -> Verificateur:
        config = ToegangConfig(
            uitgevers=[ToegangUitgever(uitgever=self.idp.url, publiek=PUBLIEK, organisaties=ORGANISATIES)]
        )
        return Verificateur(config)


class Klant:
    """httpx over ``ASGITransport`` (async) behind a sync call, so tests and fixtures stay plain functions."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def _verzoek(self, methode: str, pad: str, **kwargs: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://aanpak.test") as client:
            return await client.request(methode, pad, **kwargs)

    def __call__(self, methode: str, pad: str, **kwargs: Any) -> httpx.Response:
        return asyncio.run(self._verzoek(methode, pad, **kwargs))

    def get(self, pad: str, **kwargs: Any) -> httpx.Response:
        return self("GET", pad, **kwargs)

    def post(self, pad: str, **kwargs: Any) -> httpx.Response:
        return self("POST", pad, **kwargs)

    def delete(self, pad: str, **kwargs: Any) -> httpx.Response:
        return self("DELETE", pad, **kwargs)
