"""The register of the convenant's concrete partner organisations, apart from the versioned werkproces.

The werkproces names organisation TYPES (``school``, ``jgz``); the convenant has forty schools, several
kinderopvang, one JGZ. A school that joins is added to this register without a new werkproces version and
without a release, so the register is its own file, validated at load against the werkproces in force: every
``type`` must be one of its organisation keys. Cases refer to organisations by key only.

Identifiers are checked for form (OIN 20 digits, KvK 8 digits, BRIN 2 digits + 2 letters, AGB 8 digits) and
must be unique across the register, so two entries can never claim the same school.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.fouten import DefinitieFout
from models.werkproces import Werkproces, _pydantic_pad

OrganisatieSleutel = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]

#: Public identifiers and their form; the key is the field name in the register.
IDENTIFICATIES: dict[str, tuple[re.Pattern[str], str]] = {
    "oin": (re.compile(r"\d{20}"), "een OIN bestaat uit 20 cijfers"),
    "kvk": (re.compile(r"\d{8}"), "een KvK-nummer bestaat uit 8 cijfers"),
    "brin": (re.compile(r"\d{2}[A-Z]{2}"), "een BRIN bestaat uit 2 cijfers en 2 hoofdletters"),
    "agb": (re.compile(r"\d{8}"), "een AGB-code bestaat uit 8 cijfers"),
}
_KANAAL = re.compile(r"^[a-z][a-z0-9+.-]*://\S*$")


class PartnerOrganisatie(BaseModel):
    """One concrete partner (``school-de-wissel``), of one werkproces organisation type (``school``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: OrganisatieSleutel
    naam: str = Field(min_length=1, max_length=200)
    #: The werkproces organisation key this partner is one of.
    type: str = Field(min_length=1, max_length=64)
    oin: str | None = None
    kvk: str | None = None
    brin: str | None = None
    agb: str | None = None
    #: apprise URLs for this organisation's notifications (``${GEHEIM}`` for secrets); empty: the
    #: channel configuration's tags decide (tag = organisation key), else the local mailbox.
    kanalen: list[str] = Field(default_factory=list)


class Organisatieregister(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organisaties: list[PartnerOrganisatie] = Field(min_length=1)

    def heeft(self, key: str) -> bool:
        return any(o.key == key for o in self.organisaties)

    def organisatie(self, key: str) -> PartnerOrganisatie:
        for o in self.organisaties:
            if o.key == key:
                return o
        raise KeyError(key)

    def van_type(self, type_: str) -> list[str]:
        """The keys of the concrete organisations of one werkproces organisation type, in register order."""
        return [o.key for o in self.organisaties if o.type == type_]

    def type_van(self, key: str) -> str | None:
        return next((o.type for o in self.organisaties if o.key == key), None)


def problemen(register: Organisatieregister, wp: Werkproces) -> list[tuple[str, str]]:
    """Checks beyond the schema: unique keys, known types, well-formed and unique identifiers, channels."""
    fouten: list[tuple[str, str]] = []
    typen = {o.key for o in wp.organisaties}
    gezien_key: dict[str, int] = {}
    gezien_id: dict[tuple[str, str], int] = {}
    for i, o in enumerate(register.organisaties):
        pad = f"organisaties[{i}]"
        if o.key in gezien_key:
            fouten.append((f"{pad}.key", f"dubbele sleutel '{o.key}' (ook organisaties[{gezien_key[o.key]}])"))
        else:
            gezien_key[o.key] = i
        if o.type not in typen:
            fouten.append((f"{pad}.type", f"onbekend organisatietype '{o.type}' in werkproces {wp.versie}"))
        for veld, (patroon, reden) in IDENTIFICATIES.items():
            waarde = getattr(o, veld)
            if waarde is None:
                continue
            if not patroon.fullmatch(waarde):
                fouten.append((f"{pad}.{veld}", reden))
            elif (veld, waarde) in gezien_id:
                fouten.append((f"{pad}.{veld}", f"dubbel: ook bij organisaties[{gezien_id[(veld, waarde)]}]"))
            else:
                gezien_id[(veld, waarde)] = i
        for j, kanaal in enumerate(o.kanalen):
            if not _KANAAL.fullmatch(kanaal):
                fouten.append((f"{pad}.kanalen[{j}]", "geen apprise-URL (schema://…)"))
    return fouten


def laad_tekst(tekst: str, bron: str, wp: Werkproces) -> Organisatieregister:
    """Parse and validate a register; a broken one raises DefinitieFout naming file, path and problem."""
    try:
        data: Any = yaml.safe_load(tekst)
    except yaml.YAMLError:
        raise DefinitieFout(bron, [("(yaml)", "geen geldige YAML")]) from None
    if not isinstance(data, dict):
        raise DefinitieFout(bron, [("(root)", "verwacht een mapping met organisaties:")])
    try:
        register = Organisatieregister.model_validate(data)
    except ValidationError as exc:
        raise DefinitieFout(bron, [(_pydantic_pad(e["loc"]), e["msg"]) for e in exc.errors()]) from None
    gevonden = problemen(register, wp)
    if gevonden:
        raise DefinitieFout(bron, gevonden)
    return register


def laad_bestand(pad: Path, wp: Werkproces) -> Organisatieregister:
    try:
        tekst = pad.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitieFout(str(pad), [("(bestand)", f"kan niet gelezen worden ({exc.strerror})")]) from None
    return laad_tekst(tekst, str(pad), wp)
