"""Timing helpers and the report: one result per benchmark, printed and collected into a Markdown table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Resultaat:
    """One benchmark: our time against the baseline's, measured in the same run."""

    naam: str
    omvang: str
    ons: str
    basislijn: str
    ons_s: float
    basis_s: float
    #: How the two times were obtained ("mediaan van 5 na opwarmen", ...).
    metingen: str
    #: Extra lines for the console and the notes under the table (per-unit numbers, breakdowns).
    details: tuple[str, ...] = field(default=())

    @property
    def verhouding(self) -> float:
        return self.ons_s / self.basis_s if self.basis_s > 0 else float("inf")


def mediaan_tijd(functie: Callable[[], object], herhalingen: int, *, opwarmen: bool = True) -> float:
    """Median wall time of ``functie`` in seconds over ``herhalingen`` runs, after one untimed warm-up run."""
    if opwarmen:
        functie()
    tijden: list[float] = []
    for _ in range(herhalingen):
        begin = time.perf_counter()
        functie()
        tijden.append(time.perf_counter() - begin)
    return statistics.median(tijden)


def duur(seconden: float) -> str:
    """A duration with a unit that keeps three significant digits readable."""
    if seconden >= 1:
        return f"{seconden:.2f} s"
    if seconden >= 1e-3:
        return f"{seconden * 1e3:.1f} ms"
    return f"{seconden * 1e6:.1f} µs"


def getal(n: int) -> str:
    """Dutch thousands separator: 10.000."""
    return f"{n:,}".replace(",", ".")


def toon(r: Resultaat) -> None:
    """Print one benchmark as soon as it is done: name, our time, baseline, ratio and sizes."""
    print(f"\n== {r.naam} ({r.omvang})")
    print(f"   ons        {duur(r.ons_s):>10}   {r.ons}")
    print(f"   basislijn  {duur(r.basis_s):>10}   {r.basislijn}")
    print(f"   verhouding {_verhouding(r.verhouding):>10}   ({r.metingen})")
    for regel in r.details:
        print(f"   · {regel}")


def markdown(resultaten: list[Resultaat], kop: list[str]) -> str:
    """The table for the README: one row per benchmark, then the details as notes."""
    regels = [*kop, ""]
    regels.append("| Benchmark | Omvang | Ons | Basislijn | Verhouding |")
    regels.append("|---|---|--:|--:|--:|")
    for r in resultaten:
        regels.append(f"| {r.naam} | {r.omvang} | {duur(r.ons_s)} | {duur(r.basis_s)} | {_verhouding(r.verhouding)} |")
    regels.append("")
    for r in resultaten:
        regels.append(f"- **{r.naam}** — ons: {r.ons}; basislijn: {r.basislijn}; {r.metingen}.")
        regels.extend(f"  - {d}" for d in r.details)
    return "\n".join(regels) + "\n"


def _verhouding(v: float) -> str:
    return f"{v:,.0f}×" if v >= 100 else f"{v:.1f}×"
