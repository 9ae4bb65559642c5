"""monitoring reviews: when the next review of an open monitoring step is due

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stap", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_op", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("laatste_review_op", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_stap_status_review", ["status", "review_op"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stap", schema=None) as batch_op:
        batch_op.drop_index("ix_stap_status_review")
        batch_op.drop_column("laatste_review_op")
        batch_op.drop_column("review_op")
