"""weekly processing histogram

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00

roll_processing_week holds roll_processing summed per Monday-to-Sunday week, so that a 30-day period reads
its whole weeks there; filled here from roll_processing (no raw rows needed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roll_processing_week",
        sa.Column("unit_key", sa.String(length=64), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("half_days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_key", "week", "half_days", name=op.f("pk_roll_processing_week")),
    )
    op.create_index("ix_roll_processing_week_cover", "roll_processing_week", ["week", "unit_key", "half_days", "n"])
    if op.get_bind().dialect.name == "postgresql":
        week = "CAST(date_trunc('week', day) AS DATE)"
    else:
        week = "date(day, '-6 days', 'weekday 1')"
    op.execute(
        f"INSERT INTO roll_processing_week (unit_key, week, half_days, n) "
        f"SELECT unit_key, {week}, half_days, SUM(n) FROM roll_processing GROUP BY unit_key, {week}, half_days"
    )


def downgrade() -> None:
    op.drop_index("ix_roll_processing_week_cover", table_name="roll_processing_week")
    op.drop_table("roll_processing_week")
