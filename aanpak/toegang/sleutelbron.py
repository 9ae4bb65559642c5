"""An issuer's public signing keys (JWKS): fetched with httpx, cached, refetched sparingly.

Keys come only from the configured ``jwks_uri`` or the issuer's discovery document, never from a token. The
cache lives ``jwks_ttl_seconden``; a ``kid`` we do not know triggers one refetch (the issuer may have rotated),
but never more than once per ``herlaad_pauze_seconden``, so a flood of random kids cannot hammer the issuer.
When a fetch fails the keys already held stay in use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWTError

from aanpak.toegang.config import Uitgever, controleer_url
from aanpak.toegang.identiteit import TokenOngeldig, UitgeverOnbereikbaar

log = logging.getLogger(__name__)

#: The key type (and curve) each algorithm needs: a key of another type is never used for it.
_KTY = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
_CURVE = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


def past_bij(jwk: dict[str, Any], alg: str) -> bool:
    """Whether a public key may verify a signature of algorithm ``alg``."""
    if jwk.get("kty") != _KTY.get(alg[:2]):
        return False
    if alg in _CURVE and jwk.get("crv") != _CURVE[alg]:
        return False
    if alg == "EdDSA" and jwk.get("crv") not in ("Ed25519", "Ed448"):
        return False
    return jwk.get("alg") in (None, alg) and jwk.get("use") in (None, "sig")


def _publieke_sleutels(document: object) -> list[dict[str, Any]]:
    """The usable public keys of a JWKS document: asymmetric, for signing; private parts are never kept."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("geen JWKS-document")
    sleutels = []
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") not in ("RSA", "EC", "OKP"):
            continue  # symmetric ("oct") or unknown keys are never used
        if "d" in jwk or jwk.get("use") not in (None, "sig"):
            continue
        if "kid" in jwk and not isinstance(jwk["kid"], str):
            continue
        sleutels.append(jwk)
    return sleutels


class Sleutelbron:
    """The keys of one issuer. Thread-safe: one fetch at a time, all verifications read the same cache."""

    def __init__(
        self,
        uitgever: Uitgever,
        http: httpx.Client,
        klok: Callable[[], datetime],
        *,
        ttl: timedelta,
        pauze: timedelta,
    ) -> None:
        self._uitgever = uitgever
        self._http = http
        self._klok = klok
        self._ttl = ttl
        self._pauze = pauze
        self._slot = threading.Lock()
        self._sleutels: list[dict[str, Any]] = []
        self._geladen_op: datetime | None = None
        self._laatste_poging: datetime | None = None

    def sleutel(self, kid: str | None, alg: str) -> PyJWK:
        """The issuer's key for this ``kid`` and algorithm, or TokenOngeldig."""
        with self._slot:
            nu = self._klok()
            if (self._geladen_op is None or nu - self._geladen_op >= self._ttl) and self._mag_ophalen(nu):
                self._haal(nu)
            jwk = self._zoek(kid, alg)
            if jwk is None and self._mag_ophalen(nu):
                self._haal(nu)  # the issuer may have rotated its keys
                jwk = self._zoek(kid, alg)
            geladen = self._geladen_op is not None
        if jwk is None:
            if not geladen:
                raise UitgeverOnbereikbaar("de sleutels van de uitgever zijn niet op te halen")
            raise TokenOngeldig("onbekende sleutel (kid)")
        if not past_bij(jwk, alg):
            raise TokenOngeldig("de sleutel past niet bij het algoritme")
        try:
            return PyJWK(jwk, algorithm=alg)
        except PyJWTError:
            raise TokenOngeldig("de sleutel van de uitgever is onbruikbaar") from None

    def _mag_ophalen(self, nu: datetime) -> bool:
        return self._laatste_poging is None or nu - self._laatste_poging >= self._pauze

    def _zoek(self, kid: str | None, alg: str) -> dict[str, Any] | None:
        if kid is not None:
            return next((k for k in self._sleutels if k.get("kid") == kid), None)
        passend = [k for k in self._sleutels if past_bij(k, alg)]
        return passend[0] if len(passend) == 1 else None  # without a kid only an unambiguous key will do

    def _haal(self, nu: datetime) -> None:
        self._laatste_poging = nu
        try:
            uri = self._uitgever.jwks_uri or self._ontdek()  # discovered afresh: the issuer may move its keys
            antwoord = self._http.get(uri, headers={"Accept": "application/json"})
            antwoord.raise_for_status()
            sleutels = _publieke_sleutels(antwoord.json())
        except (httpx.HTTPError, ValueError, TokenOngeldig) as exc:
            log.warning("sleutels van uitgever %s niet opgehaald (%s)", self._uitgever.uitgever, type(exc).__name__)
            return
        self._sleutels = sleutels
        self._geladen_op = nu
        log.info("sleutels van uitgever %s opgehaald: %d", self._uitgever.uitgever, len(sleutels))

    def _ontdek(self) -> str:
        """The jwks_uri from the discovery document, which must name exactly this issuer."""
        antwoord = self._http.get(
            self._uitgever.uitgever.rstrip("/") + "/.well-known/openid-configuration",
            headers={"Accept": "application/json"},
        )
        antwoord.raise_for_status()
        document = antwoord.json()
        if not isinstance(document, dict) or document.get("issuer") != self._uitgever.uitgever:
            raise ValueError("discovery-document noemt een andere uitgever")
        uri = document.get("jwks_uri")
        if not isinstance(uri, str):
            raise ValueError("discovery-document zonder jwks_uri")
        try:
            return controleer_url(uri)
        except ValueError:
            raise ValueError("jwks_uri in het discovery-document is niet toegestaan") from None
