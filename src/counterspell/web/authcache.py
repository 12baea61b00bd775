"""Who an API token or a session cookie belongs to, remembered for at most a second.

Looking a credential up is a join and a digest in the store on every request, and with the
review pages' lake reads cached it had become a third of what the queue list costs. So each
process keeps, per credential, the answer the store gave, for ``auth_recheck_ms`` (1000 by
default) and asks again after that.

What this changes for security, and why it is acceptable: a token revoked, a token that
expires, a user disabled or given another role, from the command line or from another
process, takes effect within ``auth_recheck_ms``, not at once (a logout in this process ends
its session at once). Only answers that admit someone are kept: an unknown or revoked
credential is asked about on every request, so a new token works at once and guessing is not
made cheaper. Entries are keyed by a digest of the credential, never the credential itself.
0 turns the cache off.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_ENTRIES = 10_000  # credentials seen within a second; past it, everything is forgotten


def _key(kind: str, secret: str) -> str:
    return kind + ":" + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class AuthCache(Generic[T]):
    """Answers of the store about credentials (``kind`` is ``token`` or ``session``), each
    trusted for ``recheck_s`` seconds after the store gave it."""

    def __init__(self, recheck_s: float) -> None:
        self.recheck_s = recheck_s
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[T, float]] = {}

    def get(self, kind: str, secret: str) -> T | None:
        """The answer kept for a credential, or None when there is none younger than
        ``recheck_s`` (then ask the store, and :meth:`put` what it said if it admitted)."""
        if self.recheck_s <= 0:
            return None
        key = _key(kind, secret)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.monotonic() >= found[1]:
                del self._entries[key]
                return None
            return found[0]

    def lookup(self, kind: str, secret: str, ask: Callable[[], T | None]) -> T | None:
        """The kept answer, else ``ask()`` the store and keep what it said if it admitted."""
        found = self.get(kind, secret)
        if found is None:
            found = ask()
            if found is not None:
                self.put(kind, secret, found)
        return found

    def put(self, kind: str, secret: str, value: T) -> None:
        if self.recheck_s <= 0:
            return
        key = _key(kind, secret)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (value, time.monotonic() + self.recheck_s)

    def forget(self, kind: str, secret: str) -> None:
        """Drop a credential at once (a logout in this process)."""
        with self._lock:
            self._entries.pop(_key(kind, secret), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
