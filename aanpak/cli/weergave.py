"""How the CLI shows dates, terms and errors: Dutch, as coordinators read them."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console

from models.kalender import AMSTERDAM

console = Console()
fout_console = Console(stderr=True)


def datum(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y")


def moment_tekst(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def werkdagen_tekst(n: int) -> str:
    if n < 0:
        return f"[bold red]{-n} werkdag{'en' if n != -1 else ''} te laat[/]"
    if n == 0:
        return "[yellow]vandaag[/]"
    return f"{n} werkdag{'en' if n != 1 else ''}"
