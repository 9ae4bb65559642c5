"""A signal as it arrives at the boundary: validated before anything is written.

Every error names the field and the reason and never echoes the value (it may be personal data).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from models.fouten import InvoerFout, invoerfout_uit
from models.invoer import ONBEKEND_VELD, tekstfout

#: Longest field path and reason shown in a message (a path never holds a submitted key; see lees_signaal).
MAX_MELDING = 200


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
    if not re.fullmatch(r"[0-9]{9}", bsn) or bsn == "000000000":  # [0-9], not \d: no Arabic-Indic digits
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


def _eenregelig(v: str) -> str:
    if (reden := tekstfout(v)) is not None:
        raise PydanticCustomError("invoer", reden)
    return v


def _meerregelig(v: str) -> str:
    if (reden := tekstfout(v, meerregelig=True)) is not None:
        raise PydanticCustomError("invoer", reden)
    return v


def _met_letter(v: str) -> str:
    """A name without any letter has an empty matching key and would match every other such name."""
    if not any(c.isalpha() for c in v):
        raise PydanticCustomError("invoer", "bevat geen letter")
    return v


def _iso_datum(v: object) -> object:
    """Only a JSON string JJJJ-MM-DD: no number (Unix time), no timestamp, no other digits than 0-9."""
    if isinstance(v, date):
        return v
    if not isinstance(v, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v.strip()):
        raise PydanticCustomError("invoer", "geen geldige datum (JJJJ-MM-DD)")
    try:
        return date.fromisoformat(v.strip())
    except ValueError:
        raise PydanticCustomError("invoer", "geen geldige datum (JJJJ-MM-DD)") from None


#: One line of text (names, address parts, contact details): no control or format characters.
Regel = Annotated[str, AfterValidator(_eenregelig)]
Naam = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_eenregelig), AfterValidator(_met_letter)]
Datum = Annotated[date, BeforeValidator(_iso_datum)]


class _Invoer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Adres(_Invoer):
    straat: Regel = Field(default="", max_length=200)
    huisnummer: Regel = Field(default="", max_length=20)
    postcode: Regel = Field(default="", max_length=10)
    plaats: Regel = Field(default="", max_length=100)


class Jeugdige(_Invoer):
    """Identity of the child or youth. Stored only encrypted; never leaves the case store."""

    bsn: str | None = Field(default=None, max_length=20)
    voornamen: Naam
    tussenvoegsel: Regel = Field(default="", max_length=40)
    achternaam: Naam
    geboortedatum: Datum
    adres: Adres | None = None
    #: Wijk (neighbourhood) code for trend figures; stored unencrypted, so a key, never free text.
    wijk: str | None = Field(default=None, max_length=60, pattern=r"^[a-z0-9][a-z0-9_-]*$")

    @field_validator("bsn")
    @classmethod
    def _bsn(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        v = v.replace(" ", "").replace(".", "")
        if not v.isascii():  # full-width or Arabic-Indic digits would hash differently: a second case
            raise PydanticCustomError("invoer", "alleen de cijfers 0-9 (geen andere tekens)")
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
    naam: Naam
    telefoon: Regel | None = Field(default=None, max_length=40)
    email: EmailStr | None = None


class SignaalIn(_Invoer):
    """The JSON document `aanpak signaal registreer` accepts (see README for the schema)."""

    melder: Melder
    jeugdige: Jeugdige
    categorieen: list[Categorie] = Field(min_length=1)
    acuut: StrictBool = False
    #: Objective description of the concern (meldcode stap 1). Personal data: encrypted at rest.
    zorg: Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_meerregelig)]
    #: Same key twice registers the signal once (e.g. a retried upload).
    idempotentie_sleutel: str | None = Field(
        default=None, min_length=8, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"
    )


def veldnamen() -> frozenset[str]:
    """Every key of the signal document's schema: the only keys a message may name."""
    namen: set[str] = set()
    for model in (SignaalIn, Melder, Jeugdige, Adres):
        namen.update(model.model_fields)
    return frozenset(namen)


#: Reasons whose pydantic text we trust not to quote the input; anything else gets a fixed Dutch reason.
_EIGEN = frozenset({"invoer", "enum"})


def lees_signaal(data: object) -> SignaalIn:
    """Validate raw input; raise InvoerFout with one (field, reason) per problem, values never echoed.

    An unknown key shows as ``<onbekend veld>`` (its text may be a name or a megabyte of junk), paths and
    reasons are truncated, and a role's text is never repeated."""
    try:
        return SignaalIn.model_validate(data)
    except ValidationError as exc:
        algemeen = invoerfout_uit(exc)
        fouten: list[tuple[str, str]] = []
        for (pad, reden), fout in zip(algemeen.fouten, exc.errors(include_input=False), strict=True):
            delen: list[Any] = list(fout["loc"])
            if fout["type"] == "extra_forbidden" and delen:
                delen[-1] = ONBEKEND_VELD
                pad = ".".join(str(d) for d in delen)
            if fout["type"] not in _EIGEN and reden == str(fout["msg"]):
                reden = "ongeldige waarde"  # an untranslated library text might quote the value
            item = (pad[:MAX_MELDING], reden[:MAX_MELDING])
            if item not in fouten:
                fouten.append(item)
        raise InvoerFout(fouten) from None


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
