"""retention: legal holds (bewaarplicht) and the deletion log (verwijdering)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bewaarplicht",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("reden", sa.String(length=32), nullable=False),
        sa.Column("door", sa.String(length=128), nullable=False),
        sa.Column("rol", sa.String(length=64), nullable=False),
        sa.Column("vanaf", TZ, nullable=False),
        sa.Column("tot", TZ, nullable=True),
        sa.Column("opgeheven_op", TZ, nullable=True),
        sa.Column("opgeheven_door", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], name=op.f("fk_bewaarplicht_casus_id_casus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bewaarplicht")),
        sa.UniqueConstraint("ref", name=op.f("uq_bewaarplicht_ref")),
    )
    op.create_index(op.f("ix_bewaarplicht_casus_id"), "bewaarplicht", ["casus_id"], unique=False)

    op.create_table(
        "verwijdering",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("soort", sa.String(length=16), nullable=False),
        sa.Column("casus_ref", sa.String(length=16), nullable=True),
        sa.Column("signaal_ref", sa.String(length=16), nullable=True),
        sa.Column("grond", sa.String(length=32), nullable=False),
        sa.Column("aantallen", sa.JSON(), nullable=False),
        sa.Column("door", sa.String(length=128), nullable=False),
        sa.Column("rol", sa.String(length=64), nullable=False),
        sa.Column("moment", TZ, nullable=False),
        sa.Column("prefect", sa.JSON(), nullable=True),
        sa.Column("prefect_opgeschoond_op", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verwijdering")),
        sa.UniqueConstraint("ref", name=op.f("uq_verwijdering_ref")),
    )
    op.create_index(op.f("ix_verwijdering_casus_ref"), "verwijdering", ["casus_ref"], unique=False)
    op.create_index(op.f("ix_verwijdering_signaal_ref"), "verwijdering", ["signaal_ref"], unique=False)
    op.create_index(op.f("ix_verwijdering_moment"), "verwijdering", ["moment"], unique=False)
    op.create_index(
        op.f("ix_verwijdering_prefect_opgeschoond_op"), "verwijdering", ["prefect_opgeschoond_op"], unique=False
    )


def downgrade() -> None:
    for tabel in ("verwijdering", "bewaarplicht"):
        op.drop_table(tabel)
