"""`make demo`: one fictitious case from first signal to closure, over HTTP, on the embedded default.

``verloop`` is the story (every step an ``/api/v1`` request with the acting partner's own token), ``server``
the demo's aanpak server on a free loopback port, ``partijen`` the partners as HTTP clients, ``afzondering``
the demo's own data folder, ``klok`` its simulated clock. ``python -m aanpak.demo`` runs it.
"""

from __future__ import annotations

import os

# Coordinators read our output, not Prefect's log lines (those still reach the Prefect UI).
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")

from aanpak.demo.afzondering import DEMOMAP, afgezonderd
from aanpak.demo.verloop import Samenvatting, main

__all__ = ["DEMOMAP", "Samenvatting", "afgezonderd", "main"]
