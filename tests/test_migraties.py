"""Alembic's migrations build exactly the schema that ``aanpak/store/schema.py`` declares, on both databases.

A column, index or constraint added to the mappings without a migration (or the other way round) shows up here
as a difference, before a production database and the code disagree.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Engine, MetaData, String

from aanpak.store.schema import Basis


def verschillen(engine: Engine, metadata: MetaData = Basis.metadata) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True, "render_as_batch": True}
        )
        return list(compare_metadata(context, metadata))


def test_migrations_match_the_mappings(engine: Engine) -> None:
    """``engine`` is a freshly migrated SQLite file and PostgreSQL database (tests/conftest.py)."""
    assert verschillen(engine) == []


def test_a_mapping_without_migration_is_a_difference(engine: Engine) -> None:
    """The comparison sees the database, not only the mappings: a column no migration made is reported."""
    gewijzigd = MetaData()
    for tabel in Basis.metadata.sorted_tables:
        tabel.to_metadata(gewijzigd)
    gewijzigd.tables["casus"].append_column(Column("zonder_migratie", String(8)))
    assert [(v[0], v[3].name) for v in verschillen(engine, gewijzigd)] == [("add_column", "zonder_migratie")]
