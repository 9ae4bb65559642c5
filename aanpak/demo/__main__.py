"""``python -m aanpak.demo`` (``make demo``): the demo with a Dutch message instead of a traceback, ever."""

from __future__ import annotations

import sys

from aanpak.cli.weergave import console
from aanpak.demo import main
from models.fouten import DomeinFout

_OPNIEUW = (
    "De demo werkte in een eigen map; uw casusopslag is niet aangeraakt. Start de demo opnieuw zodra het "
    "probleem is verholpen (de vorige demo-casus wordt dan weggegooid)."
)


def start() -> int:
    try:
        main()
    except DomeinFout as exc:  # e.g. Prefect away: the demo's half case stays in its own folder, out of reach
        console.print(f"[bold red]Gestopt:[/] {exc.melding}", markup=True, highlight=False)
        console.print(_OPNIEUW)
        return 1
    except KeyboardInterrupt:
        console.print("[bold red]Onderbroken.[/] " + _OPNIEUW)
        return 130
    except Exception as exc:  # never a traceback for a newcomer; the type names what went wrong
        console.print(f"[bold red]Gestopt door een onverwachte fout[/] ({type(exc).__name__}).", highlight=False)
        console.print(_OPNIEUW)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(start())
