"""Two pictures for managers, as plain SVG written by this module (no plotting library).

* ``werkproces_svg``: the werkproces as a top-to-bottom diagram (rows = distance from the intake), each step
  with its full name (wrapped, never cut) and its open and overdue count now; red when something is late. Top to
  bottom because the werkproces is long and narrow: left to right it was 2,220 × 398 px, unreadable on a page.
* ``termijnen_svg``: per partner, a bar split into steps completed on time (green) and late (red).
"""

from __future__ import annotations

from collections import deque
from xml.sax.saxutils import escape

from aanpak.rapportage.tabellen import procent
from aanpak.usecases.rapport import Rapport

BREED, HOOG, TUSSEN_X, TUSSEN_Y, MARGE = 220, 80, 40, 44, 30
#: Characters per line of a step name in a box (12 px sans-serif: about 7 px a character).
TEKENS = 28
GROEN, ROOD, ORANJE, GRIJS = "#2e7d32", "#c62828", "#ef6c00", "#9e9e9e"


#: An opaque background: the pictures are also shown on the Prefect UI's dark theme.
_ACHTERGROND = '<rect width="100%" height="100%" fill="#ffffff"/>'


def _kort(tekst: str, lengte: int) -> str:
    return tekst if len(tekst) <= lengte else tekst[: lengte - 1] + "…"


def _regels(tekst: str, lengte: int = TEKENS) -> list[str]:
    """A name in at most two lines at word boundaries; only an overlong second line is shortened."""
    regels: list[str] = []
    for woord in tekst.split():
        if regels and len(regels[-1]) + 1 + len(woord) <= lengte:
            regels[-1] += " " + woord
        else:
            regels.append(woord)
    if len(regels) > 2:
        regels = [regels[0], " ".join(regels[1:])]
    return [regels[0], *(_kort(r, lengte) for r in regels[1:])] if regels else [""]


def _lagen(r: Rapport) -> dict[str, int]:
    """Column of each step: shortest distance from the intake; steps only reached otherwise go last."""
    laag = {r.intake: 0}
    rij = deque([r.intake])
    while rij:
        k = rij.popleft()
        for v in r.volgende.get(k, []):
            if v not in laag:
                laag[v] = laag[k] + 1
                rij.append(v)
    laatste = max(laag.values(), default=0) + 1
    for s in r.open_per_stap:
        laag.setdefault(s.stap, laatste)
    return laag


