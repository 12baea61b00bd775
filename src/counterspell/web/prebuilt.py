"""Item views built ahead at ``queue sync``, so that an item's first visit reads no Parquet.

Reading an item's view from the lake is six DuckDB queries whose fixed cost (about 30 ms of CPU,
planning and opening the community's files) dwarfs the rows they return; the read ahead of
:mod:`~counterspell.web.viewcache` shares it among the next items of a community, but each
reviewer starting somewhere new, and each community, still pays it during review. ``queue sync``
(and the sync that ``analyze`` and ``match`` run) already reads the lake; it now also reads the
view of every open and escalated item (up to :data:`MAX_ITEMS`, highest priority first), in
batches of :data:`BATCH` per community (about 0.4 ms an item), into one SQLite file beside the
lake's state. The service looks an item up there before it goes to DuckDB.

Why a prebuilt view is never stale: the file is named by the lake's fingerprint
(:func:`~counterspell.lake.changes.lake_version`) taken before the build and checked again after
it (a build that saw the lake change is thrown away), and the service reads only the file of the
fingerprint it holds now; any write to the lake (ingest, analyze, match, a rebuilt dataset)
changes the fingerprint, so the old file is no longer read and items are read from the lake
again until the next sync. Each row also carries what the view depends on in the store (the
item's platform, community and campaign): a row that does not match the item asked for is not
used. A view is the same unmasked read the in-memory cache keeps, exactly what
:func:`~counterspell.web.lakeview.read_item` gives (a test holds every item of the fixture to
that); masking stays per request. The file holds post text as the lake does, so it is made
readable by its owner only.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from sqlalchemy import select

from ..lake.changes import lake_version
from ..lake.query import connect
from ..lake.workspace import Workspace
from ..store.db import Store
from ..store.records import QUEUE_COLUMNS, QueueItem
from ..store.schema import queue_items
from .lakebatch import read_items

MAX_ITEMS = 50_000  # items built ahead, highest priority first (about 20 KB each on disk)
BATCH = 512  # items of one community read together: ~0.4 ms of CPU an item, 0.9 at 64
FOLDER = "item_views"
_DATED = ("post", "thread", "author_posts")  # the parts of a view whose rows carry created_at


def path_for(ws: Workspace, version: str) -> Path:
    """The file of views built from the lake as it was at fingerprint ``version``."""
    return ws.state / FOLDER / f"{version}.sqlite"


def _key(item: QueueItem) -> bytes:
    return orjson.dumps([item.platform, item.community, item.campaign_id])


def encode(view: dict[str, Any]) -> bytes:
    return orjson.dumps(view, option=orjson.OPT_NON_STR_KEYS)


def decode(body: bytes) -> dict[str, Any]:
    """A view as :func:`encode` wrote it, its times datetimes again (JSON made them text)."""
    view: dict[str, Any] = orjson.loads(body)
    post = view.get("post")
    rows = [post] if post else []
    for part in _DATED[1:]:
        rows.extend(view.get(part) or ())
    for row in rows:
        when = row.get("created_at")
        if isinstance(when, str):
            row["created_at"] = datetime.fromisoformat(when)
    return view


def build(store: Store, max_items: int = MAX_ITEMS) -> int:
    """Read the view of every open and escalated item (up to ``max_items``) into the file of the
    lake's current fingerprint; older files are removed. Returns how many were built (0 when the
    lake changed during the build: nothing is kept then)."""
    ws = store.ws
    version = lake_version(ws)
    c = queue_items.c
    q = (
        select(*(c[name] for name in QUEUE_COLUMNS))
        .where(c.status.in_(("open", "escalated")))
        .order_by(c.priority.desc(), c.id)
        .limit(max_items)
    )
    with store.engine.connect() as conn:
        items = [QueueItem.from_tuple(tuple(r)) for r in conn.execute(q).all()]
    groups: dict[tuple[str, str], list[QueueItem]] = {}
    for it in items:
        groups.setdefault((it.platform, it.community), []).append(it)
    final = path_for(ws, version)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600))  # post text: the owner's only
    duck = connect()
    built = 0
    out = sqlite3.connect(tmp)
    try:
        out.execute("CREATE TABLE views (uid TEXT PRIMARY KEY, item BLOB NOT NULL, body BLOB)")
        for group in groups.values():
            for i in range(0, len(group), BATCH):
                chunk = group[i : i + BATCH]
                read = read_items(ws, chunk, duck)
                out.executemany(
                    "INSERT OR REPLACE INTO views VALUES (?, ?, ?)",
                    [(it.uid, _key(it), encode(read[it.uid])) for it in chunk],
                )
                built += len(chunk)
        out.commit()
    finally:
        out.close()
        duck.close()
    if lake_version(ws) != version:  # the lake changed while we read it: keep nothing
        tmp.unlink(missing_ok=True)
        return 0
    os.replace(tmp, final)
    for old in final.parent.glob("*.sqlite"):
        if old != final:
            old.unlink(missing_ok=True)
    return built


class Prebuilt:
    """The service's reader of the prebuilt views, one SQLite connection per request thread,
    for the lake fingerprint the caller holds."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._local = threading.local()

    def view(self, item: QueueItem, version: str) -> dict[str, Any] | None:
        """The item's view built for lake ``version``, or None (no file for it, no row, or a
        row made for another platform, community or campaign)."""
        path = path_for(self.ws, version)
        try:
            stamp = path.stat().st_ino  # a sync of the same lake may have replaced the file
        except FileNotFoundError:
            return None
        held: tuple[str, int, sqlite3.Connection] | None = getattr(self._local, "held", None)
        if held is None or held[:2] != (version, stamp):
            if held is not None:
                held[2].close()
            con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
            held = self._local.held = (version, stamp, con)
        row = held[2].execute("SELECT item, body FROM views WHERE uid = ?", (item.uid,)).fetchone()
        if row is None or bytes(row[0]) != _key(item):
            return None
        return decode(bytes(row[1]))
