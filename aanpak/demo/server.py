"""The demo's aanpak server: the real FastAPI app on uvicorn, on a free loopback port, in a background thread.

A real HTTP server on a real socket with real tokens: the development issuer (``Ontwikkeluitgever``) of the
demo's own data folder signs a token per fictitious person, and the server verifies each one exactly like any
issuer's, fetching the JWKS over HTTP from itself. It runs in the demo's process only so that the demo's
simulated clock stays injectable (the server works on the demo's ``Omgeving``). Its log — uvicorn's access log
(paths masked, no query, no token) and the server's warnings — goes to ``server.log`` in the demo's folder, so
the story on the terminal stays readable.
"""

from __future__ import annotations

import contextvars
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aanpak.omgeving import Omgeving
from aanpak.server.app import maak_app
from aanpak.toegang import Verificateur
from aanpak.toegang.ontwikkeluitgever import Ontwikkeluitgever, ontwikkeluitgever_toegestaan, uitgever_url
from models.fouten import DomeinFout

#: How long the demo waits for its server to listen, and for it to stop (generous: a loaded machine).
START_SECONDEN = 120.0
STOP_SECONDEN = 60.0
LOGBESTAND = "server.log"


class ServerStartFout(DomeinFout):
    """The demo's aanpak server did not start listening."""


@dataclass(frozen=True)
class DemoServer:
    """Where the demo's server listens, the issuer whose tokens it trusts, and its log file."""

    basis_url: str
    uitgever: Ontwikkeluitgever
    logbestand: Path


def _logconfig(logbestand: Path) -> dict[str, Any]:
    """uvicorn's loggers and the server's own to one file (never the terminal); other loggers untouched."""
    bestand = {"class": "logging.FileHandler", "filename": str(logbestand), "encoding": "utf-8"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "standaard": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(asctime)s %(levelprefix)s %(name)s: %(message)s",
                "use_colors": False,
            },
            "toegang": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(asctime)s %(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
                "use_colors": False,
            },
        },
        "handlers": {
            "standaard": {**bestand, "formatter": "standaard"},
            "toegang": {**bestand, "formatter": "toegang"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["standaard"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["toegang"], "level": "INFO", "propagate": False},
            "aanpak.server": {"handlers": ["standaard"], "level": "INFO", "propagate": False},
        },
    }


@contextmanager
def draaiend(omg: Omgeving, data_dir: Path) -> Iterator[DemoServer]:
    """The server over ``omg`` for this block, listening on 127.0.0.1 on a free port; stopped after."""
    import uvicorn

    ontwikkeluitgever_toegestaan(omg.engine.url.render_as_string(hide_password=True), toegestaan=False)
    sok = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sok.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sok.bind(("127.0.0.1", 0))  # the socket is ours from here: no other process can take the port in between
    basis_url = f"http://127.0.0.1:{sok.getsockname()[1]}"
    logbestand = data_dir / LOGBESTAND
    uitgever = Ontwikkeluitgever(data_dir, uitgever_url(basis_url))
    verificateur = Verificateur(uitgever.toegang())
    config = uvicorn.Config(
        maak_app(omg, verificateur, ontwikkeluitgever=uitgever),
        log_config=_logconfig(logbestand),
        access_log=True,
        server_header=False,
        proxy_headers=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    # A copy of this context: the Prefect settings chosen for the demo (a context variable) hold in the thread.
    draad = threading.Thread(
        target=contextvars.copy_context().run,
        args=(server.run,),
        kwargs={"sockets": [sok]},
        name="aanpak-demo-server",
        daemon=True,
    )
    draad.start()
    try:
        grens = time.monotonic() + START_SECONDEN
        while not server.started:
            if not draad.is_alive() or time.monotonic() > grens:
                raise ServerStartFout(f"de aanpak-server van de demo start niet; zie {logbestand}")
            time.sleep(0.05)
        yield DemoServer(basis_url, uitgever, logbestand)
    finally:
        server.should_exit = True
        draad.join(STOP_SECONDEN)
        sok.close()
        verificateur.sluit()
