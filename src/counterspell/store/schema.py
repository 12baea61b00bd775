"""The operational store's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

The lake holds what was observed; the store holds what people decided and did about it: accounts,
review decisions, cases, removal requests and the audit log. It is also the only place where a
target's clear identifier lives (``identities``), so that everything derived elsewhere can carry a
pseudonym. Alembic migrations (``migrations/``) create these tables; a test checks the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    select,
)
from sqlalchemy.engine import CursorResult, Dialect

from ..errors import NotFound

ROLES = ("viewer", "reviewer", "analyst", "admin")  # each may do everything the previous may


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite hands back naive ones otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        out: datetime = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return out


def row_by_id(conn: Connection, table: Table, row_id: int, what: str) -> dict[str, Any]:
    """One row by its ``id``, or NotFound naming it ("no case 7")."""
    row = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
    if row is None:
        raise NotFound(f"no {what} {row_id}")
    return dict(row)


def new_id(result: CursorResult[Any]) -> int:
    """The primary key an INSERT created (SQLAlchemy types it as optional)."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("expires_at", UTCDateTime),  # NULL: made before tokens expired (until revoked)
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cookie value, never the value
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("client", String(64), nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("ok", Boolean, nullable=False),
)

identities = Table(
    "identities",
    metadata,
    Column("pseudonym", String(40), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("first_uid", Text),
)

queue_items = Table(
    "queue_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("platform", String(32), nullable=False),
    Column("community", Text, nullable=False),
    Column("thread_id", Text),
    Column("posted_at", UTCDateTime),
    Column("role", String(32), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("flags", Text, nullable=False, default=""),  # ";"-joined
    Column("targets", Text, nullable=False, default=""),  # ";"-joined pseudonyms
    Column("campaign_id", Text),
    Column("bank_matches", Integer, nullable=False, default=0),
    Column("priority", Float, nullable=False, index=True),
    Column("status", String(16), nullable=False, default="open", index=True),
    Column("assigned_to", ForeignKey("users.id")),
    Column("assigned_at", UTCDateTime),
    Column("synced_at", UTCDateTime, nullable=False),
    Column("reasons", Text, nullable=False, default=""),  # ";"-joined rule:NAME@VERSION
    Column("tags", Text, nullable=False, default=""),  # ";"-joined, from live rules
    Column("rule_priority", Float),  # the highest priority a live rule gave; sync keeps it
    # a page of the queue in priority order reads the index, not a sort of every open item
    Index("ix_queue_items_status_priority", "status", "priority", "id"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", ForeignKey("queue_items.id"), nullable=False, index=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("action", String(16), nullable=False),
    Column("role", String(32), nullable=False),
    Column("flags", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # target | request
    Column("key", Text, nullable=False),  # a target pseudonym or a request's post uid
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", ForeignKey("users.id")),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("kind", "key", name="uq_cases_kind_key"),
)

case_links = Table(
    "case_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # post | campaign | media | bank_entry | takedown
    Column("ref", Text, nullable=False),
    Column("detail", Text, nullable=False, default="{}"),  # JSON
    Column("added_at", UTCDateTime, nullable=False),
    Column("added_by", ForeignKey("users.id")),
    UniqueConstraint("case_id", "kind", "ref", name="uq_case_links_case_kind_ref"),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("user_id", ForeignKey("users.id")),
    Column("text", Text, nullable=False),
)

case_status = Table(
    "case_status",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("user_id", ForeignKey("users.id")),
    Column("status", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

takedowns = Table(
    "takedowns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(32), nullable=False, unique=True),  # what the requester is given
    Column("received_at", UTCDateTime, nullable=False, index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("requester_name", Text, nullable=False, default=""),
    Column("acting_for", String(16), nullable=False, default="self"),  # self | authorised
    Column("authority", Text, nullable=False, default=""),
    Column("signature", Text, nullable=False, default=""),
    Column("locations", Text, nullable=False, default=""),  # one per line
    Column("hashes", Text, nullable=False, default=""),  # one per line
    Column("statement", Text, nullable=False, default=""),
    Column("contact_email", Text, nullable=False, default=""),
    Column("contact_phone", Text, nullable=False, default=""),
    Column("problems", Text, nullable=False, default="[]"),  # JSON list of messages
    Column("valid_at", UTCDateTime),
    Column("due_at", UTCDateTime, index=True),
    Column("removed_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("case_id", ForeignKey("cases.id")),
    Column("client_hash", String(64), index=True),  # keyed hash of the sender's address
    Column("triage_reason", Text),  # why it waits for a person (flood, no proof of work)
)

takedown_copies = Table(
    "takedown_copies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("takedown_id", ForeignKey("takedowns.id"), nullable=False, index=True),
    Column("source", String(16), nullable=False),  # lake | bank
    Column("ref", Text, nullable=False),  # post uid, or bank:entry
    Column("signal", Text, nullable=False),  # md5:<hex> | sha256:<hex> | pdq:<hex>
    Column("match", String(16), nullable=False),  # identical | near
    Column("distance", Integer, nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
)

rules = Table(
    "rules",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("state", String(16), nullable=False),  # draft | shadow | live | retired
    Column("version", Integer, nullable=False),  # the current version
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

rule_versions = Table(
    "rule_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rule", ForeignKey("rules.name"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("condition", Text, nullable=False),
    Column("actions", Text, nullable=False, default="[]"),  # JSON list of action strings
    Column("description", Text, nullable=False, default=""),
    Column("author", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("rule", "version", name="uq_rule_versions_rule_version"),
)

rule_runs = Table(
    "rule_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", UTCDateTime, nullable=False, index=True),
    Column("trigger", String(16), nullable=False),  # analyze | match | manual
    Column("rules", Integer, nullable=False),
    Column("hits", Integer, nullable=False),  # new hits recorded
    Column("acted", Integer, nullable=False),  # live hits acted on
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", String(64), nullable=False),  # HMAC key for the signature header
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("webhook", ForeignKey("webhooks.name"), nullable=False, index=True),
    Column("rule", String(63), nullable=False),
    Column("version", Integer, nullable=False),
    Column("uid", Text, nullable=False),
    Column("payload", Text, nullable=False),  # JSON; no text and no clear identifier
    Column("status", String(16), nullable=False, index=True),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", UTCDateTime, nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime),
)

exchange_feedback = Table(
    "exchange_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exchange", String(64), nullable=False, index=True),
    Column("decision_id", ForeignKey("decisions.id"), nullable=False),
    Column("item_id", ForeignKey("queue_items.id"), nullable=False, index=True),
    Column("signal_type", String(16), nullable=False),
    Column("hash", Text, nullable=False),
    Column("target", Text, nullable=False),  # JSON: the exchange's record (NCMEC entry, type)
    Column("value", String(16), nullable=False),  # positive | negative
    Column("sent_as", String(32), nullable=False),  # in the exchange's words: Blocked, negative...
    Column("status", String(16), nullable=False, index=True),  # pending | sent | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", UTCDateTime, nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint(
        "exchange", "decision_id", "signal_type", "hash", "target", name="uq_exchange_feedback_once"
    ),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(48), nullable=False),
    Column("object_type", String(32), nullable=False, default=""),
    Column("object_id", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("store_id", String(32), nullable=False),  # names this database's anchor file
)

# A counter per part of the store that a reader keeps answers of; the database's own triggers
# (migration 0007) bump ``queue`` on every write to ``queue_items``, whichever process wrote it.
store_generations = Table(
    "store_generations",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("n", BigInteger, nullable=False),
)
