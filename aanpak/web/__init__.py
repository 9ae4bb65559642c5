"""The coordinators' web app: server-rendered pages (Jinja2) on the same use cases and authorisation as the API.

``maak_router`` is included by ``aanpak.server.app.maak_app``. Login is OIDC (authorization code with PKCE)
against the configured issuer, or the embedded development issuer; the ID token is verified by the server's
``Verificateur`` like any API token. Sessions live server-side (``websessie``); every form carries a CSRF token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from aanpak.toegang.ontwikkeluitgever import WEBKLANT, Ontwikkeluitgever
from aanpak.web import aanmelden, casus, postvak, privacyloket, rapportage, signaal, werkproces
from aanpak.web.gedeeld import Web
from aanpak.web.instellingen import WebInstellingen
from aanpak.web.oidc import OidcKlant

STATISCH = Path(__file__).parent / "statisch"


def maak_router(ontwikkeluitgever: Ontwikkeluitgever | None = None, inst: WebInstellingen | None = None) -> APIRouter:
    """The web app's routes: the configured issuer (``AANPAK_WEB_UITGEVER``), else the development issuer."""
    inst = inst or WebInstellingen()
    if inst.uitgever and not inst.url.startswith("https://"):
        raise ValueError(
            "AANPAK_WEB_URL ontbreekt of is geen https://-adres: met een eigen inlogdienst (AANPAK_WEB_UITGEVER) "
            "is dat het adres waarop coördinatoren de webapp openen"
        )
    if inst.uitgever:
        oidc: OidcKlant | None = OidcKlant(inst.uitgever, inst.client_id, inst.client_secret.get_secret_value())
    elif ontwikkeluitgever is not None:
        oidc = OidcKlant(ontwikkeluitgever.uitgever, WEBKLANT)
    else:
        oidc = None
    web = Web(inst, oidc)
    router = APIRouter(include_in_schema=False)

    @router.get("/statisch/stijl.css")
    def stijl() -> Response:
        return FileResponse(STATISCH / "stijl.css", media_type="text/css", headers={"Cache-Control": "max-age=300"})

    for module in (aanmelden, postvak, signaal, casus, werkproces, rapportage, privacyloket):
        module.voeg_toe(router, web)
    return router
