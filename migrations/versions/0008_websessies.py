"""web app sessions: the server-side half of the browser session cookie (aanpak/web)

Revision ID: 0008_websessies
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_websessies"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "websessie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sleutel_hash", sa.String(length=64), nullable=False),
        sa.Column("persoon", sa.String(length=128), nullable=True),
        sa.Column("organisatie", sa.String(length=64), nullable=True),
        sa.Column("rollen", sa.JSON(), nullable=False),
        sa.Column("rol", sa.String(length=64), nullable=True),
        sa.Column("uitgever", sa.String(length=500), nullable=True),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=128), nullable=True),
        sa.Column("nonce", sa.String(length=128), nullable=True),
        sa.Column("verifier", sa.String(length=128), nullable=True),
        sa.Column("aangemaakt_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("laatst_gebruikt_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verloopt_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_websessie")),
        sa.UniqueConstraint("sleutel_hash", name=op.f("uq_websessie_sleutel_hash")),
    )
    op.create_index(op.f("ix_websessie_verloopt_op"), "websessie", ["verloopt_op"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_websessie_verloopt_op"), table_name="websessie")
    op.drop_table("websessie")
