"""Key rotation: which key protects which encrypted value, and rewriting old values under the newest key.

Encrypted columns are found, not listed: every column of the case store named ``<naam>_versleuteld`` holds
values encrypted with context ``<table>.<naam>``, so a table added later is rotated without touching this code.
``herversleutel`` works in batches, one transaction each, and only ever selects values that are not under the
newest key yet: a crash loses at most the open batch, and running it again (or twice) continues where it stopped
and changes nothing that is done. Reports carry column names, key ids and counts, never a value.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import (
    Column,
    ColumnElement,
    CursorResult,
    LargeBinary,
    MetaData,
    Table,
    func,
    select,
    tuple_,
    type_coerce,
    update,
)

from aanpak.crypto import KOP_LENGTE, SleutelFout, kop, sleutel_id_van
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Basis

ACHTERVOEGSEL = "_versleuteld"
STANDAARD_BATCH = 500

log = logging.getLogger("aanpak.sleutels")


@dataclass(frozen=True)
class VersleuteldeKolom:
    """One encrypted column and the context its values are bound to."""

    tabel: Table
    kolom: Column[Any]

    @property
    def context(self) -> str:
        return f"{self.tabel.name}.{self.kolom.name.removesuffix(ACHTERVOEGSEL)}"

    @property
    def sleutelkolommen(self) -> tuple[Column[Any], ...]:
        return tuple(self.tabel.primary_key.columns)


def versleutelde_kolommen(metadata: MetaData | None = None) -> list[VersleuteldeKolom]:
    """Every ``*_versleuteld`` column of the schema (tables in dependency order, columns in table order)."""
    kolommen: list[VersleuteldeKolom] = []
    for tabel in (metadata or Basis.metadata).sorted_tables:
        for kolom in tabel.columns:
            if kolom.name.endswith(ACHTERVOEGSEL):
                if not tabel.primary_key.columns:
                    raise SleutelFout(f"tabel '{tabel.name}' heeft geen primaire sleutel; herversleutelen kan niet")
                kolommen.append(VersleuteldeKolom(tabel, kolom))
    return kolommen


# -- status -----------------------------------------------------------------------------------------------------


class Kolomstatus(BaseModel):
    #: The column's context, e.g. ``signaal.zorg``.
    kolom: str
    #: Key id → number of values under it (``?`` = not a value of ours).
    per_sleutel: dict[str, int]


class Sleutelstatus(BaseModel):
    actueel: str
    #: Key ids in the configured ring, newest first.
    sleutelring: list[str]
    kolommen: list[Kolomstatus]

    @property
    def in_gebruik(self) -> set[str]:
        return {kid for k in self.kolommen for kid, n in k.per_sleutel.items() if n}

    @property
    def ontbrekend(self) -> list[str]:
        """Key ids the data needs that the ring lacks: those values cannot be read."""
        return sorted(self.in_gebruik - set(self.sleutelring))

    @property
    def verwijderbaar(self) -> list[str]:
        """Keys in the ring that no value uses any more (never the newest)."""
        return [kid for kid in self.sleutelring[1:] if kid not in self.in_gebruik]

    @property
    def te_herversleutelen(self) -> int:
        return sum(n for k in self.kolommen for kid, n in k.per_sleutel.items() if kid != self.actueel)


def _kop_van(k: VersleuteldeKolom) -> ColumnElement[bytes]:
    """The value's first bytes (version and key id) as SQL: the store never sends whole values for a count."""
    return type_coerce(func.substr(k.kolom, 1, KOP_LENGTE), LargeBinary())


def status(omg: Omgeving, kolommen: list[VersleuteldeKolom] | None = None) -> Sleutelstatus:
    """How many values of each encrypted column are under which key (one read transaction)."""
    resultaat: list[Kolomstatus] = []
    with omg.uow() as sessie:
        for k in kolommen if kolommen is not None else versleutelde_kolommen():
            stmt = select(_kop_van(k)).where(k.kolom.is_not(None)).execution_options(yield_per=2000)
            teller: Counter[str] = Counter(sleutel_id_van(bytes(kop_)) for (kop_,) in sessie.execute(stmt))
            resultaat.append(Kolomstatus(kolom=k.context, per_sleutel=dict(sorted(teller.items()))))
    return Sleutelstatus(actueel=omg.sleutels.actuele_id, sleutelring=list(omg.sleutels.ids), kolommen=resultaat)


