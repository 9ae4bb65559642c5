"""Delivering the outbox: claim due rows, send each recipient channel once, record every outcome.

Each step is its own short transaction, so no transaction is open during network I/O:

1. ``verdeel``: an outbox row becomes one ``bezorging`` per channel of its role (the channel set is config).
2. ``claim``: due deliveries are reserved for this run (``volgende_poging`` moves to now + claim time and the
   attempt is counted). On PostgreSQL ``FOR UPDATE SKIP LOCKED``, on SQLite the write lock taken at BEGIN,
   make two runs pick disjoint rows. The messages are rendered in the same transaction.
3. send (threads, one apprise call per channel, each with a timeout), then ``leg_vast`` right after each send.

A crash between 2 and 3 leaves the row reserved until the claim time passes, then it is sent again with the same
idempotency key: at least once, never lost. Failures back off exponentially with jitter (capped); after the
configured attempts a delivery is ``mislukt`` and the case's coordinator gets a ``bezorging_mislukt`` notice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from aanpak.meldingen.inhoud import inhoud_van, kenmerk_van
from aanpak.meldingen.instellingen import Beleid
from aanpak.meldingen.kanalen import Kanaal, Kanalen
from aanpak.meldingen.sjablonen import Bericht, maak_bericht
from aanpak.meldingen.verzenden import Uitkomst, verstuur
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Bezorging, Casus, Melding
from aanpak.usecases import logboek
from aanpak.usecases.vastlegging import Feit, leg_vast_en_meld
from models.binding import Partij
from models.fouten import NietGevonden
from models.meldingen import BezorgingStatus, Meldingsoort, MeldingStatus
from models.werkproces import Werkproces

#: Kept for ``tasks.meldingen`` (the next due moment of a waiting row or delivery).
WACHTEND = MeldingStatus.WACHTEND
#: The one message kind that carries personal data (the other professional's contact): its sharing is logged.
MATCH = Meldingsoort.MATCH
BEZORGING_MISLUKT = Meldingsoort.BEZORGING_MISLUKT

Verzender = Callable[..., Uitkomst]


class Rondeverslag(BaseModel):
    """Counts and role keys only: safe as a Prefect task result."""

    verzonden: int = 0
    uitgesteld: int = 0
    mislukt: int = 0
    #: Roles with outbox rows but no channel (configuration error; the rows wait, nothing is dropped).
    zonder_kanaal: list[str] = []


@dataclass(frozen=True)
class Klus:
    """One claimed delivery, rendered: what a send thread needs (no session, no ORM objects)."""

    bezorging_id: int
    kanaal: Kanaal | None
    rol: str
    kenmerk: str
    moment: str
    bericht: Bericht | None
    fout: str | None = None
    organisatie: str | None = None


def wachttijd(pogingen: int, beleid: Beleid, rnd: random.Random | None = None) -> timedelta:
    """Exponential backoff, capped, with jitter: between half and all of ``basis * 2**(pogingen-1)``."""
    grens = min(beleid.backoff_max, beleid.backoff_basis * 2 ** max(pogingen - 1, 0))
    return timedelta(seconds=grens * (rnd or random).uniform(0.5, 1.0))


def bezorg(omg: Omgeving, kanalen: Kanalen, beleid: Beleid, *, verzender: Verzender = verstuur) -> Rondeverslag:
    """Deliver everything that is due now, in rounds of ``beleid.batch`` until nothing due is left."""
    verslag = Rondeverslag()
    zonder: set[str] = set()
    for _ in range(1000):
        zonder |= verdeel(omg, kanalen, beleid)
        klussen = claim(omg, kanalen, beleid)
        if not klussen:
            break
        with ThreadPoolExecutor(max_workers=min(beleid.parallel, len(klussen))) as pool:
            for status in pool.map(lambda k: _een(omg, k, beleid, verzender), klussen):
                if status == BezorgingStatus.VERZONDEN:
                    verslag.verzonden += 1
                elif status == BezorgingStatus.MISLUKT:
                    verslag.mislukt += 1
                elif status == BezorgingStatus.WACHTEND:
                    verslag.uitgesteld += 1
        if len(klussen) < beleid.batch:
            break
    verslag.zonder_kanaal = sorted(zonder)
    return verslag


def _een(omg: Omgeving, klus: Klus, beleid: Beleid, verzender: Verzender) -> str | None:
    if klus.kanaal is None or klus.bericht is None:
        uitkomst = Uitkomst(False, klus.fout or "kanaal niet meer geconfigureerd")
    else:
        uitkomst = verzender(
            klus.kanaal,
            klus.bericht,
            kenmerk=klus.kenmerk,
            rol=klus.rol,
            organisatie=klus.organisatie,
            moment=klus.moment,
            timeout=beleid.timeout,
        )
    return leg_vast(omg, klus.bezorging_id, uitkomst, beleid)


def verdeel(omg: Omgeving, kanalen: Kanalen, beleid: Beleid) -> set[str]:
    """Turn due outbox rows into one delivery per channel; returns the roles that have no channel."""
    nu = omg.nu()
    zonder: set[str] = set()
    with omg.uow() as sessie:
        meldingen = sessie.scalars(
            select(Melding)
            .where(Melding.status == MeldingStatus.WACHTEND, Melding.volgende_poging <= nu)
            .order_by(Melding.id)
            .limit(beleid.batch)
            .with_for_update(skip_locked=True)
        ).all()
        register = omg.werkprocessen.register()
        alle = kanalen.met_register(register)
        sleutels = frozenset(o.key for o in register.organisaties)
        for m in meldingen:
            casus = sessie.get_one(Casus, m.casus_id)
            wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
            type_ = wp.organisatie_van(m.ontvanger_rol)
            eigen = alle.voor(
                m.ontvanger_rol,
                m.ontvanger_organisatie or type_,
                type_=type_,
                enige_van_type=m.ontvanger_organisatie is None or len(register.van_type(type_ or "")) <= 1,
                organisaties=sleutels,
            )
            if not eigen:
                zonder.add(m.ontvanger_rol)
                m.pogingen += 1
                m.laatste_fout = "geen kanaal geconfigureerd voor deze rol"
                m.volgende_poging = nu + wachttijd(m.pogingen, beleid)
                if m.pogingen >= beleid.max_pogingen:
                    m.status = MeldingStatus.MISLUKT
                    _meld_coordinator(sessie, casus, m, "geen kanaal", m.pogingen, 0, nu, wp, beleid.beheerder)
                continue
            bestaand = set(sessie.scalars(select(Bezorging.kanaal).where(Bezorging.melding_id == m.id)))
            for kanaal in eigen:
                if kanaal.id not in bestaand:
                    sessie.add(
                        Bezorging(
                            melding_id=m.id,
                            kanaal=kanaal.id,
                            status=BezorgingStatus.WACHTEND,
                            pogingen=0,
                            herkansingen=0,
                            volgende_poging=nu,
                            aangemaakt_op=nu,
                        )
                    )
            m.status = MeldingStatus.BEZORGEN
            m.laatste_fout = None
    return zonder


def claim(omg: Omgeving, kanalen: Kanalen, beleid: Beleid) -> list[Klus]:
    """Reserve due deliveries for this run and render their messages."""
    nu = omg.nu()
    klussen: list[Klus] = []
    alle = kanalen.met_register(omg.werkprocessen.register())
    with omg.uow() as sessie:
        rijen = sessie.scalars(
            select(Bezorging)
            .where(Bezorging.status == BezorgingStatus.WACHTEND, Bezorging.volgende_poging <= nu)
            .order_by(Bezorging.volgende_poging, Bezorging.id)
            .limit(beleid.batch)
            .with_for_update(skip_locked=True)
        ).all()
        for b in rijen:
            b.pogingen += 1
            b.volgende_poging = nu + timedelta(seconds=beleid.claim)
            m = sessie.get_one(Melding, b.melding_id)
            klussen.append(_klus(omg, sessie, b, m, alle.kanaal(b.kanaal), beleid, nu))
    return klussen


def _klus(
    omg: Omgeving, sessie: Session, b: Bezorging, m: Melding, kanaal: Kanaal | None, beleid: Beleid, nu: datetime
) -> Klus:
    kenmerk = kenmerk_van(m)
    moment = m.aangemaakt_op.strftime("%Y%m%d-%H%M%S")
    try:
        bericht = maak_bericht(inhoud_van(omg, sessie, m, nu, beleid.inzage_url))
    except Exception as exc:
        # Reported by type only: the cause might be a decryption error over personal data.
        fout = f"opmaak mislukt ({type(exc).__name__})"
        return Klus(b.id, kanaal, m.ontvanger_rol, kenmerk, moment, None, fout, m.ontvanger_organisatie)
    return Klus(b.id, kanaal, m.ontvanger_rol, kenmerk, moment, bericht, None, m.ontvanger_organisatie)


def leg_vast(omg: Omgeving, bezorging_id: int, uitkomst: Uitkomst, beleid: Beleid) -> str | None:
    """Record one send's outcome in its own transaction; returns the delivery's new status."""
    nu = omg.nu()
    with omg.uow() as sessie:
        melding_id = sessie.scalar(select(Bezorging.melding_id).where(Bezorging.id == bezorging_id))
        if melding_id is None:
            return None
        # Lock order melding → bezorging everywhere: the outbox row's summary is updated consistently.
        m = sessie.scalars(select(Melding).where(Melding.id == melding_id).with_for_update()).one()
        b = sessie.scalars(select(Bezorging).where(Bezorging.id == bezorging_id).with_for_update()).one()
        if b.status == BezorgingStatus.VERZONDEN:
            return BezorgingStatus.VERZONDEN
        if uitkomst.gelukt:
            if m.soort == MATCH and not _al_bezorgd(sessie, m):
                _log_gedeeld_contact(omg, sessie, m, nu)
            b.status, b.verzonden_op, b.laatste_fout = BezorgingStatus.VERZONDEN, nu, None
        else:
            b.laatste_fout = (uitkomst.fout or "niet bezorgd")[:200]
            m.laatste_fout = b.laatste_fout
            if b.pogingen >= beleid.max_pogingen:
                b.status = BezorgingStatus.MISLUKT
                casus = sessie.get_one(Casus, m.casus_id)
                wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
                _meld_coordinator(sessie, casus, m, b.kanaal, b.pogingen, b.herkansingen, nu, wp, beleid.beheerder)
            else:
                b.volgende_poging = nu + wachttijd(b.pogingen, beleid)
        _vat_samen(sessie, m, nu)
        return b.status


def _al_bezorgd(sessie: Session, m: Melding) -> bool:
    """Whether another channel already delivered this outbox row (its content was shared then)."""
    return (
        sessie.scalar(
            select(func.count())
            .select_from(Bezorging)
            .where(Bezorging.melding_id == m.id, Bezorging.status == BezorgingStatus.VERZONDEN)
        )
        or 0
    ) > 0


def _log_gedeeld_contact(omg: Omgeving, sessie: Session, m: Melding, nu: datetime) -> None:
    """A match message shares the other professional's contact details (personal data): one disclosure-log
    entry when it first reaches the recipient, whatever the number of channels or retries."""
    casus = sessie.get_one(Casus, m.casus_id)
    wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
    logboek.schrijf(
        sessie,
        moment=nu,
        casus_ref=casus.ref,
        handeling="delen",
        actor="aanpak.meldingen",
        rol=m.ontvanger_rol,
        organisatie=m.ontvanger_organisatie or wp.organisatie_van(m.ontvanger_rol),
        doel="afstemming_na_match",
        uitkomst="verstrekt",
        categorieen=["contact"],
        grondslagen=["verwijsindex_match"],
        reden="match",
    )


def _vat_samen(sessie: Session, m: Melding, nu: datetime) -> None:
    """The outbox row's own status summarises its channels: verzonden when all are, mislukt when one is."""
    rijen = sessie.execute(select(Bezorging.status, Bezorging.pogingen).where(Bezorging.melding_id == m.id)).all()
    statussen = {r.status for r in rijen}
    m.pogingen = max((r.pogingen for r in rijen), default=m.pogingen)
    if statussen == {BezorgingStatus.VERZONDEN}:
        m.status, m.verzonden_op = MeldingStatus.VERZONDEN, nu
    elif BezorgingStatus.MISLUKT in statussen:
        m.status = MeldingStatus.MISLUKT
    else:
        m.status = MeldingStatus.BEZORGEN


