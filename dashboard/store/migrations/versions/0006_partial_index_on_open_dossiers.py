"""partial index on open dossiers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 11:00:00

A unit's open dossiers by original due, for the overdue lists of the unit tile: about 1 % of the rows. The
condition is written out as `dashboard.store.schema.open_status` renders it, so that queries stating it match.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = sa.text("status NOT IN ('completed', 'refused', 'withdrawn', 'cancelled')")


def upgrade() -> None:
    op.create_index(
        "ix_dossiers_open_unit_due",
        "dossiers",
        ["unit_key", "due_original_at"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_dossiers_open_unit_due", table_name="dossiers")
