"""dossiers of procedures the catalogue does not list

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:00:00

A profile may accept dossiers whose procedure the catalogue does not list (`unknown_procedures: accept`): their
code is kept, `procedure_listed` is false, and `statutory_days_source` holds the statutory time the source's own
original due implies. Every row stored before is of a listed procedure.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite allows it with a constant default): a batch "move and copy" would rebuild the
    # table of millions of rows and re-create its indexes in an arbitrary order, which SQLite's planner breaks
    # ties by.
    op.add_column("dossiers", sa.Column("procedure_listed", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("dossiers", sa.Column("statutory_days_source", sa.Float(), nullable=True))
    unlisted = sa.column("procedure_listed", sa.Boolean()).is_(False)
    op.create_index(
        "ix_dossiers_unlisted",
        "dossiers",
        ["source", "procedure_code"],
        sqlite_where=unlisted,
        postgresql_where=unlisted,
    )


def downgrade() -> None:
    op.drop_index("ix_dossiers_unlisted", table_name="dossiers")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_column("statutory_days_source")
        batch_op.drop_column("procedure_listed")