def _meld_coordinator(
    sessie: Session,
    casus: Casus,
    m: Melding,
    kanaal: str,
    pogingen: int,
    herkansingen: int,
    nu: datetime,
    wp: Werkproces,
    beheerder: str = "",
) -> None:
    """Tell the case's coordinator (casusregie, else procesregie), the unreached role's organisation lead and the
    operator (``AANPAK_MELDINGEN_BEHEERDER``) that a partner was not reached — never only the role whose channel
    failed, which would not hear it either."""
    coordinator = (
        Partij(casus.casusregie_organisatie or "", casus.casusregie)
        if casus.casusregie
        else Partij(casus.procesregie_organisatie or "", casus.procesregie)
        if casus.procesregie
        else None
    )
    ontvanger = Partij(m.ontvanger_organisatie or "", m.ontvanger_rol)
    lead_rol = wp.leidinggevende_van(m.ontvanger_rol) if wp.heeft_rol(m.ontvanger_rol) else None
    lead = Partij(ontvanger.organisatie, lead_rol) if lead_rol else None
    kandidaten = [coordinator, lead, _beheerder(wp, beheerder)]
    naar = list(dict.fromkeys(p for p in kandidaten if p and p != ontvanger))
    if m.soort == BEZORGING_MISLUKT:
        naar = []  # the notice itself failed: recorded, but no chain of notices about notices
    leg_vast_en_meld(
        sessie,
        casus,
        f"bezorging-mislukt:{m.id}:{kanaal}:{herkansingen}",
        nu,
        Feit(
            BEZORGING_MISLUKT,
            stap_key=m.stap_key,
            rol=m.ontvanger_rol,
            gegevens={"melding": m.id, "kanaal": kanaal},
        ),
        BEZORGING_MISLUKT,
        naar,
        ontvanger=m.ontvanger_rol,
        kanaal=kanaal,
        oorspronkelijk=m.soort,
        pogingen=pogingen,
        melding=m.id,
    )


