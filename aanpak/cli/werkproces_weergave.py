"""The werkproces as a table, for coordinators and the steering group (the local CLI and its client mode).

Pure rendering (rich and models only): the Mermaid diagram comes from ``aanpak.rapportage.mermaid`` locally and
from the server's answer in client mode."""

from __future__ import annotations

import re

from rich.table import Table

from models.werkproces import Werkproces

__all__ = ["bron_tekst", "stappentabel"]


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


#: The definition cites the domain analysis (``domain.md §…``), which is not part of the repository; what the
#: repository holds is docs/werkproces.md, whose step table carries the same sources.
_DOMEINANALYSE = re.compile(r"domain\.md\s*§[\d.]+(?:\s*stap\s*\d+)?(?:\s*/\s*§[\d.]+(?:\s*stap\s*\d+)?)*")
BRONNEN = "docs/werkproces.md"


def bron_tekst(bron: str | None) -> str:
    """A step's source as a reader can look it up in the repository."""
    return _DOMEINANALYSE.sub(BRONNEN, bron or "")


def stappentabel(wp: Werkproces) -> Table:
    tabel = Table(
        title=f"{wp.naam} — versie {wp.versie}",
        caption=f"Bron: [P] = voorstel, nog te toetsen aan de bijlage van het convenant; D-nummers en wetsartikelen: "
        f"{BRONNEN}.",
        show_lines=True,
    )
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
            bron_tekst(stap.termijn.bron),
            uitkomsten,
        )
    return tabel
