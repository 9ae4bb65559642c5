"""Retention as code: what is past its term, legal holds, deleting a case, and the data subject's erasure request.

The terms come from the definition in force (``bewaartermijnen``), so a changed policy applies to every record,
whatever version a case started with. Deleting a case removes every row that hangs off it (found through the
foreign keys of the schema, so a table added later is included without touching this module) and the youth's
identity when no other case or signal of that youth remains. The disclosure log is not part of a case: its
entries are kept by reference until their own term, so an erased case still shows who saw what.

Each deletion writes one ``verwijdering`` row (refs, counts, grounds — no personal data) in the same
transaction; the Prefect purge runs afterwards and is marked on that row, so a purge that failed is retried.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, CursorResult, Delete, Table, delete, false, func, or_, select
from sqlalchemy.orm import Session

from aanpak.meldingen import postvak
from aanpak.meldingen.inhoud import kenmerk_van
from aanpak.omgeving import Omgeving
from aanpak.store.db import daarna_wal_leeg
from aanpak.store.schema import Basis, Bewaarplicht, Casus, Melding, Signaal, Verwerking, Verwijdering, Verzoek
from aanpak.usecases import logboek
from aanpak.usecases.casusopslag import casus_op_ref, nieuwe_ref
from aanpak.usecases.grondslag import loket
from models.actor import Actor
from models.binding import controleer_actor
from models.casus import CasusStatus
from models.fouten import DomeinFout, NietGevonden
from models.werkproces import Werkproces

#: Who the scheduled retention run acts as (in the deletion log and the disclosure log).
SYSTEEM_DOOR = "bewaring"
SYSTEEM_ROL = "systeem.bewaring"
#: The scheduled bewaring acting on its own (retention terms): no person, no organisation of the register.
SYSTEEM = Actor(persoon=SYSTEEM_DOOR, organisatie="", rol=SYSTEEM_ROL)


class Grond(StrEnum):
    """Why something was deleted."""

    BEWAARTERMIJN = "bewaartermijn"
    VERZOEK_BETROKKENE = "verzoek_betrokkene"


class Bewaarplichtreden(StrEnum):
    """Why a case must be kept beyond its term or despite an erasure request (art. 17(3) AVG)."""

    RECHTSVORDERING = "rechtsvordering"
    STRAFRECHTELIJK_ONDERZOEK = "strafrechtelijk_onderzoek"
    WETTELIJKE_BEWAARPLICHT = "wettelijke_bewaarplicht"
    KLACHT_OF_BEZWAAR = "klacht_of_bezwaar"
    TOEZICHTHOUDER = "toezichthouder"


class _Uit(BaseModel):
    model_config = ConfigDict(frozen=True)


class CasusTeVerwijderen(_Uit):
    casus_ref: str
    gesloten_op: datetime
    termijn_einde: datetime
    aantallen: dict[str, int]


class Geblokkeerd(_Uit):
    casus_ref: str
    termijn_einde: datetime
    redenen: list[str]


class Overzicht(_Uit):
    """A dry run: what the retention run would delete now (refs and counts only)."""

    moment: datetime
    casussen: list[CasusTeVerwijderen]
    signalen: list[str]
    geblokkeerd: list[Geblokkeerd]
    verwerkingslog: int
    verwijderlog: int
    #: Deletions whose Prefect purge has not succeeded yet (deletion-log refs with their case refs).
    prefect_open: list[tuple[str, str]]


class Verwijderd(_Uit):
    verwijdering_ref: str
    soort: str
    ref: str
    grond: str
    aantallen: dict[str, int]
    #: True when it was deleted before (the earlier deletion is returned; nothing changed).
    al_verwijderd: bool = False


class BewaarplichtUit(_Uit):
    bewaarplicht_ref: str
    casus_ref: str
    reden: str
    tot: datetime | None
    opgeheven: bool


class Gesnoeid(_Uit):
    verwerkingslog: int
    verwijderlog: int


# -- the rows of a case: the foreign-key graph ------------------------------------------------------------------


def _tabel(naam: str) -> Table:
    return Basis.metadata.tables[naam]


def _voorwaarden(wortels: dict[str, ColumnElement[bool]]) -> list[tuple[Table, ColumnElement[bool]]]:
    """Every table's rows that hang (transitively, by foreign key) off the given root rows, parents first."""
    per_tabel: dict[str, ColumnElement[bool]] = {}
    volgorde: list[tuple[Table, ColumnElement[bool]]] = []
    for tabel in Basis.metadata.sorted_tables:
        delen: list[ColumnElement[bool]] = [wortels[tabel.name]] if tabel.name in wortels else []
        for fk in tabel.foreign_keys:
            ouder = fk.column.table
            if ouder.name in per_tabel and ouder.name != tabel.name:
                delen.append(fk.parent.in_(select(fk.column).where(per_tabel[ouder.name])))
        if delen:
            voorwaarde = or_(*delen)
            per_tabel[tabel.name] = voorwaarde
            volgorde.append((tabel, voorwaarde))
    return volgorde