def _beheerder(wp: Werkproces, instelling: str) -> Partij | None:
    """The operator as ``rol@organisatie`` (``AANPAK_MELDINGEN_BEHEERDER``); anything else names no one."""
    rol, _, organisatie = instelling.partition("@")
    return Partij(organisatie, rol) if organisatie and wp.heeft_rol(rol) else None


def opnieuw(omg: Omgeving, *, melding_id: int | None = None, alle_mislukt: bool = False) -> int:
    """Operator requeue of failed deliveries: fresh attempts from now. Returns the number requeued."""
    if melding_id is None and not alle_mislukt:
        raise NietGevonden("noem een melding (--melding ID) of kies --alle-mislukt", veld="melding")
    nu = omg.nu()
    with omg.uow() as sessie:
        stmt = select(Melding).where(Melding.status == MeldingStatus.MISLUKT).with_for_update()
        if melding_id is not None:
            if sessie.get(Melding, melding_id) is None:
                raise NietGevonden(f"melding {melding_id} bestaat niet", veld="melding")
            stmt = stmt.where(Melding.id == melding_id)
        aantal = 0
        for m in sessie.scalars(stmt.order_by(Melding.id)).all():
            gewijzigd = cast(
                CursorResult[Any],
                sessie.execute(
                    update(Bezorging)
                    .where(Bezorging.melding_id == m.id, Bezorging.status == BezorgingStatus.MISLUKT)
                    .values(
                        status=BezorgingStatus.WACHTEND,
                        pogingen=0,
                        herkansingen=Bezorging.herkansingen + 1,
                        volgende_poging=nu,
                    )
                ),
            ).rowcount
            heeft_bezorgingen = bool(
                sessie.scalar(select(func.count()).select_from(Bezorging).where(Bezorging.melding_id == m.id))
            )
            m.status = MeldingStatus.BEZORGEN if heeft_bezorgingen else MeldingStatus.WACHTEND
            m.pogingen, m.volgende_poging = 0, nu
            aantal += max(gewijzigd, 1)
        return aantal