# -- herversleutelen --------------------------------------------------------------------------------------------


class Herversleuteling(BaseModel):
    actueel: str
    droog: bool
    #: Column context → old key id → values rewritten (dry run: values that would be, all checked readable).
    kolommen: dict[str, dict[str, int]]
    #: Transactions used (dry run: read-only ones).
    batches: int

    @property
    def totaal(self) -> int:
        return sum(n for per in self.kolommen.values() for n in per.values())


def herversleutel(
    omg: Omgeving,
    *,
    droog: bool = False,
    batch: int = STANDAARD_BATCH,
    kolommen: list[VersleuteldeKolom] | None = None,
) -> Herversleuteling:
    """Rewrite every value that is not under the newest key with the newest key, ``batch`` rows per transaction.

    Each value is decrypted with the key its header names and encrypted again under the newest key with the same
    context. The update only applies if the value is still the one read (a concurrent change wins and is left
    alone). A value whose key is missing or does not fit stops the run with the column and key id: nothing of
    that batch is written, earlier batches stay done.
    """
    if batch < 1:
        raise ValueError("batch moet minstens 1 zijn")
    ring = omg.sleutels
    actuele_kop = kop(ring.actuele_id)
    verslag: dict[str, dict[str, int]] = {}
    batches = 0
    for k in kolommen if kolommen is not None else versleutelde_kolommen():
        per_sleutel: Counter[str] = Counter()
        sleutel = k.sleutelkolommen
        laatste: tuple[Any, ...] | None = None
        while True:
            with omg.uow() as sessie:
                stmt = select(*sleutel, k.kolom).where(
                    k.kolom.is_not(None),
                    type_coerce(func.substr(k.kolom, 1, len(actuele_kop)), LargeBinary()) != actuele_kop,
                )
                if laatste is not None:
                    stmt = stmt.where(_na(sleutel, laatste))
                stmt = stmt.order_by(*sleutel).limit(batch)
                if not droog:
                    stmt = stmt.with_for_update()
                rijen = sessie.execute(stmt).all()
                batches += 1
                for rij in rijen:
                    *pk, waarde = tuple(rij)
                    oud = sleutel_id_van(waarde)
                    try:
                        data = ring.ontsleutel(waarde, k.context)
                    except SleutelFout as exc:
                        raise SleutelFout(f"{k.context} (sleutel '{oud}'): {exc}") from None
                    if droog:
                        per_sleutel[oud] += 1
                        continue
                    gelijk = [c == v for c, v in zip(sleutel, pk, strict=True)]
                    geraakt = cast(
                        CursorResult[Any],
                        sessie.execute(
                            update(k.tabel)
                            .where(*gelijk, k.kolom == waarde)
                            .values({k.kolom.name: ring.versleutel(data, k.context)})
                        ),
                    )
                    if geraakt.rowcount == 1:
                        per_sleutel[oud] += 1
            if rijen:
                laatste = tuple(rijen[-1])[:-1]
                log.info(
                    "%s: batch van %d waarde(n) %s", k.context, len(rijen), "gecontroleerd" if droog else "verwerkt"
                )
            if len(rijen) < batch:
                break
        verslag[k.context] = dict(sorted(per_sleutel.items()))
    return Herversleuteling(actueel=ring.actuele_id, droog=droog, kolommen=verslag, batches=batches)


def _na(sleutel: tuple[Column[Any], ...], laatste: tuple[Any, ...]) -> ColumnElement[bool]:
    """Keyset paging: rows after the last one seen (also for a composite primary key)."""
    if len(sleutel) == 1:
        na: ColumnElement[bool] = sleutel[0] > laatste[0]
        return na
    return tuple_(*sleutel) > tuple_(*laatste)
