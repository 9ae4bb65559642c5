"""The development issuer: a tiny OIDC identity provider inside aanpak, for the laptop and ``make demo``.

It holds its own RSA key (generated once under ``<AANPAK_DATA_DIR>/sleutels/``), publishes the public half as a
JWKS under ``<server_url>/ontwikkel-idp`` and signs short-lived tokens for the fictitious people of
``aanpak/definities/ontwikkelpersonen.yaml``. The server verifies those tokens exactly like any other issuer's,
over HTTP, so the laptop runs the production path. It issues tokens only from the command line (``aanpak token``),
never over HTTP. Anyone with the data folder can sign any listed identity, so it is refused on PostgreSQL (a
shared, real installation) unless explicitly allowed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import jwt
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from aanpak.config import Instellingen, instellingen
from aanpak.toegang.config import OrgSleutel, RolSleutel, Systeem, ToegangConfig, Uitgever
from models.fouten import DomeinFout, InvoerFout, invoerfout_uit

if TYPE_CHECKING:
    from fastapi import APIRouter

PAD = "/ontwikkel-idp"
#: The ``aud`` of development tokens.
PUBLIEK = "aanpak"
PERSONEN = Path(__file__).resolve().parent.parent / "definities" / "ontwikkelpersonen.yaml"
SLEUTELBESTAND = "ontwikkeluitgever.pem"
MAX_GELDIG = 3600
_HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class OntwikkeluitgeverGeweigerd(DomeinFout):
    """The development issuer may not run here (a non-SQLite database without explicit permission)."""


class OntwikkeluitgeverFout(DomeinFout):
    """The development issuer cannot do what was asked (unknown person, role not held, unsafe key file)."""


def _handle(waarde: str) -> str:
    if not _HANDLE.fullmatch(waarde):
        raise PydanticCustomError("invoer", "geen pseudonieme gebruikersnaam (kleine letters, cijfers, '.', '-')")
    return waarde


Handle = Annotated[str, AfterValidator(_handle)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OntwikkelPersoon(_Model):
    handle: Handle
    organisatie: OrgSleutel
    rollen: list[RolSleutel] = Field(min_length=1)


class OntwikkelSysteem(_Model):
    client_id: Handle
    organisatie: OrgSleutel
    rol: RolSleutel


class Ontwikkelpersonen(_Model):
    personen: list[OntwikkelPersoon]
    systemen: list[OntwikkelSysteem] = Field(default_factory=list)

    def organisaties(self) -> list[str]:
        return sorted({p.organisatie for p in self.personen} | {s.organisatie for s in self.systemen})


def laad_personen(pad: Path = PERSONEN) -> Ontwikkelpersonen:
    """The fictitious people and systems, validated; errors name the field."""
    try:
        data = yaml.safe_load(pad.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raise InvoerFout([("ontwikkelpersonen", "bestand niet te lezen of geen geldige YAML")]) from None
    try:
        personen = Ontwikkelpersonen.model_validate(data)
    except ValidationError as exc:
        raise invoerfout_uit(exc) from None
    namen = [p.handle for p in personen.personen] + [s.client_id for s in personen.systemen]
    if len(set(namen)) != len(namen):
        raise InvoerFout([("ontwikkelpersonen", "een gebruikersnaam of client_id staat er dubbel in")])
    return personen


def ontwikkeluitgever_toegestaan(database_url: str, toegestaan: bool) -> None:
    """Refuse the development issuer on anything but SQLite, unless explicitly allowed."""
    if toegestaan:
        return
    try:
        backend = make_url(database_url).get_backend_name()
    except ArgumentError:
        backend = ""
    if backend != "sqlite":
        raise OntwikkeluitgeverGeweigerd(
            "de ontwikkeluitgever draait alleen bij een SQLite-casusopslag; op een andere database alleen met "
            "AANPAK_ONTWIKKELUITGEVER_TOESTAAN=true (nooit in productie)"
        )


def _b64(getal: int) -> str:
    ruw = getal.to_bytes((getal.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(ruw).rstrip(b"=").decode()


def laad_of_maak_sleutel(data_dir: Path) -> rsa.RSAPrivateKey:
    """The issuer's RSA key: generated once (folder 0700, file 0600, created exclusively), then reused."""
    map_ = data_dir / "sleutels"
    map_.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(map_, 0o700)
    pad = map_ / SLEUTELBESTAND
    if not pad.exists():
        sleutel = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = sleutel.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd, tijdelijk = tempfile.mkstemp(dir=map_, prefix=".ontwikkeluitgever-")  # mkstemp: mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
            # Exclusive and atomic: a concurrent start never sees half a key; if another process was first, its
            # key is used.
            with contextlib.suppress(FileExistsError):
                os.link(tijdelijk, pad)
        finally:
            os.unlink(tijdelijk)
    if pad.stat().st_mode & 0o077:
        raise OntwikkeluitgeverFout("het sleutelbestand van de ontwikkeluitgever is leesbaar voor anderen (chmod 600)")
    sleutel_ = serialization.load_pem_private_key(pad.read_bytes(), password=None)
    if not isinstance(sleutel_, rsa.RSAPrivateKey) or sleutel_.key_size < 2048:
        raise OntwikkeluitgeverFout("het sleutelbestand van de ontwikkeluitgever bevat geen RSA-sleutel van 2048+ bits")
    return sleutel_


