"""Privacyloket: find a youth's cases by BSN (exact match, logged with the purpose) to answer a data subject's
request, then export the file, restrict processing (or lift it) or erase the case.

Only the definition's loket roles see these pages. The BSN travels in a POST body only and is never shown back;
every search and export is written to the disclosure log by the use cases.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from aanpak.server import diensten
from aanpak.toegang import RolNietToegestaan
from aanpak.usecases.rechten import Zoekdoel
from aanpak.web.aanmelden import ingelogd, met_csrf
from aanpak.web.gedeeld import Web, een, geweigerd, naar, omgeving, pagina
from aanpak.web.sessies import Sessie
from models.actor import Actor
from models.fouten import DomeinFout, InvoerFout, NietGevonden
from models.privacy import Beperkingsreden

REF = re.compile(r"^[A-Z]-[0-9A-Z]{4,12}$")
ZOEKDOELEN = {
    Zoekdoel.INZAGEVERZOEK: "Inzageverzoek (art. 15 AVG)",
    Zoekdoel.CORRECTIEVERZOEK: "Correctieverzoek (art. 16 AVG)",
    Zoekdoel.BEPERKINGSVERZOEK: "Beperkingsverzoek (art. 18 AVG)",
    Zoekdoel.WISVERZOEK: "Wisverzoek (art. 17 AVG)",
}
BEPERKINGSREDENEN = {
    Beperkingsreden.JUISTHEID_BETWIST: "Juistheid betwist",
    Beperkingsreden.ONRECHTMATIG: "Verwerking onrechtmatig",
    Beperkingsreden.RECHTSVORDERING: "Nodig voor een rechtsvordering",
    Beperkingsreden.BEZWAAR: "Bezwaar gemaakt",
}
GEDAAN = {
    "beperkt": "De verwerking is beperkt.",
    "opgeheven": "De beperking is opgeheven.",
    "gewist": "De casus is gewist.",
}


def _loket(request: Request, actor: Actor) -> bool:
    return actor.rol in omgeving(request).werkprocessen.bestand()[0].privacy.loket


def _pagina(
    request: Request,
    sessie: Sessie,
    *,
    refs: list[str] | None = None,
    melding: str | None = None,
    fout: str | None = None,
    fouten: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> Response:
    return pagina(
        request,
        "privacyloket.html",
        {
            "zoekdoelen": ZOEKDOELEN,
            "redenen": BEPERKINGSREDENEN,
            "refs": refs,
            "melding": melding,
            "fout": fout,
            "fouten": dict(fouten or []),
        },
        sessie=sessie,
        status=status,
    )


def voeg_toe(router: APIRouter, web: Web) -> None:
    @router.get("/privacyloket")
    def loket(request: Request) -> Response:
        wie = ingelogd(web, request)
        if isinstance(wie, Response):
            return wie
        sessie, actor = wie
        if not _loket(request, actor):
            return geweigerd("Geen toegang", "Alleen het privacyloket handelt verzoeken van betrokkenen af.", 403)
        return _pagina(request, sessie, melding=GEDAAN.get(request.query_params.get("gedaan", "")))

    async def _post(request: Request) -> tuple[Sessie, Actor, dict[str, list[str]]] | Response:
        uitkomst = await met_csrf(web, request)
        if isinstance(uitkomst, Response):
            return uitkomst
        sessie, velden = uitkomst
        if sessie.rol is None:
            return geweigerd("Geen toegang", "Kies eerst een rol.", 403)
        actor = Actor(sessie.persoon, sessie.organisatie, sessie.rol)
        if not await run_in_threadpool(_loket, request, actor):
            return geweigerd("Geen toegang", "Alleen het privacyloket handelt verzoeken van betrokkenen af.", 403)
        return sessie, actor, velden

    @router.post("/privacyloket/zoeken")
    async def zoeken(request: Request) -> Response:
        wie = await _post(request)
        if isinstance(wie, Response):
            return wie
        sessie, actor, velden = wie
        try:
            doel = Zoekdoel(een(velden, "doel"))
        except ValueError:
            return await run_in_threadpool(
                lambda: _pagina(request, sessie, fouten=[("doel", "kies een doel")], status=422)
            )
        try:
            gevonden = await run_in_threadpool(diensten.zoek_op_bsn, omgeving(request), actor, een(velden, "bsn"), doel)
        except InvoerFout as exc:
            fouten = [("bsn" if "bsn" in v else v, r) for v, r in exc.fouten]
            return await run_in_threadpool(lambda: _pagina(request, sessie, fouten=fouten, status=422))
        except (RolNietToegestaan, DomeinFout) as exc:
            reden = str(exc)
            return await run_in_threadpool(lambda: _pagina(request, sessie, fout=reden, status=403))
        return await run_in_threadpool(lambda: _pagina(request, sessie, refs=gevonden.casus_refs))

    @router.post("/privacyloket/casussen/{ref}/{handeling}")
    async def handel(ref: str, handeling: str, request: Request) -> Response:
        wie = await _post(request)
        if isinstance(wie, Response):
            return wie
        sessie, actor, velden = wie
        omg = omgeving(request)
        try:
            if not REF.fullmatch(ref):
                raise NietGevonden("onbekende casus", veld="casus_ref")
            if handeling == "dossier":
                dossier = await run_in_threadpool(diensten.rechten_inzage, omg, actor, ref)
                return await run_in_threadpool(
                    lambda: pagina(request, "dossier.html", {"d": dossier, "ref": ref}, sessie=sessie)
                )
            if handeling == "beperken":
                try:
                    beperking = Beperkingsreden(een(velden, "reden"))
                except ValueError:
                    raise InvoerFout([("reden", "kies een reden")]) from None
                await run_in_threadpool(diensten.beperk, omg, actor, ref, beperking)
                gedaan = "beperkt"
            elif handeling == "opheffen":
                await run_in_threadpool(diensten.hef_beperking_op, omg, actor, ref)
                gedaan = "opgeheven"
            elif handeling == "wissen":
                if een(velden, "bevestig") != "ja":
                    raise InvoerFout([("bevestig", "bevestig dat u deze casus wilt wissen")])
                await run_in_threadpool(diensten.wis, omg, actor, ref)
                gedaan = "gewist"
            else:
                raise NietGevonden("onbekende handeling", veld="handeling")
        except NietGevonden:
            return await run_in_threadpool(lambda: pagina(request, "niet_gevonden.html", {}, sessie=sessie, status=404))
        except InvoerFout as exc:
            fouten = exc.fouten
            return await run_in_threadpool(
                lambda: _pagina(request, sessie, refs=[ref], fout="Niet uitgevoerd.", fouten=fouten, status=422)
            )
        except (RolNietToegestaan, DomeinFout) as exc:
            reden = str(exc)
            return await run_in_threadpool(lambda: _pagina(request, sessie, refs=[ref], fout=reden, status=409))
        return naar(f"/privacyloket?gedaan={gedaan}")
