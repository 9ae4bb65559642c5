"""Fictitious youths and signal documents: valid BSNs (11-proef) and names that are unique per youth.

Names matter for matching without a BSN (normalised name + birth date), and the normalisation keeps only
letters, so uniqueness is encoded in letters, not digits.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from models.signaal import elfproef

VOORNAMEN = (
    "Noor", "Daan", "Sem", "Lotte", "Fenna", "Milan", "Yara", "Luuk", "Tess", "Bram",
    "Saar", "Finn", "Lina", "Jesse", "Evi", "Ravi", "Amira", "Thijs", "Julia", "Mees",
)  # fmt: skip
ACHTERNAMEN = (
    "de Bank", "van Dijkhuis", "Verbeekx", "Hendriksma", "Tielemans", "Smeetsen", "van der Zandt",
    "Peetersma", "Janssenius", "Vullinghs", "Gielensma", "Coenenberg", "Hermansz", "Wijnhovenaar",
    "Linssenberg", "Kuijpersma", "Driessenaar", "Artsema", "Custersma", "Willemsz",
)  # fmt: skip
MELDERS = (
    "school.zorgcoordinator",
    "jgz.jeugdverpleegkundige",
    "kinderopvang.aandachtsfunctionaris",
    "wijkteam.casusregisseur",
    "veilig_thuis.medewerker",
    "halt.medewerker",
)
CATEGORIEEN = ("ontwikkeling", "verzuim", "gezondheid", "veiligheid_thuis", "gelijke_kansen", "veiligheid_openbaar")


def bsns(voorvoegsel: str = "999") -> Iterator[str]:
    """Distinct BSNs passing the 11-proef, in the fictitious 999… range the demo uses (≈90,000 of them)."""
    vrij = 8 - len(voorvoegsel)
    for i in range(10**vrij):
        begin = f"{voorvoegsel}{i:0{vrij}d}"
        som = sum(int(c) * w for c, w in zip(begin, range(9, 1, -1), strict=True))
        controle = som % 11
        if controle < 10:
            bsn = begin + str(controle)
            assert elfproef(bsn)
            yield bsn


def letters(i: int, lengte: int = 4) -> str:
    """``i`` written in base 26 with letters a–z: a name suffix that survives name normalisation."""
    tekst = ""
    for _ in range(lengte):
        i, rest = divmod(i, 26)
        tekst = string.ascii_lowercase[rest] + tekst
    return tekst


@dataclass(frozen=True)
class Jeugd:
    """One fictitious youth; ``nummer`` makes name + birth date unique."""

    nummer: int
    bsn: str
    voornamen: str
    achternaam: str
    geboortedatum: date

    @classmethod
    def maak(cls, nummer: int, bsn: str, peildatum: date) -> Jeugd:
        # Surname carries a letter code unique per youth; birth dates spread over ages 4–17 at the peildatum.
        leeftijd_dagen = 4 * 365 + (nummer * 7919) % (13 * 365)
        return cls(
            nummer=nummer,
            bsn=bsn,
            voornamen=VOORNAMEN[nummer % len(VOORNAMEN)],
            achternaam=f"{ACHTERNAMEN[(nummer // len(VOORNAMEN)) % len(ACHTERNAMEN)]}-{letters(nummer).capitalize()}",
            geboortedatum=peildatum - timedelta(days=leeftijd_dagen),
        )


def signaal_document(
    jeugd: Jeugd,
    rol: str,
    sleutel: str,
    *,
    met_bsn: bool = True,
    acuut: bool = False,
    categorieen: tuple[str, ...] = ("ontwikkeling", "verzuim"),
    zorg: str = "Verzuimt vaak op maandag; oogt vermoeid.",
) -> dict[str, Any]:
    """The JSON document `aanpak signaal registreer` accepts, for a fictitious youth and reporter."""
    jeugdige: dict[str, Any] = {
        "voornamen": jeugd.voornamen,
        "achternaam": jeugd.achternaam,
        "geboortedatum": jeugd.geboortedatum.isoformat(),
        "adres": {"straat": "Benchmarkstraat", "huisnummer": str(jeugd.nummer), "postcode": "5911 AA"},
        "wijk": f"venlo-{('noord', 'oost', 'zuid', 'west')[jeugd.nummer % 4]}",
    }
    if met_bsn:
        jeugdige["bsn"] = jeugd.bsn
    organisatie = rol.split(".", 1)[0].replace("_", "-")
    return {
        "melder": {"rol": rol, "naam": "Mw. B. Benchmark", "email": f"melder@{organisatie}.example"},
        "jeugdige": jeugdige,
        "categorieen": list(categorieen),
        "acuut": acuut,
        "zorg": zorg,
        "idempotentie_sleutel": sleutel,
    }
