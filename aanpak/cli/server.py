"""`aanpak server`: the API server — the only process that holds the database URL and the keys.

Registered in ``aanpak/cli/main.py``. Binds 127.0.0.1 unless told otherwise (put a TLS proxy in front).
"""

from __future__ import annotations

from typing import Annotated

import typer

from aanpak.cli.fouten import domeinfouten
from aanpak.cli.weergave import fout_console


@domeinfouten
def server_cmd(
    host: Annotated[str, typer.Option(help="Adres om op te luisteren.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Poort.", min=1, max=65535)] = 8000,
) -> None:
    """Start de aanpak-server (JSON-API /api/v1, OpenAPI op /api/v1/docs)."""
    import uvicorn

    from aanpak.omgeving import bouw
    from aanpak.server.app import maak_app
    from aanpak.server.toegang import GeenVerificateur, standaard_verificateur
    from models.adres import is_loopback

    try:
        verificateur, ontwikkeluitgever = standaard_verificateur()
    except GeenVerificateur as exc:
        fout_console.print(f"[bold red]Configuratiefout:[/] {exc}")
        raise typer.Exit(1) from None
    if ontwikkeluitgever is not None and not is_loopback(host):
        # Its login page lets anyone pick any fictitious person: never on an address others can reach.
        fout_console.print(
            "[bold red]Configuratiefout:[/] de ontwikkeluitgever luistert alleen op deze machine "
            "(--host 127.0.0.1); stel AANPAK_TOEGANG in voor een echte identiteitsprovider."
        )
        raise typer.Exit(1)
    app = maak_app(bouw(), verificateur, ontwikkeluitgever=ontwikkeluitgever)
    # The access log stays on: aanpak.server.logboeken strips queries and masks non-reference path segments.
    uvicorn.run(app, host=host, port=port, server_header=False, proxy_headers=False)
