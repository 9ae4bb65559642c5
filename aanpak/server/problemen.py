"""Refusals as RFC 9457 problem details (``application/problem+json``): the field and the reason, never a value.

Domain errors already name fields and references only (models/fouten.py). Validation errors of FastAPI and
pydantic are rebuilt here from their location and type alone: ``input`` and ``ctx`` are never read into a
response, and the text of an unknown key (which may be a name or a BSN) is never repeated.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aanpak.crypto import SleutelFout
from aanpak.server.toegang import RolNietToegestaan, TokenOngeldig
from models.fouten import _REDENEN, Conflict, DefinitieFout, DomeinFout, InvoerFout, NietGevonden, invoerfout_uit

log = logging.getLogger("aanpak.server")

MEDIA_TYPE = "application/problem+json"

#: HTTP status → (problem type, Dutch title).
_SOORTEN = {
    400: ("ongeldig-verzoek", "Ongeldig verzoek"),
    401: ("niet-ingelogd", "Niet ingelogd"),
    403: ("geen-toegang", "Geen toegang"),
    404: ("niet-gevonden", "Niet gevonden"),
    405: ("methode-niet-toegestaan", "Methode niet toegestaan"),
    409: ("conflict", "Conflict"),
    413: ("te-groot", "Verzoek te groot"),
    415: ("verkeerd-formaat", "Verkeerd formaat"),
    422: ("ongeldige-invoer", "Ongeldige invoer"),
    500: ("interne-fout", "Interne fout"),
}


def probleem(
    status: int,
    detail: str,
    *,
    fouten: Sequence[tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """One problem-details response; ``fouten`` become ``errors: [{veld, reden}]``."""
    soort, titel = _SOORTEN.get(status, ("fout", "Fout"))
    inhoud: dict[str, Any] = {
        "type": f"urn:aanpak:probleem:{soort}",
        "title": titel,
        "status": status,
        "detail": detail,
    }
    if fouten:
        inhoud["errors"] = [{"veld": veld, "reden": reden} for veld, reden in fouten]
    return JSONResponse(inhoud, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _pad(loc: Sequence[int | str], soort: str) -> str:
    """A field path from a validation location, without the text of an unknown key."""
    delen = list(loc)
    if delen and delen[0] == "body":
        delen = delen[1:]
    if soort == "extra_forbidden" and delen:
        delen = delen[:-1]  # the unknown key itself may be personal data
    if "[key]" in delen:
        delen = delen[: delen.index("[key]")]
    pad = ""
    for deel in delen:
        pad += f"[{deel}]" if isinstance(deel, int) else (f".{deel}" if pad else str(deel))
    return pad or "(document)"


def _reden(fout: dict[str, Any]) -> str:
    soort = str(fout.get("type", ""))
    if soort == "invoer":  # our own validators' Dutch reasons (PydanticCustomError), never values
        return str(fout.get("msg", "ongeldige waarde"))
    if soort == "json_invalid":
        return "geen geldige JSON"
    if soort == "value_error":
        loc = fout.get("loc") or ("",)
        return "geen geldig e-mailadres" if str(loc[-1]) == "email" else "ongeldige waarde"
    if soort in ("enum", "literal_error"):
        return "geen van de toegestane waarden (zie de OpenAPI-specificatie)"
    if soort == "extra_forbidden":
        return "bevat een onbekend veld"
    return _REDENEN.get(soort, "ongeldige waarde")


def fouten_uit_validatie(fouten: Sequence[Any]) -> list[tuple[str, str]]:
    """(field, reason) pairs from FastAPI's validation errors; reads ``loc``, ``type`` and our own ``msg`` only."""
    return [(_pad(tuple(f.get("loc", ())), str(f.get("type", ""))), _reden(f)) for f in fouten]


def _ongeldig(fouten: Sequence[tuple[str, str]]) -> JSONResponse:
    return probleem(422, "Ongeldige invoer; er is niets gewijzigd.", fouten=fouten)


#: A quoted part of a domain message (``stap 'x' kent geen uitkomst 'y'``): kept only if it is a reference or a
#: key the installation itself defines; anything else may be what the caller typed, and is masked.
_GEQUOTEERD = re.compile(r"'([^']*)'")
_REFERENTIE = re.compile(r"^[A-Z]-[0-9A-Z]{4,12}$")
GEMASKEERD = "'…'"


