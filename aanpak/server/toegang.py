"""Who is calling: the bearer token, verified, and the role chosen for this request — nothing else decides.

There is no setting that turns this off. Tokens are verified by ``aanpak.toegang`` against each trusted
issuer's JWKS; the role comes from the ``X-Aanpak-Rol`` header and must be one the token carries.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from aanpak.toegang import Identiteit, RolNietToegestaan, TokenOngeldig, kies_actor
from aanpak.toegang import Verificateur as Verificateur_
from aanpak.toegang.inrichting import toegang_voor
from aanpak.toegang.ontwikkeluitgever import Ontwikkeluitgever
from models.actor import Actor

__all__ = [
    "GeenVerificateur",
    "Identiteit",
    "Ingelogd",
    "RolNietToegestaan",
    "TokenOngeldig",
    "Verificateur",
    "kies_actor",
    "standaard_verificateur",
]


class Verificateur(Protocol):
    """What the server needs of a verifier (``aanpak.toegang.Verificateur`` is the one it runs with)."""

    def verifieer(self, token: str) -> Identiteit: ...


class GeenVerificateur(RuntimeError):
    """The server cannot start without a token verifier: there is no unauthenticated mode."""


def standaard_verificateur() -> tuple[Verificateur, Ontwikkeluitgever | None]:
    """The verifier for this installation's trusted issuers, and the development issuer to mount (or None).

    With ``AANPAK_TOEGANG`` set only that file's issuers are trusted; without it the embedded development
    issuer, which itself refuses to serve a non-SQLite store unless explicitly allowed.
    """
    config, uitgever = toegang_voor()
    if not config.uitgevers:
        raise GeenVerificateur("geen vertrouwde tokenuitgever geconfigureerd (AANPAK_TOEGANG)")
    return Verificateur_(config), uitgever


#: Documents the bearer scheme in the OpenAPI spec; refusing is ours (401 as a problem, not FastAPI's 403).
_BEARER = HTTPBearer(auto_error=False, description="Een token van een vertrouwde uitgever.")


def actor_van_verzoek(
    request: Request,
    bewijs: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
    x_aanpak_rol: Annotated[
        str | None, Header(max_length=64, description="De rol waarin u dit verzoek doet (een rol uit uw token).")
    ] = None,
) -> Actor:
    """FastAPI dependency: every protected endpoint receives its ``Actor`` from here and from nowhere else."""
    verificateur: Verificateur = request.app.state.verificateur
    if bewijs is None or not bewijs.credentials.strip():
        raise TokenOngeldig("verwacht Authorization: Bearer <token>")
    identiteit = verificateur.verifieer(bewijs.credentials.strip())
    return kies_actor(identiteit, x_aanpak_rol)


#: The parameter type endpoints declare to get the caller.
Ingelogd = Annotated[Actor, Depends(actor_van_verzoek)]
