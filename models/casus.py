"""The rules of a case, as pure functions over the werkproces definition.

Nothing here touches a database or Prefect: the use cases load the rows, ask these functions what follows, and
write the answer in one transaction. That keeps the werkproces rules testable on their own and lets the same
rules run in a CLI call, a Prefect task or a recovery command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from models.fouten import InvoerFout
from models.kalender import Werkdagkalender
from models.werkproces import (
    CASUSREGIE,
    EIGENAAR,
    LEIDINGGEVENDE,
    MELDERS,
    PROCESREGIE,
    Regiesoort,
    Stap,
    Termijn,
    Werkproces,
)


class CasusStatus(StrEnum):
    OPEN = "open"
    GESLOTEN = "gesloten"


class StapStatus(StrEnum):
    OPEN = "open"
    #: A decision is recorded and waits to be applied (by a flow run, or recovery).
    BESLOTEN = "besloten"
    OPGESCHORT = "opgeschort"
    AFGEROND = "afgerond"
    #: Closed without a decision because the case closed in another branch.
    VERVALLEN = "vervallen"


ACTIEVE_STAPSTATUSSEN = (StapStatus.OPEN, StapStatus.BESLOTEN, StapStatus.OPGESCHORT)


class OverdrachtStatus(StrEnum):
    AANGEBODEN = "aangeboden"
    GEACCEPTEERD = "geaccepteerd"
    VERVALLEN = "vervallen"


@dataclass(frozen=True)
class Regie:
    """Who holds regie in a case now; the input for resolving relative owners and recipients."""

    casusregie: str | None
    procesregie: str | None
    melders: tuple[str, ...] = ()


@dataclass(frozen=True)
class StapStart:
    stap_key: str
    eigenaar_rol: str
    termijn_einde: datetime


@dataclass(frozen=True)
class AanTeBiedenOverdracht:
    soort: Regiesoort
    van_rol: str | None
    naar_rol: str


@dataclass(frozen=True)
class BesluitGevolgen:
    """What a decision causes: steps to start, AVE change, handoffs to offer, closure."""

    volgende: list[str]
    ave_niveau: int | None
    overdrachten: list[AanTeBiedenOverdracht] = field(default_factory=list)
    procesregie_direct: str | None = None
    sluit_casus: bool = False


def kalender_voor(wp: Werkproces) -> Werkdagkalender:
    return Werkdagkalender(wp.kalender.gelijkgestelde_dagen, goede_vrijdag=wp.kalender.goede_vrijdag)


def eigenaar_van(stap: Stap, regie: Regie) -> str:
    """Resolve a step's owner. Without a regie holder, the procesregie takes it (never an orphan step)."""
    if stap.eigenaar == CASUSREGIE:
        rol = regie.casusregie or regie.procesregie
    elif stap.eigenaar == PROCESREGIE:
        rol = regie.procesregie or regie.casusregie
    else:
        rol = stap.eigenaar
    if rol is None:
        raise InvoerFout([(f"stap.{stap.key}.eigenaar", "niemand heeft regie om deze stap te dragen")])
    return rol


def termijn_voor(stap: Stap, acuut: bool) -> Termijn:
    return stap.termijn_acuut if acuut and stap.termijn_acuut is not None else stap.termijn


def start_stap(
    wp: Werkproces, kalender: Werkdagkalender, stap_key: str, regie: Regie, nu: datetime, acuut: bool = False
) -> StapStart:
    stap = wp.stap(stap_key)
    termijn = termijn_voor(stap, acuut)
    return StapStart(stap_key, eigenaar_van(stap, regie), kalender.termijn_einde(nu, termijn.aantal, termijn.eenheid))


def ontvangers(wp: Werkproces, tokens: list[str], regie: Regie, eigenaar: str | None) -> list[str]:
    """Resolve recipient tokens into distinct role keys, in order of first mention."""
    uit: list[str] = []
    for token in tokens:
        rollen: list[str | None]
        if token == CASUSREGIE:
            rollen = [regie.casusregie]
        elif token == PROCESREGIE:
            rollen = [regie.procesregie]
        elif token == EIGENAAR:
            rollen = [eigenaar]
        elif token == LEIDINGGEVENDE:
            rollen = [wp.leidinggevende_van(eigenaar) if eigenaar else None]
        elif token == MELDERS:
            rollen = list(regie.melders)
        else:
            rollen = [token]
        uit.extend(r for r in rollen if r is not None and r not in uit)
    return uit


