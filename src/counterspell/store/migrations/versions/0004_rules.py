"""Rules: versioned rules, their runs, webhooks with a dead-letter list; queue reasons and tags.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from counterspell.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_rules"),
    )
    op.create_table(
        "rule_versions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("rule", sa.String(63), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("actions", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rule_versions"),
        sa.ForeignKeyConstraint(["rule"], ["rules.name"], name="fk_rule_versions_rule_rules"),
        sa.UniqueConstraint("rule", "version", name="uq_rule_versions_rule_version"),
    )
    op.create_index("ix_rule_versions_rule", "rule_versions", ["rule"])
    op.create_table(
        "rule_runs",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("rules", sa.Integer, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.Column("acted", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rule_runs"),
    )
    op.create_index("ix_rule_runs_started_at", "rule_runs", ["started_at"])
    op.create_table(
        "webhooks",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_webhooks"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("webhook", sa.String(40), nullable=False),
        sa.Column("rule", sa.String(63), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("uid", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("delivered_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.ForeignKeyConstraint(
            ["webhook"], ["webhooks.name"], name="fk_webhook_deliveries_webhook_webhooks"
        ),
    )
    op.create_index("ix_webhook_deliveries_webhook", "webhook_deliveries", ["webhook"])
    op.create_index("ix_webhook_deliveries_status", "webhook_deliveries", ["status"])
    with op.batch_alter_table("queue_items") as batch:
        batch.add_column(sa.Column("reasons", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("tags", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("rule_priority", sa.Float, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_items") as batch:
        batch.drop_column("rule_priority")
        batch.drop_column("tags")
        batch.drop_column("reasons")
    op.drop_index("ix_webhook_deliveries_status", "webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_webhook", "webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    op.drop_index("ix_rule_runs_started_at", "rule_runs")
    op.drop_table("rule_runs")
    op.drop_index("ix_rule_versions_rule", "rule_versions")
    op.drop_table("rule_versions")
    op.drop_table("rules")
