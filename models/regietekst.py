"""The one line a coordinator reads about a regie proposal (Dutch), from its plain fields.

Apart from ``models.regievoorstel`` so that the CLI's client mode, which reads the proposal as JSON and imports
nothing heavy, prints exactly what the local CLI prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _houder(rol: str | None, organisatie: str | None, opties: list[str] | None) -> str:
    if rol is None:
        return "geen"
    return (
        f"{rol} bij {organisatie}" if organisatie else f"{rol} (kies: {', '.join(opties or []) or 'geen organisatie'})"
    )


def regievoorstel_tekst(v: Mapping[str, Any]) -> str:
    """``AVE 2: casusregie … bij …, procesregie … (regel …)`` for a proposal's fields (``Regievoorstel``)."""
    casusregie = _houder(v.get("casusregie"), v.get("casusregie_organisatie"), v.get("casusregie_opties"))
    procesregie = _houder(v.get("procesregie"), v.get("procesregie_organisatie"), v.get("procesregie_opties"))
    return f"AVE {v['ave']}: casusregie {casusregie}, procesregie {procesregie} (regel {v['regel']})"
