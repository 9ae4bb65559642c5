"""The werkproces as data: a versioned, validated definition of steps, roles, terms and escalation.

The municipality changes terms, partners and steps without a release, so everything a coordinator or manager
would call "the agreement" lives in a YAML file validated here. A running case keeps the version it started
with (the store keeps a snapshot of every version used).

Owner and recipient tokens: besides a role key (``wijkteam.casusregisseur``) a step may name a role relative to
the case: ``casusregie`` and ``procesregie`` (whoever holds that regie now), ``eigenaar`` (the step's owner),
``leidinggevende`` (the lead role of the owner's organisation) and ``melders`` (every role that signalled).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from models.fouten import DefinitieFout
from models.kalender import TermijnEenheid
from models.signaal import Categorie

AveNiveau = Literal[1, 2, 3, 4]
Sleutel = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$", max_length=64)]

#: Tokens that resolve to a role at run time, relative to the case or the step.
CASUSREGIE = "casusregie"
PROCESREGIE = "procesregie"
EIGENAAR = "eigenaar"
LEIDINGGEVENDE = "leidinggevende"
MELDERS = "melders"
EIGENAAR_TOKENS = frozenset({CASUSREGIE, PROCESREGIE})
ONTVANGER_TOKENS = frozenset({CASUSREGIE, PROCESREGIE, EIGENAAR, LEIDINGGEVENDE, MELDERS})


class Gegevenscategorie(StrEnum):
    """Data categories for need-to-know rules (privacy protocol)."""

    IDENTITEIT = "identiteit"
    CONTACT = "contact"
    ZORG = "zorg"
    GEZONDHEID = "gezondheid"
    POLITIE_JUSTITIE = "politie_justitie"
    SCHOOL = "school"
    PLAN = "plan"


class Regiesoort(StrEnum):
    CASUSREGIE = "casusregie"
    PROCESREGIE = "procesregie"


class _Strikt(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisatie(_Strikt):
    key: Sleutel
    naam: str
    #: Role key that a late step escalates to first (the owner's team lead).
    leidinggevende: Sleutel | None = None


class Rol(_Strikt):
    key: Sleutel
    naam: str
    organisatie: Sleutel


class AveFase(_Strikt):
    niveau: Literal[1, 2, 3, 4]
    naam: str
    omschrijving: str
    #: Default holder of casusregie when a case enters this phase (None: eigen regie of the household).
    casusregie: Sleutel | None = None
    procesregie: Sleutel | None = None
    bestuurlijk: Sleutel | None = None
    #: Review cadence for monitoring in this phase, in werkdagen (D16).
    monitoring_werkdagen: int | None = Field(default=None, ge=1)


#: The age bands a signal records (``models.signaal.leeftijdsgroep``); regie rules select on them.
LEEFTIJDSGROEPEN = ("0-3", "4-11", "12-15", "16-17", "18+")
#: A regie rule may propose the case's (first) melder as holder: back to the basisvoorziening.
MELDER = "melder"


class Regievoorwaarden(_Strikt):
    """When a regie rule applies; an empty list (or acuut unset) places no condition."""

    ave: list[AveNiveau] = Field(default_factory=list)
    #: Signal categories (``models.signaal.Categorie``): the rule applies when the case has any of them.
    categorie: list[Sleutel] = Field(default_factory=list)
    #: Age bands (LEEFTIJDSGROEPEN) of the youth at the latest signal.
    leeftijd: list[str] = Field(default_factory=list)
    #: Organisation types of the source partners (melders): any of them.
    bron: list[Sleutel] = Field(default_factory=list)
    acuut: bool | None = None


class Regieregel(_Strikt):
    """A convenant rule that proposes who holds casusregie and procesregie when a case enters an AVE phase.

    A role is an organisation type's role (resolved to a concrete organisation where the case makes that
    unambiguous), ``melder`` (the case's first melder), or unset: the current holder keeps it."""

    key: Sleutel
    naam: str
    wanneer: Regievoorwaarden = Field(default_factory=Regievoorwaarden)
    casusregie: Sleutel | None = None
    procesregie: Sleutel | None = None
    #: Where the agreement comes from; shown with the proposal.
    bron: str | None = None


class Opschorting(_Strikt):
    """Whether, and for how long, a step's term may be suspended (opgeschort)."""

    toegestaan: bool
    #: Most werkdagen all suspensions of one step together may add to its term; None = no maximum.
    max_werkdagen: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _maximum_alleen_als_toegestaan(self) -> Opschorting:
        if not self.toegestaan and self.max_werkdagen is not None:
            raise ValueError("max_werkdagen hoort alleen bij toegestaan: true")
        return self


class Termijn(_Strikt):
    aantal: int = Field(ge=0)
    eenheid: TermijnEenheid
    #: Statutory terms are locked: a coordinator cannot extend them.
    wettelijk: bool = False
    #: Largest extension (verlenging) a coordinator may grant, in the same unit; 0 = none.
    max_verlenging: int = Field(default=0, ge=0)
    #: Where the term comes from (e.g. "D13", "art. 4.1.1 Wmo 2015"); shown to managers.
    bron: str | None = None
    #: Suspension rule; unset means: a statutory term cannot be suspended, another one without a maximum.
    opschorting: Opschorting | None = None

    def opschortregel(self) -> Opschorting:
        """The rule in force: statutory terms cannot be stretched by suspending them unless the law allows it
        and the definition says so (issue 14)."""
        if self.opschorting is not None:
            return self.opschorting
        return Opschorting(toegestaan=not self.wettelijk)

    @model_validator(mode="after")
    def _wettelijk_niet_verlengbaar(self) -> Termijn:
        if self.wettelijk and self.max_verlenging:
            raise ValueError("een wettelijke termijn kan niet verlengd worden (max_verlenging moet 0 zijn)")
        return self

    def tekst(self) -> str:
        return f"{self.aantal} {self.eenheid.value}"


class Grondslageis(StrEnum):
    """Grounds an outcome can claim; the values are those of ``models.privacy.Grondslagsoort``."""

    TOESTEMMING = "toestemming"


class Escalatieniveau(_Strikt):
    #: Role key or token (eigenaar, leidinggevende, casusregie, procesregie).
    naar: Sleutel
    #: How long after the due moment this level fires (werkdagen).
    na_werkdagen: int = Field(ge=0)


class Uitkomst(_Strikt):
    key: Sleutel
    label: str
    #: Steps started when this outcome is decided; empty ends this branch of the case.
    volgende: list[Sleutel] = Field(default_factory=list)
    #: The decision must state the AVE phase (and may name new regie holders).
    vraagt_ave: bool = False
    #: Closes the case; open steps in parallel branches lapse.
    sluit_casus: bool = False
    #: The ground this outcome claims (e.g. "toestemming"): refused while the case has no such ground in force.
    vereist_grondslag: Grondslageis | None = None


class Melden(_Strikt):
    bij_start: list[Sleutel] = Field(default_factory=list)
    bij_afronding: list[Sleutel] = Field(default_factory=list)


class Stap(_Strikt):
    key: Sleutel
    naam: str
    omschrijving: str = ""
    #: Role key, or the token casusregie/procesregie (resolved when the step starts).
    eigenaar: Sleutel
    termijn: Termijn
    #: Shorter term when the signal is acute (e.g. hours).
    termijn_acuut: Termijn | None = None
    uitkomsten: list[Uitkomst] = Field(min_length=1)
    escalatie: Sleutel = "standaard"
    melden: Melden = Field(default_factory=Melden)
    #: Days before the due date the owner gets a reminder (werkdagen); None = no reminder.
    herinnering_werkdagen: int | None = Field(default=None, ge=0)
    #: While this step is open the casusregie reviews progress at the cadence of the case's AVE phase
    #: (``ave_fasen[].monitoring_werkdagen``); a missed review is signalled to casus- and procesregie.
    monitoring: bool = False

    def uitkomst(self, key: str) -> Uitkomst | None:
        return next((u for u in self.uitkomsten if u.key == key), None)


class Intake(_Strikt):
    """How a signal enters the werkproces."""

    #: The first step; a new case creates it and completes it at once with the outcome below.
    stap: Sleutel
    uitkomst: Sleutel
    uitkomst_acuut: Sleutel | None = None
    #: Step started when a signal joins an existing open case (VIR-style match); None = only recorded.
    bij_match: Sleutel | None = None


class Overdrachtregel(_Strikt):
    """Warme overdracht: regie moves only when the receiving role accepts within this term."""

    termijn: Termijn
    escalatie: Sleutel = "standaard"


class Stagnatie(_Strikt):
    """Stagnation → AVE: late work in a case at these phases asks the procesregie to consider opschalen."""

    ave_fasen: list[AveNiveau] = Field(default_factory=lambda: list[AveNiveau]([2]))
    #: How many werkdagen past its due date a step or handoff must be before it counts as stagnation.
    na_werkdagen: int = Field(ge=0)
    #: The step started in the case (owned by procesregie); its outcome is the recorded answer.
    stap: Sleutel


class Leeftijd(_Strikt):
    minimum: int = Field(default=0, ge=0)
    maximum: int = Field(default=20, ge=0)


class Kalender(_Strikt):
    gelijkgestelde_dagen: list[date] = Field(default_factory=list)
    goede_vrijdag: bool = True


class Inzagerecht(_Strikt):
    """Need-to-know: which data categories a role may see, optionally only from an AVE phase on."""

    rol: Sleutel
    categorieen: list[Gegevenscategorie]
    vanaf_ave: Literal[1, 2, 3, 4] = 1
    #: The purposes (doelbinding) the role may read a case for; ``casus inzien`` refuses any other.
    doelen: list[Sleutel] = Field(default_factory=list)


class Privacy(_Strikt):
    """The privacy protocol's own roles: who answers requests of data subjects (inzage, correctie, …)."""

    loket: list[Sleutel] = Field(default_factory=list)


def _plus_maanden(moment: datetime, maanden: int) -> datetime:
    """Calendar months (31 January + 1 month = 28/29 February), so "2 jaar" is two calendar years."""
    import calendar

    index = moment.year * 12 + (moment.month - 1) + maanden
    jaar, maand = divmod(index, 12)
    dag = min(moment.day, calendar.monthrange(jaar, maand + 1)[1])
    return moment.replace(year=jaar, month=maand + 1, day=dag)


class Bewaartermijn(_Strikt):
    """How long one record type is kept after its moment (closure, receipt, entry), in calendar years/months."""

    jaren: int = Field(default=0, ge=0, le=100)
    maanden: int = Field(default=0, ge=0, le=1200)
    #: Where the term comes from (privacy protocol, law); shown to the privacy officer.
    bron: str | None = None

    @model_validator(mode="after")
    def _positief(self) -> Bewaartermijn:
        if self.jaren * 12 + self.maanden <= 0:
            raise ValueError("een bewaartermijn moet langer dan nul zijn (jaren en/of maanden)")
        return self

    def einde(self, vanaf: datetime) -> datetime:
        """The first moment at which a record dated ``vanaf`` is past its term."""
        return _plus_maanden(vanaf, self.jaren * 12 + self.maanden)

    def grens(self, nu: datetime) -> datetime:
        """Records dated before this moment are past their term at ``nu``."""
        return _plus_maanden(nu, -(self.jaren * 12 + self.maanden))

    def tekst(self) -> str:
        delen = [f"{self.jaren} jaar"] if self.jaren else []
        delen += [f"{self.maanden} maanden"] if self.maanden else []
        return " en ".join(delen)


class Bewaartermijnen(_Strikt):
    """Retention as code (privacy protocol §6.5): one term per record type; the definition in force applies."""

    #: A closed case with everything in it (steps, decisions, signals, grounds) and — when it was the youth's
    #: last case — the youth's identity; counted from ``gesloten_op``.
    gesloten_casus: Bewaartermijn = Field(default_factory=lambda: Bewaartermijn(jaren=2))
    #: A signal that never joined a case (its transition never ran); counted from receipt.
    signaal_zonder_casus: Bewaartermijn = Field(default_factory=lambda: Bewaartermijn(jaren=2))
    #: Disclosure-log entries (verwerkingslog); they outlive the case they are about.
    verwerkingslog: Bewaartermijn = Field(default_factory=lambda: Bewaartermijn(jaren=5))
    #: The deletion log itself (refs and counts only).
    verwijderlog: Bewaartermijn = Field(default_factory=lambda: Bewaartermijn(jaren=5))


class Werkproces(_Strikt):
    key: Sleutel
    versie: str = Field(min_length=1, max_length=32)
    naam: str
    leeftijd: Leeftijd = Field(default_factory=Leeftijd)
    kalender: Kalender = Field(default_factory=Kalender)
    organisaties: list[Organisatie] = Field(min_length=1)
    rollen: list[Rol] = Field(min_length=1)
    ave_fasen: list[AveFase] = Field(min_length=4, max_length=4)
    escalatieladders: dict[Sleutel, list[Escalatieniveau]]
    intake: Intake
    overdracht: Overdrachtregel
    stagnatie: Stagnatie | None = None
    stappen: list[Stap] = Field(min_length=1)
    inzage: list[Inzagerecht] = Field(default_factory=list)
    privacy: Privacy = Field(default_factory=Privacy)
    bewaartermijnen: Bewaartermijnen = Field(default_factory=Bewaartermijnen)
    #: Regie rules (since 2022.5), first match wins, the phase default last. None: an older version, where the
    #: phase defaults apply without a proposal to accept or override.
    regievoorstellen: list[Regieregel] | None = None

    # -- look-ups ---------------------------------------------------------------------------------------------
    def stap(self, key: str) -> Stap:
        for s in self.stappen:
            if s.key == key:
                return s
        raise KeyError(key)

    def heeft_stap(self, key: str) -> bool:
        return any(s.key == key for s in self.stappen)

    def rol(self, key: str) -> Rol:
        for r in self.rollen:
            if r.key == key:
                return r
        raise KeyError(key)

    def organisatie_van(self, rol: str) -> str | None:
        """The organisation of a role; None for a role this definition does not know (e.g. the system)."""
        return self.rol(rol).organisatie if self.heeft_rol(rol) else None

    def heeft_rol(self, key: str) -> bool:
        return any(r.key == key for r in self.rollen)

    def organisatie(self, key: str) -> Organisatie:
        for o in self.organisaties:
            if o.key == key:
                return o
        raise KeyError(key)

    def fase(self, niveau: int) -> AveFase:
        for f in self.ave_fasen:
            if f.niveau == niveau:
                return f
        raise KeyError(niveau)

    def ladder(self, key: str) -> list[Escalatieniveau]:
        return self.escalatieladders[key]

    def leidinggevende_van(self, rol: str) -> str | None:
        return self.organisatie(self.rol(rol).organisatie).leidinggevende

    def rollen_van(self, organisatie: str) -> list[str]:
        return [r.key for r in self.rollen if r.organisatie == organisatie]

    def fase_regel(self, niveau: int) -> Regieregel:
        """The phase default (``ave_fasen``) as the last regie rule of that phase."""
        fase = self.fase(niveau)
        return Regieregel(
            key=f"ave_{niveau}_standaard",
            naam=f"Standaard AVE {niveau} ({fase.naam})",
            wanneer=Regievoorwaarden(ave=[niveau]),
            casusregie=fase.casusregie,
            procesregie=fase.procesregie,
            bron="ave_fasen",
        )


# -- structural validation ------------------------------------------------------------------------------------


def _problemen(wp: Werkproces) -> list[tuple[str, str]]:
    """Checks the pydantic schema cannot express: references, reachability and exits."""
    fouten: list[tuple[str, str]] = []
    org_keys = [o.key for o in wp.organisaties]
    rol_keys = [r.key for r in wp.rollen]
    stap_keys = [s.key for s in wp.stappen]
    for naam, keys in (("organisaties", org_keys), ("rollen", rol_keys), ("stappen", stap_keys)):
        dubbel = sorted({k for k in keys if keys.count(k) > 1})
        if dubbel:
            fouten.append((naam, f"dubbele sleutel(s): {', '.join(dubbel)}"))
    rollen = set(rol_keys)
    stappen = set(stap_keys)

    def rol_ok(pad: str, waarde: str | None, tokens: Iterable[str] = ()) -> None:
        if waarde is not None and waarde not in rollen and waarde not in set(tokens):
            fouten.append((pad, f"onbekende rol '{waarde}'"))

    for i, o in enumerate(wp.organisaties):
        rol_ok(f"organisaties[{i}].leidinggevende", o.leidinggevende)
    for i, r in enumerate(wp.rollen):
        if r.organisatie not in org_keys:
            fouten.append((f"rollen[{i}].organisatie", f"onbekende organisatie '{r.organisatie}'"))
    niveaus = sorted(f.niveau for f in wp.ave_fasen)
    if niveaus != [1, 2, 3, 4]:
        fouten.append(("ave_fasen", "precies de fasen 1, 2, 3 en 4 zijn nodig"))
    for i, f in enumerate(wp.ave_fasen):
        for veld in ("casusregie", "procesregie", "bestuurlijk"):
            rol_ok(f"ave_fasen[{i}].{veld}", getattr(f, veld))
    for ladder, niveaus_ladder in wp.escalatieladders.items():
        if not niveaus_ladder:
            fouten.append((f"escalatieladders.{ladder}", "een ladder heeft minstens één niveau"))
        vorige = -1
        for j, n in enumerate(niveaus_ladder):
            rol_ok(f"escalatieladders.{ladder}[{j}].naar", n.naar, ONTVANGER_TOKENS - {MELDERS})
            if n.na_werkdagen < vorige:
                fouten.append((f"escalatieladders.{ladder}[{j}].na_werkdagen", "niveaus moeten oplopen"))
            vorige = n.na_werkdagen
    if wp.overdracht.escalatie not in wp.escalatieladders:
        fouten.append(("overdracht.escalatie", f"onbekende escalatieladder '{wp.overdracht.escalatie}'"))
    if wp.leeftijd.maximum < wp.leeftijd.minimum:
        fouten.append(("leeftijd.maximum", "kleiner dan leeftijd.minimum"))

    for i, s in enumerate(wp.stappen):
        pad = f"stappen[{i}]"
        if not s.eigenaar:
            fouten.append((f"{pad}.eigenaar", "een stap zonder eigenaar"))
        rol_ok(f"{pad}.eigenaar", s.eigenaar, EIGENAAR_TOKENS)
        if s.escalatie not in wp.escalatieladders:
            fouten.append((f"{pad}.escalatie", f"onbekende escalatieladder '{s.escalatie}'"))
        for soort in ("bij_start", "bij_afronding"):
            for j, ontvanger in enumerate(getattr(s.melden, soort)):
                rol_ok(f"{pad}.melden.{soort}[{j}]", ontvanger, ONTVANGER_TOKENS)
        uitkomst_keys = [u.key for u in s.uitkomsten]
        dubbel = sorted({k for k in uitkomst_keys if uitkomst_keys.count(k) > 1})
        if dubbel:
            fouten.append((f"{pad}.uitkomsten", f"dubbele uitkomst(en): {', '.join(dubbel)}"))
        for j, u in enumerate(s.uitkomsten):
            for k, volgende in enumerate(u.volgende):
                if volgende not in stappen:
                    fouten.append(
                        (f"{pad}.uitkomsten[{j}].volgende[{k}]", f"overgang naar onbekende stap '{volgende}'")
                    )
    fouten.extend(_regieregel_problemen(wp, rol_ok))
    for j, inz in enumerate(wp.inzage):
        rol_ok(f"inzage[{j}].rol", inz.rol)
    for j, loket in enumerate(wp.privacy.loket):
        rol_ok(f"privacy.loket[{j}]", loket)

    # intake
    if wp.intake.stap not in stappen:
        fouten.append(("intake.stap", f"onbekende stap '{wp.intake.stap}'"))
    else:
        eerste = wp.stap(wp.intake.stap)
        for veld in ("uitkomst", "uitkomst_acuut"):
            waarde = getattr(wp.intake, veld)
            if waarde is not None and eerste.uitkomst(waarde) is None:
                fouten.append((f"intake.{veld}", f"stap '{eerste.key}' kent geen uitkomst '{waarde}'"))
    if wp.intake.bij_match is not None and wp.intake.bij_match not in stappen:
        fouten.append(("intake.bij_match", f"onbekende stap '{wp.intake.bij_match}'"))
    if wp.stagnatie is not None and wp.stagnatie.stap not in stappen:
        fouten.append(("stagnatie.stap", f"onbekende stap '{wp.stagnatie.stap}'"))
    for i, o in enumerate(wp.organisaties):
        if (
            o.leidinggevende is not None
            and o.leidinggevende in rollen
            and wp.rol(o.leidinggevende).organisatie != o.key
        ):
            fouten.append((f"organisaties[{i}].leidinggevende", f"rol '{o.leidinggevende}' hoort niet bij '{o.key}'"))
    if fouten:
        return fouten  # the graph checks below assume the references are sound

    fouten.extend(_grafiek_problemen(wp))
    return fouten


def _regieregel_problemen(
    wp: Werkproces, rol_ok: Callable[[str, str | None, Iterable[str]], None]
) -> list[tuple[str, str]]:
    """Regie rules name known roles, categories, age bands and organisation types; keys are unique and do not
    clash with the phase defaults' ``ave_<n>_standaard``."""
    fouten: list[tuple[str, str]] = []
    regels = wp.regievoorstellen or []
    keys = [r.key for r in regels]
    dubbel = sorted(
        {k for k in keys if keys.count(k) > 1} | {k for k in keys if re.fullmatch(r"ave_[1-4]_standaard", k)}
    )
    if dubbel:
        fouten.append(("regievoorstellen", f"dubbele of gereserveerde sleutel(s): {', '.join(dubbel)}"))
    categorieen = {c.value for c in Categorie}
    organisaties = {o.key for o in wp.organisaties}
    for i, r in enumerate(regels):
        pad = f"regievoorstellen[{i}]"
        for veld in ("casusregie", "procesregie"):
            rol_ok(f"{pad}.{veld}", getattr(r, veld), (MELDER,))
        for j, c in enumerate(r.wanneer.categorie):
            if c not in categorieen:
                fouten.append((f"{pad}.wanneer.categorie[{j}]", f"onbekende categorie '{c}'"))
        for j, band in enumerate(r.wanneer.leeftijd):
            if band not in LEEFTIJDSGROEPEN:
                fouten.append(
                    (
                        f"{pad}.wanneer.leeftijd[{j}]",
                        f"onbekende leeftijdsgroep '{band}' (een van: {', '.join(LEEFTIJDSGROEPEN)})",
                    )
                )
        for j, type_ in enumerate(r.wanneer.bron):
            if type_ not in organisaties:
                fouten.append((f"{pad}.wanneer.bron[{j}]", f"onbekende organisatie '{type_}'"))
    return fouten


def _grafiek_problemen(wp: Werkproces) -> list[tuple[str, str]]:
    """Every step reachable from the intake, and from every step a way out (no loop without exit)."""
    fouten: list[tuple[str, str]] = []
    opvolgers = {s.key: {v for u in s.uitkomsten for v in u.volgende} for s in wp.stappen}
    index = {s.key: i for i, s in enumerate(wp.stappen)}
    starts = [wp.intake.stap] + ([wp.intake.bij_match] if wp.intake.bij_match else [])
    if wp.stagnatie is not None:
        starts.append(wp.stagnatie.stap)
    bereikt: set[str] = set()
    te_doen = list(starts)
    while te_doen:
        k = te_doen.pop()
        if k not in bereikt:
            bereikt.add(k)
            te_doen.extend(opvolgers[k])
    for s in wp.stappen:
        if s.key not in bereikt:
            fouten.append((f"stappen[{index[s.key]}]", f"stap '{s.key}' is vanaf de intake niet bereikbaar"))

    # A step "exits" when one of its outcomes ends the branch or closes the case; every step must reach one.
    uitgang = {s.key for s in wp.stappen if any(u.sluit_casus or not u.volgende for u in s.uitkomsten)}
    if not any(u.sluit_casus for s in wp.stappen for u in s.uitkomsten):
        fouten.append(("stappen", "geen enkele uitkomst sluit de casus (sluit_casus: true)"))
    kan_uit = set(uitgang)
    veranderd = True
    while veranderd:
        veranderd = False
        for k, volg in opvolgers.items():
            if k not in kan_uit and volg & kan_uit:
                kan_uit.add(k)
                veranderd = True
    for s in wp.stappen:
        if s.key not in kan_uit:
            fouten.append(
                (
                    f"stappen[{index[s.key]}]",
                    f"lus zonder uitgang: vanaf stap '{s.key}' eindigt de casus nooit",
                )
            )
    return fouten


def _pydantic_pad(loc: tuple[int | str, ...]) -> str:
    pad = ""
    for deel in loc:
        if isinstance(deel, int):
            pad += f"[{deel}]"
        elif deel == "[key]":  # pydantic's marker for a bad mapping key: the key itself is the last part
            continue
        else:
            pad += f".{deel}" if pad else str(deel)
    return pad or "(root)"


def laad_tekst(tekst: str, bron: str) -> Werkproces:
    """Parse and validate a definition; a broken one raises DefinitieFout naming file, path and problem."""
    try:
        data: Any = yaml.safe_load(tekst)
    except yaml.YAMLError as exc:
        raise DefinitieFout(bron, [("(yaml)", str(exc))]) from None
    if not isinstance(data, dict):
        raise DefinitieFout(bron, [("(root)", "verwacht een mapping met key, versie, stappen, …")])
    try:
        wp = Werkproces.model_validate(data)
    except ValidationError as exc:
        raise DefinitieFout(bron, [(_pydantic_pad(e["loc"]), e["msg"]) for e in exc.errors()]) from None
    problemen = _problemen(wp)
    if problemen:
        raise DefinitieFout(bron, problemen)
    return wp


def laad_bestand(pad: Path) -> tuple[Werkproces, str]:
    """Load a definition file; returns the definition and its text (the store snapshots the text)."""
    try:
        tekst = pad.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitieFout(str(pad), [("(bestand)", f"kan niet gelezen worden ({exc.strerror})")]) from None
    return laad_tekst(tekst, str(pad)), tekst


def inhoud_hash(tekst: str) -> str:
    return hashlib.sha256(tekst.encode("utf-8")).hexdigest()
