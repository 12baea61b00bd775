"""Public intake: who sent a removal request (keyed hash) and why it waits in triage.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("takedowns") as batch:
        batch.add_column(sa.Column("client_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("triage_reason", sa.Text, nullable=True))
        batch.create_index("ix_takedowns_client_hash", ["client_hash"])
        batch.create_index("ix_takedowns_received_at", ["received_at"])


def downgrade() -> None:
    with op.batch_alter_table("takedowns") as batch:
        batch.drop_index("ix_takedowns_received_at")
        batch.drop_index("ix_takedowns_client_hash")
        batch.drop_column("triage_reason")
        batch.drop_column("client_hash")
