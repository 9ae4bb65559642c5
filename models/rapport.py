"""Figure maths for the managers' report: medians, percentiles and small-cell suppression. Pure, no I/O.

The report is about organisations and steps, never about a child; trends (wijk, age band, category per month)
could still point at a child when a cell is small, so those tables pass through :func:`onderdruk` first.

Suppression rule (docs/rapportage.md):

1. *Primary*: every count from 1 to 4 — a cell or a total — is shown as ``<5``. Zero stays ``0``.
2. *Secondary*: in every line (a row or a column, its total included) no suppressed value may be derivable
   from the published numbers of that line together with what the markers say (``<5`` = 1–4; ``x`` = 0 or at
   least 5). As long as one is, the smallest positive published count of that line is suppressed as well
   (shown ``x``); when the line has none left, its total is. The grand total is suppressed only as a last
   resort. This is checked per line; combining several lines (a linear-programming attack) is not modelled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

DREMPEL = 5
KLEIN = "<5"
GEHEIM = "x"
TOTAAL = "totaal"


def mediaan(waarden: Sequence[float]) -> float | None:
    """The usual median (mean of the two middle values for an even count); None for no values."""
    if not waarden:
        return None
    rij = sorted(waarden)
    midden = len(rij) // 2
    if len(rij) % 2:
        return float(rij[midden])
    return (rij[midden - 1] + rij[midden]) / 2


def percentiel(waarden: Sequence[int], p: int) -> int | None:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it.

    Chosen over interpolation because it is always one of the observed lead times (whole werkdagen) and a
    manager can check it by counting.
    """
    if not 0 < p <= 100:
        raise ValueError(f"p must be in 1..100, got {p}")
    if not waarden:
        return None
    rij = sorted(waarden)
    return rij[math.ceil(p * len(rij) / 100) - 1]


def percentage(deel: int, geheel: int) -> float | None:
    """Share in percent with one decimal; None when there is nothing to divide."""
    return None if geheel == 0 else round(100 * deel / geheel, 1)


class Onderdrukking(StrEnum):
    ZICHTBAAR = "zichtbaar"
    PRIMAIR = "primair"
    SECUNDAIR = "secundair"


def weergave(waarde: int, status: Onderdrukking) -> str:
    if status is Onderdrukking.PRIMAIR:
        return KLEIN
    if status is Onderdrukking.SECUNDAIR:
        return GEHEIM
    return str(waarde)


class Trendtabel(BaseModel):
    """A published table: only display strings, so a suppressed value cannot leak through an export."""

    titel: str
    dimensie: str
    rijen: list[str]
    kolommen: list[str]
    #: cellen[i][j]: row i, column j, as published ("12", "<5", "x", "0").
    cellen: list[list[str]]
    rijtotalen: list[str]
    kolomtotalen: list[str]
    totaal: str


Positie = tuple[int, int]  # (row, column); index len(rijen) / len(kolommen) is the margin


@dataclass(frozen=True)
class _Lijn:
    termen: tuple[Positie, ...]
    som: Positie


def _lijnen(n_rijen: int, n_kolommen: int) -> list[_Lijn]:
    tr, tk = n_rijen, n_kolommen
    lijnen = [_Lijn(tuple((i, j) for j in range(tk)), (i, tk)) for i in range(tr)]
    lijnen += [_Lijn(tuple((i, j) for i in range(tr)), (tr, j)) for j in range(tk)]
    lijnen.append(_Lijn(tuple((tr, j) for j in range(tk)), (tr, tk)))
    lijnen.append(_Lijn(tuple((i, tk) for i in range(tr)), (tr, tk)))
    return lijnen


def _domein(status: Onderdrukking, waarde: int, plafond: int) -> int:
    """What a reader knows about an item, as a bitmask over 0..plafond."""
    if status is Onderdrukking.ZICHTBAAR:
        return 1 << waarde
    if status is Onderdrukking.PRIMAIR:
        return sum(1 << v for v in range(1, DREMPEL))
    return 1 | (((1 << (plafond + 1)) - 1) >> DREMPEL << DREMPEL)


