"""Idempotency keys: a request seen before gets its first answer back and changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from aanpak.store.schema import Verzoek
from models.fouten import Conflict


def eerder_antwoord(sessie: Session, sleutel: str | None, soort: str, vingerafdruk: str) -> dict[str, Any] | None:
    """The stored answer of the same request seen before under this idempotency key.

    ``vingerafdruk`` is a keyed hash of the request: the same key with a different request is refused rather
    than silently answered with the first request's result.
    """
    if not sleutel:
        return None
    rij = sessie.get(Verzoek, f"{soort}:{sleutel}")
    if rij is None:
        return None
    if rij.resultaat.get("_vingerafdruk") != vingerafdruk:
        raise Conflict("deze idempotentiesleutel is al gebruikt voor een ander verzoek", veld="idempotentie_sleutel")
    return {k: v for k, v in rij.resultaat.items() if k != "_vingerafdruk"}


def onthoud_antwoord(
    sessie: Session, sleutel: str | None, soort: str, resultaat: dict[str, Any], nu: datetime, vingerafdruk: str
) -> None:
    if sleutel:
        sessie.add(
            Verzoek(
                sleutel=f"{soort}:{sleutel}",
                soort=soort,
                resultaat={**resultaat, "_vingerafdruk": vingerafdruk},
                moment=nu,
            )
        )
