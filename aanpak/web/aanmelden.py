"""Login (OIDC authorization code with PKCE), logout and switching role: ``/inloggen``, ``/uitloggen``, ``/rol``."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from aanpak.toegang import TokenOngeldig
from aanpak.web.gedeeld import (
    AANMELDCOOKIE,
    SESSIECOOKIE,
    Web,
    actor_van,
    een,
    formulier,
    geweigerd,
    naar,
    pagina,
    wis_cookie,
    zet_cookie,
)
from aanpak.web.oidc import InloggenMislukt, nonce_van
from aanpak.web.sessies import AANMELDING_MINUTEN, Sessie
from models.actor import Actor

log = logging.getLogger("aanpak.web")


def sessie_van(web: Web, request: Request) -> Sessie | None:
    return web.sessies(request).lees(request.cookies.get(SESSIECOOKIE))


async def met_csrf(web: Web, request: Request) -> tuple[Sessie, dict[str, list[str]]] | Response:
    """The session and form of a POST, or the refusal: no session or no matching CSRF token → 403."""
    velden = await formulier(request)
    sessie = await run_in_threadpool(sessie_van, web, request)
    if sessie is None or not sessie.csrf_klopt(een(velden, "csrf") or None):
        log.warning("formulier geweigerd: CSRF-token ontbreekt of klopt niet (%s)", request.url.path)
        return geweigerd(
            "Verzoek geweigerd",
            "Dit formulier is verlopen of niet vanuit aanpak verstuurd. Open de pagina opnieuw en probeer het "
            "nog eens.",
            403,
        )
    return sessie, velden


def _terug(request: Request, web: Web) -> str:
    """The redirect URI: from ``AANPAK_WEB_URL`` when set (behind a proxy), else this request's own address."""
    if web.inst.url:
        return web.inst.url.rstrip("/") + "/inloggen/terug"
    return str(request.url_for("inloggen_terug"))


def voeg_toe(router: APIRouter, web: Web) -> None:
    @router.get("/inloggen", include_in_schema=False)
    def inloggen(request: Request) -> Response:
        if sessie_van(web, request) is not None:
            return naar("/")
        melding = {"uitgelogd": "U bent uitgelogd.", "verlopen": "Uw sessie is verlopen; log opnieuw in."}.get(
            request.query_params.get("reden", "")
        )
        antwoord = pagina(request, "inloggen.html", {"melding": melding, "beschikbaar": web.oidc is not None})
        wis_cookie(antwoord, SESSIECOOKIE)
        return antwoord

    @router.get("/inloggen/start", include_in_schema=False)
    def start(request: Request) -> Response:
        if web.oidc is None:
            return geweigerd("Inloggen niet mogelijk", "Er is geen inlogdienst ingericht.", 503)
        aanmelding = web.sessies(request).begin_aanmelding()
        try:
            doel = web.oidc.autorisatie_url(
                _terug(request, web), aanmelding.state, aanmelding.nonce, aanmelding.uitdaging
            )
        except InloggenMislukt as exc:
            return geweigerd("Inloggen mislukt", str(exc), 502)
        antwoord = naar(doel)
        zet_cookie(antwoord, AANMELDCOOKIE, aanmelding.sleutel, max_age=AANMELDING_MINUTEN * 60)
        return antwoord

    @router.get("/inloggen/terug", name="inloggen_terug", include_in_schema=False)
    def terug(request: Request) -> Response:
        sessies = web.sessies(request)
        aanmelding = sessies.neem_aanmelding(request.cookies.get(AANMELDCOOKIE), request.query_params.get("state"))
        code = request.query_params.get("code")
        if web.oidc is None or aanmelding is None or not code:
            return _mislukt(request, "Het inlogverzoek is onbekend of verlopen.")
        try:
            id_token = web.oidc.wissel_code(code, _terug(request, web), aanmelding.verifier)
            identiteit = request.app.state.verificateur.verifieer(id_token)
            if nonce_van(id_token) != aanmelding.nonce:
                raise TokenOngeldig("nonce klopt niet")
        except (InloggenMislukt, TokenOngeldig) as exc:
            log.warning("inloggen mislukt: %s", exc)
            return _mislukt(request, "De inlogdienst gaf geen geldig bewijs van wie u bent.")
        if not identiteit.rollen:
            return _mislukt(request, "U heeft geen rol in het werkproces.")
        sleutel, sessie = sessies.maak(identiteit)
        antwoord = naar("/" if sessie.rol is not None else "/rol")
        zet_cookie(antwoord, SESSIECOOKIE, sleutel)
        wis_cookie(antwoord, AANMELDCOOKIE)
        return antwoord

    @router.post("/uitloggen", include_in_schema=False)
    async def uitloggen(request: Request) -> Response:
        uitkomst = await met_csrf(web, request)
        if isinstance(uitkomst, Response):
            return uitkomst
        await run_in_threadpool(web.sessies(request).verwijder, request.cookies.get(SESSIECOOKIE))
        antwoord = naar("/inloggen?reden=uitgelogd")
        wis_cookie(antwoord, SESSIECOOKIE)
        return antwoord

    @router.get("/rol", include_in_schema=False)
    def rol_kiezen(request: Request) -> Response:
        sessie = sessie_van(web, request)
        if sessie is None:
            return naar("/inloggen?reden=verlopen")
        return pagina(request, "rol.html", {}, sessie=sessie)

    @router.post("/rol", include_in_schema=False)
    async def rol_wisselen(request: Request) -> Response:
        uitkomst = await met_csrf(web, request)
        if isinstance(uitkomst, Response):
            return uitkomst
        _, velden = uitkomst
        gekozen = await run_in_threadpool(
            web.sessies(request).kies_rol, request.cookies.get(SESSIECOOKIE, ""), een(velden, "rol")
        )
        if not gekozen:
            return geweigerd("Geen toegang", "Deze rol is niet aan u toegekend.", 403)
        return naar("/")


def _mislukt(request: Request, reden: str) -> Response:
    antwoord = pagina(request, "inloggen.html", {"fout": reden, "beschikbaar": True}, status=400)
    wis_cookie(antwoord, AANMELDCOOKIE)
    return antwoord


def ingelogd(web: Web, request: Request) -> tuple[Sessie, Actor] | Response:
    """The session and actor of a page, or where to go first: login (no or expired session), or the role choice."""
    sessie = sessie_van(web, request)
    if sessie is None:
        antwoord = naar("/inloggen?reden=verlopen" if request.cookies.get(SESSIECOOKIE) else "/inloggen")
        wis_cookie(antwoord, SESSIECOOKIE)
        return antwoord
    actor = actor_van(sessie)
    if actor is None:
        return naar("/rol")
    return sessie, actor
