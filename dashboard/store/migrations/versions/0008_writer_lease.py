"""the one writer's lease

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:30:00

One row: which process may write the data path (holder), its fencing token (raised at every take-over) and
when its lease runs out unless renewed. Every write transaction of the data path checks the token first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dashboard.store.schema

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    lease = op.create_table(
        "writer_lease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.Column("acquired_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("renewed_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", dashboard.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writer_lease")),
    )
    op.bulk_insert(lease, [{"id": 1, "holder": None, "token": 0}])


def downgrade() -> None:
    op.drop_table("writer_lease")
