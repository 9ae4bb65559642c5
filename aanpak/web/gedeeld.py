"""What every page shares: templates, the session cookie, CSRF, the actor of a request and page responses.

Every page with case data answers ``Cache-Control: no-store``; URLs carry references and keys only.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from aanpak.omgeving import Omgeving
from aanpak.web.instellingen import WebInstellingen
from aanpak.web.oidc import OidcKlant
from aanpak.web.sessies import Sessie, Sessies
from models import teksten
from models.actor import Actor

SESSIECOOKIE = "__Host-aanpak_sessie"  # __Host-: Secure, Path=/, no Domain — a sibling subdomain cannot plant it
AANMELDCOOKIE = "__Host-aanpak_aanmelding"
#: Every page: never cached (case data), never framed (clickjacking), only our own scripts, styles and forms.
GEEN_OPSLAG = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
}

_SJABLONEN = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "sjablonen"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_SJABLONEN.filters["datum"] = teksten.datum
_SJABLONEN.filters["moment"] = teksten.moment_tekst
_SJABLONEN.filters["werkdagen"] = teksten.werkdagen_tekst


@dataclass
class Web:
    """The web app's parts for one server: settings and the OIDC client (None: no login configured)."""

    inst: WebInstellingen
    oidc: OidcKlant | None

    def sessies(self, request: Request) -> Sessies:
        return Sessies(omgeving(request), self.inst)


def omgeving(request: Request) -> Omgeving:
    omg: Omgeving = request.app.state.omgeving
    return omg


def namen(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """Display names of roles (werkproces) and organisations (register), for headers and tables."""
    omg = omgeving(request)
    wp = omg.werkprocessen.bestand()[0]
    rollen = {r.key: r.naam for r in wp.rollen}
    try:
        orgs = {o.key: o.naam for o in omg.werkprocessen.register().organisaties}
    except Exception:  # a register that cannot be read shows keys
        orgs = {}
    return rollen, orgs


def pagina(
    request: Request,
    sjabloon: str,
    context: Mapping[str, Any],
    *,
    sessie: Sessie | None = None,
    status: int = 200,
) -> HTMLResponse:
    rollen, orgs = namen(request)
    loket = omgeving(request).werkprocessen.bestand()[0].privacy.loket
    tekst = _SJABLONEN.get_template(sjabloon).render(
        request=request, sessie=sessie, rolnamen=rollen, orgnamen=orgs, loketrollen=loket, **context
    )
    return HTMLResponse(tekst, status_code=status, headers=GEEN_OPSLAG)


def naar(pad: str) -> RedirectResponse:
    return RedirectResponse(pad, status_code=303, headers=GEEN_OPSLAG)


def zet_cookie(antwoord: Response, naam: str, waarde: str, *, pad: str = "/", max_age: int | None = None) -> None:
    antwoord.set_cookie(naam, waarde, path=pad, max_age=max_age, httponly=True, secure=True, samesite="lax")


def wis_cookie(antwoord: Response, naam: str, *, pad: str = "/") -> None:
    antwoord.delete_cookie(naam, path=pad, httponly=True, secure=True, samesite="lax")


async def formulier(request: Request) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body (the size limit is the server's, 1 MiB)."""
    ruw = await request.body()
    try:
        return parse_qs(ruw.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        return {}


def een(velden: Mapping[str, list[str]], naam: str) -> str:
    waarden = velden.get(naam)
    return waarden[0].strip() if waarden else ""


def actor_van(sessie: Sessie) -> Actor | None:
    return None if sessie.rol is None else Actor(sessie.persoon, sessie.organisatie, sessie.rol)


def geweigerd(titel: str, tekst: str, status: int) -> HTMLResponse:
    """A bare refusal page (no session context): e.g. a form without a valid CSRF token."""
    inhoud = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{html.escape(titel)} — aanpak</title>"
        '<link rel="stylesheet" href="/statisch/stijl.css"></head><body>'
        f'<main id="inhoud"><h1>{html.escape(titel)}</h1><p>{html.escape(tekst)}</p>'
        '<p><a href="/">Naar de startpagina</a></p></main></body></html>'
    )
    return HTMLResponse(inhoud, status_code=status, headers=GEEN_OPSLAG)
