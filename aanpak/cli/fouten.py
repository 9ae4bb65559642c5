"""What every `aanpak` command shares: the --als/--door options and turning refusals into exit code 1.

A refusal prints the field (as the coordinator typed it) and the reason, never a value and never a traceback:
every text is cut short and made terminal-safe (``toonbaar``) before rich renders it, and a quoted value longer
than a reference or a key (``'…'``) is not printed back at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from typer._click.globals import get_current_context  # typer vendors click: its context, not click's

from aanpak import uitvoering
from aanpak.cli.foutteksten import MAX_REDEN, reden_tekst, veld_tekst
from aanpak.cli.weergave import console, fout_console, toonbaar
from aanpak.crypto import SleutelFout
from aanpak.omgeving import Omgeving, standaard
from models.fouten import DefinitieFout, DomeinFout, InvoerFout, invoerfout_uit
from models.invoer import tekstfout

P = ParamSpec("P")
T = TypeVar("T")

Als = Annotated[str, typer.Option("--als", help="De convenantrol waarin u handelt, bv. wijkteam.casusregisseur.")]
Door = Annotated[str, typer.Option("--door", help="Uw gebruikersnaam (wordt in de historie vastgelegd).")]


def _omgeving() -> Omgeving:
    return standaard()


class DocumentFout(InvoerFout):
    """Invalid fields of a document (``--bestand``): named by their path in the file, not as options."""


ONBEREIKBAAR = (
    "de casusopslag is niet bereikbaar; er is niets gewijzigd. Probeer het later opnieuw of waarschuw de beheerder."
)


def _veld(veld: str | None, *, document: bool = False) -> str:
    return veld_tekst(veld, document=document)


def _reden(tekst: str) -> str:
    return reden_tekst(tekst)


#: Free text that may span lines (a concern, a motivation): line breaks and tabs allowed, other controls not.
MEERREGELIG = frozenset({"zorg", "toelichting"})


def _controleer_tekst(kwargs: dict[str, object]) -> None:
    """One check of every text a coordinator typed (--door, --reden, --toelichting, references …)."""
    ctx = get_current_context(silent=True)
    namen: dict[str | None, Any] = {p.name: p for p in ctx.command.params} if ctx is not None else {}
    fouten: list[tuple[str, str]] = []
    for naam, waarde in kwargs.items():
        for tekst in waarde if isinstance(waarde, list) else [waarde]:
            if isinstance(tekst, str) and (reden := tekstfout(tekst, meerregelig=naam in MEERREGELIG)) is not None:
                param = namen.get(naam)
                if param is not None and param.param_type_name == "option":
                    fouten.append((max(param.opts, key=len), reden))
                else:
                    fouten.append((param.human_readable_name if param is not None else naam, reden))
                break
    if fouten:
        raise InvoerFout(fouten)


def domeinfouten(functie: Callable[P, T]) -> Callable[P, T]:
    """Turn refusals into a clear message and exit code 1 instead of a traceback (and never echo values)."""

    @functools.wraps(functie)
    def omhulsel(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            try:
                _controleer_tekst(kwargs)
                return functie(*args, **kwargs)
            except ValidationError as exc:
                raise invoerfout_uit(exc) from None
        except InvoerFout as exc:
            fout_console.print("[bold red]Ongeldige invoer[/] (er is niets gewijzigd):")
            for veld, reden in exc.fouten[:50]:
                fout_console.print(
                    f"  • [bold]{_veld(veld, document=isinstance(exc, DocumentFout))}[/]: {_reden(reden)}"
                )
            if len(exc.fouten) > 50:
                fout_console.print(f"  … en nog {len(exc.fouten) - 50} fout(en)")
            raise typer.Exit(1) from None
        except DomeinFout as exc:
            voorvoegsel = f"{_veld(exc.veld)}: " if exc.veld else ""
            fout_console.print(f"[bold red]Geweigerd:[/] {voorvoegsel}{_reden(exc.melding)}")
            raise typer.Exit(1) from None
        except uitvoering.NogBezig as exc:
            console.print(f"[yellow]Vastgelegd;[/] {_reden(str(exc))}.")
            raise typer.Exit(0) from None
        except (DefinitieFout, SleutelFout) as exc:
            regels = "\n".join(toonbaar(r, MAX_REDEN) for r in str(exc).splitlines()[:100])
            fout_console.print(f"[bold red]Configuratiefout:[/] {regels}")
            raise typer.Exit(1) from None
        except (OperationalError, InterfaceError):  # never the driver's text: it may hold the statement
            fout_console.print(f"[bold red]Niet gelukt:[/] {ONBEREIKBAAR}")
            raise typer.Exit(1) from None

    return omhulsel
