"""History and outbox: the case history entry of a change and the notifications it causes, written together.

Each function works inside the caller's transaction; none commits. History and outbox rows carry unique keys,
so replaying a transition after a crash cannot write them twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.store.schema import Casus, Historie, Melding
from models.binding import Partij
from models.meldingen import Meldingsoort, MeldingStatus


def historie(
    sessie: Session,
    casus: Casus,
    sleutel: str,
    soort: str,
    nu: datetime,
    /,
    *,
    stap_key: str | None = None,
    rol: str | None = None,
    organisatie: str | None = None,
    actor: str | None = None,
    **gegevens: Any,
) -> None:
    """Append to the case history (non-personal facts only); a replayed key is ignored."""
    volledige_sleutel = f"{casus.ref}:{sleutel}"
    if sessie.scalar(select(Historie.id).where(Historie.sleutel == volledige_sleutel)) is not None:
        return
    sessie.add(
        Historie(
            casus_id=casus.id,
            moment=nu,
            soort=soort,
            stap_key=stap_key,
            rol=rol,
            organisatie=organisatie,
            actor=actor,
            gegevens=gegevens,
            sleutel=volledige_sleutel,
        )
    )


def meld(
    sessie: Session,
    casus: Casus,
    sleutel: str,
    soort: Meldingsoort,
    partijen: list[Partij],
    nu: datetime,
    /,
    *,
    stap_key: str | None = None,
    termijn_einde: datetime | None = None,
    **gegevens: Any,
) -> None:
    """Write one outbox row per recipient party in the caller's transaction (sent later, at least once)."""
    for partij in partijen:
        rol = partij.rol
        volledige_sleutel = f"{casus.ref}:{sleutel}:{rol}@{partij.organisatie}"
        if sessie.scalar(select(Melding.id).where(Melding.sleutel == volledige_sleutel)) is not None:
            continue
        sessie.add(
            Melding(
                sleutel=volledige_sleutel,
                casus_id=casus.id,
                soort=soort,
                ontvanger_rol=rol,
                ontvanger_organisatie=partij.organisatie,
                stap_key=stap_key,
                termijn_einde=termijn_einde,
                gegevens=dict(gegevens),
                status=MeldingStatus.WACHTEND,
                pogingen=0,
                volgende_poging=nu,
                aangemaakt_op=nu,
            )
        )


@dataclass(frozen=True)
class Feit:
    """A history entry: its kind, who it concerns and its non-personal facts."""

    soort: str
    stap_key: str | None = None
    rol: str | None = None
    organisatie: str | None = None
    actor: str | None = None
    gegevens: dict[str, Any] = field(default_factory=dict)


def leg_vast_en_meld(
    sessie: Session,
    casus: Casus,
    sleutel: str,
    nu: datetime,
    feit: Feit,
    melding: Meldingsoort,
    naar: list[Partij],
    /,
    *,
    stap_key: str | None = None,
    termijn_einde: datetime | None = None,
    **gegevens: Any,
) -> None:
    """Write a history entry and the outbox messages it causes, under one key, in the caller's transaction.

    The messages carry ``stap_key`` (the entry's step unless given) and ``gegevens``; no recipients, no messages.
    """
    historie(
        sessie,
        casus,
        sleutel,
        feit.soort,
        nu,
        stap_key=feit.stap_key,
        rol=feit.rol,
        organisatie=feit.organisatie,
        actor=feit.actor,
        **feit.gegevens,
    )
    meld(
        sessie,
        casus,
        sleutel,
        melding,
        naar,
        nu,
        stap_key=feit.stap_key if stap_key is None else stap_key,
        termijn_einde=termijn_einde,
        **gegevens,
    )
