"""The web app as an OIDC client: authorization code with PKCE (S256) against the configured issuer.

Discovery is read once per process. The ID token that comes back is verified by the server's ``Verificateur``
(signature, ``iss``, ``aud``, times — exactly like an API token); the caller then checks its ``nonce``.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from aanpak.toegang import TokenOngeldig


class InloggenMislukt(Exception):
    """The issuer did not give a usable answer; ``str()`` is a short Dutch reason (never a token)."""


class OidcKlant:
    def __init__(self, uitgever: str, client_id: str, client_secret: str = "") -> None:
        self.uitgever = uitgever.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._discovery: dict[str, Any] | None = None
        self._slot = threading.Lock()

    def _ontdek(self) -> dict[str, Any]:
        with self._slot:
            if self._discovery is None:
                try:
                    r = httpx.get(self.uitgever + "/.well-known/openid-configuration", timeout=10)
                    r.raise_for_status()
                    gegevens = r.json()
                except (httpx.HTTPError, ValueError):
                    raise InloggenMislukt("de inlogdienst is niet bereikbaar") from None
                if not isinstance(gegevens, dict) or gegevens.get("issuer", "").rstrip("/") != self.uitgever:
                    raise InloggenMislukt("de inlogdienst geeft een ongeldig antwoord")
                self._discovery = gegevens
            return self._discovery

    def autorisatie_url(self, terug: str, state: str, nonce: str, uitdaging: str) -> str:
        eindpunt = self._ontdek().get("authorization_endpoint")
        if not isinstance(eindpunt, str):
            raise InloggenMislukt("de inlogdienst kent geen authorization_endpoint")
        return (
            eindpunt
            + "?"
            + urlencode(
                {
                    "response_type": "code",
                    "client_id": self.client_id,
                    "redirect_uri": terug,
                    "scope": "openid",
                    "state": state,
                    "nonce": nonce,
                    "code_challenge": uitdaging,
                    "code_challenge_method": "S256",
                }
            )
        )

    def wissel_code(self, code: str, terug: str, verifier: str) -> str:
        """The ID token for this code (not yet verified: the caller does that)."""
        eindpunt = self._ontdek().get("token_endpoint")
        if not isinstance(eindpunt, str):
            raise InloggenMislukt("de inlogdienst kent geen token_endpoint")
        velden = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": terug,
            "client_id": self.client_id,
            "code_verifier": verifier,
        }
        auth = (self.client_id, self._secret) if self._secret else None
        try:
            r = httpx.post(eindpunt, data=velden, auth=auth, timeout=10)
        except httpx.HTTPError:
            raise InloggenMislukt("de inlogdienst is niet bereikbaar") from None
        if r.status_code != 200:
            raise InloggenMislukt("de inlogdienst weigerde de inlogcode")
        try:
            token = r.json().get("id_token")
        except ValueError:
            token = None
        if not isinstance(token, str):
            raise InloggenMislukt("de inlogdienst gaf geen ID-token")
        return token


def nonce_van(geverifieerd_token: str) -> str | None:
    """The ``nonce`` of a token the Verificateur has just accepted (so its claims can be read)."""
    try:
        waarde = jwt.decode(geverifieerd_token, options={"verify_signature": False}).get("nonce")
    except jwt.PyJWTError:
        raise TokenOngeldig("het token is onleesbaar") from None
    return waarde if isinstance(waarde, str) else None
