"""What the client's commands share: the --rol option, refusals as exit codes, and values shown as the local CLI
shows them (dates dd-mm-jjjj in Amsterdam time)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.markup import escape

from aanpak.cli.weergave import console, fout_console
from aanpak.klant.verbinding import Antwoord, Weigering

P = ParamSpec("P")
T = TypeVar("T")

Rol = Annotated[
    str | None,
    typer.Option(
        "--rol",
        envvar="AANPAK_ROL",
        help="De rol uit uw token waarin u handelt, bv. school.zorgcoordinator (nodig als u er meer hebt).",
    ),
]


def klantfouten(functie: Callable[P, T]) -> Callable[P, T]:
    """A refusal of the server (or no server, no token) becomes its Dutch message and exit code, never a traceback."""

    @functools.wraps(functie)
    def omhulsel(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return functie(*args, **kwargs)
        except Weigering as exc:
            for regel in exc.regels:
                fout_console.print(regel)
            raise typer.Exit(exc.code) from None

    return omhulsel


def moment(waarde: object) -> datetime | None:
    if not isinstance(waarde, str) or not waarde:
        return None
    try:
        return datetime.fromisoformat(waarde)
    except ValueError:
        return None


def datum(waarde: object) -> str:
    from models.teksten import datum as datum_tekst

    return datum_tekst(moment(waarde))


def moment_tekst(waarde: object) -> str:
    from models.teksten import moment_tekst as tekst

    return tekst(moment(waarde))


def waarde(v: object) -> str:
    """History values as a coordinator reads them: dates as dd-mm-jjjj uu:mm, lists as text."""
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    if isinstance(v, str) and len(v) >= 19 and v[4] == "-" and v[10] == "T" and moment(v) is not None:
        return moment_tekst(v)
    return escape(str(v))


def nog_bezig(antwoord: Antwoord, wat: str) -> bool:
    """202: stored, the transition is still running or follows later — said as the local CLI says it (exit 0)."""
    if antwoord.afgerond:
        return False
    melding = str((antwoord.inhoud or {}).get("melding", "de overgang volgt"))
    console.print(f"[yellow]{escape(wat)}[/] — {escape(melding)}")
    return True
