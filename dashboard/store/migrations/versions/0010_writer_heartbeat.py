"""the writer's heartbeat in a row of its own

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:00:00

Every write of the data path locks the lease row (its fence); a renewal that updated the same row queued behind
them, and under a steady stream of writes the lease could run out while its writer was healthy. The expiry moves
to `writer_heartbeat`, which only renewals and take-overs touch; `writer_lease` keeps holder, token and when
it was acquired.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dashboard.store.schema

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    heartbeat = op.create_table(
        "writer_heartbeat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.Column("renewed_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writer_heartbeat")),
    )
    op.bulk_insert(heartbeat, [{"id": 1, "token": 0}])
    op.execute(
        "UPDATE writer_heartbeat SET token = (SELECT token FROM writer_lease WHERE id = 1),"
        " renewed_at = (SELECT renewed_at FROM writer_lease WHERE id = 1),"
        " expires_at = (SELECT expires_at FROM writer_lease WHERE id = 1)"
    )
    with op.batch_alter_table("writer_lease", schema=None) as batch_op:
        batch_op.drop_column("renewed_at")
        batch_op.drop_column("expires_at")


def downgrade() -> None:
    with op.batch_alter_table("writer_lease", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renewed_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("expires_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True))
    op.drop_table("writer_heartbeat")
