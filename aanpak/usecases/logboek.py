"""The disclosure log (verwerkingslog): append one entry, verify the hash chain, prune under the retention term.

Modelled on Logius' Logboek Dataverwerkingen: who (handle, role, organisation), which case, which data
categories, for which purpose, on which grounds, with what outcome — refusals included. Entries hold
references and keys only, never personal data, so the log can be shown to a privacy officer or auditor as is.

Tamper evidence: every entry stores the hash of its predecessor and an HMAC-SHA256 over that hash and its own
fields, keyed with the server's log key (``Sleutelring.logboek_sleutel``), which the database never holds; the
head row (``logboek_kop``) stores the newest hash and number, the chain's start after pruning and where the key
took over, under an HMAC of its own. So someone with database access alone cannot rewrite the log consistently:
changing, inserting, deleting, reordering or truncating entries — also recomputing every hash after it — breaks
the chain, and ``verifieer`` names the first entry where it breaks. Writers lock the head row, so two writers
never fork the chain (on SQLite the write lock is already taken at BEGIN).

Entries written before the key (migration 0007) keep their unkeyed SHA-256 chain up to ``sleutel_vanaf``, where a
keyed entry ``sleutel_ingevoerd`` marks the switch; being keyed and chained onto the last old entry, it binds the
old part too. What the key cannot show: a log reset to its pristine empty state, or a head replayed from an older
copy — anchors kept elsewhere (``controleer_anker``) do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aanpak.store.logboeksleutel import gebruik_sleutel as gebruik_sleutel
from aanpak.store.logboeksleutel import sleutel_van
from aanpak.store.schema import LogboekKop, Verwerking

NUL_HASH = "0" * 64
#: The ``handeling`` of the keyed entry where the key took over from the unkeyed chain (migration 0007).
OVERGANG = "sleutel_ingevoerd"


def _kop(sessie: Session) -> LogboekKop:
    kop = sessie.get(LogboekKop, 1, with_for_update=True)
    if kop is None:
        # The migration creates the head; an emptied database starts a fresh chain. Of two writers doing so at
        # once, one inserts and the other waits for it, fails on the key, and locks the row it made.
        try:
            with sessie.begin_nested():
                sessie.add(
                    LogboekKop(
                        id=1,
                        laatste_hash=NUL_HASH,
                        laatste_volgnummer=0,
                        begin_hash=NUL_HASH,
                        begin_volgnummer=1,
                        sleutel_vanaf=1,
                    )
                )
        except IntegrityError:
            pass
        kop = sessie.get(LogboekKop, 1, with_for_update=True, populate_existing=True)
        assert kop is not None
    return kop


def inhoud(v: Verwerking) -> dict[str, object]:
    """The hashed fields, in a canonical form that survives a round trip through SQLite and PostgreSQL.

    Also what an inzage export shows of an entry: all of it is non-personal."""
    return {
        "volgnummer": v.volgnummer,
        "moment": v.moment.astimezone(UTC).isoformat(timespec="microseconds"),
        "casus_ref": v.casus_ref,
        "handeling": v.handeling,
        "actor": v.actor,
        "rol": v.rol,
        "organisatie": v.organisatie,
        "doel": v.doel,
        "grondslagen": list(v.grondslagen),
        "uitkomst": v.uitkomst,
        "categorieen": list(v.categorieen),
        "geweigerd": list(v.geweigerd),
        "reden": v.reden,
    }


def _tekst(vorige: str, velden: dict[str, object]) -> bytes:
    return f"{vorige}\n{json.dumps(velden, sort_keys=True, ensure_ascii=True, separators=(',', ':'))}".encode()


def _hash(vorige: str, v: Verwerking) -> str:
    """The unkeyed hash of entries written before the key (anyone can recompute it: kept for old chains only)."""
    return hashlib.sha256(_tekst(vorige, inhoud(v))).hexdigest()


def mac(sleutel: bytes, vorige: str, velden: dict[str, object]) -> str:
    """An entry's keyed hash over its predecessor's hash and its canonical fields (``inhoud``)."""
    return hmac.new(sleutel, _tekst(vorige, velden), hashlib.sha256).hexdigest()


def kop_mac(sleutel: bytes, kop: LogboekKop) -> str:
    """The head's keyed hash: newest entry, start after pruning and the switch point, so none moves unseen."""
    tekst = (
        f"kop\n{kop.laatste_volgnummer}\n{kop.laatste_hash}\n{kop.begin_volgnummer}\n{kop.begin_hash}\n"
        f"{kop.sleutel_vanaf}"
    )
    return hmac.new(sleutel, tekst.encode(), hashlib.sha256).hexdigest()


