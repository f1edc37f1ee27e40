"""lien thong and key cursors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 06:55:19.193876
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counted", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_index(batch_op.f("ix_dossiers_native_code"), ["native_code"], unique=False)

    with op.batch_alter_table("source_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_key", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_state", schema=None) as batch_op:
        batch_op.drop_column("last_key")

    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_native_code"))
        batch_op.drop_column("counted")
