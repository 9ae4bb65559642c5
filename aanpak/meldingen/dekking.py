"""Which roles the werkproces may have to notify, and which of them have no channel: a configuration error.

Recipients are partly relative (``casusregie``, ``melders``…) and only known per case, so the check is
conservative: a role counts when the definition can make it a recipient at all. Every role that may signal can
receive a match message (``melders``), and a decision may hand casusregie to any role, so with those tokens in
use every role in the definition needs a channel. Better a clear error at start than a silent drop in a case.
"""

from __future__ import annotations

from dataclasses import dataclass

from aanpak.meldingen.kanalen import ALLE, Kanalen
from models.organisaties import Organisatieregister
from models.werkproces import CASUSREGIE, EIGENAAR, LEIDINGGEVENDE, MELDERS, PROCESREGIE, Werkproces


@dataclass(frozen=True)
class Dekking:
    vereist: tuple[str, ...]
    #: Roles that must be told but have no channel: a configuration error.
    zonder_kanaal: tuple[str, ...]
    #: Tags in the configuration that name no role or organisation (probably a typo).
    onbekende_tags: tuple[str, ...]


def mogelijke_ontvangers(wp: Werkproces) -> set[str]:
    """Every role the definition can make a recipient (step owners, melden lists, regie, ladders)."""
    alle_rollen = {r.key for r in wp.rollen}
    rollen: set[str] = set()
    tokens: set[str] = set()

    def neem(naam: str | None) -> None:
        if naam is None:
            return
        if naam in (CASUSREGIE, PROCESREGIE, EIGENAAR, LEIDINGGEVENDE, MELDERS):
            tokens.add(naam)
        else:
            rollen.add(naam)

    for stap in wp.stappen:
        neem(stap.eigenaar)
        for naam in (*stap.melden.bij_start, *stap.melden.bij_afronding):
            neem(naam)
    for fase in wp.ave_fasen:
        for houder in (fase.casusregie, fase.procesregie, fase.bestuurlijk):
            neem(houder)
    for ladder in wp.escalatieladders.values():
        for niveau in ladder:
            neem(niveau.naar)
    # A match is told to casusregie, procesregie and every melder (aanpak/usecases/signaal.py).
    tokens |= {CASUSREGIE, PROCESREGIE, MELDERS}
    if LEIDINGGEVENDE in tokens:
        rollen |= {o.leidinggevende for o in wp.organisaties if o.leidinggevende}
    if tokens & {MELDERS, CASUSREGIE}:
        # Any role may signal, and a decision may hand casusregie to any role.
        rollen |= alle_rollen
    return rollen


def dekking(wp: Werkproces, kanalen: Kanalen, register: Organisatieregister | None = None) -> Dekking:
    """Which roles could go unserved. With the register, per concrete organisation: a role is reported
    (``rol@organisatie``) when one of the organisations of its type has no channel for it."""
    vereist = sorted(mogelijke_ontvangers(wp))
    if register is None:
        zonder = [r for r in vereist if not kanalen.voor(r, wp.organisatie_van(r))]
    else:
        alle = kanalen.met_register(register)
        sleutels = frozenset(o.key for o in register.organisaties)
        zonder = []
        for r in vereist:
            type_ = wp.rol(r).organisatie
            orgs = register.van_type(type_)
            for org in orgs:
                if not alle.voor(r, org, type_=type_, enige_van_type=len(orgs) <= 1, organisaties=sleutels):
                    zonder.append(f"{r}@{org}")
    bekend = {r.key for r in wp.rollen} | {o.key for o in wp.organisaties} | {ALLE}
    if register is not None:
        bekend |= {o.key for o in register.organisaties}
    onbekend = sorted({t for k in kanalen.kanalen for t in k.tags} - bekend)
    return Dekking(tuple(vereist), tuple(zonder), tuple(onbekend))
