"""``POST /signalen`` (register a signal; the melder's role comes from the token) and ``GET /signaal/schema``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, EmailStr, Field

from aanpak.server import diensten
from aanpak.server.api.gedeeld import MELDING, IdempotencyKey, Omg, Overgang, Verzoek, sleutel, status_van
from aanpak.server.toegang import Ingelogd
from models.signaal import Categorie, Jeugdige, SignaalIn

router = APIRouter(tags=["signalen"])


class MelderVerzoek(Verzoek):
    """The melder's contact details; ``rol`` may be left out — it is the role you act in (from your token)."""

    rol: str | None = Field(default=None, min_length=1, max_length=64)
    naam: Annotated[str, Field(min_length=1, max_length=200)]
    telefoon: str | None = Field(default=None, max_length=40)
    email: EmailStr | None = None


class SignaalVerzoek(Verzoek):
    """A signal document as in the README; see ``GET /api/v1/signaal/schema``."""

    melder: MelderVerzoek
    jeugdige: Jeugdige
    categorieen: list[Categorie] = Field(min_length=1)
    acuut: bool = False
    zorg: Annotated[str, Field(min_length=1, max_length=10_000)]
    idempotentie_sleutel: str | None = Field(default=None, min_length=8, max_length=128)


class SignaalAntwoord(BaseModel):
    signaal_ref: str
    herhaald: bool
    overgang: Overgang
    melding: str
    casus_ref: str | None = None
    nieuwe_casus: bool | None = None
    gematcht_op: str | None = None
    gestarte_stappen: list[str] = Field(default_factory=list)


@router.post(
    "/signalen",
    status_code=201,
    response_model=SignaalAntwoord,
    responses={
        200: {"description": "Al geregistreerd (zelfde idempotentiesleutel)"},
        202: {"description": "Vastgelegd; overgang loopt"},
    },
)
def registreer(
    verzoek: SignaalVerzoek, actor: Ingelogd, omg: Omg, response: Response, idempotency_key: IdempotencyKey = None
) -> SignaalAntwoord:
    """Registreer een signaal; het wordt gematcht en opent of voegt zich bij een casus."""
    document: dict[str, Any] = verzoek.model_dump(mode="json")
    document["idempotentie_sleutel"] = sleutel(verzoek.idempotentie_sleutel, idempotency_key)
    if document["melder"]["rol"] is None:
        del document["melder"]["rol"]
    r = diensten.registreer_signaal(omg, actor, document)
    response.status_code = 200 if r.herhaald and r.overgang == "klaar" else status_van(r.overgang, 201)
    antwoord = SignaalAntwoord(
        signaal_ref=r.signaal_ref, herhaald=r.herhaald, overgang=r.overgang, melding=MELDING[r.overgang]
    )
    if r.verwerkt is not None:
        antwoord = antwoord.model_copy(
            update={
                "casus_ref": r.verwerkt.casus_ref,
                "nieuwe_casus": r.verwerkt.nieuwe_casus,
                "gematcht_op": r.verwerkt.gematcht_op,
                "gestarte_stappen": r.verwerkt.gestarte_stappen,
            }
        )
    return antwoord


@router.get("/signaal/schema")
def schema(_: Ingelogd) -> dict[str, Any]:
    """Het JSON Schema van een signaaldocument."""
    return SignaalIn.model_json_schema()
