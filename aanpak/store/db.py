"""Engines, migrations and the unit of work: one transaction per use case, on SQLite and PostgreSQL.

SQLite runs in WAL mode and takes the write lock at BEGIN (``BEGIN IMMEDIATE``): two writers queue instead of
failing halfway, and the second one then sees the first one's result (and gets a clear conflict).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from models.fouten import Conflict, DomeinFout

MIGRATIES = Path(__file__).resolve().parents[2] / "migrations"


def maak_engine(url: str, **opties: Any) -> Engine:
    if url.startswith("sqlite"):
        pad = url.split("///", 1)[-1]
        if pad and pad != ":memory:":
            _prive_bestand(Path(pad))
        engine = create_engine(
            url, connect_args={"timeout": 30, "isolation_level": None}, hide_parameters=True, **opties
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten, not left in free pages
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **opties)


def _prive_bestand(pad: Path) -> None:
    """The store file exists 0600 before SQLite opens it, so its -wal and -shm inherit that mode (SQLite gives
    them the database file's permissions); a new folder is 0700. Existing files are tightened."""
    pad.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not pad.exists():
        os.close(os.open(pad, os.O_WRONLY | os.O_CREAT, 0o600))
    for bestand in (pad, pad.with_name(pad.name + "-wal"), pad.with_name(pad.name + "-shm")):
        if bestand.exists() and bestand.stat().st_mode & 0o077:
            bestand.chmod(0o600)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIES))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


#: Key of the PostgreSQL advisory lock that serialises migrations (any constant shared by all processes).
MIGRATIE_SLOT = 0x61616E70616B  # "aanpak"


def op_head(engine: Engine) -> bool:
    """Is the schema at the newest migration? A read only, so that normal starts never wait for the lock."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    koppen = set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads()) == koppen


class SchemaNietBij(DomeinFout):
    """The case store's schema is not the one this version of aanpak expects: refuse instead of migrating."""


UPGRADE_MELDING = (
    "het schema van de casusopslag is ouder dan deze versie van aanpak verwacht; er is niets gewijzigd. "
    "Laat de beheerder 'aanpak db upgrade' uitvoeren (met de eigenaarsrol van het schema, zie docs/operations.md) "
    "en probeer het daarna opnieuw"
)
NIEUWER_MELDING = (
    "het schema van de casusopslag is nieuwer dan deze versie van aanpak kent; er is niets gewijzigd. "
    "Werk aanpak op deze machine bij naar de versie die het schema heeft gemigreerd"
)


def schema_stand(engine: Engine) -> str:
    """``bij`` (at head), ``achter`` (older, or empty: ``aanpak db upgrade`` helps) or ``nieuwer`` (a revision
    this code does not know: a newer release migrated it). A read only; takes no lock."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    koppen = set(scripts.get_heads())
    with engine.connect() as conn:
        huidig = set(MigrationContext.configure(conn).get_current_heads())
    if huidig == koppen:
        return "bij"
    bekend = {r.revision for r in scripts.walk_revisions()}
    return "achter" if huidig <= bekend else "nieuwer"


def controleer_schema(engine: Engine) -> None:
    """Refuse (``SchemaNietBij``, a Dutch message naming ``aanpak db upgrade``) unless the schema is at head."""
    stand = schema_stand(engine)
    if stand != "bij":
        raise SchemaNietBij(UPGRADE_MELDING if stand == "achter" else NIEUWER_MELDING, veld="casusopslag")


@contextmanager
def _bestandsslot(pad: Path) -> Iterator[None]:
    """An exclusive lock on a file beside the SQLite database (released when the process dies, too)."""
    import fcntl

    pad.parent.mkdir(parents=True, exist_ok=True)
    with pad.open("a") as bestand:
        fcntl.flock(bestand, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(bestand, fcntl.LOCK_UN)


def migreer(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent), once even when processes start together.

    Concurrent alembic runs on a fresh database race on the DDL (PostgreSQL answers with a UniqueViolation on
    ``alembic_version``). So the upgrade runs under a lock: a transaction-scoped advisory lock on PostgreSQL,
    an exclusive file lock beside the database on SQLite. Whoever gets the lock second finds the schema at
    head and changes nothing. A schema already at head is recognised without taking the lock.
    """
    if op_head(engine):
        return
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:slot)"), {"slot": MIGRATIE_SLOT})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return
    pad = engine.url.database
    slot = Path(f"{pad}.migratieslot") if pad and pad != ":memory:" else None
    with _bestandsslot(slot) if slot else nullcontext(), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class UnitOfWork:
    """One transaction per use case. Version conflicts and unique violations become domain conflicts."""

    def __init__(self, sessies: sessionmaker[Session]) -> None:
        self._sessies = sessies

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        sessie = self._sessies()
        try:
            with sessie.begin():
                yield sessie
        except StaleDataError:
            raise Conflict("iemand anders heeft deze casus of stap net gewijzigd; bekijk hem opnieuw") from None
        except IntegrityError as exc:
            raise Conflict(f"dit verzoek botst met een gelijktijdige wijziging ({_constraint(exc)})") from None
        finally:
            sessie.close()


def _constraint(exc: IntegrityError) -> str:
    tekst = str(exc.orig)
    # Only the constraint or column name: the statement's parameters may hold personal data.
    for woord in tekst.replace('"', " ").split():
        if woord.startswith(("uq_", "pk_", "ix_")) or "." in woord:
            return woord.strip(",")
    return "unieke sleutel"


def wal_leeg(engine: Engine) -> None:
    """SQLite: write the WAL back into the database file and truncate it.

    ``secure_delete`` overwrites deleted rows in the database file, but the WAL still holds the page images of
    the transaction that deleted them (the ciphertext and keyed hashes of an erased youth) until a checkpoint.
    A no-op on PostgreSQL; a busy reader makes it partial, and the next erasure or SQLite's own checkpoint
    finishes the job.
    """
    if engine.dialect.name != "sqlite":
        return
    verbinding = engine.raw_connection()
    try:
        cursor = verbinding.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        verbinding.close()


@contextmanager
def daarna_wal_leeg(engine: Engine) -> Iterator[None]:
    """Around a unit of work that deletes personal data: empty the WAL once it has committed."""
    yield
    wal_leeg(engine)


def sessiefabriek(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
