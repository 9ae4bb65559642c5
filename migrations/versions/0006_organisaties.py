"""organisaties: every stored role gets the concrete organisation it acts for

Until now a role key (``school.zorgcoordinator``) stood for the whole organisation type. Each role column gets
an organisation column next to it, filled for existing rows with the single organisation that each type had:
the hard-coded mapping below is the default register (aanpak/definities/organisaties.yaml) as it was when this
migration was written — a migration never imports the application.

Revision ID: 0006_organisaties
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_organisaties"
down_revision = "0005"
branch_labels = None
depends_on = None

#: Werkproces organisation type → the concrete organisation existing rows belong to.
TYPE_NAAR_ORGANISATIE = {
    "school": "school-de-wissel",
    "kinderopvang": "kinderopvang-de-vlinder",
    "jgz": "jgz-limburg-noord",
    "wijkteam": "wijkteam-venlo",
    "gemeente": "gemeente-venlo",
    "veilig_thuis": "veilig-thuis-limburg-noord",
    "halt": "halt-zuid-nederland",
    "politie": "politie-limburg",
    "om": "om-limburg",
    "leerplicht": "leerplicht-venlo",
    "zvhnl": "zvhnl",
}

#: table → (new organisation column, the role column it belongs to, indexed)
KOLOMMEN: dict[str, list[tuple[str, str, bool]]] = {
    "casus": [
        ("casusregie_organisatie", "casusregie", False),
        ("procesregie_organisatie", "procesregie", False),
        ("bestuurlijk_organisatie", "bestuurlijk", False),
    ],
    "signaal": [("melder_organisatie", "bron_rol", True)],
    "stap": [("eigenaar_organisatie", "eigenaar_rol", True)],
    "besluit": [
        ("casusregie_organisatie", "casusregie", False),
        ("procesregie_organisatie", "procesregie", False),
        ("eigenaar_organisatie", "", False),
        ("actor_organisatie", "actor_rol", False),
    ],
    "overdracht": [("van_organisatie", "van_rol", False), ("naar_organisatie", "naar_rol", True)],
    "signalering": [("naar_organisatie", "naar_rol", False), ("eigenaar_organisatie", "eigenaar_rol", False)],
    "historie": [("organisatie", "rol", False)],
    "melding": [("ontvanger_organisatie", "ontvanger_rol", True)],
    "grondslag": [("vastgelegd_organisatie", "vastgelegd_rol", False)],
}


def upgrade() -> None:
    for tabel, kolommen in KOLOMMEN.items():
        with op.batch_alter_table(tabel, schema=None) as batch_op:
            for kolom, _, index in kolommen:
                batch_op.add_column(sa.Column(kolom, sa.String(length=64), nullable=True))
                if index:
                    batch_op.create_index(f"ix_{tabel}_{kolom}", [kolom], unique=False)
    conn = op.get_bind()
    for tabel, kolommen in KOLOMMEN.items():
        for kolom, rol_kolom, _ in kolommen:
            if not rol_kolom:
                continue
            tabel_ = sa.table(tabel, sa.column(kolom, sa.String), sa.column(rol_kolom, sa.String))
            for type_, organisatie in TYPE_NAAR_ORGANISATIE.items():
                # A role key is "<type>.<role>": the prefix names its organisation type (no LIKE: "_" is a wildcard).
                conn.execute(
                    tabel_.update()
                    .where(
                        tabel_.c[kolom].is_(None),
                        sa.func.substr(tabel_.c[rol_kolom], 1, len(type_) + 1) == f"{type_}.",
                    )
                    .values({kolom: organisatie})
                )


def downgrade() -> None:
    for tabel, kolommen in KOLOMMEN.items():
        with op.batch_alter_table(tabel, schema=None) as batch_op:
            for kolom, _, index in reversed(kolommen):
                if index:
                    batch_op.drop_index(f"ix_{tabel}_{kolom}")
                batch_op.drop_column(kolom)
