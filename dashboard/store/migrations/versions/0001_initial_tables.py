"""initial tables

Revision ID: 0001
Revises:
Create Date: 2026-11-27 06:50:22.743494
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dashboard.store.schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("native_code", sa.String(length=100), nullable=False),
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("procedure_code", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_original_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_current_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("supplement_requests", sa.Integer(), nullable=False),
        sa.Column("apology_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("apology_new_due_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("source_updated_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ingested_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("source", "native_code", name=op.f("uq_dossiers_source_native_code")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossiers_status_unit_key"), ["status", "unit_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossiers_unit_key_received_at"), ["unit_key", "received_at"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("native_id", sa.String(length=100), nullable=False),
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("source_updated_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ingested_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("source", "native_id", name=op.f("uq_feedback_source_native_id")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_unit_key_received_at"), ["unit_key", "received_at"], unique=False)

    op.create_table(
        "procedures",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("field_vi", sa.String(length=120), nullable=False),
        sa.Column("field_en", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=24), nullable=False),
        sa.Column("statutory_time", sa.Float(), nullable=False),
        sa.Column("statutory_unit", sa.String(length=8), nullable=False),
        sa.Column("online_type", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_procedures")),
    )
    op.create_table(
        "pull_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=16), nullable=False),
        sa.Column("started_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("watermark_before", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("watermark_after", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pull_log")),
    )
    with op.batch_alter_table("pull_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pull_log_source_started_at"), ["source", "started_at"], unique=False)

    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=16), nullable=False),
        sa.Column("native_key", sa.String(length=200), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("rejected_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_rows")),
    )
    with op.batch_alter_table("rejected_rows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rejected_rows_source_stream_native_key"), ["source", "stream", "native_key"], unique=False
        )

    op.create_table(
        "source_state",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=16), nullable=False),
        sa.Column("cursor_definition", sa.String(length=200), nullable=False),
        sa.Column("watermark", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_good_pull_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_retry_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "stream", name=op.f("pk_source_state")),
    )
    op.create_table(
        "units",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("short_name_vi", sa.String(length=100), nullable=False),
        sa.Column("parent_key", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("ranked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_units")),
    )


def downgrade() -> None:
    op.drop_table("units")
    op.drop_table("source_state")
    with op.batch_alter_table("rejected_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejected_rows_source_stream_native_key"))

    op.drop_table("rejected_rows")
    with op.batch_alter_table("pull_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pull_log_source_started_at"))

    op.drop_table("pull_log")
    op.drop_table("procedures")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_unit_key_received_at"))

    op.drop_table("feedback")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_unit_key_received_at"))
        batch_op.drop_index(batch_op.f("ix_dossiers_status_unit_key"))

    op.drop_table("dossiers")
    op.drop_table("data_version")
