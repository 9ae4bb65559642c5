"""How the CLI shows terms: the shared Dutch texts (``models/teksten.py``), coloured for a terminal."""

from __future__ import annotations

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
