"""units of every era: where each came from

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:00:00

The 168 units of the city since 01/07/2025 carry their former province, their predecessors (old ward codes,
"~" for a ward merged in part) and their districts of origin; departments and Thành phố Thủ Đức their
predecessors' keys.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("former_province", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("predecessors", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("origin", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("aliases", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("aliases")
        batch_op.drop_column("origin")
        batch_op.drop_column("predecessors")
        batch_op.drop_column("former_province")