def _ongerept(kop: LogboekKop) -> bool:
    """The head as the migration made it: nothing was ever written, so nothing was signed yet."""
    return (kop.laatste_volgnummer, kop.laatste_hash, kop.begin_volgnummer, kop.begin_hash, kop.sleutel_vanaf) == (
        0,
        NUL_HASH,
        1,
        NUL_HASH,
        1,
    )


def schrijf(
    sessie: Session,
    *,
    moment: datetime,
    casus_ref: str | None,
    handeling: str,
    actor: str,
    rol: str,
    organisatie: str | None,
    doel: str,
    uitkomst: str,
    categorieen: Iterable[str] = (),
    geweigerd: Iterable[str] = (),
    grondslagen: Iterable[str] = (),
    reden: str | None = None,
) -> Verwerking:
    """Append one entry in the caller's transaction (so a disclosure and its log entry commit together)."""
    sleutel = sleutel_van(sessie)
    kop = _kop(sessie)
    entry = Verwerking(
        volgnummer=kop.laatste_volgnummer + 1,
        moment=moment.astimezone(UTC),
        casus_ref=casus_ref,
        handeling=handeling,
        actor=actor,
        rol=rol,
        organisatie=organisatie,
        doel=doel,
        grondslagen=sorted(set(grondslagen)),
        uitkomst=uitkomst,
        categorieen=sorted(set(categorieen)),
        geweigerd=sorted(set(geweigerd)),
        reden=reden,
        vorige_hash=kop.laatste_hash,
        hash="",
    )
    entry.hash = mac(sleutel, kop.laatste_hash, inhoud(entry))
    sessie.add(entry)
    kop.laatste_hash = entry.hash
    kop.laatste_volgnummer = entry.volgnummer
    kop.kop_mac = kop_mac(sleutel, kop)
    sessie.flush()
    return entry


@dataclass(frozen=True)
class Breuk:
    volgnummer: int
    probleem: str


@dataclass(frozen=True)
class Verificatie:
    aantal: int
    eerste: int | None
    laatste: int | None
    kop_hash: str
    breuken: list[Breuk] = field(default_factory=list)
    #: The head's number: with ``kop_hash`` the pair to anchor elsewhere.
    kop_volgnummer: int = 0
    #: The first entry keyed with the server's key (the switch entry on an old database; 1 on a new one).
    sleutel_vanaf: int = 1
    #: How many entries were checked with the old unkeyed hash (written before the switch).
    ongesleuteld: int = 0

    @property
    def in_orde(self) -> bool:
        return not self.breuken


