"""Real receivers on loopback for the notification tests: an HTTP server for ``json://`` and an SMTP server.

Both record what arrives with its ``Idempotency-Key``, so tests count at the receiver — raw, and after the
deduplication a well-behaved receiver does. Both can be taken down and brought back on the same port.
"""

from __future__ import annotations

import email
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Ontvangen:
    sleutel: str | None
    titel: str
    tekst: str
    moment: float


class _Teller:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ontvangen: list[Ontvangen] = []

    def neem(self, o: Ontvangen) -> None:
        with self.lock:
            self.ontvangen.append(o)

    @property
    def sleutels(self) -> list[str | None]:
        with self.lock:
            return [o.sleutel for o in self.ontvangen]

    def uniek(self) -> set[str | None]:
        """What a receiver that drops duplicates on the idempotency key keeps."""
        return set(self.sleutels)


class HttpOntvanger(_Teller):
    """A JSON webhook. ``stand``: "op" (200), "503" (refuses), "traag" (answers after ``vertraging`` s)."""

    def __init__(self, poort: int | None = None) -> None:
        super().__init__()
        self.poort = poort or vrije_poort()
        self.stand = "op"
        #: Refuse this many requests with 503 first (a blip), then answer per ``stand``.
        self.weiger = 0
        self.vertraging = 3.0
        self._wek = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.poort}/meldingen"

    def start(self) -> HttpOntvanger:
        ontvanger = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                lengte = int(self.headers.get("Content-Length") or 0)
                inhoud: dict[str, Any] = json.loads(self.rfile.read(lengte) or b"{}")
                with ontvanger.lock:
                    blip = ontvanger.weiger > 0
                    ontvanger.weiger -= 1 if blip else 0
                if blip or ontvanger.stand == "503":
                    self.send_response(503)
                    self.end_headers()
                    return
                if ontvanger.stand == "traag":
                    ontvanger._wek.wait(ontvanger.vertraging)
                ontvanger.neem(
                    Ontvangen(
                        self.headers.get("Idempotency-Key"),
                        str(inhoud.get("title", "")),
                        str(inhoud.get("message", "")),
                        time.monotonic(),
                    )
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._wek.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.poort), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._wek.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class SmtpOntvanger(_Teller):
    """An SMTP server (aiosmtpd) for ``mailto://``; records the Idempotency-Key header of each mail."""

    def __init__(self, poort: int | None = None) -> None:
        super().__init__()
        self.poort = poort or vrije_poort()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.poort}?from=aanpak@test.example&to=partner@test.example&mode=insecure"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        bericht = email.message_from_bytes(envelope.content)
        tekst = ""
        for deel in bericht.walk():
            if deel.get_content_maintype() == "text":
                ruw = deel.get_payload(decode=True)
                tekst = ruw.decode("utf-8", "replace") if isinstance(ruw, bytes) else str(ruw)
                break
        titel = str(email.header.make_header(email.header.decode_header(bericht.get("Subject", ""))))
        self.neem(Ontvangen(bericht.get("Idempotency-Key"), titel, tekst, time.monotonic()))
        return "250 OK"

    def start(self) -> SmtpOntvanger:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.poort)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
