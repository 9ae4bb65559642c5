"""A request body over 1 MiB is refused with 413 — counted while it streams, whatever Content-Length claims.

Pure ASGI middleware: a declared length over the limit is refused before the app runs; otherwise the bytes are
counted as the app reads them and the read that crosses the limit raises a 413 (rendered as problem details by
the app's handlers), so a missing or lying Content-Length cannot smuggle a bigger body in.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aanpak.server.problemen import probleem

MAX_BYTES = 1024 * 1024
DETAIL = "Het verzoek is groter dan 1 MiB."


class Groottegrens:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for naam, waarde in scope.get("headers", []):
            if naam == b"content-length":
                try:
                    te_groot = int(waarde) > self.max_bytes
                except ValueError:
                    te_groot = False  # the server rejects a malformed length itself; we still count
                if te_groot:
                    await probleem(413, DETAIL)(scope, receive, send)
                    return
        ontvangen = 0

        async def tellend() -> Message:
            nonlocal ontvangen
            bericht = await receive()
            if bericht["type"] == "http.request":
                ontvangen += len(bericht.get("body", b""))
                if ontvangen > self.max_bytes:
                    raise HTTPException(413, DETAIL)
            return bericht

        await self.app(scope, tellend, send)
