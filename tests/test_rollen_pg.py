"""Only ``aanpak db upgrade`` migrates PostgreSQL; the runtime role has DML rights only (issue 15 §3).

A dedicated database per test (created and dropped here) with two roles, set up with the SQL of
docs/operations.md: the owner of the schema, who runs ``aanpak db upgrade``, and the runtime role the CLI, the
server and the workers use, which may read and write rows but not create or alter anything. The runtime role
runs a whole registration and decision; a schema behind (or ahead) is refused with a Dutch message naming
``aanpak db upgrade`` — by the context, and by the CLI as exit 1 without a traceback.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError
from typer.testing import CliRunner

from aanpak.cli.main import app
from aanpak.config import Instellingen, instellingen
from aanpak.omgeving import bouw, zet_standaard
from aanpak.store.db import SchemaNietBij, maak_engine, migreer, schema_stand
from aanpak.usecases.besluit import BesluitIn, neem_besluit, pas_besluit_toe
from aanpak.usecases.signaal import verwerk_signaal
from models.signaal import lees_signaal
from tests.conftest import PG_ADMIN_URL, TEST_HMAC, TEST_SLEUTELS, Klok, postgres_bereikbaar
from tests.gegevens import als, registreer, signaal_document

pytestmark = pytest.mark.postgres

SCHOOL = "school.zorgcoordinator"


@dataclass
class Rollen:
    database: str
    eigenaar_url: str
    runtime_url: str

    def inst(self, url: str, data_dir: Path) -> Instellingen:
        return Instellingen(
            database_url=url,
            data_dir=data_dir,
            sleutels=TEST_SLEUTELS,
            hmac_sleutel=base64.urlsafe_b64encode(TEST_HMAC).decode(),
            prefect=False,
        )


def opzet_sql(database: str, eigenaar: str, runtime: str) -> tuple[list[str], list[str]]:
    """The SQL of docs/operations.md (section "Rollen"): run as a superuser, on the cluster and in the database."""
    cluster = [
        f"CREATE ROLE {eigenaar} LOGIN",
        f"CREATE ROLE {runtime} LOGIN",
        f"CREATE DATABASE {database} OWNER {eigenaar}",
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {runtime}",
    ]
    in_database = [
        f"ALTER SCHEMA public OWNER TO {eigenaar}",
        "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {runtime}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {eigenaar} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {runtime}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {eigenaar} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {runtime}",
    ]
    return cluster, in_database


@pytest.fixture
def rollen() -> Iterator[Rollen]:
    if not postgres_bereikbaar():
        pytest.skip("PostgreSQL op 127.0.0.1:5432 antwoordt niet")
    achtervoegsel = uuid.uuid4().hex[:10]
    database, eigenaar, runtime = (f"aanpak_{n}_{achtervoegsel}" for n in ("rollen", "eigenaar", "app"))
    cluster, in_database = opzet_sql(database, eigenaar, runtime)
    admin = maak_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    basis = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        with admin.connect() as conn:
            for sql in cluster:
                conn.execute(text(sql))
        db_admin = maak_engine(f"{basis}/{database}", isolation_level="AUTOCOMMIT")
        with db_admin.connect() as conn:
            for sql in in_database:
                conn.execute(text(sql))
        db_admin.dispose()
        gebruiker = basis.split("://", 1)[1].split("@", 1)[0]
        yield Rollen(
            database,
            f"{basis.replace(f'//{gebruiker}@', f'//{eigenaar}@')}/{database}",
            f"{basis.replace(f'//{gebruiker}@', f'//{runtime}@')}/{database}",
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            for rol in (runtime, eigenaar):
                conn.execute(text(f"DROP ROLE IF EXISTS {rol}"))
        admin.dispose()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for naam in list(os.environ):
        if naam.startswith("AANPAK_"):
            monkeypatch.delenv(naam)
    monkeypatch.setenv("AANPAK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    monkeypatch.setenv("AANPAK_SLEUTELS", TEST_SLEUTELS)
    monkeypatch.setenv("AANPAK_HMAC_SLEUTEL", base64.urlsafe_b64encode(TEST_HMAC).decode())
    instellingen.cache_clear()
    zet_standaard(None)
    yield tmp_path
    zet_standaard(None)
    instellingen.cache_clear()


def aanpak(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("AANPAK_DATABASE_URL", url)
    instellingen.cache_clear()
    zet_standaard(None)
    uit = CliRunner().invoke(app, list(args))
    assert uit.exception is None or isinstance(uit.exception, SystemExit), repr(uit.exception)
    return uit.exit_code, " ".join(uit.output.split())


def kan_niet(engine: Engine, sql: str) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    except ProgrammingError as exc:
        return "permission denied" in str(exc.orig) or "must be owner" in str(exc.orig)
    return False


def test_runtime_rol_zonder_ddl_werkt_na_db_upgrade(
    rollen: Rollen, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = maak_engine(rollen.runtime_url)
    try:
        # Before the upgrade: the runtime role can neither migrate nor work, and says what to do.
        assert schema_stand(runtime) == "achter"
        with pytest.raises(ProgrammingError):
            migreer(runtime)  # no CREATE on the schema
        with pytest.raises(SchemaNietBij) as geweigerd:
            bouw(rollen.inst(rollen.runtime_url, cli_env / "data"))
        assert "aanpak db upgrade" in geweigerd.value.melding
        code, uitvoer = aanpak(monkeypatch, rollen.runtime_url, "herstel", "--minuten", "0")
        assert code == 1
        assert "aanpak db upgrade" in uitvoer
        assert "Traceback" not in uitvoer

        # The owner migrates, once, with the one command that does.
        code, uitvoer = aanpak(monkeypatch, rollen.eigenaar_url, "db", "upgrade")
        assert code == 0, uitvoer
        assert "Casusopslag bijgewerkt" in uitvoer
        assert schema_stand(runtime) == "bij"

        # The runtime role: a whole registration and decision, rows only.
        klok = Klok(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
        omg = bouw(rollen.inst(rollen.runtime_url, cli_env / "data"), klok=klok)
        try:
            geregistreerd = registreer(omg, lees_signaal(signaal_document()))
            casus = verwerk_signaal(omg, geregistreerd.signaal_ref).casus_ref
            klok.verder(days=1)
            genomen = neem_besluit(
                omg, BesluitIn(casus_ref=casus, stap="interne_weging", uitkomst="eigen_ondersteuning"), als(SCHOOL)
            )
            toegepast = pas_besluit_toe(omg, genomen.besluit_ref)
            assert toegepast.gestarte_stappen == ["informeren_grondslag"]
        finally:
            omg.engine.dispose()
        code, uitvoer = aanpak(monkeypatch, rollen.runtime_url, "herstel", "--minuten", "0")
        assert code == 0, uitvoer
        assert "Nog open: 0, mislukt: 0." in uitvoer

        # ... and nothing else: no new tables, no altering ours, no dropping.
        assert kan_niet(runtime, "CREATE TABLE indringer (id integer)")
        assert kan_niet(runtime, "ALTER TABLE casus ADD COLUMN indringer integer")
        assert kan_niet(runtime, "DROP TABLE historie")
    finally:
        runtime.dispose()


def test_schema_achter_of_nieuwer_wordt_geweigerd(
    rollen: Rollen, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    eigenaar = maak_engine(rollen.eigenaar_url)
    try:
        migreer(eigenaar)
        with eigenaar.connect() as conn:
            kop = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        from alembic.script import ScriptDirectory

        from aanpak.store.db import alembic_config

        vorige = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(kop).down_revision
        assert isinstance(vorige, str)
        for versie, stand, woorden in (
            (vorige, "achter", "aanpak db upgrade"),
            ("ffff_onbekend", "nieuwer", "nieuwer"),
        ):
            with eigenaar.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": versie})
            assert schema_stand(eigenaar) == stand
            with pytest.raises(SchemaNietBij) as geweigerd:
                bouw(rollen.inst(rollen.runtime_url, cli_env / "data"))
            assert woorden in geweigerd.value.melding
            code, uitvoer = aanpak(monkeypatch, rollen.runtime_url, "herstel", "--minuten", "0")
            assert code == 1, uitvoer
            assert woorden in uitvoer
            assert "Traceback" not in uitvoer
        # The schema itself was never touched by the refusing processes.
        with eigenaar.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "ffff_onbekend"
    finally:
        eigenaar.dispose()
