"""Which key chains the disclosure log of a database: installed by the application context, read by the log.

It lives beside the engine (not in the use case) because the context installs it when it is built, and the
context sits below the use cases. One key per engine; a connection without one is refused (fail closed).
"""

from __future__ import annotations

import weakref

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from aanpak.crypto import SleutelsOntbreken

__all__ = ["gebruik_sleutel", "sleutel_van"]

#: The log key per engine, installed by the application context (``Omgeving``): one key per database.
_SLEUTELS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


def gebruik_sleutel(engine: Engine, sleutel: bytes) -> None:
    """Write and verify this engine's log with ``sleutel`` (the server's, derived from its matching key)."""
    _SLEUTELS[engine] = sleutel


def sleutel_van(verbinding: Session | Connection) -> bytes:
    """The key installed for the session's or connection's engine; refused (fail closed) when there is none."""
    bind = verbinding.get_bind() if isinstance(verbinding, Session) else verbinding
    engine = bind.engine if isinstance(bind, Connection) else bind
    sleutel = _SLEUTELS.get(engine)
    if sleutel is None:
        raise SleutelsOntbreken(
            "het verwerkingslog wordt alleen met de sleutel van de server geschreven of gecontroleerd; "
            "deze verbinding heeft er geen",
            veld="AANPAK_HMAC_SLEUTEL",
        )
    return sleutel
