"""The queue list's answers, kept while the queue is unchanged.

A page of the queue list (``GET /api/queue``) is two queries, fifty records and their JSON; the
queue changes only when someone claims or decides an item, a ``queue sync`` or a rule writes it.
So the service keeps each page's JSON under the queue's generation
(:func:`~counterspell.store.generation.generation`, bumped by the database's own triggers on
every write to ``queue_items``, from any process) and answers from it while the generation is
the one it was made under: one query of one row instead of the page.

Why this cannot show a stale queue: the generation is read before the page, in its own
statement, so a page kept under generation ``g`` is at least as new as ``g``; any write after
that (committed, in whichever process) bumps the counter in the same transaction, and the next
request sees another number and reads the page again. A store without the counter (made
without the migrations) keeps nothing. What is kept holds no viewer's data: every request still
passes its own credential and role check before it is answered.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_ANSWERS = 256  # distinct pages and filters kept (least recently used go first)


class KeptAnswers:
    """Answers (bytes) by request key, each valid for the one generation it was made under."""

    def __init__(self, max_entries: int = MAX_ANSWERS) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[int, bytes]] = OrderedDict()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def answer(self, key: Hashable, generation: int | None, make: Callable[[], bytes]) -> bytes:
        """The answer kept for ``key`` under ``generation``, else ``make()`` it (and keep it,
        unless ``generation`` is None: nothing can tell when it would go stale)."""
        if generation is None or self.max_entries <= 0:
            return make()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == generation:
                self._entries.move_to_end(key)
                self.hits += 1
                return found[1]
            self.misses += 1
        body = make()  # outside the lock: the store's queries
        with self._lock:  # kept under the generation it was read after, whatever came since
            self._entries[key] = (generation, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return body

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
