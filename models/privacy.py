"""The privacy protocol's rules, without infrastructure: grounds, consent by age, and need-to-know.

A partner sees a category of a case's personal data only when three things hold: its role's need-to-know rule
in the definition allows the category at the case's AVE phase, the role is involved in the case, and a ground
that is in force (consent or a legal basis) covers that role, category and purpose. What a role brought in
itself it may always see again (``eigen_inbreng``) — that role, not its whole organisation. Everything else is
withheld, and the reason is named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from models.signaal import Categorie
from models.werkproces import Gegevenscategorie, Werkproces


class Grondslagsoort(StrEnum):
    """Art. 6 AVG and the professional-secrecy exceptions (domain.md §6.2)."""

    TOESTEMMING = "toestemming"
    WETTELIJKE_TAAK = "wettelijke_taak"
    WETTELIJKE_PLICHT = "wettelijke_plicht"
    VITAAL_BELANG = "vitaal_belang"
    #: Meldrecht, e.g. Veilig Thuis (art. 5.2.6 Wmo 2015) or the Verwijsindex.
    MELDRECHT = "meldrecht"
    CONFLICT_VAN_PLICHTEN = "conflict_van_plichten"


class Toestemminggever(StrEnum):
    OUDERS = "ouders"
    JEUGDIGE = "jeugdige"


class Beperkingsreden(StrEnum):
    """Art. 18(1) AVG: why processing is restricted."""

    JUISTHEID_BETWIST = "juistheid_betwist"
    ONRECHTMATIG = "onrechtmatig"
    RECHTSVORDERING = "rechtsvordering"
    BEZWAAR = "bezwaar"


class Weigerreden(StrEnum):
    """Why something was withheld or refused — a fixed vocabulary, written to the disclosure log."""

    NIET_BETROKKEN = "niet_betrokken"
    NIET_NODIG = "niet_nodig"  # need-to-know does not allow the category for this role
    AVE_FASE = "ave_fase"  # allowed only from a later AVE phase
    GEEN_GRONDSLAG = "geen_grondslag"
    BEPERKT = "verwerking_beperkt"


#: The ground a role needs no record for: what that role itself brought into the case (its signal, its note).
EIGEN_INBRENG = "eigen_inbreng"

#: Which data categories the concern text of a signal touches, beyond the concern itself.
_SIGNAAL_CATEGORIEEN: dict[Categorie, Gegevenscategorie] = {
    Categorie.GEZONDHEID: Gegevenscategorie.GEZONDHEID,
    Categorie.VEILIGHEID_OPENBAAR: Gegevenscategorie.POLITIE_JUSTITIE,
    Categorie.VERZUIM: Gegevenscategorie.SCHOOL,
}


def categorieen_van_zorg(signaalcategorieen: Iterable[str]) -> frozenset[Gegevenscategorie]:
    """A concern text is `zorg`, plus health, police/justice or school data when the signal says so."""
    extra = {_SIGNAAL_CATEGORIEEN[Categorie(c)] for c in signaalcategorieen if Categorie(c) in _SIGNAAL_CATEGORIEEN}
    return frozenset({Gegevenscategorie.ZORG, *extra})


#: Consent by age (docs/bronnen.md §6.3): from this age the youth consents together with the parents …
SAMEN_VANAF = 12
#: … and from this age the youth alone.
ZELF_VANAF = 16


def vereiste_toestemming(leeftijd: int) -> frozenset[Toestemminggever]:
    """Who must consent: under 12 the parents; 12–15 parents and youth; 16+ the youth (SAMEN_VANAF, ZELF_VANAF)."""
    if leeftijd < SAMEN_VANAF:
        return frozenset({Toestemminggever.OUDERS})
    if leeftijd < ZELF_VANAF:
        return frozenset({Toestemminggever.OUDERS, Toestemminggever.JEUGDIGE})
    return frozenset({Toestemminggever.JEUGDIGE})


def toestemming_fout(leeftijd: int, gegeven_door: Iterable[Toestemminggever]) -> str | None:
    """Why a consent record does not fit the youth's age, or None when it does."""
    gegeven = set(gegeven_door)
    nodig = vereiste_toestemming(leeftijd)
    if nodig <= gegeven:
        return None
    if leeftijd < SAMEN_VANAF:
        return f"onder de {SAMEN_VANAF} jaar geven de ouders (gezaghebbenden) toestemming"
    if leeftijd < ZELF_VANAF:
        return f"van {SAMEN_VANAF} tot en met {ZELF_VANAF - 1} jaar geven de ouders én de jeugdige toestemming"
    return f"vanaf {ZELF_VANAF} jaar geeft de jeugdige zelf toestemming"


