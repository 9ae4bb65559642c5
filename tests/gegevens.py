"""Fictitious signals for tests. The SENTINELS are personal data that must never show up outside the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aanpak.omgeving import Omgeving
from aanpak.usecases.besluit import BesluitIn, BesluitToegepast, neem_besluit, pas_besluit_toe
from aanpak.usecases.signaal import SignaalGeregistreerd, SignaalVerwerkt, registreer_signaal, verwerk_signaal
from models.actor import Actor
from models.signaal import SignaalIn, lees_signaal

#: The organisation a role acts for in tests when none is named: the first of its type in the default
#: register (``school-de-wissel`` for school roles; every other type has one organisation).
STANDAARD_ORGANISATIE = {
    "school": "school-de-wissel",
    "kinderopvang": "kinderopvang-de-vlinder",
    "jgz": "jgz-limburg-noord",
    "wijkteam": "wijkteam-venlo",
    "gemeente": "gemeente-venlo",
    "veilig_thuis": "veilig-thuis-limburg-noord",
    "halt": "halt-zuid-nederland",
    "politie": "politie-limburg",
    "om": "om-limburg",
    "leerplicht": "leerplicht-venlo",
    "zvhnl": "zvhnl",
}


def als(rol: str, persoon: str = "test.gebruiker", organisatie: str | None = None) -> Actor:
    """An actor for a role: at ``organisatie``, else the default organisation of the role's type."""
    return Actor(persoon, organisatie or STANDAARD_ORGANISATIE.get(rol.split(".", 1)[0], "onbekend"), rol)


def registreer(omg: Omgeving, invoer: SignaalIn, organisatie: str | None = None) -> SignaalGeregistreerd:
    """Register a signal as its melder (the document's role, at its default or the named organisation)."""
    return registreer_signaal(omg, invoer, als(invoer.melder.rol, "melder", organisatie))


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


def signaleer(omg: Omgeving, organisatie: str | None = None, **kwargs: Any) -> SignaalVerwerkt:
    geregistreerd = registreer(omg, lees_signaal(signaal_document(**kwargs)), organisatie)
    return verwerk_signaal(omg, geregistreerd.signaal_ref)


def besluit(omg: Omgeving, casus_ref: str, stap: str, uitkomst: str, rol: str, **kwargs: Any) -> BesluitToegepast:
    """Decide and apply; ``als_organisatie=`` names the deciding role's organisation (else its default)."""
    organisatie = kwargs.pop("als_organisatie", None)
    genomen = neem_besluit(
        omg,
        BesluitIn(casus_ref=casus_ref, stap=stap, uitkomst=uitkomst, **kwargs),
        als(rol, organisatie=organisatie),
    )
    return pas_besluit_toe(omg, genomen.besluit_ref)


def register_met_een_school(map: Path) -> Path:
    """The default register without its second school: one organisation per type, so the CLI's default
    organisation applies (tests/test_organisaties.py covers the register with two schools)."""
    import yaml

    from aanpak.config import STANDAARD_ORGANISATIES

    register = yaml.safe_load(STANDAARD_ORGANISATIES.read_text(encoding="utf-8"))
    register["organisaties"] = [o for o in register["organisaties"] if o["key"] != "school-het-baken"]
    pad = map / "organisaties.yaml"
    pad.write_text(yaml.safe_dump(register, allow_unicode=True), encoding="utf-8")
    return pad