def _wortels_casus(sessie: Session, casus: Casus) -> dict[str, ColumnElement[bool]]:
    wortels: dict[str, ColumnElement[bool]] = {"casus": _tabel("casus").c.id == casus.id}
    andere_casussen = sessie.scalar(
        select(func.count()).select_from(Casus).where(Casus.jeugdige_id == casus.jeugdige_id, Casus.id != casus.id)
    )
    andere_signalen = sessie.scalar(
        select(func.count())
        .select_from(Signaal)
        .where(
            Signaal.jeugdige_id == casus.jeugdige_id,
            or_(Signaal.casus_id.is_(None), Signaal.casus_id != casus.id),
        )
    )
    if not andere_casussen and not andere_signalen:
        wortels["jeugdige"] = _tabel("jeugdige").c.id == casus.jeugdige_id
    return wortels


def _wortels_signaal(sessie: Session, signaal: Signaal) -> dict[str, ColumnElement[bool]]:
    wortels: dict[str, ColumnElement[bool]] = {"signaal": _tabel("signaal").c.id == signaal.id}
    anders = sessie.scalar(
        select(func.count())
        .select_from(Signaal)
        .where(Signaal.jeugdige_id == signaal.jeugdige_id, Signaal.id != signaal.id)
    )
    cas = sessie.scalar(select(func.count()).select_from(Casus).where(Casus.jeugdige_id == signaal.jeugdige_id))
    if not anders and not cas:
        wortels["jeugdige"] = _tabel("jeugdige").c.id == signaal.jeugdige_id
    return wortels


def _verzoeken(signaal_refs: list[str], casus_ref: str | None) -> ColumnElement[bool]:
    """Idempotency answers that name the case or its signals (they have no foreign key)."""
    delen: list[ColumnElement[bool]] = []
    if signaal_refs:
        delen.append(Verzoek.resultaat["signaal_ref"].as_string().in_(signaal_refs))
    if casus_ref is not None:
        delen.append(Verzoek.resultaat["casus_ref"].as_string() == casus_ref)
    return or_(*delen) if delen else false()


def _tel(sessie: Session, wortels: dict[str, ColumnElement[bool]], verzoeken: ColumnElement[bool]) -> dict[str, int]:
    aantallen: dict[str, int] = {}
    for tabel, voorwaarde in _voorwaarden(wortels):
        n = sessie.scalar(select(func.count()).select_from(tabel).where(voorwaarde)) or 0
        if n:
            aantallen[tabel.name] = int(n)
    n = sessie.scalar(select(func.count()).select_from(Verzoek).where(verzoeken)) or 0
    if n:
        aantallen["verzoek"] = int(n)
    return aantallen


def _weg(sessie: Session, stmt: Delete) -> int:
    """Execute a bulk delete; returns how many rows went."""
    return int(cast(CursorResult[Any], sessie.execute(stmt)).rowcount or 0)


