"""How the CLI shows terms: the shared Dutch texts (``models/teksten.py``), coloured for a terminal."""

from __future__ import annotations

import unicodedata

from rich.console import Console
from rich.markup import escape

from models.teksten import werkdagen_tekst

console = Console()
fout_console = Console(stderr=True)


def resterend(n: int) -> str:
    """The werkdagen left as rich markup: overdue in red, due today in yellow, the text itself shared."""
    tekst = escape(werkdagen_tekst(n))
    if n < 0:
        return f"[bold red]{tekst}[/]"
    if n == 0:
        return f"[yellow]{tekst}[/]"
    return tekst


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