def _teksten(waarde: Any) -> Iterator[str]:
    if isinstance(waarde, str):
        yield waarde
    elif isinstance(waarde, dict):
        for k, v in waarde.items():
            yield str(k)
            yield from _teksten(v)
    elif isinstance(waarde, list | tuple):
        for v in waarde:
            yield from _teksten(v)


def bekende_sleutels(request: Request) -> frozenset[str]:
    """Every text of the werkproces in force and the organisation register: what a refusal may name (cached)."""
    omgeving = getattr(request.app.state, "omgeving", None)
    if omgeving is None:
        return frozenset()
    wp, *_ = omgeving.werkprocessen.bestand()
    bewaard: tuple[int, frozenset[str]] | None = getattr(request.app.state, "bekende_sleutels", None)
    if bewaard is not None and bewaard[0] == id(wp):
        return bewaard[1]
    teksten = set(_teksten(wp.model_dump(mode="json")))
    try:
        teksten |= set(_teksten(omgeving.werkprocessen.register().model_dump(mode="json")))
    except Exception as exc:  # a register that does not load is refused elsewhere; here: name nothing from it
        log.warning("organisatieregister niet geladen: %s", type(exc).__name__)
    sleutels = frozenset(teksten)
    request.app.state.bekende_sleutels = (id(wp), sleutels)
    return sleutels


def zonder_waarden(tekst: str, bekend: frozenset[str]) -> str:
    """``tekst`` with every quoted part masked that is neither a reference nor a known key.

    An odd number of quotes means a value with an apostrophe in it (``'d'Hondt'``): then nothing of the text can
    be told apart from what the caller typed, and only what precedes the first quote is kept.
    """
    if tekst.count("'") % 2:
        return tekst.split("'", 1)[0] + GEMASKEERD
    return _GEQUOTEERD.sub(
        lambda m: m.group(0) if _REFERENTIE.match(m.group(1)) or m.group(1) in bekend else GEMASKEERD, tekst
    )


def status_van(exc: DomeinFout) -> int:
    """A domain refusal's HTTP status: conflicts 409, unknown references 404, a role's lack of power 403."""
    if isinstance(exc, NietGevonden):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if exc.veld == "actor_rol" and not isinstance(exc, InvoerFout):
        return 403
    return 422


def installeer(app: FastAPI) -> None:
    """Register the handlers that turn every refusal into a problem-details response (the rest: vangnet.py)."""

    @app.exception_handler(TokenOngeldig)
    async def _token(_: Request, exc: TokenOngeldig) -> JSONResponse:
        return probleem(
            401,
            "Een geldig token is nodig (Authorization: Bearer).",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    @app.exception_handler(RolNietToegestaan)
    async def _rol(_: Request, exc: RolNietToegestaan) -> JSONResponse:
        return probleem(403, "Uw token geeft deze rol niet.", fouten=[("header.x-aanpak-rol", str(exc))])

    @app.exception_handler(RequestValidationError)
    async def _validatie(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _ongeldig(fouten_uit_validatie(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _pydantic(_: Request, exc: ValidationError) -> JSONResponse:
        return _ongeldig(invoerfout_uit(exc).fouten)

    @app.exception_handler(DomeinFout)
    async def _domein(request: Request, exc: DomeinFout) -> JSONResponse:
        # Domain messages quote what they refuse ("kent geen uitkomst '…'"): never what the caller typed.
        bekend = bekende_sleutels(request)
        if isinstance(exc, InvoerFout):
            return _ongeldig([(veld, zonder_waarden(reden, bekend)) for veld, reden in exc.fouten])
        status = status_van(exc)
        melding = zonder_waarden(exc.melding, bekend)
        return probleem(status, melding, fouten=[(exc.veld, melding)] if exc.veld else ())

    @app.exception_handler(DefinitieFout)
    async def _definitie(_: Request, exc: DefinitieFout) -> JSONResponse:
        return probleem(422, "De werkproces-definitie is ongeldig.", fouten=exc.problemen)

    @app.exception_handler(SleutelFout)
    async def _sleutel(_: Request, exc: SleutelFout) -> JSONResponse:
        log.error("sleutelconfiguratie: %s", type(exc).__name__)
        return probleem(500, "De server is onjuist geconfigureerd.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _SOORTEN.get(exc.status_code, ("", "Fout"))[1]
        return probleem(exc.status_code, detail, headers=dict(exc.headers) if exc.headers else None)
