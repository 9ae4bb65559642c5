"""What every `aanpak` command shares: the --als/--door options and turning refusals into exit code 1.

A refusal prints the field (as the coordinator typed it) and the reason, never a value and never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.markup import escape

from aanpak import uitvoering
from aanpak.cli.weergave import console, fout_console
from aanpak.crypto import SleutelFout
from aanpak.omgeving import Omgeving, standaard
from models.fouten import DefinitieFout, DomeinFout, InvoerFout, invoerfout_uit

P = ParamSpec("P")
T = TypeVar("T")

Als = Annotated[str, typer.Option("--als", help="De convenantrol waarin u handelt, bv. wijkteam.casusregisseur.")]
Door = Annotated[str, typer.Option("--door", help="Uw gebruikersnaam (wordt in de historie vastgelegd).")]


def _omgeving() -> Omgeving:
    return standaard()


#: Field names in messages as the coordinator typed them (options), not as the use case calls them.
OPTIES = {
    "actor_rol": "--als",
    "actor_organisatie": "--organisatie",
    "casusregie_organisatie": "--casusregie-organisatie",
    "procesregie_organisatie": "--procesregie-organisatie",
    "eigenaar_organisatie": "--eigenaar-organisatie",
    "actor": "--door",
    "ave_fase": "--ave",
    "verwachte_versie": "--versie",
    "toelichting": "--toelichting",
    "casusregie": "--casusregie",
    "procesregie": "--procesregie",
    "gegeven_door": "--gegeven-door",
    "geldig_tot": "--tot",
    "doel": "--doel",
    "idempotentie_sleutel": "--sleutel",
}


def _veld(veld: str | None) -> str:
    return escape(OPTIES.get(veld or "", veld or ""))


def domeinfouten(functie: Callable[P, T]) -> Callable[P, T]:
    """Turn refusals into a clear message and exit code 1 instead of a traceback (and never echo values)."""

    @functools.wraps(functie)
    def omhulsel(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            try:
                return functie(*args, **kwargs)
            except ValidationError as exc:
                raise invoerfout_uit(exc) from None
        except InvoerFout as exc:
            fout_console.print("[bold red]Ongeldige invoer[/] (er is niets gewijzigd):")
            for veld, reden in exc.fouten:
                fout_console.print(f"  • [bold]{_veld(veld)}[/]: {escape(reden)}")
            raise typer.Exit(1) from None
        except DomeinFout as exc:
            voorvoegsel = f"{_veld(exc.veld)}: " if exc.veld else ""
            fout_console.print(f"[bold red]Geweigerd:[/] {voorvoegsel}{escape(exc.melding)}")
            raise typer.Exit(1) from None
        except uitvoering.NogBezig as exc:
            console.print(f"[yellow]Vastgelegd;[/] {escape(str(exc))}.")
            raise typer.Exit(0) from None
        except (DefinitieFout, SleutelFout) as exc:
            fout_console.print(f"[bold red]Configuratiefout:[/] {escape(str(exc))}")
            raise typer.Exit(1) from None

    return omhulsel