def _wis(sessie: Session, wortels: dict[str, ColumnElement[bool]], verzoeken: ColumnElement[bool]) -> dict[str, int]:
    """Delete children before parents; returns the rows deleted per table."""
    aantallen: dict[str, int] = {}
    n = _weg(sessie, delete(Verzoek).where(verzoeken))
    if n:
        aantallen["verzoek"] = int(n)
    for tabel, voorwaarde in reversed(_voorwaarden(wortels)):
        n = _weg(sessie, delete(tabel).where(voorwaarde))
        if n:
            aantallen[tabel.name] = int(n)
    sessie.flush()
    sessie.expunge_all()  # the ORM must not hold on to (or re-flush) what SQL just deleted
    return dict(sorted(aantallen.items()))


# -- holds ------------------------------------------------------------------------------------------------------


def _actieve_holds(sessie: Session, casus_id: int, nu: datetime) -> list[Bewaarplicht]:
    return list(
        sessie.scalars(
            select(Bewaarplicht)
            .where(
                Bewaarplicht.casus_id == casus_id,
                Bewaarplicht.opgeheven_op.is_(None),
                Bewaarplicht.vanaf <= nu,
                or_(Bewaarplicht.tot.is_(None), Bewaarplicht.tot > nu),
            )
            .order_by(Bewaarplicht.id)
        )
    )


def _wp(omg: Omgeving) -> Werkproces:
    return omg.werkprocessen.bestand()[0]


def _loket(omg: Omgeving, actor: Actor, wat: str) -> Werkproces:
    """Only the privacyloket, at an organisation of its type in the register, handles these requests."""
    wp = _wp(omg)
    loket(wp, actor.rol, wat)  # the role first, then its organisation
    controleer_actor(wp, omg.werkprocessen.register(), actor)
    return wp


def _organisatie(actor: Actor) -> str | None:
    return actor.organisatie or None


def zet_bewaarplicht(
    omg: Omgeving,
    casus_ref: str,
    reden: Bewaarplichtreden,
    actor: Actor,
    tot: datetime | None = None,
) -> BewaarplichtUit:
    """Put a legal hold on a case; the same reason on a case already held returns that hold (idempotent)."""
    _loket(omg, actor, "een bewaarplicht vastleggen")
    door, rol = actor.persoon, actor.rol
    nu = omg.nu()
    if tot is not None and tot <= nu:
        raise DomeinFout("het einde van de bewaarplicht ligt niet in de toekomst", veld="tot")
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref, vergrendel=True)
        for hold in _actieve_holds(sessie, casus.id, nu):
            if hold.reden == reden.value:
                return _hold_uit(hold, casus_ref)
        hold = Bewaarplicht(
            ref=nieuwe_ref("H"),
            casus_id=casus.id,
            reden=reden.value,
            door=door,
            rol=rol,
            vanaf=nu,
            tot=tot,
        )
        sessie.add(hold)
        logboek.schrijf(
            sessie,
            moment=nu,
            casus_ref=casus_ref,
            handeling="bewaarplicht",
            actor=door,
            rol=rol,
            organisatie=_organisatie(actor),
            doel="bewaarplicht",
            uitkomst="vastgelegd",
            reden=reden.value,
        )
        return _hold_uit(hold, casus_ref)


def hef_bewaarplicht_op(omg: Omgeving, casus_ref: str, actor: Actor) -> list[BewaarplichtUit]:
    """Lift every hold in force on a case (the rows stay until the case is deleted)."""
    _loket(omg, actor, "een bewaarplicht opheffen")
    door, rol = actor.persoon, actor.rol
    nu = omg.nu()
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref, vergrendel=True)
        holds = _actieve_holds(sessie, casus.id, nu)
        if not holds:
            raise DomeinFout(f"casus '{casus_ref}' heeft geen bewaarplicht die van kracht is", veld="casus")
        for hold in holds:
            hold.opgeheven_op = nu
            hold.opgeheven_door = door
        logboek.schrijf(
            sessie,
            moment=nu,
            casus_ref=casus_ref,
            handeling="bewaarplicht_opgeheven",
            actor=door,
            rol=rol,
            organisatie=_organisatie(actor),
            doel="bewaarplicht",
            uitkomst="vastgelegd",
            reden=",".join(sorted({h.reden for h in holds}))[:64],
        )
        return [_hold_uit(h, casus_ref) for h in holds]


