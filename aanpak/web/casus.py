"""The case page ``/casussen/{ref}``: timeline, open steps, regie and AVE phase; decide, accept a handoff,
suspend, resume, extend and review.

A case the caller's organisation is not involved in answers exactly like an unknown one (404 page), as in the
API. A stale page's decision gets the version conflict as a readable message (409), never an overwrite.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from aanpak.server import diensten
from aanpak.toegang import RolNietToegestaan
from aanpak.web.aanmelden import ingelogd, met_csrf
from aanpak.web.gedeeld import Web, een, naar, omgeving, pagina
from aanpak.web.sessies import Sessie
from models.actor import Actor
from models.casus import Opschortreden, StapStatus, Verlengreden
from models.fouten import Conflict, DomeinFout, InvoerFout, NietGevonden, invoerfout_uit
from models.privacy import Grondslagsoort, Toestemminggever
from models.regievoorstel import Regieafwijkreden, Regiekeuze
from models.werkproces import Gegevenscategorie

log = logging.getLogger("aanpak.web")

REF = re.compile(r"^[A-Z]-[0-9A-Z]{4,12}$")
STAP = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
OPEN = {StapStatus.OPEN.value, StapStatus.OPGESCHORT.value, StapStatus.BESLOTEN.value}

OPSCHORTREDENEN = {
    Opschortreden.WACHT_OP_TOESTEMMING: "Wacht op toestemming",
    Opschortreden.WACHT_OP_INFORMATIE: "Wacht op informatie",
    Opschortreden.WACHT_OP_VEILIG_THUIS: "Wacht op Veilig Thuis",
    Opschortreden.OP_VERZOEK_BETROKKENE: "Op verzoek van de betrokkene",
    Opschortreden.BETROKKENE_ONBEREIKBAAR: "Betrokkene onbereikbaar",
    Opschortreden.OVERIG: "Overig",
}
VERLENGREDENEN = {
    Verlengreden.WACHT_OP_INFORMATIE: "Wacht op informatie",
    Verlengreden.WACHT_OP_TOESTEMMING: "Wacht op toestemming",
    Verlengreden.OVERLEG_NODIG: "Overleg nodig",
    Verlengreden.BETROKKENE_ONBEREIKBAAR: "Betrokkene onbereikbaar",
    Verlengreden.CAPACITEIT: "Capaciteit",
    Verlengreden.OVERIG: "Overig",
}
SIGNAALMELDING = {
    "nieuw": "Het signaal is geregistreerd; er is een nieuwe casus geopend.",
    "gekoppeld": "Het signaal is geregistreerd en gekoppeld aan een bestaande casus: een andere partner had al "
    "een signaal over deze jeugdige. Beide melders krijgen bericht om contact op te nemen.",
}
GRONDSLAGEN = {
    Grondslagsoort.TOESTEMMING: "Toestemming",
    Grondslagsoort.WETTELIJKE_TAAK: "Wettelijke taak",
    Grondslagsoort.WETTELIJKE_PLICHT: "Wettelijke plicht",
    Grondslagsoort.VITAAL_BELANG: "Vitaal belang",
    Grondslagsoort.MELDRECHT: "Meldrecht",
    Grondslagsoort.CONFLICT_VAN_PLICHTEN: "Conflict van plichten",
}
AFWIJKREDENEN = {r: r.value.replace("_", " ").capitalize() for r in Regieafwijkreden}
GEVERS = {Toestemminggever.OUDERS: "Ouders", Toestemminggever.JEUGDIGE: "De jeugdige"}
CATEGORIEEN = {c: c.value.replace("_", " ").capitalize() for c in Gegevenscategorie}
MELDINGEN = {
    "grondslag": "De grondslag is vastgelegd.",
    "besluit": "Uw besluit is vastgelegd.",
    "overdracht": "U heeft de overdracht geaccepteerd.",
    "opgeschort": "De termijn is opgeschort.",
    "hervat": "De stap is hervat.",
    "verlengd": "De termijn is verlengd.",
    "review": "De voortgangsbespreking is vastgelegd.",
}


def niet_gevonden(request: Request, sessie: Sessie) -> Response:
    return pagina(request, "niet_gevonden.html", {}, sessie=sessie, status=404)


def _int(tekst: str) -> int | None:
    return int(tekst) if re.fullmatch(r"[0-9]{1,9}", tekst) else None


def _keuze(tekst: str) -> Regiekeuze | None:
    try:
        return Regiekeuze(tekst) if tekst else None
    except ValueError:
        raise InvoerFout([("regie_voorstel", "kies aanvaarden of afwijken")]) from None


def _afwijkreden(tekst: str) -> Regieafwijkreden | None:
    try:
        return Regieafwijkreden(tekst) if tekst else None
    except ValueError:
        raise InvoerFout([("regie_reden", "kies een reden uit de lijst")]) from None


def casuspagina(
    request: Request,
    sessie: Sessie,
    actor: Actor,
    ref: str,
    *,
    fout: str | None = None,
    fouten: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> Response:
    omg = omgeving(request)
    try:
        tl = diensten.tijdlijn(omg, actor, ref)
    except NietGevonden:
        return niet_gevonden(request, sessie)
    mijn = [t for t in diensten.postvak(omg, actor) if t.casus_ref == ref]
    versies = {t.stap: t.versie for t in mijn if t.soort == "stap"}
    wp = omg.werkprocessen.bestand()[0]
    zelfde = f"{wp.key} {wp.versie}" == tl.werkproces
    open_stappen = [s for s in tl.stappen if s.status in OPEN]
    besluiten: list[dict[str, Any]] = []
    for s in open_stappen:
        if s.stap not in versies or s.status != StapStatus.OPEN.value or not zelfde or not wp.heeft_stap(s.stap):
            continue
        definitie = wp.stap(s.stap)
        besluiten.append(
            {
                "stap": s,
                "uitkomsten": definitie.uitkomsten,
                "vraagt_ave": any(u.vraagt_ave for u in definitie.uitkomsten),
                "versie": versies[s.stap],
                "sleutel": secrets.token_hex(16),
                "opschorten": definitie.termijn.opschorting is not None and definitie.termijn.opschorting.toegestaan,
                "verlengen": definitie.termijn.max_verlenging > 0 and not definitie.termijn.wettelijk,
                "monitoring": definitie.monitoring,
            }
        )
    opgeschort = [s for s in open_stappen if s.status == StapStatus.OPGESCHORT.value and s.stap in versies]
    return pagina(
        request,
        "casus.html",
        {
            "tl": tl,
            "open_stappen": open_stappen,
            "besluiten": besluiten,
            "opgeschort": opgeschort,
            "overdrachten": [t for t in mijn if t.soort == "overdracht"],
            "ave_fasen": {f.niveau: f.naam for f in wp.ave_fasen} if zelfde else {},
            "rollen": [r.key for r in wp.rollen],
            "afwijkredenen": AFWIJKREDENEN,
            "grondslagsoorten": GRONDSLAGEN,
            "gevers": GEVERS,
            "gegevenscategorieen": CATEGORIEEN,
            "organisatietypes": {o.key: o.naam for o in wp.organisaties},
            "doelen": next((list(i.doelen) for i in wp.inzage if i.rol == actor.rol), []),
            "opschortredenen": OPSCHORTREDENEN,
            "verlengredenen": VERLENGREDENEN,
            "signaalmelding": SIGNAALMELDING.get(request.query_params.get("signaal", "")),
            "melding": MELDINGEN.get(request.query_params.get("gedaan", "")),
            "fout": fout,
            "fouten": fouten or [],
            "grondslag_sleutel": secrets.token_hex(16),
        },
        sessie=sessie,
        status=status,
    )


async def _handeling(
    web: Web,
    request: Request,
    ref: str,
    doe: Callable[[Actor, dict[str, list[str]]], object],
    gedaan: str,
) -> Response:
    """A POST on a case: CSRF, involvement and the use case; refusals re-render the case page with the reason."""
    uitkomst = await met_csrf(web, request)
    if isinstance(uitkomst, Response):
        return uitkomst
    sessie, velden = uitkomst
    if sessie.rol is None:
        return naar("/rol")
    actor = Actor(sessie.persoon, sessie.organisatie, sessie.rol)
    if not REF.fullmatch(ref):
        return niet_gevonden(request, sessie)
    try:
        await run_in_threadpool(doe, actor, velden)
    except NietGevonden:
        return await run_in_threadpool(niet_gevonden, request, sessie)
    except Conflict:
        tekst = (
            "Iemand anders heeft deze stap of casus net gewijzigd. Hieronder ziet u de actuele stand; "
            "bekijk die en besluit zo nodig opnieuw."
        )
        return await run_in_threadpool(casuspagina, request, sessie, actor, ref, fout=tekst, status=409)
    except RolNietToegestaan as exc:
        return await run_in_threadpool(casuspagina, request, sessie, actor, ref, fout=str(exc), status=403)
    except InvoerFout as exc:
        return await run_in_threadpool(
            casuspagina, request, sessie, actor, ref, fout="Niet vastgelegd.", fouten=exc.fouten, status=422
        )
    except DomeinFout as exc:
        return await run_in_threadpool(casuspagina, request, sessie, actor, ref, fout=str(exc), status=422)
    return naar(f"/casussen/{ref}?gedaan={gedaan}")


def voeg_toe(router: APIRouter, web: Web) -> None:
    @router.get("/casussen/{ref}", include_in_schema=False)
    def casus(ref: str, request: Request) -> Response:
        wie = ingelogd(web, request)
        if isinstance(wie, Response):
            return wie
        sessie, actor = wie
        if not REF.fullmatch(ref):
            return niet_gevonden(request, sessie)
        return casuspagina(request, sessie, actor, ref)

    @router.post("/casussen/{ref}/stappen/{stap}/besluit", include_in_schema=False)
    async def besluit(ref: str, stap: str, request: Request) -> Response:
        def doe(actor: Actor, v: dict[str, list[str]]) -> object:
            if not STAP.fullmatch(stap):
                raise NietGevonden("onbekende stap", veld="stap")
            return diensten.neem_besluit(
                omgeving(request),
                actor,
                ref,
                stap,
                uitkomst=een(v, "uitkomst"),
                ave_fase=_int(een(v, "ave_fase")),
                casusregie=een(v, "casusregie") or None,
                procesregie=een(v, "procesregie") or None,
                toelichting=een(v, "toelichting") or None,
                verwachte_versie=_int(een(v, "versie")),
                idempotentie_sleutel=een(v, "idempotentie_sleutel") or None,
                regie_voorstel=_keuze(een(v, "regie_voorstel")),
                regie_reden=_afwijkreden(een(v, "regie_reden")),
            )

        return await _handeling(web, request, ref, doe, "besluit")

    @router.post("/overdrachten/{overdracht}/accepteer", include_in_schema=False)
    async def accepteer(overdracht: str, request: Request) -> Response:
        velden = await formulier_kopie(request)
        ref = een(velden, "casus")

        def doe(actor: Actor, _: dict[str, list[str]]) -> object:
            if not REF.fullmatch(overdracht):
                raise NietGevonden("onbekende overdracht", veld="overdracht")
            return diensten.accepteer_overdracht(omgeving(request), actor, overdracht)

        return await _handeling(web, request, ref, doe, "overdracht")

    @router.post("/casussen/{ref}/inzage", include_in_schema=False)
    async def inzien(ref: str, request: Request) -> Response:
        """The need-to-know view: shown at once (a POST answer, never cached), every read logged with its purpose."""
        uitkomst = await met_csrf(web, request)
        if isinstance(uitkomst, Response):
            return uitkomst
        sessie, velden = uitkomst
        if sessie.rol is None:
            return naar("/rol")
        actor = Actor(sessie.persoon, sessie.organisatie, sessie.rol)
        if not REF.fullmatch(ref):
            return niet_gevonden(request, sessie)
        doel = een(velden, "doel")
        try:
            inzage = await run_in_threadpool(diensten.inzien, omgeving(request), actor, ref, doel)
        except NietGevonden:
            return await run_in_threadpool(niet_gevonden, request, sessie)
        except InvoerFout as exc:
            return await run_in_threadpool(
                casuspagina, request, sessie, actor, ref, fout="Geen inzage.", fouten=exc.fouten, status=422
            )
        except (RolNietToegestaan, DomeinFout) as exc:
            return await run_in_threadpool(casuspagina, request, sessie, actor, ref, fout=str(exc), status=403)
        return await run_in_threadpool(
            lambda: pagina(request, "inzage.html", {"inzage": inzage, "ref": ref}, sessie=sessie)
        )

    @router.post("/casussen/{ref}/grondslagen", include_in_schema=False)
    async def grondslag(ref: str, request: Request) -> Response:
        def doe(actor: Actor, v: dict[str, list[str]]) -> object:
            gegevens: dict[str, Any] = {
                "soort": een(v, "soort"),
                "gegeven_door": [g for g in v.get("gegeven_door", []) if g],
                "ontvangers": [o for o in v.get("ontvangers", []) if o],
                "categorieen": [c for c in v.get("categorieen", []) if c],
                "doel": een(v, "doel"),
                "toelichting": een(v, "toelichting") or None,
                "geldig_tot": een(v, "geldig_tot") or None,
                "idempotentie_sleutel": een(v, "idempotentie_sleutel") or None,
            }
            try:
                return diensten.leg_grondslag_vast(omgeving(request), actor, ref, gegevens)
            except ValidationError as exc:
                raise invoerfout_uit(exc) from None

        return await _handeling(web, request, ref, doe, "grondslag")

    @router.post("/casussen/{ref}/stappen/{stap}/opschorten", include_in_schema=False)
    async def opschorten(ref: str, stap: str, request: Request) -> Response:
        def doe(actor: Actor, v: dict[str, list[str]]) -> object:
            try:
                reden = Opschortreden(een(v, "reden"))
            except ValueError:
                raise InvoerFout([("reden", "kies een reden")]) from None
            return diensten.opschorten(omgeving(request), actor, ref, stap, reden)

        return await _handeling(web, request, ref, doe, "opgeschort")

    @router.post("/casussen/{ref}/stappen/{stap}/hervatten", include_in_schema=False)
    async def hervatten(ref: str, stap: str, request: Request) -> Response:
        return await _handeling(
            web, request, ref, lambda actor, _: diensten.hervatten(omgeving(request), actor, ref, stap), "hervat"
        )

    @router.post("/casussen/{ref}/stappen/{stap}/verlengen", include_in_schema=False)
    async def verlengen(ref: str, stap: str, request: Request) -> Response:
        def doe(actor: Actor, v: dict[str, list[str]]) -> object:
            try:
                reden = Verlengreden(een(v, "reden"))
            except ValueError:
                raise InvoerFout([("reden", "kies een reden")]) from None
            aantal = _int(een(v, "aantal"))
            if aantal is None or not 1 <= aantal <= 250:
                raise InvoerFout([("aantal", "een aantal werkdagen van 1 tot 250")])
            return diensten.verlengen(omgeving(request), actor, ref, stap, aantal, reden)

        return await _handeling(web, request, ref, doe, "verlengd")

    @router.post("/casussen/{ref}/stappen/{stap}/review", include_in_schema=False)
    async def review(ref: str, stap: str, request: Request) -> Response:
        return await _handeling(
            web, request, ref, lambda actor, _: diensten.review(omgeving(request), actor, ref, stap), "review"
        )


async def formulier_kopie(request: Request) -> dict[str, list[str]]:
    """The form (Starlette caches the body, so ``met_csrf`` can read it again)."""
    from aanpak.web.gedeeld import formulier

    return await formulier(request)
