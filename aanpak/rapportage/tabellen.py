"""The report's sections as plain tables (Dutch headers), shared by the CLI, CSV, markdown and Prefect artifacts.

Each section keeps raw values (for CSV and JSON) and formats them once for people (``tekst``), so the five
outputs can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from aanpak.usecases.rapport import Rapport
from models.rapport import TOTAAL, Trendtabel

Waarde = str | int | float | None


@dataclass(frozen=True)
class Sectie:
    sleutel: str
    titel: str
    kolommen: list[str]
    rijen: list[list[Waarde]]


def tekst(waarde: Waarde) -> str:
    """Dutch notation: decimal comma, a dash for "no figure"."""
    if waarde is None:
        return "–"
    if isinstance(waarde, float):
        return f"{waarde:.1f}".replace(".", ",")
    return str(waarde)


def procent(waarde: float | None) -> str:
    return "–" if waarde is None else f"{tekst(waarde)}%"


def escalaties(per_niveau: dict[int, int]) -> str:
    return " · ".join(f"niveau {n}: {a}" for n, a in sorted(per_niveau.items())) or "–"


def secties(r: Rapport) -> list[Sectie]:
    uit = [
        Sectie(
            "termijnen-per-partner",
            "Termijnen per partner",
            ["Partner", "Naam", "Op tijd", "Te laat", "% op tijd", "Open nu", "Te laat nu"],
            [
                [o.organisatie, o.naam, o.op_tijd, o.te_laat, o.pct_op_tijd, o.open_nu, o.te_laat_nu]
                for o in r.organisaties
            ],
        ),
        Sectie(
            "termijnen-per-partner-en-stap",
            "Termijnen per partner en stap",
            [
                "Partner",
                "Stap",
                "Op tijd",
                "Te laat",
                "% op tijd",
                "Mediaan doorlooptijd (werkdagen)",
                "P90 doorlooptijd (werkdagen)",
                "Open nu",
                "Te laat nu",
                "Escalaties",
            ],
            [
                [
                    p.organisatie,
                    p.stap,
                    p.op_tijd,
                    p.te_laat,
                    p.pct_op_tijd,
                    p.mediaan_werkdagen,
                    p.p90_werkdagen,
                    p.open_nu,
                    p.te_laat_nu,
                    escalaties(p.escalaties),
                ]
                for p in r.prestaties
            ],
        ),
        Sectie(
            "warme-overdracht",
            "Warme overdracht per ontvangende partner",
            [
                "Partner",
                "Aangeboden",
                "Geaccepteerd",
                "Op tijd",
                "Te laat",
                "% op tijd",
                "Mediaan acceptatietijd (werkdagen)",
                "P90 acceptatietijd (werkdagen)",
                "Open nu",
                "Te laat nu",
                "Escalaties",
            ],
            [
                [
                    o.organisatie,
                    o.aangeboden,
                    o.geaccepteerd,
                    o.op_tijd,
                    o.te_laat,
                    o.pct_op_tijd,
                    o.mediaan_werkdagen,
                    o.p90_werkdagen,
                    o.open_nu,
                    o.te_laat_nu,
                    escalaties(o.escalaties),
                ]
                for o in r.overdrachten
            ],
        ),
        Sectie(
            "open-per-stap",
            "Open werk per stap (nu)",
            ["Stap", "Naam", "Open", "Te laat"],
            [[s.stap, s.stapnaam, s.open, s.te_laat] for s in r.open_per_stap],
        ),
        Sectie(
            "open-per-ave",
            "Open casussen per AVE-fase (nu)",
            ["AVE", "Fase", "Open"],
            [[a.niveau, a.naam, a.open] for a in r.open_per_ave],
        ),
    ]
    uit += [trendsectie(t) for t in r.trends]
    return uit


def trendsectie(t: Trendtabel) -> Sectie:
    """A suppressed trend table with its totals as the last column and row (published strings only)."""
    rijen: list[list[Waarde]] = [
        [rij, *cellen, totaal] for rij, cellen, totaal in zip(t.rijen, t.cellen, t.rijtotalen, strict=True)
    ]
    # A signal may carry several categories: there the totals count mentions, not signals — and say so.
    totaal = "Totaal vermeldingen" if t.dimensie == "categorie" else TOTAAL.capitalize()
    rijen.append([totaal, *t.kolomtotalen, t.totaal])
    titel = f"{t.titel} (een signaal kan meer categorieën hebben: totalen tellen vermeldingen, geen signalen)"
    return Sectie(
        f"trend-{t.dimensie}",
        titel if t.dimensie == "categorie" else t.titel,
        [t.dimensie.capitalize(), *t.kolommen, totaal],
        rijen,
    )
