"""`--als ROL --door HANDLE --organisatie ORG`: the interim way the CLI says who acts, until the server's
verified token replaces it. Without ``--organisatie`` the role's type must have exactly one organisation in the
register; the use case then checks the actor like any other (models.binding.controleer_actor)."""

from __future__ import annotations

from typing import Annotated

import typer

from aanpak.omgeving import Omgeving
from models.actor import Actor
from models.fouten import InvoerFout

Organisatie = Annotated[
    str | None,
    typer.Option(
        "--organisatie",
        help="De organisatie waarvoor u handelt (sleutel uit het organisatieregister, bv. school-de-wissel); "
        "nodig als er meer organisaties van dat type zijn.",
    ),
]


def standaard_organisatie(omg: Omgeving, rol: str, organisatie: str | None, veld: str = "--organisatie") -> str:
    """The organisation named, else the only one of the role's type; refused naming ``veld`` otherwise."""
    if organisatie is not None:
        return organisatie
    wp = omg.werkprocessen.bestand()[0]
    if not wp.heeft_rol(rol):
        raise InvoerFout([("--als", f"onbekende rol '{rol}'")])
    type_ = wp.rol(rol).organisatie
    opties = omg.werkprocessen.register().van_type(type_)
    if len(opties) != 1:
        raise InvoerFout([(veld, f"noem de organisatie (een van: {', '.join(opties) or 'geen'})")])
    return opties[0]


def actor_uit(omg: Omgeving, als: str, door: str, organisatie: str | None) -> Actor:
    return Actor(persoon=door, organisatie=standaard_organisatie(omg, als, organisatie), rol=als)
