"""`aanpak token …` and `aanpak toegang controleer …`: development tokens and checking an issuer configuration.

Registered in ``aanpak/cli/main.py``. ``token`` prints a token of the development issuer to stdout only (never
to a log), for ``curl -H "Authorization: Bearer $(aanpak token a.mentor)"``; it is refused where the development
issuer is (a non-SQLite database without AANPAK_ONTWIKKELUITGEVER_TOESTAAN=true).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from aanpak.cli.fouten import domeinfouten
from aanpak.cli.weergave import console, fout_console
from aanpak.config import instellingen
from models.fouten import InvoerFout
from models.werkproces import laad_bestand

if TYPE_CHECKING:
    from aanpak.toegang import ToegangConfig

#: ontwikkeluitgever.MAX_GELDIG; the package is imported only when a command runs (it pulls in FastAPI, PyJWT).
MAX_GELDIG = 3600

toegang_app = typer.Typer(help="Toegang: de configuratie van identiteitsuitgevers controleren.", no_args_is_help=True)


@domeinfouten
def token_cmd(
    persoon: Annotated[str, typer.Argument(help="Gebruikersnaam van een ontwikkelpersoon of -systeem, bv. a.mentor.")],
    rol: Annotated[
        str | None, typer.Option("--rol", help="Alleen deze rol in het token (een rol die de persoon heeft).")
    ] = None,
    geldig: Annotated[int, typer.Option("--geldig", min=1, max=MAX_GELDIG, help="Geldigheid in seconden.")] = 900,
) -> None:
    """Print een kortlevend token van de ontwikkeluitgever (alleen voor de laptop en de demo)."""
    from aanpak.toegang.ontwikkeluitgever import geef_token

    token = geef_token(persoon, rol, geldig)
    typer.echo(token)  # stdout only: the caller pipes it into a request
    fout_console.print(f"[dim]Token van de ontwikkeluitgever, {geldig} seconden geldig.[/]")


def _onbekende_rollen(config: ToegangConfig, werkproces: Path) -> list[tuple[str, str]]:
    """Roles the file maps to that the werkproces does not define (field paths, no values)."""
    wp, _ = laad_bestand(werkproces)
    bekend = {r.key for r in wp.rollen}
    fouten = []
    for i, u in enumerate(config.uitgevers):
        for naam, rol in u.rolnamen.items():
            if rol not in bekend:
                fouten.append((f"uitgevers.{i}.rolnamen.{naam}", "geen rol van het werkproces"))
        for client_id, systeem in u.systemen.items():
            if systeem.rol not in bekend:
                fouten.append((f"uitgevers.{i}.systemen.{client_id}.rol", "geen rol van het werkproces"))
    return fouten


@toegang_app.command("controleer")
@domeinfouten
def controleer_cmd(
    pad: Annotated[Path, typer.Argument(help="Een toegangsbestand (YAML).")],
    werkproces: Annotated[
        Path | None, typer.Option(help="Controleer de rollen tegen deze definitie (standaard: die in gebruik).")
    ] = None,
) -> None:
    """Controleer een toegangsbestand zonder het in gebruik te nemen."""
    from aanpak.toegang import laad_toegang

    config = laad_toegang(pad)
    fouten = _onbekende_rollen(config, werkproces or instellingen().werkproces)
    if fouten:
        raise InvoerFout(fouten)
    console.print(f"{escape(str(pad))}: geldig — {len(config.uitgevers)} uitgever(s).")
    for u in config.uitgevers:
        console.print(
            f"  • {escape(u.uitgever)}: {len(u.organisaties)} organisatie(s), {len(u.systemen)} systeem/systemen, "
            f"algoritmes {', '.join(u.algoritmes)}"
        )