class Ontwikkeluitgever:
    """Key, JWKS, discovery document and token signing of the development issuer."""

    def __init__(
        self,
        data_dir: Path,
        uitgever: str,
        *,
        personen: Path = PERSONEN,
        klok: Callable[[], datetime] | None = None,
    ) -> None:
        self.uitgever = uitgever.rstrip("/")
        self._sleutel = laad_of_maak_sleutel(data_dir)
        self.personen = laad_personen(personen)
        self._klok = klok or (lambda: datetime.now(UTC))
        publiek = self._sleutel.public_key().public_numbers()
        self._jwk = {"e": _b64(publiek.e), "kty": "RSA", "n": _b64(publiek.n)}
        # RFC 7638 thumbprint: the kid changes exactly when the key does.
        canoniek = json.dumps(self._jwk, separators=(",", ":"), sort_keys=True).encode()
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(canoniek).digest()).rstrip(b"=").decode()

    def jwks(self) -> dict[str, Any]:
        """The public key only."""
        return {"keys": [{**self._jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.uitgever,
            "jwks_uri": self.uitgever + "/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["id_token"],
        }

    def toegang(self) -> ToegangConfig:
        """A ToegangConfig that trusts exactly this issuer."""
        return _toegang(self.uitgever, self.personen)

    def geef_token(self, persoon: str, rol: str | None = None, geldig_seconden: int = 900) -> str:
        """A signed RS256 token for a listed person or system; with ``rol`` it carries only that role."""
        if not 1 <= geldig_seconden <= MAX_GELDIG:
            raise InvoerFout([("geldig_seconden", f"moet tussen 1 en {MAX_GELDIG} seconden liggen")])
        nu = int(self._klok().timestamp())
        claims: dict[str, Any] = {
            "iss": self.uitgever,
            "aud": PUBLIEK,
            "iat": nu,
            "nbf": nu,
            "exp": nu + geldig_seconden,
            "jti": uuid.uuid4().hex,
        }
        systeem = next((s for s in self.personen.systemen if s.client_id == persoon), None)
        if systeem is not None:
            if rol is not None and rol != systeem.rol:
                raise OntwikkeluitgeverFout("dit systeem heeft die rol niet", veld="rol")
            claims |= {"sub": systeem.client_id, "azp": systeem.client_id, "client_id": systeem.client_id}
        else:
            mens = next((p for p in self.personen.personen if p.handle == persoon), None)
            if mens is None:
                raise OntwikkeluitgeverFout("geen ontwikkelpersoon of -systeem met deze naam", veld="persoon")
            if rol is not None and rol not in mens.rollen:
                raise OntwikkeluitgeverFout("deze persoon heeft die rol niet", veld="rol")
            claims |= {
                "sub": f"ontwikkel:{mens.handle}",
                "preferred_username": mens.handle,
                "organisatie": mens.organisatie,
                "rollen": [rol] if rol is not None else list(mens.rollen),
            }
        return jwt.encode(claims, self._sleutel, algorithm="RS256", headers={"kid": self.kid})

    def router(self) -> APIRouter:
        """Discovery and JWKS, mounted at the path of the issuer URL (``/ontwikkel-idp``)."""
        from fastapi import APIRouter  # only the server needs it; `aanpak token` stays quick

        router = APIRouter(prefix=urlsplit(self.uitgever).path.rstrip("/"), tags=["ontwikkeluitgever"])

        @router.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return self.discovery()

        @router.get("/jwks")
        def jwks() -> dict[str, Any]:
            return self.jwks()

        return router


def uitgever_url(server_url: str, ingesteld: str = "") -> str:
    """The development issuer's ``iss``: as configured, else the server's base URL + ``/ontwikkel-idp``."""
    return (ingesteld or server_url.rstrip("/") + PAD).rstrip("/")


def _toegang(uitgever: str, personen: Ontwikkelpersonen) -> ToegangConfig:
    systemen = {s.client_id: Systeem(organisatie=s.organisatie, rol=s.rol) for s in personen.systemen}
    return ToegangConfig(
        uitgevers=[
            Uitgever(
                uitgever=uitgever,
                publiek=PUBLIEK,
                algoritmes=["RS256"],
                organisaties=personen.organisaties(),
                systemen=systemen,
            )
        ]
    )


def standaard_toegang(basis_url: str) -> ToegangConfig:
    """The embedded default's ToegangConfig: it trusts exactly the development issuer under ``basis_url``."""
    return _toegang(uitgever_url(basis_url), laad_personen())


def ontwikkeluitgever(inst: Instellingen | None = None) -> Ontwikkeluitgever:
    """The development issuer of this installation's settings; refused where it is not allowed."""
    inst = inst or instellingen()
    ontwikkeluitgever_toegestaan(inst.db_url(), inst.ontwikkeluitgever_toestaan)
    return Ontwikkeluitgever(inst.data_dir, uitgever_url(inst.server_url, inst.ontwikkeluitgever_url))


def geef_token(persoon: str, rol: str | None = None, geldig_seconden: int = 900) -> str:
    """A short-lived development token for a fictitious person (``aanpak token``)."""
    return ontwikkeluitgever().geef_token(persoon, rol, geldig_seconden)
