"""The first operational store: accounts, review queue, cases, removal requests, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from counterspell.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def upgrade() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime),
    )
    op.create_table(
        "api_tokens",
        _id(),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_used_at", UTCDateTime),
        sa.Column("revoked_at", UTCDateTime),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "login_attempts",
        _id(),
        sa.Column("at", UTCDateTime, nullable=False, index=True),
        sa.Column("client", sa.String(64), nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_table(
        "identities",
        sa.Column("pseudonym", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("first_uid", sa.Text),
    )
    op.create_table(
        "queue_items",
        _id(),
        sa.Column("uid", sa.Text, nullable=False, unique=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("community", sa.Text, nullable=False),
        sa.Column("thread_id", sa.Text),
        sa.Column("posted_at", UTCDateTime),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("targets", sa.Text, nullable=False),
        sa.Column("campaign_id", sa.Text),
        sa.Column("bank_matches", sa.Integer, nullable=False),
        sa.Column("priority", sa.Float, nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("assigned_to", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("assigned_at", UTCDateTime),
        sa.Column("synced_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "decisions",
        _id(),
        sa.Column(
            "item_id", sa.Integer, sa.ForeignKey("queue_items.id"), nullable=False, index=True
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "cases",
        _id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_cases_kind_key"),
    )
    op.create_table(
        "case_links",
        _id(),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("added_by", sa.Integer, sa.ForeignKey("users.id")),
        sa.UniqueConstraint("case_id", "kind", "ref", name="uq_case_links_case_kind_ref"),
    )
    for name, extra in (
        ("case_notes", [sa.Column("text", sa.Text, nullable=False)]),
        (
            "case_status",
            [
                sa.Column("status", sa.String(16), nullable=False),
                sa.Column("note", sa.Text, nullable=False),
            ],
        ),
    ):
        op.create_table(
            name,
            _id(),
            sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
            sa.Column("at", UTCDateTime, nullable=False),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
            *extra,
        )
    op.create_table(
        "takedowns",
        _id(),
        sa.Column("ref", sa.String(32), nullable=False, unique=True),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("requester_name", sa.Text, nullable=False),
        sa.Column("acting_for", sa.String(16), nullable=False),
        *(
            sa.Column(c, sa.Text, nullable=False)
            for c in (
                "authority",
                "signature",
                "locations",
                "hashes",
                "statement",
                "contact_email",
                "contact_phone",
                "problems",
            )
        ),
        sa.Column("valid_at", UTCDateTime),
        sa.Column("due_at", UTCDateTime, index=True),
        sa.Column("removed_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id")),
    )
    op.create_table(
        "takedown_copies",
        _id(),
        sa.Column(
            "takedown_id", sa.Integer, sa.ForeignKey("takedowns.id"), nullable=False, index=True
        ),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("signal", sa.Text, nullable=False),
        sa.Column("match", sa.String(16), nullable=False),
        sa.Column("distance", sa.Integer, nullable=False),
        sa.Column("found_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("store_id", sa.String(32), nullable=False),
    )
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id"),
            sa.column("seq"),
            sa.column("hash"),
            sa.column("store_id"),
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64, "store_id": secrets.token_hex(16)}],
    )


def downgrade() -> None:
    for name in (
        "audit_head",
        "audit_log",
        "takedown_copies",
        "takedowns",
        "case_status",
        "case_notes",
        "case_links",
        "cases",
        "decisions",
        "queue_items",
        "identities",
        "login_attempts",
        "sessions",
        "api_tokens",
        "users",
    ):
        op.drop_table(name)
