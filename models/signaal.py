"""A signal as it arrives at the boundary: validated before anything is written.

Every error names the field and the reason and never echoes the value (it may be personal data).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from models.fouten import invoerfout_uit


class Categorie(StrEnum):
    """Category flags of a signal (domain step 1)."""

    VEILIGHEID_THUIS = "veiligheid_thuis"
    VEILIGHEID_OPENBAAR = "veiligheid_openbaar"
    VERZUIM = "verzuim"
    GEZONDHEID = "gezondheid"
    ONTWIKKELING = "ontwikkeling"
    GELIJKE_KANSEN = "gelijke_kansen"


def elfproef(bsn: str) -> bool:
    """The BSN 11-proef: 9 digits, weights 9..2 and -1, sum divisible by 11 (and not all zeros)."""
    if not re.fullmatch(r"\d{9}", bsn) or bsn == "000000000":
        return False
    som = sum(int(c) * w for c, w in zip(bsn[:8], range(9, 1, -1), strict=True)) - int(bsn[8])
    return som % 11 == 0


#: Letters that NFKD does not decompose into ASCII; without this they would vanish from the name key.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
    }
)


def normaliseer_naam(naam: str) -> str:
    """Name key for matching without a BSN: accents, case, punctuation and spacing do not matter."""
    zonder_accent = unicodedata.normalize("NFKD", naam.translate(_LETTERS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", zonder_accent.lower())


class _Invoer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Adres(_Invoer):
    straat: str = Field(default="", max_length=200)
    huisnummer: str = Field(default="", max_length=20)
    postcode: str = Field(default="", max_length=10)
    plaats: str = Field(default="", max_length=100)


class Jeugdige(_Invoer):
    """Identity of the child or youth. Stored only encrypted; never leaves the case store."""

    bsn: str | None = None
    voornamen: Annotated[str, Field(min_length=1, max_length=200)]
    tussenvoegsel: str = Field(default="", max_length=40)
    achternaam: Annotated[str, Field(min_length=1, max_length=200)]
    geboortedatum: date
    adres: Adres | None = None
    #: Wijk (neighbourhood) code for trend figures; not identifying on its own.
    wijk: str | None = Field(default=None, max_length=60)

    @field_validator("bsn")
    @classmethod
    def _bsn(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        v = v.replace(" ", "").replace(".", "")
        if not elfproef(v):
            raise PydanticCustomError("invoer", "geen geldig BSN (9 cijfers die aan de elfproef voldoen)")
        return v

    def naam_sleutel(self) -> str:
        return f"{normaliseer_naam(self.voornamen)}|{normaliseer_naam(self.tussenvoegsel + self.achternaam)}"

    def leeftijd_op(self, dag: date) -> int:
        g = self.geboortedatum
        return dag.year - g.year - ((dag.month, dag.day) < (g.month, g.day))


class Melder(_Invoer):
    """The professional who signals: role in the convenant plus contact details for a match message."""

    rol: Annotated[str, Field(min_length=1, max_length=64)]
    naam: Annotated[str, Field(min_length=1, max_length=200)]
    telefoon: str | None = Field(default=None, max_length=40)
    email: EmailStr | None = None


class SignaalIn(_Invoer):
    """The JSON document `aanpak signaal registreer` accepts (see README for the schema)."""

    melder: Melder
    jeugdige: Jeugdige
    categorieen: list[Categorie] = Field(min_length=1)
    acuut: bool = False
    #: Objective description of the concern (meldcode stap 1). Personal data: encrypted at rest.
    zorg: Annotated[str, Field(min_length=1, max_length=10_000)]
    #: Same key twice registers the signal once (e.g. a retried upload).
    idempotentie_sleutel: str | None = Field(default=None, min_length=8, max_length=128)


def lees_signaal(data: object) -> SignaalIn:
    """Validate raw input; raise InvoerFout with one (field, reason) per problem, values never echoed."""
    try:
        return SignaalIn.model_validate(data)
    except ValidationError as exc:
        raise invoerfout_uit(exc) from None


def controleer_leeftijd(jeugdige: Jeugdige, dag: date, minimum: int, maximum: int) -> list[tuple[str, str]]:
    """Birth date not in the future and within the convenant's age range on the day of the signal."""
    if jeugdige.geboortedatum > dag:
        return [("jeugdige.geboortedatum", "ligt in de toekomst")]
    leeftijd = jeugdige.leeftijd_op(dag)
    if not minimum <= leeftijd <= maximum:
        return [("jeugdige.geboortedatum", f"leeftijd valt buiten het convenant ({minimum}-{maximum} jaar)")]
    return []


def leeftijdsgroep(leeftijd: int) -> str:
    """Age band kept for trend figures (no birth date outside the encrypted identity)."""
    for grens, naam in ((3, "0-3"), (11, "4-11"), (15, "12-15"), (17, "16-17")):
        if leeftijd <= grens:
            return naam
    return "18+"