def gevolgen_van_besluit(
    wp: Werkproces,
    stap_key: str,
    uitkomst_key: str,
    regie: Regie,
    huidig_ave: int,
    ave_niveau: int | None = None,
    casusregie: str | None = None,
    procesregie: str | None = None,
) -> BesluitGevolgen:
    """Validate a decision against the definition and say what follows. Raises InvoerFout naming fields."""
    stap = wp.stap(stap_key)
    uitkomst = stap.uitkomst(uitkomst_key)
    fouten: list[tuple[str, str]] = []
    if uitkomst is None:
        bekend = ", ".join(u.key for u in stap.uitkomsten)
        raise InvoerFout([("uitkomst", f"stap '{stap_key}' kent geen uitkomst '{uitkomst_key}' (wel: {bekend})")])
    if ave_niveau is not None and ave_niveau not in (1, 2, 3, 4):
        fouten.append(("ave_fase", "moet 1, 2, 3 of 4 zijn"))
    if uitkomst.vraagt_ave and ave_niveau is None:
        fouten.append(("ave_fase", f"uitkomst '{uitkomst_key}' vraagt om een AVE-fase (1-4)"))
    if not uitkomst.vraagt_ave and (ave_niveau is not None or casusregie or procesregie):
        fouten.append(("ave_fase", f"uitkomst '{uitkomst_key}' wijzigt geen AVE-fase of regie"))
    for veld, rol in (("casusregie", casusregie), ("procesregie", procesregie)):
        if rol is not None and not wp.heeft_rol(rol):
            fouten.append((veld, f"onbekende rol '{rol}'"))
    if fouten:
        raise InvoerFout(fouten)

    overdrachten: list[AanTeBiedenOverdracht] = []
    procesregie_direct: str | None = None
    if uitkomst.vraagt_ave and ave_niveau is not None:
        fase = wp.fase(ave_niveau)
        nieuwe_casusregie = casusregie or fase.casusregie or regie.casusregie
        nieuwe_procesregie = procesregie or fase.procesregie or regie.procesregie
        if nieuwe_casusregie and nieuwe_casusregie != regie.casusregie:
            overdrachten.append(AanTeBiedenOverdracht(Regiesoort.CASUSREGIE, regie.casusregie, nieuwe_casusregie))
        if nieuwe_procesregie and nieuwe_procesregie != regie.procesregie:
            if regie.procesregie is None:
                # Nobody held procesregie yet: there is nothing to hand over warmly, it is assigned.
                procesregie_direct = nieuwe_procesregie
            else:
                overdrachten.append(
                    AanTeBiedenOverdracht(Regiesoort.PROCESREGIE, regie.procesregie, nieuwe_procesregie)
                )
    return BesluitGevolgen(
        volgende=list(uitkomst.volgende),
        ave_niveau=ave_niveau if ave_niveau is not None and ave_niveau != huidig_ave else None,
        overdrachten=overdrachten,
        procesregie_direct=procesregie_direct,
        sluit_casus=uitkomst.sluit_casus,
    )


def max_verlenging(stap: Stap, acuut: bool) -> int:
    """How much a coordinator may extend this step; 0 for statutory terms (locked)."""
    termijn = termijn_voor(stap, acuut)
    return 0 if termijn.wettelijk else termijn.max_verlenging


class Opschortreden(StrEnum):
    """Why a step is suspended: a fixed list, so no free text (and no personal data) ends up in the history."""

    WACHT_OP_TOESTEMMING = "wacht_op_toestemming"
    WACHT_OP_INFORMATIE = "wacht_op_informatie"
    WACHT_OP_VEILIG_THUIS = "wacht_op_veilig_thuis"
    OP_VERZOEK_BETROKKENE = "op_verzoek_betrokkene"
    BETROKKENE_ONBEREIKBAAR = "betrokkene_onbereikbaar"
    OVERIG = "overig"
