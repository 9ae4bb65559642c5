"""`--als ROL --door HANDLE --organisatie ORG`: the interim way the CLI says who acts, until the server's
verified token replaces it. Without ``--organisatie`` the role's type must have exactly one organisation in the
register; the use case then checks the actor like any other (models.binding.controleer_actor)."""

from __future__ import annotations

from typing import Annotated

import typer

from aanpak.omgeving import Omgeving
from models.actor import Actor

Organisatie = Annotated[
    str | None,
    typer.Option(
        "--organisatie",
        help="De organisatie waarvoor u handelt (sleutel uit het organisatieregister, bv. school-de-wissel); "
        "nodig als er meer organisaties van dat type zijn.",
    ),
]


def standaard_organisatie(omg: Omgeving, rol: str, organisatie: str | None) -> str:
    """The organisation named, else the only one of the role's type, else "" — the use case then refuses
    naming ``--organisatie`` (after the document's own fields, so the coordinator sees those first)."""
    if organisatie is not None:
        return organisatie
    wp = omg.werkprocessen.bestand()[0]
    if not wp.heeft_rol(rol):
        return ""
    opties = omg.werkprocessen.register().van_type(wp.rol(rol).organisatie)
    return opties[0] if len(opties) == 1 else ""


def actor_uit(omg: Omgeving, als: str, door: str, organisatie: str | None) -> Actor:
    return Actor(persoon=door, organisatie=standaard_organisatie(omg, als, organisatie), rol=als)