def _hold_uit(hold: Bewaarplicht, casus_ref: str) -> BewaarplichtUit:
    return BewaarplichtUit(
        bewaarplicht_ref=hold.ref,
        casus_ref=casus_ref,
        reden=hold.reden,
        tot=hold.tot,
        opgeheven=hold.opgeheven_op is not None,
    )


# -- what is past its term --------------------------------------------------------------------------------------


def te_verwijderen(omg: Omgeving, nu: datetime | None = None) -> Overzicht:
    """The dry run: closed cases and stray signals past their term, holds that block, log entries to prune."""
    nu = nu or omg.nu()
    termijnen = _wp(omg).bewaartermijnen
    casus_grens = termijnen.gesloten_casus.grens(nu)
    with omg.uow() as sessie:
        kandidaten = sessie.scalars(
            select(Casus)
            .where(
                Casus.status == CasusStatus.GESLOTEN, Casus.gesloten_op.is_not(None), Casus.gesloten_op < casus_grens
            )
            .order_by(Casus.gesloten_op, Casus.id)
        ).all()
        casussen: list[CasusTeVerwijderen] = []
        geblokkeerd: list[Geblokkeerd] = []
        for casus in kandidaten:
            assert casus.gesloten_op is not None
            einde = termijnen.gesloten_casus.einde(casus.gesloten_op)
            holds = _actieve_holds(sessie, casus.id, nu)
            if holds:
                geblokkeerd.append(Geblokkeerd(casus_ref=casus.ref, termijn_einde=einde, redenen=_redenen(holds)))
                continue
            signaal_refs = list(sessie.scalars(select(Signaal.ref).where(Signaal.casus_id == casus.id)))
            aantallen = _tel(sessie, _wortels_casus(sessie, casus), _verzoeken(signaal_refs, casus.ref))
            casussen.append(
                CasusTeVerwijderen(
                    casus_ref=casus.ref, gesloten_op=casus.gesloten_op, termijn_einde=einde, aantallen=aantallen
                )
            )
        signalen = list(
            sessie.scalars(
                select(Signaal.ref)
                .where(
                    Signaal.casus_id.is_(None),
                    Signaal.ontvangen_op < termijnen.signaal_zonder_casus.grens(nu),
                )
                .order_by(Signaal.id)
            )
        )
        verwerkingslog = sessie.scalar(
            select(func.count()).select_from(Verwerking).where(Verwerking.moment < termijnen.verwerkingslog.grens(nu))
        )
        verwijderlog = sessie.scalar(select(func.count()).select_from(Verwijdering).where(_verwijderlog_weg(omg, nu)))
        prefect_open = [
            (v.ref, v.casus_ref or "")
            for v in sessie.scalars(
                select(Verwijdering)
                .where(Verwijdering.soort == "casus", Verwijdering.prefect_opgeschoond_op.is_(None))
                .order_by(Verwijdering.id)
            )
        ]
    return Overzicht(
        moment=nu,
        casussen=casussen,
        signalen=signalen,
        geblokkeerd=geblokkeerd,
        verwerkingslog=int(verwerkingslog or 0),
        verwijderlog=int(verwijderlog or 0),
        prefect_open=prefect_open,
    )


def _redenen(holds: list[Bewaarplicht]) -> list[str]:
    return sorted({h.reden for h in holds})


def _verwijderlog_weg(omg: Omgeving, nu: datetime) -> ColumnElement[bool]:
    """Deletion-log rows past their term — never one whose Prefect purge is still due."""
    grens = _wp(omg).bewaartermijnen.verwijderlog.grens(nu)
    return (Verwijdering.moment < grens) & (
        (Verwijdering.soort != "casus") | Verwijdering.prefect_opgeschoond_op.is_not(None)
    )


