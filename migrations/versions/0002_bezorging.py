"""bezorging: delivery state per outbox row and channel

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bezorging",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("melding_id", sa.Integer(), nullable=False),
        sa.Column("kanaal", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.Column("herkansingen", sa.Integer(), nullable=False),
        sa.Column("volgende_poging", sa.DateTime(timezone=True), nullable=False),
        sa.Column("laatste_fout", sa.String(length=200), nullable=True),
        sa.Column("aangemaakt_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verzonden_op", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["melding_id"], ["melding.id"], name=op.f("fk_bezorging_melding_id_melding")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bezorging")),
        sa.UniqueConstraint("melding_id", "kanaal", name=op.f("uq_bezorging_melding_id")),
    )
    with op.batch_alter_table("bezorging", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bezorging_melding_id"), ["melding_id"], unique=False)
        batch_op.create_index("ix_bezorging_status_volgende", ["status", "volgende_poging"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bezorging", schema=None) as batch_op:
        batch_op.drop_index("ix_bezorging_status_volgende")
        batch_op.drop_index(batch_op.f("ix_bezorging_melding_id"))
    op.drop_table("bezorging")
