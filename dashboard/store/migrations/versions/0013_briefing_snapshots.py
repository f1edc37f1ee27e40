"""briefing snapshots and the requests the one writer carries out

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:00:00

A snapshot is a frozen record of the city's figures at one as-of and data version (its canonical JSON and that
JSON's sha256); a request for one, from the web or the CLI, waits in `snapshot_requests` until the writer
carries it out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dashboard.store.schema

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("as_of", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_snapshots_content_hash")),
    )
    op.create_index("ix_snapshots_as_of", "snapshots", ["as_of"])
    op.create_table(
        "snapshot_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("as_of", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_requests")),
    )
    op.create_index("ix_snapshot_requests_pending", "snapshot_requests", ["done_at"])


def downgrade() -> None:
    op.drop_index("ix_snapshot_requests_pending", table_name="snapshot_requests")
    op.drop_table("snapshot_requests")
    op.drop_index("ix_snapshots_as_of", table_name="snapshots")
    op.drop_table("snapshots")
