"""What the review pages read from the lake, kept in memory until the lake changes.

An item page costs half a dozen DuckDB queries over Parquet files; the same item is shown again
when it is claimed, decided, revealed or looked at by a second reviewer, and the lake changes only
when ``ingest``, ``analyze`` or another job writes it. So the service keeps what it read, per
item (and each post's snippet, and the community names), and drops everything when the lake's
fingerprint (:func:`~counterspell.lake.changes.lake_version`) changes.

An item's first visit reads it together with the next items of its community in the queue
(:data:`READ_AHEAD` in all, those not kept yet; :mod:`~counterspell.web.lakebatch`): six queries
for all of them cost little more than for one, and reviewers open items down the queue. While
items are being read, a request for one of them waits for that read instead of reading it again
(eight reviewers starting at once would otherwise read the same items eight times). Before any
of that, an item missing here is looked up among the views ``queue sync`` built ahead for the
lake's current fingerprint (:mod:`~counterspell.web.prebuilt`): a keyed read, no Parquet. Lake
reads go through one DuckDB database per process, a cursor per request thread, replaced when the
lake changes (opening a database per read cost as much as the reads).

Only what was *read* is kept: masking, reveals and their audit entries happen on every request,
for its viewer (:func:`~counterspell.web.lakeview.mask_view`), so a cached entry never holds a
revealed identity and a new identity in the store is masked at once. Entries are bounded by an
estimate of their size in memory (least recently used go first).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import and_, or_, select

from ..lake.changes import lake_version
from ..lake.query import connect
from ..lake.workspace import Workspace
from ..store.db import Store
from ..store.records import QUEUE_COLUMNS, QueueItem
from ..store.schema import queue_items
from .lakebatch import read_items
from .lakeview import community_names, snippet_texts
from .prebuilt import Prebuilt

_MISSING = object()
# items read together on a first visit, the one asked for and the next ones: six queries cost
# about 30 ms of CPU plus 0.35 ms an item, so 64 cost about 0.9 ms an item, 16 about 3 ms
READ_AHEAD = 64
READ_WAIT_S = 30.0  # how long a request waits for another thread's read of its item


def approx_size(value: Any) -> int:
    """Bytes a value roughly takes in memory: five times its JSON, plus a constant (the ratio
    measured on item views, whose dicts, lists and short strings make Python take about 5 times
    their JSON). An estimate to bound the cache, not an accounting; JSON written by orjson is
    about 7 times cheaper than walking the value in Python, which took a fifth of a first visit
    served from the views built at sync."""
    try:
        return 100 + 5 * len(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))
    except TypeError:  # keys JSON cannot have (the community names' tuples): walk it
        return _walked_size(value)


def _walked_size(value: Any) -> int:
    if isinstance(value, str | bytes):
        return 50 + len(value)
    if isinstance(value, dict):
        return 100 + sum(_walked_size(k) + _walked_size(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return 60 + sum(_walked_size(v) for v in value)
    return 32


class LakeViews:
    """A process's cache of lake reads for the review pages, shared by its request threads.

    ``max_bytes`` bounds the entries (by :func:`approx_size`); ``recheck_s`` is how long a
    fingerprint of the lake is trusted before it is taken again (0: on every request).
    """

    def __init__(self, ws: Workspace, max_bytes: int, recheck_s: float = 0.0) -> None:
        self.ws = ws
        self.max_bytes = max_bytes
        self.recheck_s = recheck_s
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._version: str | None = None
        self._checked = 0.0
        self.hits = self.misses = 0
        self._duck: Any = None  # this process's DuckDB database, for the current fingerprint
        self._local = threading.local()  # each request thread's cursor on it
        # items being read now, by key: a request for one waits for that read, not reads twice
        self._reading: dict[tuple[Any, ...], threading.Event] = {}
        self.prebuilt = Prebuilt(ws)  # views built at queue sync, for the lake's fingerprint

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def version(self) -> str:
        """The lake's fingerprint; a new one empties the cache."""
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._checked < self.recheck_s:
                return self._version
        current = lake_version(self.ws)  # outside the lock: a listing of the lake
        with self._lock:
            if current != self._version:
                self._entries.clear()
                self._bytes = 0
                self._version = current
                self._duck = None  # nothing read before the change is reused
            self._checked = now
            return current

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._version = None
            self._duck = None

    def cursor(self) -> Any:
        """This thread's DuckDB cursor (a cursor serves one thread at a time; each has one)."""
        with self._lock:
            if self._duck is None:
                self._duck = connect()
                self._duck.execute("SET threads = 1")  # small reads: a thread per request
            duck = self._duck
        mine = getattr(self._local, "cursor", None)
        if mine is None or mine[0] is not duck:
            mine = (duck, duck.cursor())
            self._local.cursor = mine
        return mine[1]

    def _get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return _MISSING
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def _put(self, key: tuple[Any, ...], value: Any, version: str) -> None:
        size = approx_size(value)
        with self._lock:
            # read under an older fingerprint: the lake changed meanwhile, so keep nothing
            if version != self._version or size > self.max_bytes:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def _cached(self, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        version = self.version()
        value = self._get(key)
        if value is _MISSING:
            value = read()
            self._put(key, value, version)
        return value

    def item(
        self, item: QueueItem, upcoming: Callable[[], list[QueueItem]] | None = None
    ) -> dict[str, Any]:
        """:func:`~counterspell.web.lakeview.read_item` of a queue item, unmasked: pass it to
        ``mask_view`` (never to a page as it is). Keyed by everything the read depends on.

        On a miss, ``upcoming`` (the next items of the queue in the item's community) gives
        the items read along with it; only those of the same community not kept yet are.
        """
        version = self.version()
        key = _item_key(item)
        view = self._get(key)
        if view is not _MISSING:
            return view  # type: ignore[no-any-return]
        with self._lock:
            reading = self._reading.get(key)
        if reading is not None:  # another request thread is reading it (read ahead): wait
            reading.wait(READ_WAIT_S)
            view = self._get(key)
            if view is not _MISSING:
                return view  # type: ignore[no-any-return]
            # not kept (the lake changed meanwhile, or it is too large): read it here
        if self.max_bytes > 0:
            built = self.prebuilt.view(item, version)  # built ahead at queue sync
            if built is not None:
                self._put(key, built, version)
                return built
        batch = [item]
        if upcoming is not None and self.max_bytes > 0:
            nearby = upcoming()  # outside the lock: a query of the store
            with self._lock:
                batch += [
                    it for it in nearby
                    if (it.platform, it.community) == (item.platform, item.community)
                    and it.uid != item.uid and _item_key(it) not in self._entries
                    and _item_key(it) not in self._reading
                ][: READ_AHEAD - 1]  # fmt: skip
        done = threading.Event()
        with self._lock:
            mine = [k for k in map(_item_key, batch) if self._reading.setdefault(k, done) is done]
        try:
            read = read_items(self.ws, batch, self.cursor())
            for it in batch[1:]:
                self._put(_item_key(it), read[it.uid], version)
            self._put(key, read[item.uid], version)  # last: the most recently used
        finally:
            with self._lock:
                for k in mine:
                    del self._reading[k]
            done.set()
        return read[item.uid]

    def names(self) -> dict[tuple[str, str], str]:
        names: dict[tuple[str, str], str] = self._cached(
            ("names",), lambda: community_names(self.ws, self.cursor())
        )
        return names

    def texts(self, items: list[QueueItem]) -> dict[str, str]:
        """The unmasked snippet text of each item's post: those not cached are read in one
        query (:func:`~counterspell.web.lakeview.snippet_texts`)."""
        version = self.version()
        out: dict[str, str] = {}
        missing: list[QueueItem] = []
        for it in items:
            got = self._get(("text", it.uid, it.platform, it.community))
            if got is _MISSING:
                missing.append(it)
            elif got is not None:
                out[it.uid] = got
        if missing:
            read = snippet_texts(self.ws, missing, self.cursor())
            for it in missing:
                text = read.get(it.uid)
                self._put(("text", it.uid, it.platform, it.community), text, version)
                if text is not None:
                    out[it.uid] = text
        return out


def _item_key(item: QueueItem) -> tuple[Any, ...]:
    return ("item", item.uid, item.platform, item.community, item.campaign_id)


def next_in_queue(store: Store, item: QueueItem, n: int = 2 * READ_AHEAD) -> list[QueueItem]:
    """The items after ``item`` in the queue's priority order, of its status and community:
    those a reviewer working down the queue opens next (read along with it on a first visit)."""
    c = queue_items.c
    after = or_(c.priority < item.priority, and_(c.priority == item.priority, c.id > item.id))
    q = (
        select(*(c[name] for name in QUEUE_COLUMNS))
        .where(c.status == item.status, c.platform == item.platform, after)
        .where(c.community == item.community)
        .order_by(c.priority.desc(), c.id)
        .limit(n)
    )
    with store.engine.connect() as conn:
        return [QueueItem.from_tuple(tuple(r)) for r in conn.execute(q).all()]
