"""A fake OIDC identity provider on loopback for the token tests, and a uvicorn server for the development issuer.

``NepIdp`` is a real ``ThreadingHTTPServer`` on 127.0.0.1, port 0, serving a discovery document and a JWKS for
test keys generated once per test session. It counts JWKS and discovery hits, can rotate keys, and mints tokens
with arbitrary claims, headers and algorithms — including the forgeries the verifier must refuse. Times come
from its clock, which the verifier under test shares, so nothing depends on the wall clock.

A test module gets the ``nep_idp`` fixture with ``nep_idp = idp.nep_idp`` (conftest.py stays untouched).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from fastapi import FastAPI
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

MOMENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PUBLIEK = "aanpak"

Prive = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@functools.cache
def rsa_sleutel(nummer: int) -> rsa.RSAPrivateKey:
    """Test RSA keys, generated once per session (nummer 0, 1, … for rotations)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_sleutel(nummer: int) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def publieke_jwk(sleutel: Prive) -> dict[str, Any]:
    if isinstance(sleutel, rsa.RSAPrivateKey):
        return dict(RSAAlgorithm.to_jwk(sleutel.public_key(), as_dict=True))
    return dict(ECAlgorithm.to_jwk(sleutel.public_key(), as_dict=True))


def publieke_pem(sleutel: Prive) -> bytes:
    return sleutel.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def handmatig(kop: dict[str, Any], claims: dict[str, Any], ondertekenen: Any = None) -> str:
    """A compact JWS built by hand, for algorithms PyJWT rightly refuses to produce (``none``, HMAC with a PEM)."""
    invoer = f"{b64(json.dumps(kop).encode())}.{b64(json.dumps(claims).encode())}"
    handtekening = ondertekenen(invoer.encode()) if ondertekenen else b""
    return f"{invoer}.{b64(handtekening)}"


def rsa_met(sleutel: rsa.RSAPrivateKey) -> Any:
    """A genuine RS256 signature, for claims PyJWT will not encode (an ``iss`` that is not a string)."""
    return lambda data: sleutel.sign(data, padding.PKCS1v15(), hashes.SHA256())


def hmac_met(geheim: bytes) -> Any:
    return lambda data: hmac.new(geheim, data, hashlib.sha256).digest()


@dataclass
class Klok:
    moment: datetime = MOMENT

    def __call__(self) -> datetime:
        return self.moment

    def verder(self, seconden: float) -> None:
        self.moment += timedelta(seconds=seconden)


@dataclass
class NepIdp:
    klok: Klok = field(default_factory=Klok)
    sleutels: dict[str, Prive] = field(default_factory=lambda: {"rsa-0": rsa_sleutel(0)})
    actief: str = "rsa-0"
    jwks_hits: int = 0
    discovery_hits: int = 0
    #: What the discovery document says the issuer is (a lying IdP sets something else).
    discovery_issuer: str | None = None

    def __post_init__(self) -> None:
        self._slot = threading.Lock()
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    with idp._slot:
                        idp.discovery_hits += 1
                    self._json({"issuer": idp.discovery_issuer or idp.url, "jwks_uri": idp.url + "/jwks"})
                elif self.path == "/jwks":
                    with idp._slot:
                        idp.jwks_hits += 1
                        document = idp.jwks()
                    self._json(document)
                else:
                    self.send_error(404)

            def _json(self, document: dict[str, Any]) -> None:
                inhoud = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(inhoud)))
                self.end_headers()
                self.wfile.write(inhoud)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._draad = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._draad.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._draad.join(timeout=30)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, sleutel in self.sleutels.items():
            jwk = publieke_jwk(sleutel)
            jwk["kid"] = kid
            keys.append(jwk)
        return {"keys": keys}

    def roteer(self, *, behoud_oude: bool = True) -> str:
        """A new RSA key becomes the signing key; the old one stays published unless ``behoud_oude`` is false."""
        with self._slot:
            nummer = len([k for k in self.sleutels if k.startswith("rsa-")])
            kid = f"rsa-{nummer}"
            if not behoud_oude:
                self.sleutels = {}
            self.sleutels[kid] = rsa_sleutel(nummer)
            self.actief = kid
        return kid

    def voeg_ec_toe(self) -> str:
        with self._slot:
            self.sleutels["ec-0"] = ec_sleutel(0)
        return "ec-0"

    def claims(self, **extra: Any) -> dict[str, Any]:
        nu = int(self.klok().timestamp())
        basis: dict[str, Any] = {
            "iss": self.url,
            "aud": PUBLIEK,
            "sub": "3f1c9a7e-0000-4000-8000-000000000001",
            "iat": nu,
            "nbf": nu,
            "exp": nu + 300,
            "preferred_username": "a.mentor",
            "organisatie": "school-de-wissel",
            "rollen": ["school.zorgcoordinator"],
        }
        return basis | extra

    def token(
        self,
        claims: dict[str, Any] | None = None,
        *,
        zonder: tuple[str, ...] = (),
        kop: dict[str, Any] | None = None,
        alg: str = "RS256",
        kid: str | None = None,
        sleutel: Prive | None = None,
    ) -> str:
        """A token signed with the active key (or ``kid``'s, or ``sleutel``), optionally without some claims."""
        inhoud = {k: v for k, v in (claims if claims is not None else self.claims()).items() if k not in zonder}
        kid = kid or self.actief
        return jwt.encode(inhoud, sleutel or self.sleutels[kid], algorithm=alg, headers={"kid": kid, **(kop or {})})


@pytest.fixture
def nep_idp() -> Iterator[NepIdp]:
    idp = NepIdp()
    try:
        yield idp
    finally:
        idp.stop()


class Uvicorn:
    """A FastAPI app served by uvicorn on 127.0.0.1 in a thread, on a socket bound before the app exists."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server: uvicorn.Server | None = None
        self._draad: threading.Thread | None = None

    def start(self, app: FastAPI) -> None:
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._draad = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)
        self._draad.start()
        einde = time.monotonic() + 60
        while not self._server.started:
            if time.monotonic() > einde or not self._draad.is_alive():
                raise RuntimeError("uvicorn start niet")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._draad is not None:
            self._server.should_exit = True
            self._draad.join(timeout=30)
        self._sock.close()
