"""What every router shares: the context, the idempotency header, reference shapes and the transition status."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Header, Path, Request
from pydantic import BaseModel, ConfigDict

from aanpak.omgeving import Omgeving
from models.fouten import InvoerFout


def _omgeving(request: Request) -> Omgeving:
    omgeving: Omgeving = request.app.state.omgeving
    return omgeving


Omg = Annotated[Omgeving, Depends(_omgeving)]

#: Opaque references only in paths (``C-7K3M9QXD``): nothing else can end up in an access log line.
REF_PATROON = r"^[A-Z]-[0-9A-Z]{4,12}$"
CasusRef = Annotated[str, Path(pattern=REF_PATROON, description="Casusreferentie, bv. C-7K3M9QXD.")]
StapKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="Stapsleutel uit het werkproces.")]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        description="Dezelfde sleutel legt het verzoek één keer vast (gelijk aan idempotentie_sleutel).",
    ),
]


def sleutel(in_body: str | None, in_header: str | None) -> str | None:
    """One idempotency key from the body or the ``Idempotency-Key`` header; two different ones are refused."""
    if in_body is not None and in_header is not None and in_body != in_header:
        raise InvoerFout([("idempotentie_sleutel", "verschilt van de Idempotency-Key-header")])
    return in_body if in_body is not None else in_header


class Verzoek(BaseModel):
    """Request bodies: unknown fields are refused, so no actor or role can be smuggled in."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


#: ``klaar``: the transition ran; ``bezig``: a worker is still on it; ``mislukt``: stored, to be completed.
Overgang = Literal["klaar", "bezig", "mislukt"]

MELDING = {
    "klaar": "Vastgelegd en verwerkt.",
    "bezig": "Vastgelegd; de overgang wordt nog verwerkt.",
    "mislukt": "Vastgelegd; de overgang is nog niet afgerond en wordt later afgemaakt.",
}


def status_van(overgang: Overgang, nieuw: int = 200) -> int:
    """202 while the transition after a stored request is pending (or must be completed later)."""
    return nieuw if overgang == "klaar" else 202
