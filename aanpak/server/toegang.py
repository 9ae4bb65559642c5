"""Who is calling: the bearer token, verified, and the role chosen for this request — nothing else decides.

There is no setting that turns this off. The interface below is the one ``aanpak.toegang`` delivers; until
that package is merged the server codes against these protocols and exceptions only (the integrator points
``standaard_verificateur`` and the exception classes at ``aanpak.toegang``).
"""

from __future__ import annotations

from typing import Annotated, Literal, Protocol

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from models.actor import Actor


class Identiteit(Protocol):
    """A verified token's subject: a person (or system) at one organisation with the roles it may act in."""

    @property
    def persoon(self) -> str: ...
    @property
    def organisatie(self) -> str: ...
    @property
    def rollen(self) -> frozenset[str]: ...
    @property
    def uitgever(self) -> str: ...
    @property
    def soort(self) -> Literal["persoon", "systeem"]: ...


class TokenOngeldig(Exception):
    """No token, or one that does not verify (→ 401 with ``WWW-Authenticate: Bearer error="invalid_token"``)."""


class RolNietToegestaan(Exception):
    """The token is valid but does not carry the role asked for (→ 403)."""


class Verificateur(Protocol):
    def verifieer(self, token: str) -> Identiteit: ...


class GeenVerificateur(RuntimeError):
    """The server cannot start without a token verifier: there is no unauthenticated mode."""


def standaard_verificateur() -> Verificateur:
    """The verifier configured for this installation (``aanpak.toegang`` at integration)."""
    raise GeenVerificateur(
        "geen tokenverificatie geconfigureerd: de server start niet zonder (aanpak.toegang ontbreekt)"
    )


def kies_actor(identiteit: Identiteit, rol: str | None) -> Actor:
    """The actor for one request: the role named in ``X-Aanpak-Rol`` if the token holds it, or its only role."""
    if rol is None:
        if len(identiteit.rollen) != 1:
            raise RolNietToegestaan("kies een rol met de header X-Aanpak-Rol")
        (rol,) = identiteit.rollen
    elif rol not in identiteit.rollen:
        raise RolNietToegestaan("het token geeft deze rol niet")
    return Actor(persoon=identiteit.persoon, organisatie=identiteit.organisatie, rol=rol)


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
