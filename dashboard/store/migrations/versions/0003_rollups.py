"""rollups (after upgrading a store that already holds rows, run `python -m dashboard rebuild-rollups`)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 07:04:43.650223
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dashboard.store.schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roll_dossier_day",
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("received_online", sa.Integer(), nullable=False),
        sa.Column("received_online_full", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("completed_on_time", sa.Integer(), nullable=False),
        sa.Column("completed_after_due", sa.Integer(), nullable=False),
        sa.Column("completed_after_due_apology", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("statutory_days", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("unit_key", "day", name=op.f("pk_roll_dossier_day")),
    )
    op.create_table(
        "roll_dossier_detail",
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("procedure_code", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("completed_on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_key", "day", "procedure_code", "channel", name=op.f("pk_roll_dossier_detail")),
    )
    op.create_table(
        "roll_feedback_day",
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("answered_on_time", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_key", "day", name=op.f("pk_roll_feedback_day")),
    )
    op.create_table(
        "roll_feedback_open",
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("due_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_key", "due_at", name=op.f("pk_roll_feedback_open")),
    )
    op.create_table(
        "roll_open",
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("due_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("apology", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_key", "due_at", "apology", name=op.f("pk_roll_open")),
    )
    op.create_table(
        "roll_processing",
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("half_days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_key", "day", "half_days", name=op.f("pk_roll_processing")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("processing_half_days", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_dossiers_completed_at"), ["completed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossiers_received_at"), ["received_at"], unique=False)

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_answered_at"), ["answered_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_received_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_answered_at"))

    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_received_at"))
        batch_op.drop_index(batch_op.f("ix_dossiers_completed_at"))
        batch_op.drop_column("processing_half_days")

    op.drop_table("roll_processing")
    op.drop_table("roll_open")
    op.drop_table("roll_feedback_open")
    op.drop_table("roll_feedback_day")
    op.drop_table("roll_dossier_detail")
    op.drop_table("roll_dossier_day")
