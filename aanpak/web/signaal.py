"""Signaal melden: the signal document as a form, errors per field, nothing stored when anything is wrong.

The form carries a fresh idempotency key in a hidden field, so a double submit registers once. Afterwards the
browser goes to the case page (``?signaal=nieuw`` or ``?signaal=gekoppeld`` — a word, never data).
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from aanpak.server import diensten
from aanpak.web.aanmelden import ingelogd, met_csrf
from aanpak.web.gedeeld import Web, een, naar, omgeving, pagina
from aanpak.web.sessies import Sessie
from models.actor import Actor
from models.fouten import DomeinFout, InvoerFout, invoerfout_uit
from models.signaal import Categorie, lees_signaal

CATEGORIEEN = {
    Categorie.VEILIGHEID_THUIS: "Veiligheid thuis",
    Categorie.VEILIGHEID_OPENBAAR: "Veiligheid in de openbare ruimte",
    Categorie.VERZUIM: "Verzuim",
    Categorie.GEZONDHEID: "Gezondheid",
    Categorie.ONTWIKKELING: "Ontwikkeling",
    Categorie.GELIJKE_KANSEN: "Gelijke kansen",
}

#: Form fields (the document's dotted paths) with their Dutch labels, in the order of the form.
TEKSTVELDEN = {
    "melder.naam": "Uw naam",
    "melder.telefoon": "Uw telefoonnummer",
    "melder.email": "Uw e-mailadres",
    "jeugdige.bsn": "BSN",
    "jeugdige.voornamen": "Voornamen",
    "jeugdige.tussenvoegsel": "Tussenvoegsel",
    "jeugdige.achternaam": "Achternaam",
    "jeugdige.geboortedatum": "Geboortedatum",
    "jeugdige.adres.straat": "Straat",
    "jeugdige.adres.huisnummer": "Huisnummer",
    "jeugdige.adres.postcode": "Postcode",
    "jeugdige.adres.plaats": "Plaats",
    "jeugdige.wijk": "Wijk (code)",
    "zorg": "Wat is uw zorg?",
}


def document_uit(velden: dict[str, list[str]]) -> dict[str, Any]:
    """The signal document from the form: empty optional fields are left out."""
    w = {naam: een(velden, naam) for naam in TEKSTVELDEN}
    melder: dict[str, Any] = {"naam": w["melder.naam"]}
    for k in ("telefoon", "email"):
        if w[f"melder.{k}"]:
            melder[k] = w[f"melder.{k}"]
    jeugdige: dict[str, Any] = {
        k: w[f"jeugdige.{k}"] for k in ("voornamen", "tussenvoegsel", "achternaam", "geboortedatum")
    }
    if w["jeugdige.bsn"]:
        jeugdige["bsn"] = w["jeugdige.bsn"]
    if w["jeugdige.wijk"]:
        jeugdige["wijk"] = w["jeugdige.wijk"]
    adres = {k: w[f"jeugdige.adres.{k}"] for k in ("straat", "huisnummer", "postcode", "plaats")}
    if any(adres.values()):
        jeugdige["adres"] = adres
    document: dict[str, Any] = {
        "melder": melder,
        "jeugdige": jeugdige,
        "categorieen": [c for c in velden.get("categorieen", []) if c],
        "acuut": een(velden, "acuut") == "ja",
        "zorg": w["zorg"],
    }
    if sleutel := een(velden, "idempotentie_sleutel"):
        document["idempotentie_sleutel"] = sleutel
    return document


def _formulier(
    request: Request,
    sessie: Sessie,
    *,
    waarden: dict[str, str] | None = None,
    gekozen: list[str] | None = None,
    acuut: bool = False,
    sleutel: str | None = None,
    fouten: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> Response:
    per_veld: dict[str, list[str]] = {}
    overig: list[str] = []
    for veld, reden in fouten or []:
        doel = veld if veld in TEKSTVELDEN or veld == "categorieen" else veld.rsplit(".", 1)[0]
        if doel.startswith("categorieen"):
            doel = "categorieen"
        if doel in TEKSTVELDEN or doel == "categorieen":
            per_veld.setdefault(doel, []).append(reden)
        else:
            overig.append(f"{veld}: {reden}")
    return pagina(
        request,
        "signaal.html",
        {
            "velden": TEKSTVELDEN,
            "categorieen": CATEGORIEEN,
            "waarden": waarden or {},
            "gekozen": gekozen or [],
            "acuut": acuut,
            "sleutel": sleutel or secrets.token_hex(16),
            "fouten": per_veld,
            "overig": overig,
            "aantal_fouten": len(fouten or []),
        },
        sessie=sessie,
        status=status,
    )


def voeg_toe(router: APIRouter, web: Web) -> None:
    @router.get("/signalen/nieuw", include_in_schema=False)
    def nieuw(request: Request) -> Response:
        wie = ingelogd(web, request)
        if isinstance(wie, Response):
            return wie
        return _formulier(request, wie[0])

    @router.post("/signalen", include_in_schema=False)
    async def melden(request: Request) -> Response:
        uitkomst = await met_csrf(web, request)
        if isinstance(uitkomst, Response):
            return uitkomst
        sessie, velden = uitkomst
        actor = Actor(sessie.persoon, sessie.organisatie, sessie.rol) if sessie.rol else None
        if actor is None:
            return naar("/rol")
        document = document_uit(velden)
        try:
            lees_signaal({**document, "melder": {**document["melder"], "rol": actor.rol}})
            r = await run_in_threadpool(diensten.registreer_signaal, omgeving(request), actor, document)
        except (InvoerFout, ValidationError, DomeinFout) as exc:
            if isinstance(exc, ValidationError):
                exc = invoerfout_uit(exc)
            fouten = exc.fouten if isinstance(exc, InvoerFout) else [(exc.veld or "(document)", str(exc))]
            return _formulier(
                request,
                sessie,
                waarden={naam: een(velden, naam) for naam in TEKSTVELDEN},
                gekozen=document["categorieen"],
                acuut=document["acuut"],
                sleutel=document.get("idempotentie_sleutel"),
                fouten=fouten,
                status=422,
            )
        if r.verwerkt is None:
            return naar(f"/?signaal={r.overgang}")
        soort = "nieuw" if r.verwerkt.nieuwe_casus else "gekoppeld"
        return naar(f"/casussen/{r.verwerkt.casus_ref}?signaal={soort}")
