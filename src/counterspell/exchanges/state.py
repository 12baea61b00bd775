"""What an exchange has fetched so far: its records' signals and the checkpoint to resume from.

Kept in ``exchanges/<name>/state.sqlite`` (SQLite from the standard library: per-record updates
and deletions are cheap, and a page's records and its checkpoint commit in one transaction).

Records are kept by the exchange's own key (an NCMEC entry, a StopNCII hash) because that is what
updates and deletions name; a bank hash stays while any record still holds it. ``seen`` is the
generation of the fetch that last returned a record: a *sweep* (a full fetch: the first one, one
after a checkpoint went stale, every fetch of a file) deletes, when it completes, every record it
did not see, which is how a hash deleted from a file leaves the bank.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    key TEXT NOT NULL, signal_type TEXT NOT NULL, hash TEXT NOT NULL, meta TEXT NOT NULL,
    seen INTEGER NOT NULL, PRIMARY KEY (key, signal_type, hash));
CREATE INDEX IF NOT EXISTS records_hash ON records (signal_type, hash);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
"""


class State:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def get(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def put(self, name: str, value: str | None) -> None:
        self.db.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def signals(self, key: str) -> set[tuple[str, str]]:
        rows = self.db.execute("SELECT signal_type, hash FROM records WHERE key = ?", (key,))
        return {(r[0], r[1]) for r in rows}

    def replace(self, key: str, signals: Iterable[tuple[str, str, str]], seen: int) -> None:
        """The record's signals are now exactly ``signals`` (type, hash, meta)."""
        self.db.execute("DELETE FROM records WHERE key = ?", (key,))
        self.db.executemany(
            "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)",
            [(key, t, h, m, seen) for t, h, m in signals],
        )

    def delete(self, key: str) -> None:
        self.db.execute("DELETE FROM records WHERE key = ?", (key,))

    def orphans(self, candidates: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Those of ``candidates`` that no record holds any more."""
        out = set()
        for t, h in set(candidates):
            row = self.db.execute(
                "SELECT 1 FROM records WHERE signal_type = ? AND hash = ? LIMIT 1", (t, h)
            ).fetchone()
            if row is None:
                out.add((t, h))
        return out

    def unseen(self, generation: int) -> set[tuple[str, str]]:
        """Drop every record a sweep of ``generation`` did not see; their signals."""
        rows = self.db.execute(
            "SELECT signal_type, hash FROM records WHERE seen < ?", (generation,)
        ).fetchall()
        self.db.execute("DELETE FROM records WHERE seen < ?", (generation,))
        return {(r[0], r[1]) for r in rows}

    def meta_for(self, signal_type: str, hash_: str) -> list[str]:
        """What feedback needs for a bank hash: the meta of every record that holds it."""
        rows = self.db.execute(
            "SELECT meta FROM records WHERE signal_type = ? AND hash = ? ORDER BY key",
            (signal_type, hash_),
        )
        return [r[0] for r in rows]

    def count(self) -> tuple[int, int]:
        """(records, distinct signals)."""
        row = self.db.execute(
            "SELECT count(DISTINCT key), count(DISTINCT signal_type || ' ' || hash) FROM records"
        ).fetchone()
        return int(row[0]), int(row[1])