class MislukteBezorging(BaseModel):
    melding_id: int
    casus_ref: str
    soort: str
    rol: str
    kanaal: str
    pogingen: int
    laatste_fout: str | None


class Overzicht(BaseModel):
    per_status: dict[str, int]
    mislukt: list[MislukteBezorging]


def overzicht(omg: Omgeving) -> Overzicht:
    """Deliveries per status and the failed ones (references, roles and reasons only)."""
    with omg.uow() as sessie:
        per_status: dict[str, int] = dict(
            sessie.execute(select(Bezorging.status, func.count()).group_by(Bezorging.status)).all()
        )
        wacht_op_kanaal = sessie.scalar(
            select(func.count()).select_from(Melding).where(Melding.status == MeldingStatus.WACHTEND)
        )
        per_status["melding wachtend (nog niet verdeeld)"] = wacht_op_kanaal or 0
        rijen = sessie.execute(
            select(Melding, Bezorging, Casus.ref)
            .join(Bezorging, Bezorging.melding_id == Melding.id, isouter=True)
            .join(Casus, Casus.id == Melding.casus_id)
            .where(Melding.status == MeldingStatus.MISLUKT)
            .order_by(Melding.id)
        ).all()
        mislukt = [
            MislukteBezorging(
                melding_id=m.id,
                casus_ref=ref,
                soort=m.soort,
                rol=m.ontvanger_rol,
                kanaal=b.kanaal if b is not None else "(geen kanaal)",
                pogingen=b.pogingen if b is not None else m.pogingen,
                laatste_fout=b.laatste_fout if b is not None else m.laatste_fout,
            )
            for m, b, ref in rijen
            if b is None or b.status == BezorgingStatus.MISLUKT
        ]
    return Overzicht(per_status=per_status, mislukt=mislukt)