@dataclass(frozen=True)
class GrondslagRegel:
    """A ground as the rules need it (from the store's ``grondslag`` row)."""

    ref: str
    soort: Grondslagsoort
    ontvangers: frozenset[str]
    categorieen: frozenset[str]
    doel: str
    vastgelegd_op: datetime
    geldig_tot: datetime | None
    ingetrokken_op: datetime | None
    gegeven_door: frozenset[Toestemminggever] = frozenset()

    def van_kracht(self, nu: datetime, leeftijd: int | None = None) -> bool:
        """In force now; a consent also only while its givers are still the ones the youth's age asks for
        (parents' consent given at 11 no longer suffices at 12, nor at 16)."""
        if self.ingetrokken_op is not None and self.ingetrokken_op <= nu:
            return False
        if (
            self.soort == Grondslagsoort.TOESTEMMING
            and leeftijd is not None
            and not vereiste_toestemming(leeftijd) <= self.gegeven_door
        ):
            return False
        return self.vastgelegd_op <= nu and (self.geldig_tot is None or nu < self.geldig_tot)

    def dekt(
        self, rol: str, organisatie: str, categorie: Gegevenscategorie, doel: str, concreet: str | None = None
    ) -> bool:
        """Recipient, category and purpose (doelbinding): a ground for one purpose does not serve another.
        A recipient is named by role, organisation type or concrete organisation (register key)."""
        ontvanger_ok = (
            not self.ontvangers
            or rol in self.ontvangers
            or organisatie in self.ontvangers
            or (concreet is not None and concreet in self.ontvangers)
        )
        return ontvanger_ok and doel == self.doel and (not self.categorieen or categorie.value in self.categorieen)


def nodig_voor(wp: Werkproces, rol: str, ave: int) -> tuple[frozenset[Gegevenscategorie], frozenset[Gegevenscategorie]]:
    """Need-to-know: (categories allowed now, categories allowed only from a later AVE phase)."""
    nu: set[Gegevenscategorie] = set()
    later: set[Gegevenscategorie] = set()
    for regel in wp.inzage:
        if regel.rol == rol:
            (nu if ave >= regel.vanaf_ave else later).update(regel.categorieen)
    return frozenset(nu), frozenset(later - nu)


def toegestane_doelen(wp: Werkproces, rol: str) -> frozenset[str] | None:
    """The purposes a role may read a case for (``inzage[].doelen``); None for a definition version from
    before purposes were listed (then any purpose key is accepted, as it was)."""
    if not any(regel.doelen for regel in wp.inzage):
        return None
    return frozenset(d for regel in wp.inzage if regel.rol == rol for d in regel.doelen)


@dataclass(frozen=True)
class Afweging:
    """For one role and case: per category, the grounds that allow it, or the reason it is withheld."""

    toegestaan: dict[Gegevenscategorie, tuple[str, ...]]
    geweigerd: dict[Gegevenscategorie, Weigerreden]


def weeg_af(
    wp: Werkproces,
    rol: str,
    ave: int,
    grondslagen: Iterable[GrondslagRegel],
    nu: datetime,
    doel: str,
    leeftijd: int | None = None,
    concreet: str | None = None,
) -> Afweging:
    """Need-to-know first (a ground never widens it), then a ground in force, for this purpose, for each
    remaining category."""
    organisatie = wp.rol(rol).organisatie
    nodig, later = nodig_voor(wp, rol, ave)
    van_kracht = [g for g in grondslagen if g.van_kracht(nu, leeftijd)]
    toegestaan: dict[Gegevenscategorie, tuple[str, ...]] = {}
    geweigerd: dict[Gegevenscategorie, Weigerreden] = {}
    for categorie in Gegevenscategorie:
        if categorie in later:
            geweigerd[categorie] = Weigerreden.AVE_FASE
        elif categorie not in nodig:
            geweigerd[categorie] = Weigerreden.NIET_NODIG
        else:
            refs = tuple(sorted(g.ref for g in van_kracht if g.dekt(rol, organisatie, categorie, doel, concreet)))
            if refs:
                toegestaan[categorie] = refs
            else:
                geweigerd[categorie] = Weigerreden.GEEN_GRONDSLAG
    return Afweging(toegestaan, geweigerd)
