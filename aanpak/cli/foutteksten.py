"""How a refusal names its field and its reason on the terminal — shared by the local CLI and its client mode.

Pure text (rich markup escaped): no database, no Prefect, so ``aanpak.klant`` can print a server's problem
details exactly as the local CLI prints the same refusal. A quoted value longer than a reference or a key
(``'…'``) is not printed back at all.
"""

from __future__ import annotations

import re

from aanpak.cli.weergave import toonbaar

#: Field names in messages as the coordinator typed them (options), not as the use case calls them.
OPTIES = {
    "actor_rol": "--als",
    "actor_organisatie": "--organisatie",
    "casusregie_organisatie": "--casusregie-organisatie",
    "procesregie_organisatie": "--procesregie-organisatie",
    "eigenaar_organisatie": "--eigenaar-organisatie",
    "actor": "--door",
    "ave_fase": "--ave",
    "verwachte_versie": "--versie",
    "toelichting": "--toelichting",
    "casusregie": "--casusregie",
    "procesregie": "--procesregie",
    "gegeven_door": "--gegeven-door",
    "geldig_tot": "--tot",
    "doel": "--doel",
    "idempotentie_sleutel": "--sleutel",
    "regie_voorstel": "--regie-voorstel",
    "regie_reden": "--reden",
}

#: A quoted value longer than any reference or key is not repeated (an unknown reference of 20 KB …).
_LANG_CITAAT = re.compile(r"'[^']{41,}'")
MAX_VELD = 80
MAX_REDEN = 300


def veld_tekst(veld: str | None, *, document: bool = False, opties: dict[str, str] | None = None) -> str:
    """A field as the coordinator knows it: an option (``--ave``) or, in a document, its path."""
    naam = (veld or "") if document else (opties or OPTIES).get(veld or "", veld or "")
    return toonbaar(naam, MAX_VELD)


def reden_tekst(tekst: str) -> str:
    return toonbaar(_LANG_CITAAT.sub("'…'", tekst), MAX_REDEN)
