"""The manifest: every ingested input with its checksum, and every quarantined record or notice.

SQLite gives the one property that matters here: a file is recorded as ingested in the same
transaction as its quarantine entries, and only after its posts are durably in the lake. A file
not in the manifest is simply read again; the lake's uid deduplication makes that exact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inputs (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    format TEXT NOT NULL,
    posts_added INTEGER NOT NULL,
    posts_duplicate INTEGER NOT NULL,
    quarantined INTEGER NOT NULL,
    notices INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('quarantine', 'notice')),
    line INTEGER,
    offset INTEGER,
    record INTEGER,
    reason TEXT NOT NULL,
    snippet TEXT,
    run_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS problems_by_input ON problems(sha256);
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class InputRecord:
    sha256: str
    path: str
    size: int
    format: str
    posts_added: int
    posts_duplicate: int
    quarantined: int
    notices: int
    run_id: str
    ingested_at: str


@dataclass(slots=True)
class ProblemRecord:
    kind: str
    path: str
    reason: str
    line: int | None = None
    offset: int | None = None
    record: int | None = None
    snippet: str | None = None


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def start_run(self, run_id: str, command: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO runs VALUES (?, ?, ?, NULL, 'running')", (run_id, command, now_iso())
            )

    def finish_run(self, run_id: str, status: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ? WHERE run_id = ?",
                (now_iso(), status, run_id),
            )

    def get_input(self, sha256: str) -> InputRecord | None:
        row = self._db.execute("SELECT * FROM inputs WHERE sha256 = ?", (sha256,)).fetchone()
        return InputRecord(*row) if row else None

    def commit_inputs(self, done: Iterable[tuple[InputRecord, list[ProblemRecord]]]) -> None:
        """Record finished inputs and their problems atomically."""
        with self._tx() as db:
            for rec, problems in done:
                db.execute(
                    "INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        rec.sha256,
                        rec.path,
                        rec.size,
                        rec.format,
                        rec.posts_added,
                        rec.posts_duplicate,
                        rec.quarantined,
                        rec.notices,
                        rec.run_id,
                        rec.ingested_at,
                    ),
                )
                db.execute("DELETE FROM problems WHERE sha256 = ?", (rec.sha256,))
                db.executemany(
                    "INSERT INTO problems (sha256, path, kind, line, offset, record, reason, snippet, run_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            rec.sha256,
                            p.path,
                            p.kind,
                            p.line,
                            p.offset,
                            p.record,
                            p.reason,
                            p.snippet,
                            rec.run_id,
                        )
                        for p in problems
                    ],
                )

    def inputs(self) -> list[InputRecord]:
        return [
            InputRecord(*r)
            for r in self._db.execute("SELECT * FROM inputs ORDER BY ingested_at, path")
        ]

    def problems(self, kind: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        sql = "SELECT kind, path, line, offset, record, reason, snippet FROM problems"
        args: tuple[Any, ...] = ()
        if kind:
            sql += " WHERE kind = ?"
            args = (kind,)
        sql += " ORDER BY id LIMIT ?"
        cur = self._db.execute(sql, (*args, limit))
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur]

    def problem_counts(self) -> dict[str, int]:
        return dict(
            self._db.execute("SELECT kind, count(*) FROM problems GROUP BY kind").fetchall()
        )
