"""``maak_app``: the aanpak server as a FastAPI app (JSON API ``/api/v1``, OpenAPI at ``/api/v1/docs``).

A factory, not a module-level app: the context (store, keys, definitions) and the token verifier are passed
in, so tests build their own and nothing happens on import. There is no parameter that turns authentication off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel

from aanpak.omgeving import Omgeving
from aanpak.server import gezondheid as gezondheid_routes
from aanpak.server import logboeken, problemen
from aanpak.server.api import (
    audit,
    bewaring,
    casussen,
    grondslagen,
    overdrachten,
    rapport,
    rechten,
    signalen,
    stappen,
    werkproces,
)
from aanpak.server.grootte import MAX_BYTES, Groottegrens
from aanpak.server.toegang import Verificateur
from aanpak.server.vangnet import Vangnet
from aanpak.toegang.ontwikkeluitgever import Ontwikkeluitgever
from aanpak.web import maak_router as web_router

PREFIX = "/api/v1"


class Gezondheid(BaseModel):
    status: str


def maak_app(
    omgeving: Omgeving,
    verificateur: Verificateur,
    *,
    ontwikkeluitgever: Ontwikkeluitgever | None = None,
    max_bytes: int = MAX_BYTES,
) -> FastAPI:
    """The app over ``omgeving``; every endpoint but ``/api/v1/gezondheid`` and the spec needs a valid token.

    On the embedded default the development issuer's discovery and JWKS are served by this same process
    (``/ontwikkel-idp``); the verifier fetches them over HTTP like any issuer's.
    """

    @asynccontextmanager
    async def levensloop(_: FastAPI) -> AsyncIterator[None]:
        logboeken.installeer()  # again: uvicorn configured its loggers after the app was built
        yield

    app = FastAPI(
        title="aanpak",
        summary="Werkproces van signaal naar aanpak — Convenant gelijke kansen, zorg en veiligheid",
        version="1",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        lifespan=levensloop,
    )
    app.state.omgeving = omgeving
    app.state.verificateur = verificateur
    logboeken.installeer()
    problemen.installeer(app)
    app.add_middleware(Groottegrens, max_bytes=max_bytes)
    app.add_middleware(Vangnet)  # outermost of ours: also catches what happens around the size limit

    @app.get(f"{PREFIX}/gezondheid", tags=["beheer"], response_model=Gezondheid)
    def gezondheid() -> Gezondheid:
        """Leeft de server? (zonder token; zegt niets over casussen)."""
        return Gezondheid(status="ok")

    for module in (
        signalen,
        casussen,
        stappen,
        overdrachten,
        grondslagen,
        rechten,
        bewaring,
        audit,
        rapport,
        werkproces,
    ):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(gezondheid_routes.router)  # /health, /ready, /metrics (outside /api/v1)
    if ontwikkeluitgever is not None:
        app.include_router(ontwikkeluitgever.router())
    app.include_router(web_router(ontwikkeluitgever))  # the coordinators' web app (aanpak/web)
    return app