# -- deleting ---------------------------------------------------------------------------------------------------


def verwijder_casus(omg: Omgeving, casus_ref: str, grond: Grond, actor: Actor = SYSTEEM) -> Verwijderd:
    """Delete a closed case with everything in it, in one transaction; a case deleted before returns that record.

    Checks again inside the transaction (status, term or request, holds), so a case re-opened or held after the
    dry run is not deleted.
    """
    nu = omg.nu()
    wp = _wp(omg)
    if grond is Grond.VERZOEK_BETROKKENE or actor != SYSTEEM:
        _loket(omg, actor, "een verzoek tot verwijdering uitvoeren")
    with daarna_wal_leeg(omg.engine), omg.uow() as sessie:
        casus = sessie.scalar(select(Casus).where(Casus.ref == casus_ref).with_for_update())
        if casus is None:
            return _eerder_verwijderd(sessie, casus_ref=casus_ref)
        _mag_weg(sessie, wp, casus, grond, nu)
        return _verwijder(sessie, wp, casus, grond, actor, nu)


def _mag_weg(sessie: Session, wp: Werkproces, casus: Casus, grond: Grond, nu: datetime) -> None:
    if casus.status != CasusStatus.GESLOTEN or casus.gesloten_op is None:
        raise DomeinFout(f"casus '{casus.ref}' is nog open; een lopende casus wordt niet verwijderd", veld="casus")
    holds = _actieve_holds(sessie, casus.id, nu)
    if holds:
        raise DomeinFout(
            f"casus '{casus.ref}' valt onder een bewaarplicht ({', '.join(_redenen(holds))})", veld="casus"
        )
    if grond is Grond.BEWAARTERMIJN and wp.bewaartermijnen.gesloten_casus.einde(casus.gesloten_op) > nu:
        raise DomeinFout(f"de bewaartermijn van casus '{casus.ref}' is nog niet verstreken", veld="casus")


def _verwijder(sessie: Session, wp: Werkproces, casus: Casus, grond: Grond, actor: Actor, nu: datetime) -> Verwijderd:
    door, rol = actor.persoon, actor.rol
    ref = casus.ref
    signaal_refs = list(sessie.scalars(select(Signaal.ref).where(Signaal.casus_id == casus.id)))
    kenmerken = [kenmerk_van(m) for m in sessie.scalars(select(Melding).where(Melding.casus_id == casus.id))]
    aantallen = _wis(sessie, _wortels_casus(sessie, casus), _verzoeken(signaal_refs, ref))
    rest = sessie.scalar(select(func.count()).select_from(Casus).where(Casus.ref == ref))
    assert not rest, "case still present after its deletion"
    # The local mailbox holds the case's notifications as files, outside the transaction: removed last, before
    # the commit, so a failed commit leaves the case (to erase again) rather than files no row points to.
    aantallen[POSTVAK] = postvak.wis(kenmerken)
    verwijdering = Verwijdering(
        ref=nieuwe_ref("V"),
        soort="casus",
        casus_ref=ref,
        signaal_ref=None,
        grond=grond.value,
        aantallen=aantallen,
        door=door,
        rol=rol,
        moment=nu,
    )
    sessie.add(verwijdering)
    logboek.schrijf(
        sessie,
        moment=nu,
        casus_ref=ref,
        handeling="wissen",
        actor=door,
        rol=rol,
        organisatie=_organisatie(actor),
        doel=grond.value,
        uitkomst="vastgelegd",
        categorieen=_categorieen(aantallen),
    )
    return Verwijderd(verwijdering_ref=verwijdering.ref, soort="casus", ref=ref, grond=grond.value, aantallen=aantallen)


#: The deletion log's count of notification files removed from the local mailbox (``aanpak.meldingen.postvak``).
POSTVAK = "postvak_bestanden"


