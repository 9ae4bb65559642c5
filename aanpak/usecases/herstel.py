"""Drive cases on from the store when a transition run was lost.

A signal or decision is stored before its transition runs. If that run never happened or died (worker host
gone, run deleted), the store still says so: ``signaal.verwerkt_op`` or ``besluit.toegepast_op`` is empty. The
bewaking and ``aanpak herstel`` pick these up after a grace period and apply them (idempotently).

The run that died may still say "Running" in Prefect (an in-process run has no heartbeat): the callers of each
round (``aanpak herstel``, the termijnbewaking's task) first mark this host's runs whose process is gone Crashed
(``aanpak/prefect_zombies.py``), so the managers' Runs list shows what happened and the recovery's new run is the
one that completes. This use case itself knows nothing of Prefect.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import InterfaceError, OperationalError

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Casus, Signaal, StapInstantie
from models.fouten import Conflict, DomeinFout, PrefectNietBereikbaar

#: Grace period before a transition counts as lost: transitions take seconds, a run may wait for a worker.
WACHTTIJD = timedelta(minutes=5)


class Onafgemaakt(BaseModel):
    signalen: list[str]
    #: (besluit_ref, casus_ref, stap)
    besluiten: list[tuple[str, str, str]]


def _signaal_open(grens: datetime) -> tuple[ColumnElement[bool], ...]:
    """A signal stored before ``grens`` whose transition never completed."""
    return (Signaal.verwerkt_op.is_(None), Signaal.ontvangen_op <= grens)


def _besluit_open(grens: datetime) -> tuple[ColumnElement[bool], ...]:
    """A decision taken before ``grens`` that was never applied."""
    return (Besluit.toegepast_op.is_(None), Besluit.besloten_op <= grens)


def _besluiten_open(grens: datetime) -> Select[str, str, str]:
    """(besluit_ref, casus_ref, stap) of the unapplied decisions, oldest first."""
    return (
        select(Besluit.ref, Casus.ref, StapInstantie.stap_key)
        .join(Casus, Casus.id == Besluit.casus_id)
        .join(StapInstantie, StapInstantie.id == Besluit.stap_id)
        .where(*_besluit_open(grens))
        .order_by(Besluit.id)
    )


def onafgemaakt(omg: Omgeving, ouder_dan: timedelta = WACHTTIJD, limiet: int = 500) -> Onafgemaakt:
    grens = omg.nu() - ouder_dan
    with omg.uow() as sessie:
        signalen = sessie.scalars(
            select(Signaal.ref).where(*_signaal_open(grens)).order_by(Signaal.id).limit(limiet)
        ).all()
        besluiten = sessie.execute(_besluiten_open(grens).limit(limiet)).all()
    return Onafgemaakt(signalen=list(signalen), besluiten=[(b, c, s) for b, c, s in besluiten])


# -- one recovery round, in parallel ------------------------------------------------------------------------


class NogOnderweg(Exception):
    """A transition was handed on but has not finished yet (a deployment run still waiting for its worker)."""


class Herstelstatus(StrEnum):
    """What happened to one reference in a recovery round."""

    KLAAR = "klaar"
    #: Follows later, nothing wrong (Prefect away, or a run still on its way).
    OPEN = "open"
    MISLUKT = "mislukt"


@dataclass(frozen=True)
class Uitkomst:
    """What happened to one reference: ``klaar``, ``open`` (follows later, nothing wrong) or ``mislukt``."""

    soort: str  # "signaal" | "besluit"
    ref: str
    casus_ref: str | None
    status: Herstelstatus
    reden: str = ""


@dataclass
class Herstelronde:
    klaar: list[Uitkomst] = field(default_factory=list)
    open: list[Uitkomst] = field(default_factory=list)
    mislukt: list[Uitkomst] = field(default_factory=list)
    #: More unfinished work than one round takes (``limiet``): the next round picks it up.
    niet_geprobeerd: int = 0

    @property
    def werk_over(self) -> bool:
        return bool(self.open or self.mislukt or self.niet_geprobeerd)


#: Applies one signal (returns the case reference) or one decision; raises on refusal.
SignaalToepasser = Callable[[str], str]
BesluitToepasser = Callable[[str, str, str], None]

ONBEREIKBAAR_OPSLAG = "de casusopslag is niet bereikbaar"
PREFECT_WEG = "Prefect is niet bereikbaar; de overgang volgt zodra Prefect terug is"


def _reden(exc: BaseException) -> tuple[Herstelstatus, str]:
    """(status, Dutch reason) for an error: the domain's own PII-free message, else only the error's type."""
    if isinstance(exc, PrefectNietBereikbaar):
        return Herstelstatus.OPEN, PREFECT_WEG
    if isinstance(exc, NogOnderweg):
        return Herstelstatus.OPEN, str(exc) or "de overgang wordt nog verwerkt"
    if isinstance(exc, DomeinFout):
        return Herstelstatus.MISLUKT, exc.melding
    if isinstance(exc, OperationalError | InterfaceError):
        return Herstelstatus.MISLUKT, ONBEREIKBAAR_OPSLAG  # never the driver's text: it may hold the statement
    return Herstelstatus.MISLUKT, f"onverwachte fout ({type(exc).__name__})"


def herstel(
    omg: Omgeving,
    signaal_toepassen: SignaalToepasser,
    besluit_toepassen: BesluitToepasser,
    *,
    ouder_dan: timedelta = WACHTTIJD,
    parallel: int = 4,
    limiet: int = 500,
) -> Herstelronde:
    """Apply every unfinished signal, then every unapplied decision, ``parallel`` at a time; never raises for
    one reference.

    Why concurrent application is safe: each transition is one transaction that re-reads its state under a lock
    (``verwerk_signaal`` locks the signal and the youth's open case, ``pas_besluit_toe`` the case row;
    SQLite takes its write lock at ``BEGIN IMMEDIATE``) and does nothing for a signal processed or a decision
    applied meanwhile. To keep the order a serial run would have, the work is split in lanes: signals of one
    youth in one lane (two signals of one youth would both try to open a case), decisions of one case in one
    lane in the order they were taken; lanes run in parallel, signals before decisions. When Prefect turns out
    to be unreachable, what is left is reported open without waiting for Prefect again and again.
    """
    ronde = Herstelronde()
    sporen_s, sporen_b, over = _werkvoorraad(omg, ouder_dan, limiet)
    ronde.niet_geprobeerd = over
    prefect_weg = threading.Event()
    slot = threading.Lock()

    def noteer(u: Uitkomst) -> None:
        with slot:
            {Herstelstatus.KLAAR: ronde.klaar, Herstelstatus.OPEN: ronde.open, Herstelstatus.MISLUKT: ronde.mislukt}[
                u.status
            ].append(u)

    def probeer(soort: str, ref: str, casus_ref: str | None, doe: Callable[[], str | None]) -> None:
        if prefect_weg.is_set():
            noteer(Uitkomst(soort, ref, casus_ref, Herstelstatus.OPEN, PREFECT_WEG))
            return
        for poging in (1, 2):
            try:
                casus = doe()
            except Conflict as exc:
                if poging == 1:
                    continue  # a concurrent transition of the same case won; the second try sees its result
                noteer(Uitkomst(soort, ref, casus_ref, Herstelstatus.MISLUKT, exc.melding))
            except Exception as exc:  # one reference's failure never stops the round
                status, reden = _reden(exc)
                if isinstance(exc, PrefectNietBereikbaar):
                    prefect_weg.set()
                noteer(Uitkomst(soort, ref, casus_ref, status, reden))
            else:
                noteer(Uitkomst(soort, ref, casus or casus_ref, Herstelstatus.KLAAR))
            return

    def signaalspoor(refs: list[str]) -> None:
        for ref in refs:
            probeer("signaal", ref, None, partial(signaal_toepassen, ref))

    def besluitspoor(rijen: list[tuple[str, str, str]]) -> None:
        for b, c, s in rijen:
            probeer("besluit", b, c, partial(besluit_toepassen, b, c, s))

    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="herstel") as pool:
        # Each lane runs in a copy of the caller's context (Prefect's settings live in context variables).
        for klus in [pool.submit(contextvars.copy_context().run, signaalspoor, s) for s in sporen_s]:
            klus.result()
        for klus in [pool.submit(contextvars.copy_context().run, besluitspoor, b) for b in sporen_b]:
            klus.result()
    return ronde


def _werkvoorraad(
    omg: Omgeving, ouder_dan: timedelta, limiet: int
) -> tuple[list[list[str]], list[list[tuple[str, str, str]]], int]:
    """The unfinished work in lanes (signals per youth, decisions per case), and how much is left beyond it."""
    grens = omg.nu() - ouder_dan
    with omg.uow() as sessie:
        signalen = sessie.execute(
            select(Signaal.ref, Signaal.jeugdige_id).where(*_signaal_open(grens)).order_by(Signaal.id).limit(limiet)
        ).all()
        besluiten = sessie.execute(_besluiten_open(grens).limit(limiet)).all()
        totaal_s = sessie.scalar(select(func.count()).where(*_signaal_open(grens)))
        totaal_b = sessie.scalar(select(func.count()).where(*_besluit_open(grens)))
    per_jeugdige: dict[object, list[str]] = {}
    for ref, jeugdige in signalen:
        per_jeugdige.setdefault(jeugdige if jeugdige is not None else ref, []).append(ref)
    per_casus: dict[str, list[tuple[str, str, str]]] = {}
    for b, c, s in besluiten:
        per_casus.setdefault(c, []).append((b, c, s))
    over = (totaal_s or 0) - len(signalen) + (totaal_b or 0) - len(besluiten)
    return list(per_jeugdige.values()), list(per_casus.values()), over
