"""(c) werkdagen: ``Werkdagkalender.plus_werkdagen`` (Atw working days) against plain ``date + timedelta``.

Both loops walk the same precomputed list of (start date, number of days): start dates spread over 2025–2030
(so holidays of several years are involved), 0–60 days. The calendar is the one of the default werkproces
definition, warmed up once, so its per-year holiday tables are built before timing.
"""

from __future__ import annotations

from datetime import date, timedelta

from aanpak.config import STANDAARD_WERKPROCES
from bench.meting import Resultaat, duur, getal, mediaan_tijd
from models.casus import kalender_voor
from models.werkproces import laad_bestand


def paren(aantal: int) -> list[tuple[date, int]]:
    begin = date(2025, 1, 1)
    return [(begin + timedelta(days=(i * 7919) % (6 * 365)), (i * 31) % 61) for i in range(aantal)]


def meet(aantal: int, herhalingen: int) -> Resultaat:
    wp, _ = laad_bestand(STANDAARD_WERKPROCES)
    kalender = kalender_voor(wp)
    invoer = paren(aantal)

    def ons() -> None:
        for d, n in invoer:
            _ = kalender.plus_werkdagen(d, n)

    def basis() -> None:
        for d, n in invoer:
            _ = d + timedelta(days=n)

    ons_s = mediaan_tijd(ons, herhalingen)
    basis_s = mediaan_tijd(basis, herhalingen)
    return Resultaat(
        naam="werkdagen",
        omvang=f"{getal(aantal)} aanroepen",
        ons="Werkdagkalender.plus_werkdagen(d, n), Atw-feestdagen 2025–2031",
        basislijn="d + timedelta(days=n)",
        ons_s=ons_s,
        basis_s=basis_s,
        metingen=f"mediaan van {herhalingen} na opwarmen",
        details=(f"per aanroep: ons {duur(ons_s / aantal)}, basislijn {duur(basis_s / aantal)}",),
    )
