"""The application context every use case receives: store, keys, definitions and the clock.

Built once per process from the settings (``bouw``); tests build their own with an injected clock and database.
Prefect tasks call ``standaard()`` because only opaque references may travel through Prefect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from aanpak.config import Instellingen, instellingen
from aanpak.crypto import SleutelFout, Sleutelring, SleutelsOntbreken, ontwikkelsleutels, parse_sleutels, privemap
from aanpak.store import logboeksleutel
from aanpak.store.db import UnitOfWork, controleer_schema, maak_engine, migreer, sessiefabriek
from aanpak.store.werkprocessen import Werkprocessen


def nu_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class Omgeving:
    engine: Engine
    uow: UnitOfWork
    sleutels: Sleutelring
    werkprocessen: Werkprocessen
    klok: Callable[[], datetime] = field(default=nu_utc)

    def __post_init__(self) -> None:
        # The disclosure log is chained with a key the database does not hold: every session of this engine
        # writes and verifies with this context's key (aanpak/usecases/logboek.py).
        logboeksleutel.gebruik_sleutel(self.engine, self.sleutels.logboek_sleutel)

    def nu(self) -> datetime:
        return self.klok()


def sleutelring(inst: Instellingen) -> Sleutelring:
    """Keys from the environment or a key file; only the embedded default generates development keys (once).

    Any other store without configured keys is refused (fail closed): fresh keys there would make the stored
    data unreadable and open a second case for a child the keyed hashes can no longer match."""
    import base64

    tekst = inst.sleutels.get_secret_value()
    hmac_tekst = inst.hmac_sleutel.get_secret_value()
    if not tekst and inst.sleutelbestand is not None:
        tekst = inst.sleutelbestand.read_text(encoding="utf-8")
    if not tekst or not hmac_tekst:
        if not inst.ingebed:
            ontbreekt = [
                naam for naam, waarde in (("AANPAK_SLEUTELS", tekst), ("AANPAK_HMAC_SLEUTEL", hmac_tekst)) if not waarde
            ]
            raise SleutelsOntbreken(
                "geen sleutels ingesteld; buiten de ingebedde standaard (SQLite in de datamap) maakt aanpak geen "
                "sleutels aan, want nieuwe sleutels maken opgeslagen gegevens onleesbaar en laten een bekende "
                "jeugdige niet meer matchen. Stel de sleutels in (AANPAK_SLEUTELS of AANPAK_SLEUTELBESTAND, en "
                "AANPAK_HMAC_SLEUTEL; zie docs/operations.md)",
                veld=" en ".join(ontbreekt),
            )
        dev_sleutels, dev_hmac = ontwikkelsleutels(inst.data_dir / "sleutels")
        tekst = tekst or dev_sleutels
        hmac_tekst = hmac_tekst or dev_hmac
    try:
        hmac_bytes = base64.urlsafe_b64decode(hmac_tekst)
    except ValueError:
        raise SleutelFout("AANPAK_HMAC_SLEUTEL is geen geldige base64") from None
    return Sleutelring(parse_sleutels(tekst), hmac_bytes)


def bouw(
    inst: Instellingen | None = None, *, klok: Callable[[], datetime] = nu_utc, migreren: bool | None = None
) -> Omgeving:
    """The context from the settings. ``migreren``: ``True`` migrates (``aanpak db upgrade``), ``False`` only
    checks the schema version; ``None`` (every other process) migrates a SQLite store itself (the embedded
    default, under its file lock) and only checks on PostgreSQL, where the runtime role has no DDL rights:
    a schema behind is refused (``SchemaNietBij``) with a message naming ``aanpak db upgrade``."""
    inst = inst or instellingen()
    if inst.ingebed:
        privemap(inst.data_dir)  # the case store, its WAL and the dev keys: the owner's only (0700)
    sleutels = sleutelring(inst)  # first: a host without keys refuses before it touches the store
    engine = maak_engine(inst.db_url())
    logboeksleutel.gebruik_sleutel(engine, sleutels.logboek_sleutel)  # migration 0007 closes an old chain with it
    if migreren or (migreren is None and engine.dialect.name == "sqlite"):
        migreer(engine)
    else:
        controleer_schema(engine)
    return Omgeving(
        engine=engine,
        uow=UnitOfWork(sessiefabriek(engine)),
        sleutels=sleutels,
        werkprocessen=Werkprocessen(inst.werkproces),
        klok=klok,
    )


_standaard: Omgeving | None = None


def standaard() -> Omgeving:
    """The process-wide context (lazily built from the settings)."""
    global _standaard
    if _standaard is None:
        _standaard = bouw()
    return _standaard


def zet_standaard(omgeving: Omgeving | None) -> None:
    """Install a context for this process (tests, the demo), or forget it."""
    global _standaard
    _standaard = omgeving
