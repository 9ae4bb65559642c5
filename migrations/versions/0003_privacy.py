"""privacy protocol: grounds, the hash-chained disclosure log, restriction and corrections

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "grondslag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("soort", sa.String(length=32), nullable=False),
        sa.Column("gegeven_door", sa.JSON(), nullable=False),
        sa.Column("ontvangers", sa.JSON(), nullable=False),
        sa.Column("categorieen", sa.JSON(), nullable=False),
        sa.Column("doel", sa.String(length=64), nullable=False),
        sa.Column("toelichting_versleuteld", sa.LargeBinary(), nullable=True),
        sa.Column("vastgelegd_door", sa.String(length=128), nullable=False),
        sa.Column("vastgelegd_rol", sa.String(length=64), nullable=False),
        sa.Column("vastgelegd_op", TZ, nullable=False),
        sa.Column("geldig_tot", TZ, nullable=True),
        sa.Column("ingetrokken_op", TZ, nullable=True),
        sa.Column("ingetrokken_door", sa.String(length=128), nullable=True),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], name=op.f("fk_grondslag_casus_id_casus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grondslag")),
        sa.UniqueConstraint("ref", name=op.f("uq_grondslag_ref")),
    )
    op.create_index(op.f("ix_grondslag_casus_id"), "grondslag", ["casus_id"], unique=False)

    op.create_table(
        "verwerking",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("moment", TZ, nullable=False),
        sa.Column("casus_ref", sa.String(length=16), nullable=True),
        sa.Column("handeling", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("rol", sa.String(length=64), nullable=False),
        sa.Column("organisatie", sa.String(length=64), nullable=True),
        sa.Column("doel", sa.String(length=64), nullable=False),
        sa.Column("grondslagen", sa.JSON(), nullable=False),
        sa.Column("uitkomst", sa.String(length=16), nullable=False),
        sa.Column("categorieen", sa.JSON(), nullable=False),
        sa.Column("geweigerd", sa.JSON(), nullable=False),
        sa.Column("reden", sa.String(length=64), nullable=True),
        sa.Column("vorige_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verwerking")),
        sa.UniqueConstraint("volgnummer", name=op.f("uq_verwerking_volgnummer")),
        sa.UniqueConstraint("hash", name=op.f("uq_verwerking_hash")),
    )
    op.create_index(op.f("ix_verwerking_casus_ref"), "verwerking", ["casus_ref"], unique=False)

    op.create_table(
        "logboek_kop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("laatste_hash", sa.String(length=64), nullable=False),
        sa.Column("laatste_volgnummer", sa.Integer(), nullable=False),
        sa.Column("begin_hash", sa.String(length=64), nullable=False),
        sa.Column("begin_volgnummer", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logboek_kop")),
    )
    # The chain starts empty: the head exists from the start, so the first writer can lock it.
    kop = sa.table(
        "logboek_kop",
        sa.column("id", sa.Integer),
        sa.column("laatste_hash", sa.String),
        sa.column("laatste_volgnummer", sa.Integer),
        sa.column("begin_hash", sa.String),
        sa.column("begin_volgnummer", sa.Integer),
    )
    nul = "0" * 64
    op.bulk_insert(
        kop, [{"id": 1, "laatste_hash": nul, "laatste_volgnummer": 0, "begin_hash": nul, "begin_volgnummer": 1}]
    )

    op.create_table(
        "beperking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jeugdige_id", sa.Integer(), nullable=False),
        sa.Column("reden", sa.String(length=32), nullable=False),
        sa.Column("vastgelegd_door", sa.String(length=128), nullable=False),
        sa.Column("vastgelegd_op", TZ, nullable=False),
        sa.Column("opgeheven_op", TZ, nullable=True),
        sa.Column("opgeheven_door", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["jeugdige_id"], ["jeugdige.id"], name=op.f("fk_beperking_jeugdige_id_jeugdige")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beperking")),
    )
    op.create_index(op.f("ix_beperking_jeugdige_id"), "beperking", ["jeugdige_id"], unique=False)

    op.create_table(
        "correctie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jeugdige_id", sa.Integer(), nullable=False),
        sa.Column("velden", sa.JSON(), nullable=False),
        sa.Column("vorige_versleuteld", sa.LargeBinary(), nullable=False),
        sa.Column("door", sa.String(length=128), nullable=False),
        sa.Column("rol", sa.String(length=64), nullable=False),
        sa.Column("moment", TZ, nullable=False),
        sa.ForeignKeyConstraint(["jeugdige_id"], ["jeugdige.id"], name=op.f("fk_correctie_jeugdige_id_jeugdige")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correctie")),
    )
    op.create_index(op.f("ix_correctie_jeugdige_id"), "correctie", ["jeugdige_id"], unique=False)


def downgrade() -> None:
    for tabel in ("correctie", "beperking", "logboek_kop", "verwerking", "grondslag"):
        op.drop_table(tabel)
