"""The werkproces as a table and as a Mermaid diagram, for coordinators and the steering group."""

from __future__ import annotations

from rich.table import Table

from aanpak.rapportage.mermaid import mermaid_diagram
from models.werkproces import Werkproces

__all__ = ["mermaid_diagram", "stappentabel"]


def _termijn(wp: Werkproces, key: str) -> str:
    stap = wp.stap(key)
    tekst = stap.termijn.tekst()
    if stap.termijn_acuut is not None:
        tekst += f" (acuut {stap.termijn_acuut.tekst()})"
    if stap.termijn.wettelijk:
        tekst += " — wettelijk"
    elif stap.termijn.max_verlenging:
        tekst += f" — verlengbaar {stap.termijn.max_verlenging}"
    return tekst


def stappentabel(wp: Werkproces) -> Table:
    tabel = Table(title=f"{wp.naam} — versie {wp.versie}", show_lines=True)
    for kolom in ("Stap", "Eigenaar", "Termijn", "Bron", "Uitkomsten → volgende"):
        tabel.add_column(kolom)
    for stap in wp.stappen:
        uitkomsten = "\n".join(
            f"{u.label}: {', '.join(u.volgende) or ('casus sluit' if u.sluit_casus else 'einde tak')}"
            for u in stap.uitkomsten
        )
        tabel.add_row(
            f"{stap.naam}\n[dim]{stap.key}[/]",
            stap.eigenaar,
            _termijn(wp, stap.key),
            stap.termijn.bron or "",
            uitkomsten,
        )
    return tabel
