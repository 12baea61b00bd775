"""An index for a page of the queue in priority order (status, priority, id).

Without it every page of the queue list sorted all the items of its status (a temporary B-tree
over every open item); with it the page is read from the index and stops at its limit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_queue_items_status_priority", "queue_items", ["status", "priority", "id"])


def downgrade() -> None:
    op.drop_index("ix_queue_items_status_priority", "queue_items")