def _plus(sommen: int, status: Onderdrukking, waarde: int, plafond: int) -> int:
    """The sums reachable by adding one item (what a reader knows of it) to the sums in ``sommen``."""
    masker = (1 << (plafond + 1)) - 1
    if status is Onderdrukking.ZICHTBAAR:
        return (sommen << waarde) & masker
    if status is Onderdrukking.PRIMAIR:
        return sum(sommen << v for v in range(1, DREMPEL)) & masker
    if not sommen:
        return 0
    # 0, or anything from DREMPEL up: every sum from the smallest reachable one + DREMPEL up to the cap.
    laagste = (sommen & -sommen).bit_length() - 1
    return (sommen | (masker >> (laagste + DREMPEL) << (laagste + DREMPEL))) & masker


def _afleidbaar(
    lijn: _Lijn, waarden: Mapping[Positie, int], status: Mapping[Positie, Onderdrukking], plafond: int
) -> bool:
    """True when a suppressed item of this line has exactly one value consistent with the line's sum.

    ``plafond`` is the grand total: no count in the table exceeds it. Capping what a reader could believe only
    narrows the possibilities, so the check errs on the side of suppressing more.
    """
    items = (*lijn.termen, lijn.som)
    if all(status[p] is Onderdrukking.ZICHTBAAR for p in items):
        return False
    som = _domein(status[lijn.som], waarden[lijn.som], plafond)
    for doel in items:
        if status[doel] is Onderdrukking.ZICHTBAAR:
            continue
        andere = 1
        for p in lijn.termen:
            if p != doel:
                andere = _plus(andere, status[p], waarden[p], plafond)
        if doel == lijn.som:
            mogelijk = andere & som
        else:
            eigen = _domein(status[doel], waarden[doel], plafond)
            mogelijk = sum(1 << v for v in range(plafond + 1) if (eigen >> v) & 1 and (andere << v) & som)
        if mogelijk.bit_count() <= 1:
            return True
    return False


def onderdruk(
    titel: str,
    dimensie: str,
    rijen: Sequence[str],
    kolommen: Sequence[str],
    tellingen: Mapping[tuple[str, str], int],
) -> Trendtabel:
    """Apply primary and secondary suppression to a counts table with row, column and grand totals."""
    tr, tk = len(rijen), len(kolommen)
    waarden: dict[Positie, int] = {}
    for i, r in enumerate(rijen):
        for j, k in enumerate(kolommen):
            waarden[(i, j)] = tellingen.get((r, k), 0)
    for i in range(tr):
        waarden[(i, tk)] = sum(waarden[(i, j)] for j in range(tk))
    for j in range(tk):
        waarden[(tr, j)] = sum(waarden[(i, j)] for i in range(tr))
    waarden[(tr, tk)] = sum(waarden[(i, tk)] for i in range(tr))
    status = {p: Onderdrukking.PRIMAIR if 0 < v < DREMPEL else Onderdrukking.ZICHTBAAR for p, v in waarden.items()}
    lijnen = _lijnen(tr, tk)
    plafond = max(DREMPEL, waarden[(tr, tk)])
    veranderd = True
    while veranderd:
        veranderd = False
        for lijn in lijnen:
            if not _afleidbaar(lijn, waarden, status, plafond):
                continue
            kandidaten = sorted(
                (waarden[p], p) for p in lijn.termen if status[p] is Onderdrukking.ZICHTBAAR and waarden[p] > 0
            )
            if kandidaten:
                keuze = kandidaten[0][1]
            elif status[lijn.som] is Onderdrukking.ZICHTBAAR:
                keuze = lijn.som
            else:
                nullen = [p for p in lijn.termen if status[p] is Onderdrukking.ZICHTBAAR]
                if not nullen:
                    continue  # nothing left to hide in this line; its items are hidden by the other lines
                keuze = nullen[0]
            status[keuze] = Onderdrukking.SECUNDAIR
            veranderd = True
    return Trendtabel(
        titel=titel,
        dimensie=dimensie,
        rijen=list(rijen),
        kolommen=list(kolommen),
        cellen=[[weergave(waarden[(i, j)], status[(i, j)]) for j in range(tk)] for i in range(tr)],
        rijtotalen=[weergave(waarden[(i, tk)], status[(i, tk)]) for i in range(tr)],
        kolomtotalen=[weergave(waarden[(tr, j)], status[(tr, j)]) for j in range(tk)],
        totaal=weergave(waarden[(tr, tk)], status[(tr, tk)]),
    )
