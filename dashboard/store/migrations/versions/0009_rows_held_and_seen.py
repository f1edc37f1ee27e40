"""rows held and rows seen

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:30:00

`source_state.rows_total` becomes the number of distinct rows the store holds for the source's stream (it
counted every re-read: 1,479,429 for a 12,000-row source), recounted here once and kept by new rows since;
`rows_seen` is every row the source sent, re-reads included; `last_outcome` says ok, slow (a pull that timed
out after storing rows: catching up, not failing) or error.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rows_seen", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_outcome", sa.String(length=16), nullable=True))
    op.execute("UPDATE source_state SET rows_seen = rows_total")
    for stream, table in (("dossiers", "dossiers"), ("feedback", "feedback")):
        op.execute(
            f"UPDATE source_state SET rows_total = (SELECT count(*) FROM {table} WHERE {table}.source = source_state.source)"
            f" WHERE stream = '{stream}'"
        )


def downgrade() -> None:
    with op.batch_alter_table("source_state", schema=None) as batch_op:
        batch_op.drop_column("last_outcome")
        batch_op.drop_column("rows_seen")
