"""disclosure log keyed with the server's key: where the key took over, and a keyed head

Revision ID: 0007
Revises: 0006_organisaties
Create Date: 2026-12-01

From here on every entry of the verwerkingslog carries an HMAC with the server's log key (which the database does
not hold) and so does the head. An existing chain keeps its unkeyed hashes; this migration appends one keyed entry
``sleutel_ingevoerd`` onto its last entry and records its number as ``sleutel_vanaf``, so the old part is bound by
the key too. That needs the key: a database with log entries is migrated only by a process that has it (the
application context installs it before migrating), else the migration refuses. A fresh log needs no key.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006_organisaties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("logboek_kop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sleutel_vanaf", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("kop_mac", sa.String(length=64), nullable=True))

    from aanpak.store.schema import LogboekKop, UtcDateTime, Verwerking
    from aanpak.usecases import logboek

    kop_t = sa.table(
        "logboek_kop",
        sa.column("id", sa.Integer),
        sa.column("laatste_hash", sa.String),
        sa.column("laatste_volgnummer", sa.Integer),
        sa.column("begin_hash", sa.String),
        sa.column("begin_volgnummer", sa.Integer),
        sa.column("sleutel_vanaf", sa.Integer),
        sa.column("kop_mac", sa.String),
    )
    conn = op.get_bind()
    rij = conn.execute(sa.select(kop_t).where(kop_t.c.id == 1)).mappings().first()
    if rij is None:  # no head: verification reports it; there is nothing to close
        return
    if rij["laatste_volgnummer"] == 0:  # nothing was ever written: the whole chain will be keyed
        conn.execute(sa.update(kop_t).where(kop_t.c.id == 1).values(sleutel_vanaf=1))
        return

    sleutel = logboek.sleutel_van(conn)
    overgang = Verwerking(
        volgnummer=rij["laatste_volgnummer"] + 1,
        moment=datetime.now(UTC),
        casus_ref=None,
        handeling=logboek.OVERGANG,
        actor="aanpak",
        rol="systeem",
        organisatie=None,
        doel="verwerkingslog",
        grondslagen=[],
        uitkomst="vastgelegd",
        categorieen=[],
        geweigerd=[],
        reden=None,
        vorige_hash=rij["laatste_hash"],
    )
    overgang.hash = logboek.mac(sleutel, overgang.vorige_hash, logboek.inhoud(overgang))
    verwerking_t = sa.table(
        "verwerking",
        *(
            sa.column(naam, type_)
            for naam, type_ in (
                ("volgnummer", sa.Integer()),
                ("moment", UtcDateTime()),
                ("casus_ref", sa.String()),
                ("handeling", sa.String()),
                ("actor", sa.String()),
                ("rol", sa.String()),
                ("organisatie", sa.String()),
                ("doel", sa.String()),
                ("grondslagen", sa.JSON()),
                ("uitkomst", sa.String()),
                ("categorieen", sa.JSON()),
                ("geweigerd", sa.JSON()),
                ("reden", sa.String()),
                ("vorige_hash", sa.String()),
                ("hash", sa.String()),
            )
        ),
    )
    conn.execute(
        sa.insert(verwerking_t).values(
            {c.name: getattr(overgang, c.name) for c in verwerking_t.columns},
        )
    )
    kop = LogboekKop(
        id=1,
        laatste_hash=overgang.hash,
        laatste_volgnummer=overgang.volgnummer,
        begin_hash=rij["begin_hash"],
        begin_volgnummer=rij["begin_volgnummer"],
        sleutel_vanaf=overgang.volgnummer,
    )
    conn.execute(
        sa.update(kop_t)
        .where(kop_t.c.id == 1)
        .values(
            laatste_hash=kop.laatste_hash,
            laatste_volgnummer=kop.laatste_volgnummer,
            sleutel_vanaf=kop.sleutel_vanaf,
            kop_mac=logboek.kop_mac(sleutel, kop),
        )
    )


def downgrade() -> None:
    # The keyed entries stay (they are the log): the older version reports them as changed, which is the truth
    # about its unkeyed check, not a reason to drop entries.
    with op.batch_alter_table("logboek_kop", schema=None) as batch_op:
        batch_op.drop_column("kop_mac")
        batch_op.drop_column("sleutel_vanaf")
