"""Which regie the convenant's rules propose for a case entering an AVE phase, and what a decision chose.

Rules live in the definition (``regievoorstellen``); the first whose conditions the case meets wins, and the
phase default (``ave_fasen``) is the last rule of every phase. The case's characteristics are non-personal
facts the store already keeps per signal: categories, the age band, the melders' organisation types, acuut.
A proposed role is resolved to a concrete organisation where the case makes that unambiguous
(``models.binding.kandidaten``); otherwise the proposal lists the options and the decision names one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from models.binding import Partij, kandidaten
from models.casus import Regie
from models.organisaties import Organisatieregister
from models.werkproces import MELDER, Regieregel, Werkproces


class Regiekeuze(StrEnum):
    """What the coordinator does with the proposal when deciding a step that sets the AVE phase."""

    AANVAARD = "aanvaard"
    AFWIJKEN = "afwijken"


class Regieafwijkreden(StrEnum):
    """Why a decision departs from the proposal: a fixed list, so the history holds no free text."""

    VERTROUWENSRELATIE = "vertrouwensrelatie"
    AL_BETROKKEN = "al_betrokken"
    EXPERTISE = "expertise"
    VEILIGHEID = "veiligheid"
    CAPACITEIT = "capaciteit"
    OP_VERZOEK_BETROKKENE = "op_verzoek_betrokkene"
    OVERIG = "overig"


@dataclass(frozen=True)
class Casuskenmerken:
    """Non-personal facts of a case the rules select on."""

    categorieen: frozenset[str] = frozenset()
    leeftijdsgroep: str | None = None
    #: Organisation types of the melders.
    bronnen: frozenset[str] = frozenset()
    acuut: bool = False


@dataclass(frozen=True)
class Voorgesteld:
    """A proposed holder: a role, at an organisation when unambiguous (else ``opties`` lists the candidates)."""

    rol: str
    organisatie: str | None
    opties: tuple[str, ...] = ()

    @property
    def partij(self) -> Partij | None:
        return Partij(self.organisatie, self.rol) if self.organisatie else None

    def __str__(self) -> str:
        return f"{self.rol}@{self.organisatie}" if self.organisatie else f"{self.rol}@?"


@dataclass(frozen=True)
class Voorstel:
    ave: int
    regel: Regieregel
    casusregie: Voorgesteld | None
    procesregie: Voorgesteld | None


def past(regel: Regieregel, ave: int, kenmerken: Casuskenmerken) -> bool:
    w = regel.wanneer
    return (
        (not w.ave or ave in w.ave)
        and (not w.categorie or bool(kenmerken.categorieen & set(w.categorie)))
        and (not w.leeftijd or kenmerken.leeftijdsgroep in w.leeftijd)
        and (not w.bron or bool(kenmerken.bronnen & set(w.bron)))
        and (w.acuut is None or w.acuut == kenmerken.acuut)
    )


def regel_voor(wp: Werkproces, ave: int, kenmerken: Casuskenmerken) -> Regieregel:
    """The first rule that fits, else the phase default."""
    for regel in wp.regievoorstellen or []:
        if past(regel, ave, kenmerken):
            return regel
    return wp.fase_regel(ave)


def _houder(
    wp: Werkproces,
    register: Organisatieregister,
    rol: str | None,
    huidig: Partij | None,
    melders: Iterable[Partij],
    betrokken: list[str],
) -> Voorgesteld | None:
    if rol == MELDER:
        eerste = next(iter(melders), None)
        return Voorgesteld(eerste.rol, eerste.organisatie) if eerste else None
    if rol is None or (huidig is not None and huidig.rol == rol):
        return Voorgesteld(huidig.rol, huidig.organisatie) if huidig else None
    opties = kandidaten(wp, register, rol, betrokken)
    if len(opties) == 1:
        return Voorgesteld(rol, opties[0])
    return Voorgesteld(rol, None, tuple(opties))


def voorstel(
    wp: Werkproces, register: Organisatieregister, ave: int, kenmerken: Casuskenmerken, regie: Regie
) -> Voorstel:
    """What the rules propose for this case entering ``ave`` (the current holder where a rule names none)."""
    regel = regel_voor(wp, ave, kenmerken)
    betrokken = regie.organisaties
    return Voorstel(
        ave=ave,
        regel=regel,
        casusregie=_houder(wp, register, regel.casusregie, regie.casusregie, regie.melders, betrokken),
        procesregie=_houder(wp, register, regel.procesregie, regie.procesregie, regie.melders, betrokken),
    )
