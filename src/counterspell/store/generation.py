"""How a reader tells, in one small query, that a part of the store changed since it last looked.

``store_generations`` holds a counter per part (today only ``queue``, for ``queue_items``) that
the database's triggers bump in every transaction that writes that part (migration 0007), so a
decision, a claim, a ``queue sync``, a rule's action or a hand-made ``UPDATE``, from any process,
changes it, and no writer can forget to. A reader may keep what it read under the generation it
saw, provided it reads the generation *before* what it keeps: whatever it then reads is at least
as new as that generation, so a later change always shows as a new number.
"""

from __future__ import annotations

from sqlalchemy import Connection

QUEUE = "queue"
_READ = {QUEUE: "SELECT n FROM store_generations WHERE name = 'queue'"}


def generation(conn: Connection, name: str = QUEUE) -> int | None:
    """The part's current generation, or None when the store has no counter for it (a store
    made without the migrations): then nothing may be kept. Written as driver SQL: this runs on
    every request that may be answered from what was kept, and compiling a select costs more
    than the query."""
    found = conn.exec_driver_sql(_READ[name]).scalar()
    return None if found is None else int(found)
