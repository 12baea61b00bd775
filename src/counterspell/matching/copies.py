"""Find every copy of some media by hash: in the lake's media and in the positive banks.

Used by the TAKE IT DOWN identical-copy sweep and by the service's match API. Identical copies
share an MD5 or SHA-256 (or a PDQ at distance 0); near copies have a PDQ within the radius. A
:class:`CopyFinder` loads the lake's hashes and the banks' indexes once and reloads them only when
the media dataset or a bank's version changed (checked at most every ``recheck_s`` seconds), so a
service answers lookups without rereading Parquet each time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..lake.query import connect, sql_path
from ..lake.workspace import Workspace
from .banks import BankInfo, entries, list_banks, load_index
from .index import MultiIndex, hex_to_words, popcount_distance

Signal = tuple[str, str]  # (md5 | sha256 | pdq, lowercase hex)


@dataclass
class _Bank:
    info: BankInfo
    index: MultiIndex
    by_id: dict[int, tuple[str, str]]
    md5: dict[str, list[int]]


class CopyFinder:
    def __init__(self, ws: Workspace, recheck_s: float = 10.0) -> None:
        self.ws = ws
        self.recheck_s = recheck_s
        self._lock = threading.Lock()
        self._checked = 0.0
        self._signature: tuple[Any, ...] | None = None
        self._set_lake({k: np.empty(0, dtype=object) for k in ("uid", "md5", "sha256", "pdq")})
        self._banks: list[_Bank] = []

    def warm(self) -> None:
        """Load the lake's hashes and the banks' indexes and search each once, so that the first
        match a user asks for does not pay for it (the PDQ kernel loads in 0.5-1 s a process)."""
        with self._lock:
            self._refresh()
            probe = np.zeros((1, 4), dtype=np.uint64)
            for b in self._banks:
                b.index.search(probe, 0)

    def _current_signature(self) -> tuple[Any, ...]:
        media = self.ws.dataset("media")
        files = media.signatures("**/*.parquet")
        banks = tuple((b.name, b.version, b.kind) for b in list_banks(self.ws))
        return (tuple(files), banks)

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._signature is not None and now - self._checked < self.recheck_s:
            return
        self._checked = now
        sig = self._current_signature()
        if sig == self._signature:
            return
        self._load_lake()
        self._banks = []
        for info in list_banks(self.ws):
            if info.kind != "positive":
                continue
            t = entries(self.ws, info.name).to_pydict()
            by_id = {
                int(e): (k, h)
                for e, k, h in zip(t["entry_id"], t["signal_type"], t["hash"], strict=True)
            }
            md5: dict[str, list[int]] = {}
            for e, (k, h) in by_id.items():
                if k == "md5":
                    md5.setdefault(h, []).append(e)
            self._banks.append(_Bank(info, load_index(self.ws, info.name), by_id, md5))
        self._signature = sig

    def _load_lake(self) -> None:
        if not self.ws.has_data("media"):
            self._set_lake({k: np.empty(0, dtype=object) for k in ("uid", "md5", "sha256", "pdq")})
            return
        self._set_lake(
            connect()
            .execute(
                f"""SELECT uid, lower(coalesce(md5, reported_md5)) AS md5, lower(sha256) AS sha256,
                       CASE WHEN pdq_quality >= 50 AND length(pdq) = 64 THEN lower(pdq) END AS pdq
                FROM read_parquet({sql_path(self.ws.dataset_glob("media"))}, union_by_name = true)
                ORDER BY uid, media_index"""
            )
            .fetchnumpy()
        )

    def _set_lake(self, cols: dict[str, Any]) -> None:
        """Per media row: uid and hashes (None where missing); MD5/SHA-256 lookups; PDQ words."""
        self._uid = np.asarray(cols["uid"], dtype=object)
        self._cols = {k: np.asarray(cols[k], dtype=object) for k in ("md5", "sha256", "pdq")}
        self._by_hash: dict[str, dict[str, list[int]]] = {"md5": {}, "sha256": {}}
        for kind, table in self._by_hash.items():
            for i, h in enumerate(self._cols[kind].tolist()):
                if h:
                    table.setdefault(h, []).append(i)
        pdq = self._cols["pdq"]
        self._pdq_rows = np.flatnonzero(pdq != None)  # noqa: E711 (object array)
        self._pdq_hex = pdq[self._pdq_rows]
        self._pdq_words = hex_to_words([str(h) for h in self._pdq_hex])

    def media_signals(self, uids: list[str]) -> list[Signal]:
        """The hashes of the media of some posts (what a location in a request points at)."""
        with self._lock:
            self._refresh()
            rows = np.flatnonzero(np.isin(self._uid, np.asarray(uids, dtype=object)))
            out: list[Signal] = [
                (kind, str(h))
                for kind in ("md5", "sha256", "pdq")
                for h in self._cols[kind][rows].tolist()
                if h
            ]
            return list(dict.fromkeys(out))

    def find(self, signals: list[Signal], radius: int) -> list[dict[str, Any]]:
        """Copies of the given hashes, lake first, nearest first; one row per (place, hash)."""
        with self._lock:
            self._refresh()
            found: dict[tuple[str, str], dict[str, Any]] = {}

            def put(source: str, ref: str, signal: str, distance: int, query: str) -> None:
                key = (ref, signal)
                if key not in found or found[key]["distance"] > distance:
                    found[key] = {
                        "source": source, "ref": ref, "signal": signal, "query": query,
                        "match": "identical" if distance == 0 else "near", "distance": distance,
                    }  # fmt: skip

            for kind, table in self._by_hash.items():
                for k, h in signals:
                    if k == kind:
                        for r in table.get(h, []):
                            put("lake", str(self._uid[r]), f"{kind}:{h}", 0, f"{kind}:{h}")
            pdqs = [h for k, h in signals if k == "pdq"]
            if pdqs:
                queries = hex_to_words(pdqs)
                if len(self._pdq_rows):
                    for q, qhex in zip(queries, pdqs, strict=True):
                        d = popcount_distance(self._pdq_words, q[None, :])
                        for j in np.flatnonzero(d <= radius):
                            put(
                                "lake",
                                str(self._uid[self._pdq_rows[j]]),
                                f"pdq:{self._pdq_hex[j]}",
                                int(d[j]),
                                f"pdq:{qhex}",
                            )
                for b in self._banks:
                    hits = b.index.search(queries, radius)
                    for qi, e, dist in zip(
                        hits.query.tolist(),
                        hits.entry.tolist(),
                        hits.distance.tolist(),
                        strict=True,
                    ):
                        put(
                            "bank",
                            f"{b.info.name}:{e}",
                            f"pdq:{b.by_id[e][1]}",
                            int(dist),
                            f"pdq:{pdqs[qi]}",
                        )
            for b in self._banks:
                for k, h in signals:
                    if k == "md5":
                        for e in b.md5.get(h, []):
                            put("bank", f"{b.info.name}:{e}", f"md5:{h}", 0, f"md5:{h}")
            return sorted(
                found.values(),
                key=lambda c: (c["source"] != "lake", c["distance"], c["ref"], c["signal"]),
            )
