"""The rules of a case, as pure functions over the werkproces definition.

Nothing here touches a database or Prefect: the use cases load the rows, ask these functions what follows, and
write the answer in one transaction. That keeps the werkproces rules testable on their own and lets the same
rules run in a CLI call, a Prefect task or a recovery command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from models.binding import Partij, organisatie_voor, partijen_voor
from models.fouten import InvoerFout
from models.kalender import Werkdagkalender
from models.organisaties import Organisatieregister
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
    """Who holds regie in a case now, and who is involved: the input for resolving owners and recipients."""

    casusregie: Partij | None
    procesregie: Partij | None
    melders: tuple[Partij, ...] = ()
    #: Every party involved: melders, step owners, regie holders, handoff parties.
    betrokken: tuple[Partij, ...] = ()

    @property
    def organisaties(self) -> list[str]:
        """The involved organisations, in order of first involvement."""
        return list(dict.fromkeys(p.organisatie for p in (*self.melders, *self.betrokken)))


@dataclass(frozen=True)
class StapStart:
    stap_key: str
    eigenaar: Partij
    termijn_einde: datetime

    @property
    def eigenaar_rol(self) -> str:
        return self.eigenaar.rol


@dataclass(frozen=True)
class AanTeBiedenOverdracht:
    soort: Regiesoort
    van: Partij | None
    naar: Partij

    @property
    def van_rol(self) -> str | None:
        return self.van.rol if self.van else None

    @property
    def naar_rol(self) -> str:
        return self.naar.rol


@dataclass(frozen=True)
class BesluitGevolgen:
    """What a decision causes: steps to start, AVE change, handoffs to offer, closure."""

    volgende: list[str]
    ave_niveau: int | None
    overdrachten: list[AanTeBiedenOverdracht] = field(default_factory=list)
    procesregie_direct: Partij | None = None
    #: The organisation owning the steps started, where the definition names a role of an ambiguous type.
    eigenaar_organisatie: str | None = None
    sluit_casus: bool = False


def kalender_voor(wp: Werkproces) -> Werkdagkalender:
    return Werkdagkalender(wp.kalender.gelijkgestelde_dagen, goede_vrijdag=wp.kalender.goede_vrijdag)


def eigenaar_van(
    wp: Werkproces, register: Organisatieregister, stap: Stap, regie: Regie, organisatie: str | None = None
) -> Partij:
    """Resolve a step's owner to a party. Without a regie holder, the procesregie takes it (never an orphan
    step); a named role gets its organisation per ``models.binding.organisatie_voor``."""
    partij: Partij | None
    if stap.eigenaar == CASUSREGIE:
        partij = regie.casusregie or regie.procesregie
    elif stap.eigenaar == PROCESREGIE:
        partij = regie.procesregie or regie.casusregie
    else:
        org = organisatie_voor(wp, register, stap.eigenaar, regie.organisaties, organisatie, "eigenaar_organisatie")
        partij = Partij(org, stap.eigenaar)
    if partij is None:
        raise InvoerFout([(f"stap.{stap.key}.eigenaar", "niemand heeft regie om deze stap te dragen")])
    return partij


def termijn_voor(stap: Stap, acuut: bool) -> Termijn:
    return stap.termijn_acuut if acuut and stap.termijn_acuut is not None else stap.termijn


def start_stap(
    wp: Werkproces,
    register: Organisatieregister,
    kalender: Werkdagkalender,
    stap_key: str,
    regie: Regie,
    nu: datetime,
    acuut: bool = False,
    organisatie: str | None = None,
) -> StapStart:
    stap = wp.stap(stap_key)
    termijn = termijn_voor(stap, acuut)
    eigenaar = eigenaar_van(wp, register, stap, regie, organisatie)
    return StapStart(stap_key, eigenaar, kalender.termijn_einde(nu, termijn.aantal, termijn.eenheid))


def leidinggevende_van(wp: Werkproces, eigenaar: Partij) -> Partij | None:
    """The escalation ladder's ``leidinggevende``: the lead role of the owner's type, at the same organisation."""
    rol = wp.leidinggevende_van(eigenaar.rol) if wp.heeft_rol(eigenaar.rol) else None
    return Partij(eigenaar.organisatie, rol) if rol else None


def ontvangers(
    wp: Werkproces, register: Organisatieregister, tokens: list[str], regie: Regie, eigenaar: Partij | None
) -> list[Partij]:
    """Resolve recipient tokens into distinct parties, in order of first mention. A named role means the
    involved organisations of its type (``models.binding.partijen_voor``): an uninvolved school is never told."""
    uit: list[Partij] = []
    for token in tokens:
        partijen: list[Partij | None]
        if token == CASUSREGIE:
            partijen = [regie.casusregie]
        elif token == PROCESREGIE:
            partijen = [regie.procesregie]
        elif token == EIGENAAR:
            partijen = [eigenaar]
        elif token == LEIDINGGEVENDE:
            partijen = [leidinggevende_van(wp, eigenaar) if eigenaar else None]
        elif token == MELDERS:
            partijen = list(regie.melders)
        else:
            partijen = list(partijen_voor(wp, register, token, regie.organisaties))
        uit.extend(p for p in partijen if p is not None and p not in uit)
    return uit


def gevolgen_van_besluit(
    wp: Werkproces,
    register: Organisatieregister,
    stap_key: str,
    uitkomst_key: str,
    regie: Regie,
    huidig_ave: int,
    ave_niveau: int | None = None,
    casusregie: str | None = None,
    procesregie: str | None = None,
    *,
    casusregie_organisatie: str | None = None,
    procesregie_organisatie: str | None = None,
    eigenaar_organisatie: str | None = None,
    fase_standaard: bool = True,
) -> BesluitGevolgen:
    """Validate a decision against the definition and say what follows. Raises InvoerFout naming fields.

    ``fase_standaard``: a regie the decision does not name falls back to the phase default (versions before
    2022.5); since then the use case passes the regie chosen from the proposal, and an unnamed one stays."""
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
    if not uitkomst.vraagt_ave and (
        ave_niveau is not None or casusregie or procesregie or casusregie_organisatie or procesregie_organisatie
    ):
        fouten.append(("ave_fase", f"uitkomst '{uitkomst_key}' wijzigt geen AVE-fase of regie"))
    for veld, rol in (("casusregie", casusregie), ("procesregie", procesregie)):
        if rol is not None and not wp.heeft_rol(rol):
            fouten.append((veld, f"onbekende rol '{rol}'"))
    if fouten:
        raise InvoerFout(fouten)

    overdrachten: list[AanTeBiedenOverdracht] = []
    procesregie_direct: Partij | None = None
    if uitkomst.vraagt_ave and ave_niveau is not None:
        fase = wp.fase(ave_niveau)
        standaard_casusregie = fase.casusregie if fase_standaard else None
        standaard_procesregie = fase.procesregie if fase_standaard else None
        nieuwe_casusregie = _regiehouder(
            wp,
            register,
            regie,
            regie.casusregie,
            casusregie or standaard_casusregie,
            casusregie_organisatie,
            "casusregie",
        )
        nieuwe_procesregie = _regiehouder(
            wp,
            register,
            regie,
            regie.procesregie,
            procesregie or standaard_procesregie,
            procesregie_organisatie,
            "procesregie",
        )
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
    # The steps this decision opens must each have a concrete owner now, not when the decision is applied.
    for volgende in uitkomst.volgende:
        eigenaar = wp.stap(volgende).eigenaar
        if wp.heeft_rol(eigenaar):
            organisatie_voor(wp, register, eigenaar, regie.organisaties, eigenaar_organisatie, "eigenaar_organisatie")
    return BesluitGevolgen(
        volgende=list(uitkomst.volgende),
        ave_niveau=ave_niveau if ave_niveau is not None and ave_niveau != huidig_ave else None,
        overdrachten=overdrachten,
        procesregie_direct=procesregie_direct,
        eigenaar_organisatie=eigenaar_organisatie,
        sluit_casus=uitkomst.sluit_casus,
    )


def _regiehouder(
    wp: Werkproces,
    register: Organisatieregister,
    regie: Regie,
    huidig: Partij | None,
    rol: str | None,
    genoemd: str | None,
    veld: str,
) -> Partij | None:
    """The party that is to hold a regie after an AVE decision: the role named (or the phase's default, or the
    current holder's role) at the organisation named, else the current holder's own, else resolved."""
    rol = rol or (huidig.rol if huidig else None)
    if rol is None:
        if genoemd is not None:
            raise InvoerFout([(f"{veld}_organisatie", f"noem ook de rol voor de {veld}")])
        return None
    if genoemd is None and huidig is not None and huidig.rol == rol:
        return huidig
    return Partij(organisatie_voor(wp, register, rol, regie.organisaties, genoemd, f"{veld}_organisatie"), rol)


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


class Verlengreden(StrEnum):
    """Why a term is extended: a fixed list, like Opschortreden, so the history holds no free text."""

    WACHT_OP_INFORMATIE = "wacht_op_informatie"
    WACHT_OP_TOESTEMMING = "wacht_op_toestemming"
    OVERLEG_NODIG = "overleg_nodig"
    BETROKKENE_ONBEREIKBAAR = "betrokkene_onbereikbaar"
    CAPACITEIT = "capaciteit"
    OVERIG = "overig"