def werkproces_svg(r: Rapport) -> str:
    lagen = _lagen(r)
    per_laag: dict[int, list[str]] = {}
    for s in r.open_per_stap:
        per_laag.setdefault(lagen[s.stap], []).append(s.stap)
    plek: dict[str, tuple[int, int]] = {}
    for laag, stappen in per_laag.items():
        for n, k in enumerate(stappen):
            plek[k] = (MARGE + n * (BREED + TUSSEN_X), MARGE + 40 + laag * (HOOG + TUSSEN_Y))
    breedte = max(MARGE * 2 + max((len(v) for v in per_laag.values()), default=1) * (BREED + TUSSEN_X) + 40, 640)
    hoogte = MARGE * 2 + 60 + (max(per_laag, default=0) + 1) * (HOOG + TUSSEN_Y)
    delen = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{breedte}" height="{hoogte}" '
        f'viewBox="0 0 {breedte} {hoogte}" font-family="sans-serif" font-size="12">',
        _ACHTERGROND,
        '<defs><marker id="pijl" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#607d8b"/></marker></defs>',
        f'<text x="{MARGE}" y="{MARGE}" font-size="16" font-weight="bold">'
        f"Werkproces {escape(r.werkproces)}: open en te laat per stap op {r.gemaakt_op:%d-%m-%Y}</text>",
    ]
    for bron, doelen in r.volgende.items():
        if bron not in plek:
            continue
        x1, y1 = plek[bron]
        for doel in doelen:
            if doel not in plek:
                continue
            x2, y2 = plek[doel]
            if lagen[doel] > lagen[bron]:
                pad = (
                    f"M{x1 + BREED // 2},{y1 + HOOG} C{x1 + BREED // 2},{y1 + HOOG + TUSSEN_Y // 2} "
                    f"{x2 + BREED // 2},{y2 - TUSSEN_Y // 2} {x2 + BREED // 2},{y2}"
                )
                stijl = ""
            else:  # back to an earlier step (e.g. evaluatie → uitvoering): dashed, right of the boxes
                pad = (
                    f"M{x1 + BREED},{y1 + HOOG // 2} C{x1 + BREED + 36},{y1 + HOOG // 2} "
                    f"{x2 + BREED + 36},{y2 + HOOG // 2} {x2 + BREED},{y2 + HOOG // 2}"
                )
                stijl = ' stroke-dasharray="4 3"'
            delen.append(
                f'<path d="{pad}" fill="none" stroke="#607d8b" stroke-width="1.2"{stijl} marker-end="url(#pijl)"/>'
            )
    for s in r.open_per_stap:
        x, y = plek[s.stap]
        kleur = ROOD if s.te_laat else ORANJE if s.open else GRIJS
        naam = _regels(s.stapnaam)
        delen += [
            f'<g id="stap-{escape(s.stap)}" data-open="{s.open}" data-te-laat="{s.te_laat}">',
            f"<title>{escape(s.stapnaam)} ({escape(s.stap)})</title>",
            f'<rect x="{x}" y="{y}" width="{BREED}" height="{HOOG}" rx="8" fill="#ffffff" stroke="{kleur}" '
            f'stroke-width="{3 if s.te_laat else 1.5}"/>',
            *(
                f'<text x="{x + 8}" y="{y + 18 + 15 * i}" font-weight="bold">{escape(regel)}</text>'
                for i, regel in enumerate(naam)
            ),
            f'<text x="{x + 8}" y="{y + 52}" fill="#555">{escape(_kort(s.stap, TEKENS + 2))}</text>',
            f'<text x="{x + 8}" y="{y + 70}">open {s.open} · <tspan fill="{ROOD if s.te_laat else "#333"}">'
            f"te laat {s.te_laat}</tspan></text>",
            "</g>",
        ]
    delen.append("</svg>")
    return "\n".join(delen) + "\n"


def termijnen_svg(r: Rapport) -> str:
    """Deadline compliance per partner (completed steps in the period)."""
    rijen = [o for o in r.organisaties if o.op_tijd + o.te_laat]
    label, balk, rij_hoog = 260, 420, 30
    breedte = MARGE * 2 + label + balk + 220
    hoogte = MARGE * 2 + 50 + max(1, len(rijen)) * rij_hoog
    van, tot = r.filters.van, r.filters.tot
    delen = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{breedte}" height="{hoogte}" '
        f'viewBox="0 0 {breedte} {hoogte}" font-family="sans-serif" font-size="12">',
        _ACHTERGROND,
        f'<text x="{MARGE}" y="{MARGE}" font-size="16" font-weight="bold">Termijnen gehaald per partner, '
        f"{van:%d-%m-%Y} t/m {tot:%d-%m-%Y}</text>",
        f'<text x="{MARGE}" y="{MARGE + 20}" fill="#555">Afgeronde stappen: groen op tijd, rood te laat</text>',
    ]
    if not rijen:
        delen.append(f'<text x="{MARGE}" y="{MARGE + 60}">Geen afgeronde stappen in deze periode.</text>')
    for n, o in enumerate(rijen):
        y = MARGE + 40 + n * rij_hoog
        totaal = o.op_tijd + o.te_laat
        groen = round(balk * o.op_tijd / totaal)
        delen += [
            f'<g id="partner-{escape(o.organisatie)}" data-op-tijd="{o.op_tijd}" data-te-laat="{o.te_laat}">',
            f'<text x="{MARGE}" y="{y + 16}">{escape(_kort(o.naam, 40))}</text>',
            f'<rect x="{MARGE + label}" y="{y}" width="{groen}" height="20" fill="{GROEN}"/>',
            f'<rect x="{MARGE + label + groen}" y="{y}" width="{balk - groen}" height="20" fill="{ROOD}"/>',
            f'<text x="{MARGE + label + balk + 8}" y="{y + 15}">{procent(o.pct_op_tijd)} op tijd '
            f"({o.op_tijd}/{totaal})</text>",
            "</g>",
        ]
    delen.append("</svg>")
    return "\n".join(delen) + "\n"