def _categorieen(aantallen: dict[str, int]) -> list[str]:
    """The data categories an erasure removed, for the disclosure log (keys, not values)."""
    categorieen = {"plan"}
    if "jeugdige" in aantallen:
        categorieen |= {"identiteit", "contact"}
    if "signaal" in aantallen:
        categorieen |= {"zorg", "contact"}
    return sorted(categorieen)


def _eerder_verwijderd(sessie: Session, *, casus_ref: str | None = None, signaal_ref: str | None = None) -> Verwijderd:
    stmt = select(Verwijdering).order_by(Verwijdering.id)
    if casus_ref is not None:
        stmt = stmt.where(Verwijdering.casus_ref == casus_ref, Verwijdering.soort == "casus")
    else:
        stmt = stmt.where(Verwijdering.signaal_ref == signaal_ref)
    eerder = sessie.scalars(stmt).first()
    ref = casus_ref or signaal_ref or ""
    if eerder is None:
        raise NietGevonden(f"'{ref}' bestaat niet en is ook niet eerder verwijderd", veld="ref")
    return Verwijderd(
        verwijdering_ref=eerder.ref,
        soort=eerder.soort,
        ref=ref,
        grond=eerder.grond,
        aantallen={k: int(v) for k, v in eerder.aantallen.items()},
        al_verwijderd=True,
    )


def verwijder_signaal(omg: Omgeving, signaal_ref: str) -> Verwijderd:
    """Delete a signal that never joined a case and is past its term (and its youth when nothing else remains);
    only the scheduled bewaring does this (``SYSTEEM``)."""
    door, rol = SYSTEEM.persoon, SYSTEEM.rol
    nu = omg.nu()
    termijn = _wp(omg).bewaartermijnen.signaal_zonder_casus
    with daarna_wal_leeg(omg.engine), omg.uow() as sessie:
        signaal = sessie.scalar(select(Signaal).where(Signaal.ref == signaal_ref).with_for_update())
        if signaal is None:
            return _eerder_verwijderd(sessie, signaal_ref=signaal_ref)
        if signaal.casus_id is not None:
            raise DomeinFout(f"signaal '{signaal_ref}' hoort bij een casus; het gaat mee met die casus", veld="ref")
        if termijn.einde(signaal.ontvangen_op) > nu:
            raise DomeinFout(f"de bewaartermijn van signaal '{signaal_ref}' is nog niet verstreken", veld="ref")
        aantallen = _wis(sessie, _wortels_signaal(sessie, signaal), _verzoeken([signaal_ref], None))
        verwijdering = Verwijdering(
            ref=nieuwe_ref("V"),
            soort="signaal",
            casus_ref=None,
            signaal_ref=signaal_ref,
            grond=Grond.BEWAARTERMIJN.value,
            aantallen=aantallen,
            door=door,
            rol=rol,
            moment=nu,
            prefect={},
            prefect_opgeschoond_op=nu,  # a signal's own run names only its ref; its runs age out in Prefect
        )
        sessie.add(verwijdering)
        logboek.schrijf(
            sessie,
            moment=nu,
            casus_ref=None,  # the signal never joined a case; the deletion log names its ref
            handeling="wissen",
            actor=door,
            rol=rol,
            organisatie=None,
            doel=Grond.BEWAARTERMIJN.value,
            uitkomst="vastgelegd",
            categorieen=_categorieen(aantallen),
            reden="signaal_zonder_casus",
        )
        return Verwijderd(
            verwijdering_ref=verwijdering.ref,
            soort="signaal",
            ref=signaal_ref,
            grond=verwijdering.grond,
            aantallen=aantallen,
        )


