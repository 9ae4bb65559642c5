"""Who a verified token says is acting, and the refusals the server turns into 401 and 403.

A token can carry several roles; a request acts in exactly one. ``kies_actor`` makes that choice explicit and
checked, so a role never comes from a request body or a flag without the token backing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models.actor import Actor


class TokenOngeldig(Exception):
    """The token is not accepted (HTTP 401). ``str()`` is a short Dutch reason: never the token or a claim value."""


class UitgeverOnbereikbaar(TokenOngeldig):
    """The issuer's keys could not be fetched and none are cached. Still a 401; a server may answer 503 instead."""


class RolNietToegestaan(Exception):
    """The person does not hold the role named for this request, or must name one (HTTP 403)."""


@dataclass(frozen=True, slots=True)
class Identiteit:
    #: Pseudonymous handle per the claim mapping (``a.mentor``), never a real name.
    persoon: str
    #: Key of a concrete organisation, one of those the issuer is bound to.
    organisatie: str
    #: Werkproces role keys, e.g. ``school.zorgcoordinator``.
    rollen: frozenset[str]
    #: The issuer (``iss``) that vouched for this identity.
    uitgever: str
    #: ``systeem``: a client-credentials token of a partner system (one organisation, one role).
    soort: Literal["persoon", "systeem"]


def kies_actor(identiteit: Identiteit, rol: str | None) -> Actor:
    """The actor of one request: the named role if the token holds it, or the token's only role."""
    if rol is None:
        if len(identiteit.rollen) == 1:
            (rol,) = identiteit.rollen
        elif not identiteit.rollen:
            raise RolNietToegestaan("het token geeft geen rol in het werkproces")
        else:
            raise RolNietToegestaan("kies een rol")
    elif rol not in identiteit.rollen:
        raise RolNietToegestaan("deze rol is niet aan u toegekend")
    return Actor(persoon=identiteit.persoon, organisatie=identiteit.organisatie, rol=rol)
