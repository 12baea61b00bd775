"""Opening the operational store: engine, migrations, and the check that it is up to date.

SQLite (a file in the workspace) is the default so that one analyst needs nothing else;
PostgreSQL (``postgresql+psycopg://...``) is for teams. Both get the same tables from the same
Alembic migrations, and every query in :mod:`counterspell.store` is written once for both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select

from ..config import STORE_FILE, STORE_URL_ENV, store_configured
from ..errors import CounterspellError
from ..lake.workspace import Workspace
from .audit import write_anchor
from .schema import audit_head

MIGRATIONS = Path(__file__).with_name("migrations")
ENV_URL = STORE_URL_ENV


DEFAULT_FILE = STORE_FILE


def default_url(ws: Workspace) -> str:
    """The database a workspace uses: ``$COUNTERSPELL_DB``, else ``store.sqlite`` beside the lake."""
    return os.environ.get(ENV_URL) or f"sqlite:///{ws.root / DEFAULT_FILE}"


def has_store(ws: Workspace) -> bool:
    """Whether the workspace uses an operational store (one is configured, or its file exists):
    commands that serve the lake update the store only then, and never create one."""
    return store_configured(ws.root)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def store_error_line(exc: BaseException) -> str | None:
    """One line for a store that cannot be reached or refuses us, instead of a long traceback.

    SQLAlchemy wraps the driver's error with the statement and a link; what a user needs is
    the driver's first line, which names the host and port (or the SQLite file) and the cause.
    """
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    first = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    if (
        exc.connection_invalidated
        or "connect" in first.lower()
        or "unable to open" in first.lower()
    ):
        return f"the store cannot be reached: {first}"
    return f"the store refused the operation: {first}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a URL of an unknown kind is a user error, not a traceback."""
    if not url.startswith(("sqlite", "postgresql")):
        raise CounterspellError(
            f"--db {url!r}: use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        )
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except Exception as exc:
        raise CounterspellError(f"--db {url!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        _private_file(engine.url.database)
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


def _drop_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: _drop_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_drop_nul(v) for v in value)
    return value


def _without_nul(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _executemany: bool
) -> tuple[str, Any]:
    """Text from the public form or a reviewer's note may carry NUL bytes, which PostgreSQL
    refuses in text (a 500 before); they carry no meaning, so every bound value loses them."""
    return statement, _drop_nul(parameters)


def _private_file(database: str | None) -> None:
    """Create the SQLite file 0600 before SQLite does (0644 under the usual umask): it holds
    identities, notes and requesters' details. SQLite gives its -wal and -shm files the same
    mode as the database file."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(
    engine: Engine, revision: str = "head", ws: Workspace | None = None
) -> tuple[str | None, str | None]:
    """Apply migrations up to ``revision``; returns (before, after).

    With the workspace, a store created now gets its audit anchor at once (entry 0), so that
    deleting the anchor later is seen even if the log was emptied too.
    """
    before = current_revision(engine)
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
    if ws is not None:
        path = anchor_path(ws, engine)
        if not path.exists():
            with engine.connect() as conn:
                seq, mac = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
            write_anchor(path, int(seq), str(mac))
    return before, current_revision(engine)


def anchor_path(ws: Workspace, engine: Engine) -> Path:
    """Where a store's audit anchor lives: one file per database, named by the id the first
    migration gave it, so a workspace used with several stores never mixes their logs."""
    with engine.connect() as conn:
        sid = conn.execute(select(audit_head.c.store_id)).scalar_one()
    folder = ws.state / "audit"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"{sid}.anchor"


def check_current(engine: Engine) -> None:
    """Refuse to run against a store whose migrations are behind (or ahead of) this version."""
    try:
        rev = current_revision(engine)
    except Exception as exc:
        line = store_error_line(exc) or f"cannot open the store at {engine.url!r}: {exc}"
        raise CounterspellError(line) from None
    head = head_revision()
    if rev != head:
        raise CounterspellError(
            f"the store at {engine.url!r} is at migration {rev or 'none'}, this version needs {head}; "
            "run 'counterspell db upgrade'"
        )


class Store:
    """A workspace's operational store: the engine plus the workspace whose lake it describes."""

    def __init__(self, ws: Workspace, url: str | None = None, *, check: bool = True) -> None:
        self.ws = ws
        self.url = url or default_url(ws)
        self.engine = make_engine(self.url)
        key = ws.ensure_secret("audit.key")
        # every connection carries the audit key, so audit.record and verify sign with it
        event.listen(
            self.engine, "connect", lambda _dbapi, record: record.info.__setitem__("audit_key", key)
        )
        self._anchor: Path | None = None
        if check:
            check_current(self.engine)

    @property
    def anchor(self) -> Path:
        """Where the audit log's head is recorded outside the database (see :mod:`.audit`).

        One file per database (named by the id the first migration gave it), so a workspace used
        with several stores, or a test suite, never compares one store's log with another's.
        """
        if self._anchor is None:
            self._anchor = anchor_path(self.ws, self.engine)
        return self._anchor

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction; on SQLite it takes the write lock at once so chained writes never race."""
        with self.engine.connect() as conn:
            conn.info.pop("audit_head", None)
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.commit()
                except BaseException:
                    conn.rollback()
                    raise
            else:
                with conn.begin():
                    yield conn
            head = conn.info.pop("audit_head", None)
        if head is not None:
            write_anchor(self.anchor, *head)

    def close(self) -> None:
        self.engine.dispose()


def open_store(ws: Workspace, url: str | None = None, *, upgrade_first: bool = False) -> Store:
    """The workspace's store; ``upgrade_first`` applies pending migrations (what ``serve`` does)."""
    if upgrade_first:
        engine = make_engine(url or default_url(ws))
        upgrade(engine, ws=ws)
        engine.dispose()
    store = Store(ws, url)
    if upgrade_first:
        seed_builtin_rules(store)
    return store


def seed_builtin_rules(store: Store) -> int:
    """The built-in rules a store at head lacks, added in shadow (audited); returns how many."""
    from .rules import ensure_builtin

    with store.begin() as conn:
        return ensure_builtin(conn)
