"""index on a unit's completions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 11:00:00

One unit's dossiers completed in a window (the unit tile's late lists and late procedures, a single unit's
partial-day counts): at 10 million rows these read the unit's completions in the window instead of all the
unit's rows (about 450 ms → 30 ms for a district). Queries over every unit keep the completed_at index.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_dossiers_unit_key_completed_at"), "dossiers", ["unit_key", "completed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dossiers_unit_key_completed_at"), table_name="dossiers")
