"""The development issuer: a tiny OIDC identity provider inside aanpak, for the laptop and ``make demo``.

It holds its own RSA key (generated once under ``<AANPAK_DATA_DIR>/sleutels/``), publishes the public half as a
JWKS under ``<server_url>/ontwikkel-idp`` and signs short-lived tokens for the fictitious people of
``aanpak/definities/ontwikkelpersonen.yaml``. The server verifies those tokens exactly like any other issuer's,
over HTTP, so the laptop runs the production path. It issues tokens from the command line (``aanpak token``) and,
for the web app, by the OIDC authorization code flow with PKCE (S256): ``/authorize`` shows a page to pick one of
the fictitious people, ``/token`` exchanges a one-time code (60 s) for an ID and access token after checking
``client_id``, ``redirect_uri`` and the PKCE verifier. Its only client is the web app of this same server
(client ``aanpak``, redirect ``<origin>/inloggen/terug``). Anyone with the data folder can sign any listed
identity, so it is refused on PostgreSQL (a shared, real installation) unless explicitly allowed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import tempfile
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

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
from models.adres import is_loopback
from models.fouten import DomeinFout, InvoerFout, invoerfout_uit

if TYPE_CHECKING:
    from fastapi import APIRouter, Request
    from fastapi.responses import Response

PAD = "/ontwikkel-idp"
#: The ``aud`` of development tokens.
PUBLIEK = "aanpak"
PERSONEN = Path(__file__).resolve().parent.parent / "definities" / "ontwikkelpersonen.yaml"
SLEUTELBESTAND = "ontwikkeluitgever.pem"
MAX_GELDIG = 3600
#: The web app's client id (also the ``aud`` of its ID token) and the path it is sent back to after login.
WEBKLANT = PUBLIEK
TERUGPAD = "/inloggen/terug"
#: An authorization code is good for one exchange within this many seconds.
CODE_GELDIG = 60
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
        self._codes: dict[str, dict[str, Any]] = {}
        self._codes_slot = threading.Lock()

    def jwks(self) -> dict[str, Any]:
        """The public key only."""
        return {"keys": [{**self._jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.uitgever,
            "jwks_uri": self.uitgever + "/jwks",
            "authorization_endpoint": self.uitgever + "/authorize",
            "token_endpoint": self.uitgever + "/token",
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid"],
        }

    def toegang(self) -> ToegangConfig:
        """A ToegangConfig that trusts exactly this issuer."""
        return _toegang(self.uitgever, self.personen)

    def geef_token(
        self, persoon: str, rol: str | None = None, geldig_seconden: int = 900, *, nonce: str | None = None
    ) -> str:
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
        if nonce is not None:
            claims["nonce"] = nonce
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

        pad = urlsplit(self.uitgever).path.rstrip("/")
        router = APIRouter(prefix=pad, tags=["ontwikkeluitgever"])

        @router.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return self.discovery()

        @router.get("/jwks")
        def jwks() -> dict[str, Any]:
            return self.jwks()

        # Plain Starlette routes (full path: the router's prefix applies to API routes only); the handlers read the
        # request themselves (form bodies without python-multipart).
        # Whoever reaches these may pick any fictitious person, the privacyloket included: only this machine may.
        async def autoriseer(request: Request) -> Response:
            return _alleen_lokaal(request) or self._kiespagina(dict(request.query_params))

        async def kies(request: Request) -> Response:
            return _alleen_lokaal(request) or self._kies(_formulier(await request.body()))

        async def token(request: Request) -> Response:
            return _alleen_lokaal(request) or self._wissel(_formulier(await request.body()))

        router.add_route(pad + "/authorize", autoriseer, methods=["GET"], include_in_schema=False)
        router.add_route(pad + "/authorize", kies, methods=["POST"], include_in_schema=False)
        router.add_route(pad + "/token", token, methods=["POST"], include_in_schema=False)
        return router

    # -- authorization code flow with PKCE (the web app's login) ---------------------------------------------

    def _geldig_verzoek(self, p: dict[str, str]) -> str | None:
        """Why an authorization request is refused (shown, never redirected), or None."""
        if p.get("client_id") != WEBKLANT:
            return "onbekende client_id"
        if p.get("redirect_uri") != self._terug_url():
            return "redirect_uri is niet geregistreerd voor deze client"
        if p.get("response_type") != "code":
            return "alleen response_type=code wordt ondersteund"
        if p.get("code_challenge_method") != "S256" or not re.fullmatch(
            r"[A-Za-z0-9_-]{43}", p.get("code_challenge", "")
        ):
            return "PKCE met S256 is verplicht"
        if not p.get("state") or not p.get("nonce"):
            return "state en nonce zijn verplicht"
        if len(p["state"]) > 128 or len(p["nonce"]) > 128:
            return "state of nonce te lang"
        return None

    def _terug_url(self) -> str:
        delen = urlsplit(self.uitgever)
        return f"{delen.scheme}://{delen.netloc}{TERUGPAD}"

    def _kiespagina(self, p: dict[str, str]) -> Response:
        from fastapi.responses import HTMLResponse

        if (reden := self._geldig_verzoek(p)) is not None:
            return HTMLResponse(_pagina("Inlogverzoek geweigerd", f"<p>{html.escape(reden)}</p>"), status_code=400)
        verborgen = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(p[k])}">'
            for k in (
                "client_id",
                "redirect_uri",
                "response_type",
                "state",
                "nonce",
                "code_challenge",
                "code_challenge_method",
            )
        )
        rijen = "".join(
            '<li><form method="post">'
            + verborgen
            + f'<button type="submit" name="persoon" value="{html.escape(m.handle)}">{html.escape(m.handle)}</button>'
            + f" — {html.escape(m.organisatie)}, {html.escape(', '.join(m.rollen))}</form></li>"
            for m in self.personen.personen
        )
        inhoud = (
            "<p>Dit is de ontwikkeluitgever van aanpak: kies een fictieve persoon om mee in te loggen. "
            "Nooit in productie gebruiken.</p>"
            f'<ul class="personen">{rijen}</ul>'
        )
        return HTMLResponse(_pagina("Kies een fictieve persoon", inhoud), headers={"Cache-Control": "no-store"})

    def _kies(self, p: dict[str, str]) -> Response:
        from fastapi.responses import HTMLResponse, RedirectResponse

        if (reden := self._geldig_verzoek(p)) is not None:
            return HTMLResponse(_pagina("Inlogverzoek geweigerd", f"<p>{html.escape(reden)}</p>"), status_code=400)
        if not any(m.handle == p.get("persoon") for m in self.personen.personen):
            return HTMLResponse(_pagina("Inlogverzoek geweigerd", "<p>onbekende persoon</p>"), status_code=400)
        code = secrets.token_urlsafe(32)
        with self._codes_slot:
            nu = self._klok().timestamp()
            for oud in [c for c, v in self._codes.items() if v["verloopt"] <= nu]:
                del self._codes[oud]
            self._codes[code] = {
                "verloopt": nu + CODE_GELDIG,
                "client_id": p["client_id"],
                "redirect_uri": p["redirect_uri"],
                "challenge": p["code_challenge"],
                "nonce": p["nonce"],
                "persoon": p["persoon"],
            }
        doel = p["redirect_uri"] + "?" + urlencode({"code": code, "state": p["state"]})
        return RedirectResponse(doel, status_code=303, headers={"Cache-Control": "no-store"})

    def _wissel(self, p: dict[str, str]) -> Response:
        from fastapi.responses import JSONResponse

        def fout(soort: str, status: int = 400) -> JSONResponse:
            return JSONResponse({"error": soort}, status_code=status, headers={"Cache-Control": "no-store"})

        if p.get("grant_type") != "authorization_code":
            return fout("unsupported_grant_type")
        with self._codes_slot:
            gegeven = self._codes.pop(p.get("code", ""), None)  # one exchange only, even a failed one
        if gegeven is None or gegeven["verloopt"] <= self._klok().timestamp():
            return fout("invalid_grant")
        if p.get("client_id") != gegeven["client_id"]:
            return fout("invalid_client", 401)
        if p.get("redirect_uri") != gegeven["redirect_uri"]:
            return fout("invalid_grant")
        verifier = p.get("code_verifier", "")
        if not re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", verifier):
            return fout("invalid_grant")
        uitdaging = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not hmac.compare_digest(uitdaging, gegeven["challenge"]):
            return fout("invalid_grant")
        geldig = 900
        id_token = self.geef_token(gegeven["persoon"], geldig_seconden=geldig, nonce=gegeven["nonce"])
        toegang = self.geef_token(gegeven["persoon"], geldig_seconden=geldig)
        return JSONResponse(
            {"access_token": toegang, "id_token": id_token, "token_type": "Bearer", "expires_in": geldig},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )


def _alleen_lokaal(request: Request) -> Response | None:
    """403 unless the request comes from this machine: the development issuer signs for anyone who asks."""
    from fastapi.responses import Response

    if is_loopback(request.client.host if request.client else None):
        return None
    return Response(
        "De ontwikkeluitgever is alleen vanaf deze machine bereikbaar.",
        status_code=403,
        media_type="text/plain; charset=utf-8",
    )


def _formulier(ruw: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body; of a repeated field the first value."""
    try:
        velden = parse_qs(ruw.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: v[0] for k, v in velden.items()}


def _pagina(titel: str, inhoud: str) -> str:
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(titel)} — ontwikkeluitgever aanpak</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}"
        "ul.personen{list-style:none;padding:0}ul.personen li{margin:.5rem 0}"
        "button{font:inherit;padding:.4rem .8rem;border:2px solid #01689b;background:#fff;color:#01689b;"
        "cursor:pointer}button:focus-visible{outline:3px solid #000;outline-offset:2px}</style></head>"
        f"<body><main><h1>{html.escape(titel)}</h1>{inhoud}</main></body></html>"
    )


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
