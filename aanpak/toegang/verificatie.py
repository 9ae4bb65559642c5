"""Verifying an OIDC bearer token (JWT) and mapping it to an Identiteit.

Order matters: the unverified token is read only to choose the issuer and key; nothing from it is believed
until PyJWT has checked the signature with a key from that issuer's JWKS, the algorithm against the issuer's
allowlist and ``iss``/``aud``. Times (``exp``, ``nbf``, ``iat``) are checked against the injected clock.
Refusals carry a short Dutch reason; the token and claim values never appear in an error or a log line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from jwt import exceptions as jwtfout

from aanpak.toegang.config import ROLVORM, ToegangConfig, Uitgever
from aanpak.toegang.identiteit import Identiteit, TokenOngeldig
from aanpak.toegang.sleutelbron import Sleutelbron

#: Claims every token must carry.
VERPLICHT = ("exp", "iat", "iss", "aud", "sub")
#: Header members that bring their own key or a pointer to one: a token never chooses its verification key.
EIGEN_SLEUTEL = frozenset({"jwk", "jku", "x5u", "x5c"})
MAX_LENGTE = 16_384
#: A handle: pseudonymous, no spaces or e-mail addresses (the redaction filter would mask those in logs anyway).
_HANDLE = re.compile(r"^[A-Za-z0-9._:|-]{1,128}$")

_REDENEN: tuple[tuple[type[Exception], str], ...] = (
    (jwtfout.InvalidSignatureError, "de handtekening klopt niet"),
    (jwtfout.InvalidAudienceError, "het token is niet voor deze dienst bestemd (aud)"),
    (jwtfout.InvalidIssuerError, "verkeerde uitgever (iss)"),
    (jwtfout.InvalidAlgorithmError, "algoritme niet toegestaan"),
    (jwtfout.InvalidKeyError, "de sleutel past niet bij het algoritme"),
    (jwtfout.DecodeError, "het token is onleesbaar"),
)


def _nieuw() -> datetime:
    return datetime.now(UTC)


class Verificateur:
    """Checks bearer tokens against the configured issuers. One instance per process; thread-safe."""

    def __init__(
        self,
        config: ToegangConfig,
        *,
        http: httpx.Client | None = None,
        klok: Callable[[], datetime] | None = None,
    ) -> None:
        self._config = config
        self._klok = klok or _nieuw
        self._eigen_http = http is None
        self._http = http or httpx.Client(timeout=httpx.Timeout(config.http_timeout_seconden), follow_redirects=False)
        self._uitgevers = {u.uitgever: u for u in config.uitgevers}
        self._bronnen = {
            u.uitgever: Sleutelbron(
                u,
                self._http,
                self._klok,
                ttl=timedelta(seconds=config.jwks_ttl_seconden),
                pauze=timedelta(seconds=config.herlaad_pauze_seconden),
            )
            for u in config.uitgevers
        }

    def sluit(self) -> None:
        """Close the HTTP client, if this verifier made it."""
        if self._eigen_http:
            self._http.close()

    def verifieer(self, token: str) -> Identiteit:
        """The identity a valid token vouches for; TokenOngeldig (401) otherwise.

        Blocking (it may fetch keys over HTTP): call it from a worker thread — in FastAPI a plain ``def``
        dependency — never on the event loop, or a server verifying its own development issuer waits for itself.
        """
        try:
            return self._verifieer(token)
        except TokenOngeldig:
            raise
        except jwtfout.PyJWTError as exc:
            reden = next((r for soort, r in _REDENEN if isinstance(exc, soort)), "het token is ongeldig")
            raise TokenOngeldig(reden) from None
        except (TypeError, ValueError, KeyError, AttributeError):
            raise TokenOngeldig("het token is ongeldig") from None  # odd shapes; the message could hold values

    def _verifieer(self, token: str) -> Identiteit:
        if not isinstance(token, str) or not token or len(token) > MAX_LENGTE:
            raise TokenOngeldig("token ontbreekt of is te lang")
        kop = jwt.get_unverified_header(token)
        if EIGEN_SLEUTEL & kop.keys():
            raise TokenOngeldig("het token brengt een eigen sleutel mee; die wordt nooit vertrouwd")
        alg = kop.get("alg")
        kid = kop.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenOngeldig("het token is onleesbaar")
        ongecontroleerd = jwt.decode(token, options={"verify_signature": False})
        iss = ongecontroleerd.get("iss")
        uitgever = self._uitgevers.get(iss) if isinstance(iss, str) else None
        if uitgever is None:
            raise TokenOngeldig("onbekende uitgever (iss)")
        if not isinstance(alg, str) or alg not in uitgever.algoritmes:
            raise TokenOngeldig("algoritme niet toegestaan")
        sleutel = self._bronnen[uitgever.uitgever].sleutel(kid, alg)
        try:
            claims = jwt.decode(
                token,
                key=sleutel,
                algorithms=[alg],
                audience=uitgever.publiek,
                issuer=uitgever.uitgever,
                options={
                    "require": list(VERPLICHT),
                    "verify_exp": False,  # checked below against our own clock
                    "verify_nbf": False,
                    "verify_iat": False,
                    "enforce_minimum_key_length": True,
                },
            )
        except jwtfout.MissingRequiredClaimError as exc:
            raise TokenOngeldig(f"claim ontbreekt: {exc.claim}") from None
        self._controleer_tijd(claims)
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise TokenOngeldig("claim ongeldig: sub")
        return _identiteit(uitgever, claims)

    def _controleer_tijd(self, claims: dict[str, Any]) -> None:
        nu = self._klok().timestamp()
        speling = self._config.speling_seconden
        tijden: dict[str, float] = {}
        for naam in ("exp", "iat", "nbf"):
            if naam in claims:
                waarde = claims[naam]
                if isinstance(waarde, bool) or not isinstance(waarde, int | float):
                    raise TokenOngeldig(f"claim ongeldig: {naam}")
                tijden[naam] = float(waarde)
        if tijden["exp"] <= nu - speling:
            raise TokenOngeldig("het token is verlopen")
        if "nbf" in tijden and tijden["nbf"] > nu + speling:
            raise TokenOngeldig("het token is nog niet geldig")
        if tijden["iat"] > nu + speling:
            raise TokenOngeldig("het token is uitgegeven in de toekomst")


def _claim(claims: dict[str, Any], naam: str) -> Any:
    """A claim by name; a dotted name reads a nested claim when no claim has that literal name."""
    if naam in claims:
        return claims[naam]
    waarde: Any = claims
    for deel in naam.split("."):
        if not isinstance(waarde, dict) or deel not in waarde:
            return None
        waarde = waarde[deel]
    return waarde


def _client_id(claims: dict[str, Any]) -> str | None:
    for naam in ("azp", "client_id", "sub"):
        waarde = claims.get(naam)
        if isinstance(waarde, str) and waarde:
            return waarde
    return None


def _identiteit(uitgever: Uitgever, claims: dict[str, Any]) -> Identiteit:
    client_id = _client_id(claims)
    if client_id is not None and client_id in uitgever.systemen:
        systeem = uitgever.systemen[client_id]
        return Identiteit(
            persoon=client_id,
            organisatie=systeem.organisatie,
            rollen=frozenset({systeem.rol}),
            uitgever=uitgever.uitgever,
            soort="systeem",
        )
    mapping = uitgever.claims
    persoon = _claim(claims, mapping.persoon)
    if persoon is None:
        raise TokenOngeldig(f"claim ontbreekt: {mapping.persoon}")
    if not isinstance(persoon, str) or not _HANDLE.fullmatch(persoon):
        raise TokenOngeldig(f"claim ongeldig: {mapping.persoon} (geen pseudonieme gebruikersnaam)")
    if mapping.organisatie is None:
        organisatie = uitgever.organisaties[0]
    else:
        waarde = _claim(claims, mapping.organisatie)
        if waarde is None:
            raise TokenOngeldig(f"claim ontbreekt: {mapping.organisatie}")
        if not isinstance(waarde, str) or waarde not in uitgever.organisaties:
            raise TokenOngeldig("de uitgever mag deze organisatie niet toekennen")
        organisatie = waarde
    ruw = _claim(claims, mapping.rollen)
    if ruw is None:
        raise TokenOngeldig(f"claim ontbreekt: {mapping.rollen}")
    if isinstance(ruw, str):
        ruw = [ruw]
    if not isinstance(ruw, list) or not all(isinstance(r, str) for r in ruw):
        raise TokenOngeldig(f"claim ongeldig: {mapping.rollen}")
    if uitgever.rolnamen:
        rollen = frozenset(uitgever.rolnamen[r] for r in ruw if r in uitgever.rolnamen)
    else:  # an IdP adds roles of its own (offline_access, …): only werkproces-shaped keys count
        rollen = frozenset(r for r in ruw if ROLVORM.fullmatch(r))
    return Identiteit(
        persoon=persoon, organisatie=organisatie, rollen=rollen, uitgever=uitgever.uitgever, soort="persoon"
    )