def verifieer(sessie: Session, *, per: int = 1000, sleutel: bytes | None = None) -> Verificatie:
    """Walk the chain from its (pruned) start to the head; every break is named by entry number.

    Entries from ``sleutel_vanaf`` on must carry the keyed hash, those before it the old unkeyed one."""
    sleutel = sleutel or sleutel_van(sessie)
    kop = sessie.get(LogboekKop, 1)
    breuken: list[Breuk] = []
    if kop is None:
        return Verificatie(0, None, None, NUL_HASH, [Breuk(0, "de kop van het logboek ontbreekt")])
    if kop.kop_mac is None:
        if not _ongerept(kop):
            breuken.append(Breuk(kop.laatste_volgnummer, "de kop is niet met de sleutel ondertekend (herschreven?)"))
    elif not hmac.compare_digest(kop.kop_mac, kop_mac(sleutel, kop)):
        breuken.append(Breuk(kop.laatste_volgnummer, "de kop klopt niet met de sleutel (herschreven?)"))
    vanaf_sleutel = kop.sleutel_vanaf if kop.sleutel_vanaf is not None else 1  # unknown: demand the key everywhere
    if kop.sleutel_vanaf is None:
        breuken.append(Breuk(0, "de kop noemt niet waar de sleutel begint (herschreven?)"))
    vorige_hash, verwacht, aantal, ongesleuteld = kop.begin_hash, kop.begin_volgnummer, 0, 0
    eerste: int | None = None
    laatste: int | None = None
    vanaf = 0
    while True:
        rijen: Sequence[Verwerking] = sessie.scalars(
            select(Verwerking).where(Verwerking.volgnummer > vanaf).order_by(Verwerking.volgnummer).limit(per)
        ).all()
        if not rijen:
            break
        for v in rijen:
            eerste = v.volgnummer if eerste is None else eerste
            if v.volgnummer < kop.begin_volgnummer:
                breuken.append(Breuk(v.volgnummer, "regel van vóór het begin van de keten (na snoeien)"))
            elif v.volgnummer != verwacht:
                breuken.append(Breuk(v.volgnummer, f"regel(s) {verwacht}–{v.volgnummer - 1} ontbreken"))
            if v.vorige_hash != vorige_hash:
                breuken.append(Breuk(v.volgnummer, "past niet op de vorige regel (ingevoegd, verwijderd of gewijzigd)"))
            if v.volgnummer >= vanaf_sleutel:
                klopt = hmac.compare_digest(mac(sleutel, v.vorige_hash, inhoud(v)), v.hash)
            else:
                klopt = _hash(v.vorige_hash, v) == v.hash
                ongesleuteld += 1
            if not klopt:
                breuken.append(Breuk(v.volgnummer, "inhoud gewijzigd (hash klopt niet)"))
            if (v.handeling == OVERGANG) != (v.volgnummer == vanaf_sleutel > 1):
                breuken.append(Breuk(v.volgnummer, "de overgang naar de sleutel hoort hier niet (of ontbreekt hier)"))
            vorige_hash, verwacht, laatste = v.hash, v.volgnummer + 1, v.volgnummer
            aantal += 1
        vanaf = rijen[-1].volgnummer
    if (laatste or kop.begin_volgnummer - 1) != kop.laatste_volgnummer or vorige_hash != kop.laatste_hash:
        breuken.append(
            Breuk(kop.laatste_volgnummer, "de nieuwste regel(s) ontbreken of zijn gewijzigd (kop klopt niet)")
        )
    return Verificatie(
        aantal, eerste, laatste, kop.laatste_hash, breuken, kop.laatste_volgnummer, vanaf_sleutel, ongesleuteld
    )


def snoei(sessie: Session, voor: datetime) -> int:
    """Delete the oldest entries up to the first one at or after ``voor``; the chain stays verifiable.

    Only a prefix is removed (by number), so what remains is still one unbroken chain; the head remembers where
    it now starts. Returns how many entries were deleted.
    """
    sleutel = sleutel_van(sessie)
    kop = _kop(sessie)
    eerste_blijft = sessie.scalar(select(func.min(Verwerking.volgnummer)).where(Verwerking.moment >= voor))
    if eerste_blijft is None:  # everything is older: keep nothing, the chain starts after the head
        grens = kop.laatste_volgnummer + 1
        begin_hash = kop.laatste_hash
    else:
        grens = eerste_blijft
        begin_hash = sessie.scalar(select(Verwerking.vorige_hash).where(Verwerking.volgnummer == grens)) or NUL_HASH
    if grens <= kop.begin_volgnummer:
        return 0
    weg: CursorResult[Any] = sessie.execute(  # type: ignore[assignment]
        delete(Verwerking).where(Verwerking.volgnummer < grens), execution_options={"synchronize_session": False}
    )
    kop.begin_hash = begin_hash
    kop.begin_volgnummer = grens
    kop.kop_mac = kop_mac(sleutel, kop)
    sessie.flush()
    return weg.rowcount


def van_casussen(sessie: Session, casus_refs: Iterable[str]) -> list[Verwerking]:
    """The log entries about these cases, oldest first (for an inzage request or an audit)."""
    refs = sorted(set(casus_refs))
    if not refs:
        return []
    return list(
        sessie.scalars(select(Verwerking).where(Verwerking.casus_ref.in_(refs)).order_by(Verwerking.volgnummer))
    )


def controleer_anker(sessie: Session, volgnummer: int, verwacht: str) -> str | None:
    """Compare an anchored (number, hash) pair, copied earlier to a place the database's admin cannot write,
    with the log now. None when it matches; else why not. Pruned entries are checked against the chain's start."""
    kop = sessie.get(LogboekKop, 1)
    if kop is not None and volgnummer == kop.begin_volgnummer - 1:
        gevonden: str | None = kop.begin_hash
    else:
        gevonden = sessie.scalar(select(Verwerking.hash).where(Verwerking.volgnummer == volgnummer))
    if gevonden is None:
        if kop is not None and volgnummer < kop.begin_volgnummer:
            return "gesnoeid (ouder dan de bewaartermijn): niet meer te vergelijken"
        return "regel bestaat niet (verwijderd?)"
    return None if gevonden == verwacht else "hash wijkt af: de keten is sindsdien herschreven"
