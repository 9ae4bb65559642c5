"""Binding to (organisation, role): who in a case is a concrete party, and which organisation a role means.

The werkproces names roles of organisation TYPES (``school.zorgcoordinator``); a case involves concrete
parties (``school-de-wissel`` as ``school.zorgcoordinator``). Everything that decides who must act, who is told
and who may read binds to such a party, so school B's coordinator is never involved in school A's case.

Resolving a role to an organisation (``organisatie_voor``): a named organisation wins (it must exist and be of
the role's type); else the case's involved organisation of that type if there is exactly one; else the only
organisation of that type in the register; else the decision must name it and is refused naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models.actor import Actor
from models.fouten import InvoerFout
from models.organisaties import Organisatieregister
from models.werkproces import Werkproces


@dataclass(frozen=True, order=True, slots=True)
class Partij:
    """A role at one concrete organisation."""

    organisatie: str
    rol: str

    def __str__(self) -> str:
        return f"{self.rol}@{self.organisatie}"


def partij(actor: Actor) -> Partij:
    return Partij(actor.organisatie, actor.rol)


def controleer_actor(wp: Werkproces, register: Organisatieregister, actor: Actor) -> None:
    """The actor's role is known, its organisation is in the register and is of the role's type (fields
    ``actor_rol`` and ``actor_organisatie``)."""
    if not wp.heeft_rol(actor.rol):
        raise InvoerFout([("actor_rol", f"onbekende rol '{actor.rol}'")])
    controleer_organisatie(wp, register, actor.rol, actor.organisatie, "actor_organisatie")


def controleer_organisatie(
    wp: Werkproces, register: Organisatieregister, rol: str, organisatie: str, veld: str
) -> None:
    type_ = wp.rol(rol).organisatie
    if not organisatie:
        opties = ", ".join(register.van_type(type_)) or "geen"
        raise InvoerFout([(veld, f"noem de organisatie voor rol '{rol}' (een van: {opties})")])
    if not register.heeft(organisatie):
        raise InvoerFout([(veld, f"onbekende organisatie '{organisatie}'")])
    if register.type_van(organisatie) != type_:
        raise InvoerFout([(veld, f"organisatie '{organisatie}' is geen '{type_}' (rol '{rol}')")])


def kandidaten(wp: Werkproces, register: Organisatieregister, rol: str, betrokken: Iterable[str]) -> list[str]:
    """The organisations a role can mean in a case: involved ones of its type, else the register's of its type."""
    type_ = wp.rol(rol).organisatie
    in_casus = [o for o in dict.fromkeys(betrokken) if register.type_van(o) == type_]
    return in_casus or register.van_type(type_)


def organisatie_voor(
    wp: Werkproces,
    register: Organisatieregister,
    rol: str,
    betrokken: Iterable[str],
    genoemd: str | None,
    veld: str,
) -> str:
    """The concrete organisation a role means here (see the module docstring); InvoerFout naming ``veld``."""
    if genoemd is not None:
        controleer_organisatie(wp, register, rol, genoemd, veld)
        return genoemd
    opties = kandidaten(wp, register, rol, betrokken)
    if len(opties) == 1:
        return opties[0]
    type_ = wp.rol(rol).organisatie
    if not opties:
        raise InvoerFout([(veld, f"het register kent geen organisatie van type '{type_}' (rol '{rol}')")])
    raise InvoerFout([(veld, f"noem de organisatie voor rol '{rol}' (een van: {', '.join(opties)})")])


def partijen_voor(wp: Werkproces, register: Organisatieregister, rol: str, betrokken: Iterable[str]) -> list[Partij]:
    """Who a named role means for a notification: every involved organisation of its type, else the only one
    of the register. Nobody when several exist and none is involved — an uninvolved school is never told."""
    if not wp.heeft_rol(rol):
        return []
    type_ = wp.rol(rol).organisatie
    in_casus = [o for o in dict.fromkeys(betrokken) if register.type_van(o) == type_]
    if in_casus:
        return [Partij(o, rol) for o in in_casus]
    in_register = register.van_type(type_)
    return [Partij(in_register[0], rol)] if len(in_register) == 1 else []
