"""Exchanges: feedback on matches from exchange banks, queued and retried.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from counterspell.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_feedback",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("exchange", sa.String(64), nullable=False),
        sa.Column("decision_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("signal_type", sa.String(16), nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("sent_as", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_exchange_feedback"),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name="fk_exchange_feedback_decision_id_decisions"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["queue_items.id"], name="fk_exchange_feedback_item_id_queue_items"
        ),
        sa.UniqueConstraint(
            "exchange",
            "decision_id",
            "signal_type",
            "hash",
            "target",
            name="uq_exchange_feedback_once",
        ),
    )
    op.create_index("ix_exchange_feedback_exchange", "exchange_feedback", ["exchange"])
    op.create_index("ix_exchange_feedback_item_id", "exchange_feedback", ["item_id"])
    op.create_index("ix_exchange_feedback_status", "exchange_feedback", ["status"])


def downgrade() -> None:
    op.drop_index("ix_exchange_feedback_status", "exchange_feedback")
    op.drop_index("ix_exchange_feedback_item_id", "exchange_feedback")
    op.drop_index("ix_exchange_feedback_exchange", "exchange_feedback")
    op.drop_table("exchange_feedback")
