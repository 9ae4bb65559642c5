"""Access: who acts, only from a verified OIDC bearer token (docs/toegang.md).

The aanpak server verifies each request's token with a :class:`Verificateur` and picks the role with
:func:`kies_actor`; nothing in a request body or a flag can name the actor. ``ontwikkeluitgever`` is the
embedded development issuer for the laptop and ``make demo``.
"""

from aanpak.toegang.config import Claims, Systeem, ToegangConfig, Uitgever, laad_toegang
from aanpak.toegang.identiteit import Identiteit, RolNietToegestaan, TokenOngeldig, UitgeverOnbereikbaar, kies_actor
from aanpak.toegang.verificatie import Verificateur

__all__ = [
    "Claims",
    "Identiteit",
    "RolNietToegestaan",
    "Systeem",
    "ToegangConfig",
    "TokenOngeldig",
    "Uitgever",
    "UitgeverOnbereikbaar",
    "Verificateur",
    "kies_actor",
    "laad_toegang",
]
