"""the wall's alerts as the writer observed them: since when, until when, how bad at worst

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dashboard.store.schema

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = dashboard.store.schema.UTCDateTime(timezone=True)
    op.create_table(
        "alert_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("worst", sa.String(length=8), nullable=False),
        sa.Column("first_seen", moment, nullable=False),
        sa.Column("last_seen", moment, nullable=False),
        sa.Column("closed_at", moment, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_ledger")),
    )
    op.create_index("ix_alert_ledger_open", "alert_ledger", ["closed_at", "kind", "unit_key"])


def downgrade() -> None:
    op.drop_index("ix_alert_ledger_open", table_name="alert_ledger")
    op.drop_table("alert_ledger")
