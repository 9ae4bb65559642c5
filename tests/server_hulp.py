"""Helpers for the server tests: a test token issuer (RS256 JWTs via PyJWT), its verifier, and a sync client.

The verifier stands in for ``aanpak.toegang`` until that is merged: it checks signature, issuer, audience and
expiry, and raises the server's ``TokenOngeldig`` for anything else.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from aanpak.server.toegang import TokenOngeldig

UITGEVER = "https://idp.test.example"
PUBLIEK = "aanpak"


@dataclass(frozen=True)
class ProefIdentiteit:
    persoon: str
    organisatie: str
    rollen: frozenset[str]
    uitgever: str
    soort: Literal["persoon", "systeem"]


class Uitgever:
    """Signs tokens with its own RSA key; ``verificateur()`` trusts exactly this key."""

    def __init__(self) -> None:
        self.sleutel = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(
        self,
        persoon: str,
        organisatie: str,
        rollen: list[str],
        *,
        geldig: int = 300,
        uitgever: str = UITGEVER,
        soort: str = "persoon",
    ) -> str:
        nu = int(time.time())
        claims = {
            "iss": uitgever,
            "aud": PUBLIEK,
            "sub": persoon,
            "org": organisatie,
            "rollen": rollen,
            "soort": soort,
            "iat": nu,
            "exp": nu + geldig,
        }
        return jwt.encode(claims, self.sleutel, algorithm="RS256")

    def verificateur(self) -> ProefVerificateur:
        return ProefVerificateur(self.sleutel.public_key())


class ProefVerificateur:
    def __init__(self, publieke_sleutel: rsa.RSAPublicKey) -> None:
        self.publieke_sleutel = publieke_sleutel

    def verifieer(self, token: str) -> ProefIdentiteit:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.publieke_sleutel,
                algorithms=["RS256"],
                audience=PUBLIEK,
                issuer=UITGEVER,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError:
            raise TokenOngeldig("token ongeldig") from None
        soort = claims.get("soort")
        if soort not in ("persoon", "systeem"):
            raise TokenOngeldig("onbekende soort")
        return ProefIdentiteit(
            persoon=str(claims["sub"]),
            organisatie=str(claims["org"]),
            rollen=frozenset(str(r) for r in claims.get("rollen", [])),
            uitgever=str(claims["iss"]),
            soort=soort,
        )


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
