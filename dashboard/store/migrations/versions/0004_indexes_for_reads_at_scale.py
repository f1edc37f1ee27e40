"""indexes for reads at scale

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 08:22:27.334851
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_status_unit_key"))

    with op.batch_alter_table("roll_dossier_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_dossier_day_day"), ["day"], unique=False)

    with op.batch_alter_table("roll_feedback_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_feedback_day_day"), ["day"], unique=False)

    with op.batch_alter_table("roll_processing", schema=None) as batch_op:
        batch_op.create_index("ix_roll_processing_day_cover", ["day", "unit_key", "half_days", "n"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("roll_processing", schema=None) as batch_op:
        batch_op.drop_index("ix_roll_processing_day_cover")

    with op.batch_alter_table("roll_feedback_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_feedback_day_day"))

    with op.batch_alter_table("roll_dossier_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_dossier_day_day"))

    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossiers_status_unit_key"), ["status", "unit_key"], unique=False)
