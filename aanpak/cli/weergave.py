"""How the CLI shows dates, terms and errors: Dutch, as coordinators read them."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from rich.console import Console
from rich.markup import escape

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


def toonbaar(tekst: str, max_lengte: int = 200) -> str:
    """Text from the store or the user made safe for the terminal: control and format characters shown as
    ``\\xNN``/``\\uNNNN`` (no escape sequence reaches the screen), cut to ``max_lengte`` before rich wraps it
    (rich's wrapping of a megabyte is quadratic), and rich markup escaped."""
    kort = tekst if len(tekst) <= max_lengte else tekst[: max_lengte - 1] + "…"
    zichtbaar = "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
        else c
        for c in kort
    )
    return escape(zichtbaar)
