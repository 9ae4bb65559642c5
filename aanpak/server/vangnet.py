"""The last line: an unexpected error answers 500 as problem details and is logged by its type only.

Without this, Starlette re-raises the exception after answering and uvicorn logs its traceback, whose
messages could carry data from the request. Here the type is logged, nothing else, and the caller learns only
that nothing unconfirmed was changed (every use case is one transaction).
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aanpak.server.problemen import probleem

log = logging.getLogger("aanpak.server")

DETAIL = "Er ging iets mis op de server; wat niet bevestigd is, is niet gewijzigd."


class Vangnet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begonnen = False

        async def verstuur(bericht: Message) -> None:
            nonlocal begonnen
            begonnen = begonnen or bericht["type"] == "http.response.start"
            await send(bericht)

        try:
            await self.app(scope, receive, verstuur)
        except Exception as exc:
            log.error("onverwachte fout bij %s: %s", scope.get("method", "?"), type(exc).__name__)
            if not begonnen:
                await probleem(500, DETAIL)(scope, receive, send)
