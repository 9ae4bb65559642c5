"""Fictitious signals for tests. The SENTINELS are personal data that must never show up outside the store."""

from __future__ import annotations

from typing import Any

from aanpak.omgeving import Omgeving
from aanpak.usecases.besluit import BesluitIn, BesluitToegepast, neem_besluit, pas_besluit_toe
from aanpak.usecases.signaal import SignaalVerwerkt, registreer_signaal, verwerk_signaal
from models.signaal import lees_signaal

SENTINEL_NAAM = "Zwaantje Xylofoonstra"
SENTINEL_BSN = "111222333"  # passes the 11-proef
SENTINEL_GEBOORTEDATUM = "2014-03-17"
SENTINEL_ADRES = "Kwartelpad 717"
SENTINEL_ZORG = "Sentinelzorg: kwetsbaar-kwartel-717 slaapt slecht"
SENTINELS = ["Zwaantje", "Xylofoonstra", SENTINEL_BSN, SENTINEL_GEBOORTEDATUM, "Kwartelpad", "kwartel-717"]


def signaal_document(
    rol: str = "school.zorgcoordinator",
    *,
    bsn: str | None = SENTINEL_BSN,
    voornamen: str = "Zwaantje",
    achternaam: str = "Xylofoonstra",
    geboortedatum: str = SENTINEL_GEBOORTEDATUM,
    acuut: bool = False,
    sleutel: str | None = None,
    categorieen: list[str] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "melder": {
            "rol": rol,
            "naam": "Mw. P. Melder",
            "telefoon": "077-0000000",
            "email": "melder@school.example",
        },
        "jeugdige": {
            "voornamen": voornamen,
            "achternaam": achternaam,
            "geboortedatum": geboortedatum,
            "adres": {"straat": "Kwartelpad", "huisnummer": "717", "postcode": "5911 AA", "plaats": "Venlo"},
            "wijk": "venlo-oost",
        },
        "categorieen": categorieen or ["ontwikkeling", "verzuim"],
        "acuut": acuut,
        "zorg": SENTINEL_ZORG,
    }
    if bsn is not None:
        doc["jeugdige"]["bsn"] = bsn
    if sleutel is not None:
        doc["idempotentie_sleutel"] = sleutel
    return doc


def signaleer(omg: Omgeving, **kwargs: Any) -> SignaalVerwerkt:
    geregistreerd = registreer_signaal(omg, lees_signaal(signaal_document(**kwargs)))
    return verwerk_signaal(omg, geregistreerd.signaal_ref)


def besluit(omg: Omgeving, casus_ref: str, stap: str, uitkomst: str, rol: str, **kwargs: Any) -> BesluitToegepast:
    genomen = neem_besluit(
        omg,
        BesluitIn(casus_ref=casus_ref, stap=stap, uitkomst=uitkomst, actor="test.gebruiker", actor_rol=rol, **kwargs),
    )
    return pas_besluit_toe(omg, genomen.besluit_ref)