def wis_op_verzoek(omg: Omgeving, casus_ref: str, actor: Actor) -> Verwijderd:
    """The data subject's erasure request (art. 17 AVG), handled by the privacyloket.

    Refused — with the reason, never data — when the case is still open or under a legal hold; the refusal
    itself is written to the disclosure log. A case erased before returns that erasure.
    """
    wp = _loket(omg, actor, "een verzoek tot verwijdering uitvoeren")
    door, rol = actor.persoon, actor.rol
    nu = omg.nu()
    weigering: DomeinFout | None = None
    with daarna_wal_leeg(omg.engine), omg.uow() as sessie:
        casus = sessie.scalar(select(Casus).where(Casus.ref == casus_ref).with_for_update())
        if casus is None:
            return _eerder_verwijderd(sessie, casus_ref=casus_ref)
        try:
            _mag_weg(sessie, wp, casus, Grond.VERZOEK_BETROKKENE, nu)
        except DomeinFout as exc:
            weigering = exc
            reden = "casus_open" if casus.status != CasusStatus.GESLOTEN else "bewaarplicht"
            logboek.schrijf(
                sessie,
                moment=nu,
                casus_ref=casus_ref,
                handeling="wissen",
                actor=door,
                rol=rol,
                organisatie=_organisatie(actor),
                doel=Grond.VERZOEK_BETROKKENE.value,
                uitkomst="geweigerd",
                reden=reden,
            )
        else:
            return _verwijder(sessie, wp, casus, Grond.VERZOEK_BETROKKENE, actor, nu)
    raise DomeinFout(f"verzoek tot verwijdering geweigerd: {weigering.melding}", veld=weigering.veld)


# -- logs and the Prefect purge ---------------------------------------------------------------------------------


def snoei_logboeken(omg: Omgeving) -> Gesnoeid:
    """Prune the disclosure log and the deletion log to their own terms (one transaction)."""
    nu = omg.nu()
    termijnen = _wp(omg).bewaartermijnen
    with omg.uow() as sessie:
        verwerkingen = logboek.snoei(sessie, termijnen.verwerkingslog.grens(nu))
        verwijderingen = _weg(sessie, delete(Verwijdering).where(_verwijderlog_weg(omg, nu)))
    return Gesnoeid(verwerkingslog=verwerkingen, verwijderlog=int(verwijderingen or 0))


def prefect_open(omg: Omgeving) -> list[tuple[str, str]]:
    """Deletions of cases whose Prefect purge has not succeeded yet: (deletion-log ref, case ref)."""
    with omg.uow() as sessie:
        return [
            (v.ref, v.casus_ref or "")
            for v in sessie.scalars(
                select(Verwijdering)
                .where(Verwijdering.soort == "casus", Verwijdering.prefect_opgeschoond_op.is_(None))
                .order_by(Verwijdering.id)
            )
        ]


def noteer_prefect(omg: Omgeving, verwijdering_ref: str, aantallen: dict[str, int]) -> None:
    """Record what the Prefect purge deleted (idempotent: a later purge adds its counts)."""
    with omg.uow() as sessie:
        v = sessie.scalar(select(Verwijdering).where(Verwijdering.ref == verwijdering_ref).with_for_update())
        if v is None:
            raise NietGevonden(f"verwijdering '{verwijdering_ref}' bestaat niet", veld="ref")
        eerder = dict(v.prefect or {})
        v.prefect = {k: int(eerder.get(k, 0)) + int(aantallen.get(k, 0)) for k in sorted({*eerder, *aantallen})}
        v.prefect_opgeschoond_op = omg.nu()


def verwijderlog(omg: Omgeving, casus_ref: str | None = None) -> list[dict[str, object]]:
    """The deletion log (newest first), for the CLI and audits: refs, grounds, counts."""
    with omg.uow() as sessie:
        stmt = select(Verwijdering).order_by(Verwijdering.id.desc())
        if casus_ref is not None:
            stmt = stmt.where(Verwijdering.casus_ref == casus_ref)
        return [
            {
                "ref": v.ref,
                "soort": v.soort,
                "casus_ref": v.casus_ref,
                "signaal_ref": v.signaal_ref,
                "grond": v.grond,
                "aantallen": dict(v.aantallen),
                "door": v.door,
                "rol": v.rol,
                "moment": v.moment,
                "prefect": dict(v.prefect) if v.prefect is not None else None,
                "prefect_opgeschoond_op": v.prefect_opgeschoond_op,
            }
            for v in sessie.scalars(stmt.limit(500))
        ]
