"""Which identity providers aanpak trusts, and how their tokens map to person, organisation and roles.

Loaded from a YAML file (``AANPAK_TOEGANG``) and validated before anything is trusted: only asymmetric
algorithms, only https (plain http only on loopback, for the laptop), every partner system bound to one of the
issuer's own organisations. A municipality edits this file to connect its identity provider (docs/toegang.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Self
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from models.adres import is_loopback
from models.fouten import InvoerFout, invoerfout_uit

#: Asymmetric JWS algorithms we accept; HMAC (``HS*``) and ``none`` can never be configured.
ASYMMETRISCH = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})

_SLEUTEL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
#: The shape of a werkproces role key: ``organisatie.rol``.
ROLVORM = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def _fout(reden: str) -> PydanticCustomError:
    return PydanticCustomError("invoer", reden)


def _algoritme(alg: str) -> str:
    if alg.lower() == "none":
        raise _fout("'none' (geen handtekening) is nooit toegestaan")
    if alg.upper().startswith("HS"):
        raise _fout("HMAC-algoritmes (HS…) zijn niet toegestaan; alleen asymmetrische handtekeningen")
    if alg not in ASYMMETRISCH:
        raise _fout(f"onbekend algoritme; kies uit {', '.join(sorted(ASYMMETRISCH))}")
    return alg


def controleer_url(url: str) -> str:
    """https, or http to this machine only (the development issuer, tests); no credentials or fragment."""
    delen = urlsplit(url)
    if not delen.hostname or delen.username or delen.password or delen.fragment or delen.query:
        raise _fout("geen geldige URL (schema://host[:poort]/pad, zonder gebruiker, query of fragment)")
    if delen.scheme == "https" or (delen.scheme == "http" and is_loopback(delen.hostname)):
        return url
    raise _fout("moet https zijn (http alleen naar 127.0.0.1 of localhost)")


def _sleutel(waarde: str) -> str:
    if not _SLEUTEL.fullmatch(waarde):
        raise _fout("geen geldige sleutel (kleine letters, cijfers, '-', '_', '.')")
    return waarde


def _rol(waarde: str) -> str:
    if not ROLVORM.fullmatch(waarde):
        raise _fout("geen rol van het werkproces (organisatie.rol, bv. school.zorgcoordinator)")
    return waarde


Algoritme = Annotated[str, AfterValidator(_algoritme)]
Url = Annotated[str, AfterValidator(controleer_url)]
OrgSleutel = Annotated[str, AfterValidator(_sleutel)]
RolSleutel = Annotated[str, AfterValidator(_rol)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Claims(_Model):
    """Claim names in the token. A dotted name (``realm_access.roles``) reads a nested claim."""

    #: The person's pseudonymous handle; use a claim that holds no real name or e-mail address.
    persoon: str = Field(default="preferred_username", min_length=1)
    #: The concrete organisation; ``null`` when the issuer is bound to exactly one organisation.
    organisatie: str | None = Field(default="organisatie", min_length=1)
    #: The roles: a list of strings (or one string).
    rollen: str = Field(default="rollen", min_length=1)


class Systeem(_Model):
    """A partner system (client credentials): it always acts for one organisation in one role."""

    organisatie: OrgSleutel
    rol: RolSleutel


class Uitgever(_Model):
    """One trusted identity provider (OIDC issuer)."""

    #: The exact ``iss`` of its tokens.
    uitgever: Url
    #: The expected ``aud``: the name this aanpak installation has at the issuer.
    publiek: str = Field(min_length=1)
    #: Where its public keys are; absent: found through ``{uitgever}/.well-known/openid-configuration``.
    jwks_uri: Url | None = None
    algoritmes: list[Algoritme] = Field(default_factory=lambda: ["RS256"], min_length=1)
    claims: Claims = Claims()
    #: The organisations this issuer may assert; a token naming any other is refused.
    organisaties: list[OrgSleutel] = Field(min_length=1)
    #: Optional translation of the issuer's role names to werkproces roles; when given, other roles are ignored.
    rolnamen: dict[str, RolSleutel] = Field(default_factory=dict)
    #: Partner systems by client id (the ``azp``, else ``client_id``, else ``sub`` claim).
    systemen: dict[str, Systeem] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _samenhang(self) -> Self:
        if len(set(self.organisaties)) != len(self.organisaties):
            raise _fout("organisaties: een organisatie staat er dubbel in")
        if self.claims.organisatie is None and len(self.organisaties) != 1:
            raise _fout("claims.organisatie: zonder organisatie-claim moet de uitgever precies één organisatie hebben")
        for client_id, systeem in self.systemen.items():
            if systeem.organisatie not in self.organisaties:
                raise _fout(f"systemen.{client_id}.organisatie: hoort niet bij de organisaties van deze uitgever")
        return self


class ToegangConfig(_Model):
    """All trusted issuers, plus the limits that keep verification safe and the identity providers unhammered."""

    uitgevers: list[Uitgever] = Field(min_length=1)
    #: Clock leeway for exp, nbf and iat.
    speling_seconden: int = Field(default=30, ge=0, le=300)
    #: How long fetched keys are used before they are fetched again.
    jwks_ttl_seconden: int = Field(default=600, ge=10, le=86400)
    #: An unknown ``kid`` refetches the keys at most once per this many seconds.
    herlaad_pauze_seconden: int = Field(default=30, ge=1, le=3600)
    #: Timeout of each request to an identity provider.
    http_timeout_seconden: float = Field(default=5.0, gt=0, le=60)

    @model_validator(mode="after")
    def _uniek(self) -> Self:
        namen = [u.uitgever for u in self.uitgevers]
        if len(set(namen)) != len(namen):
            raise _fout("uitgevers: dezelfde uitgever staat er twee keer in")
        return self


def laad_toegang(pad: Path) -> ToegangConfig:
    """Read and validate a ToegangConfig file; errors name the field (``uitgevers.0.algoritmes.1``), never a value."""
    try:
        tekst = pad.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvoerFout([("bestand", f"kan niet gelezen worden ({exc.strerror})")]) from None
    try:
        data = yaml.safe_load(tekst)
    except yaml.YAMLError as exc:
        plek = getattr(exc, "problem_mark", None)
        waar = f" (regel {plek.line + 1})" if plek is not None else ""
        raise InvoerFout([("bestand", f"geen geldige YAML{waar}")]) from None
    try:
        return ToegangConfig.model_validate(data)
    except ValidationError as exc:
        raise invoerfout_uit(exc) from None
