"""A generation counter of the review queue, bumped by the database on every change to it.

The service keeps the queue list's answer while the queue is unchanged (#21 target 4). What
tells it so must hold across processes (a CLI ``queue sync``, a second ``serve``, a rule run) and
for both backends, and no writer may be able to forget it: so triggers on ``queue_items`` bump
``store_generations.n`` (name ``queue``) in the writing transaction itself, and a reader that
reads the counter before the queue never keeps an answer older than the counter it saw.

SQLite: a trigger per row (SQLite has no statement triggers; a write there holds the database's
one write lock anyway). PostgreSQL: a deferred constraint trigger, bumping at most once per
transaction and only at commit, so the counter's row lock is taken last in every transaction
(after the audit head's) and two writers can never wait on each other in opposite orders.

The counter starts at a random value, so a store dropped and created again never repeats the
generation a running service has kept an answer for.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")

_PG_FUNCTION = """
CREATE FUNCTION counterspell_queue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('counterspell.queue_bumped', true) IS DISTINCT FROM '1' THEN
        PERFORM set_config('counterspell.queue_bumped', '1', true);
        UPDATE store_generations SET n = n + 1 WHERE name = 'queue';
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "store_generations",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_store_generations"),
    )
    op.bulk_insert(
        sa.table("store_generations", sa.column("name"), sa.column("n")),
        [{"name": "queue", "n": secrets.randbits(48)}],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE CONSTRAINT TRIGGER queue_items_changed "
            "AFTER INSERT OR UPDATE OR DELETE ON queue_items "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION counterspell_queue_changed()"
        )
        op.execute(
            "CREATE TRIGGER queue_items_truncated AFTER TRUNCATE ON queue_items "
            "FOR EACH STATEMENT EXECUTE FUNCTION counterspell_queue_changed()"
        )
        return
    for event in _SQLITE_EVENTS:
        op.execute(
            f"CREATE TRIGGER queue_items_{event.lower()} AFTER {event} ON queue_items "
            "BEGIN UPDATE store_generations SET n = n + 1 WHERE name = 'queue'; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER queue_items_truncated ON queue_items")
        op.execute("DROP TRIGGER queue_items_changed ON queue_items")
        op.execute("DROP FUNCTION counterspell_queue_changed()")
    else:
        for event in _SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER queue_items_{event.lower()}")
    op.drop_table("store_generations")
