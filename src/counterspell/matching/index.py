"""Hamming range search over PDQ hashes: multi-index hashing, exact within the radius, searched
by a compiled kernel where numba is installed (``index_kernel``, the ``fast`` extra) and in numpy
otherwise (the same results; the kernel does about twice the lookups per CPU second).

A 256-bit hash is cut into 11 words (three of 24 bits, eight of 23; ``index_build``). Each word
``k`` gets a threshold ``t_k`` with ``sum(t_k + 1) = r + 1`` (``thresholds``): if two hashes are
within distance ``r`` <= 31, some word differs in at most its threshold (pigeonhole), so probing,
for every word of the query, the table entries whose word is within ``t_k`` bits of it finds every
match; the candidates are then checked exactly. At ``r`` = 31 ten words are probed at 2 bits
(1 + 24 + 276 probes for a 24-bit word) and one at 1 bit, 2,866 probes in all. Recall is therefore
100% by construction (and measured against brute force in the tests and the benchmark); speed
depends on how many candidates share words, which clustered collections raise.

Long words make the buckets small (10M hashes over 2^23 values: about one entry each, about
3,000 candidates a query; 100M: about twelve, 29,000), and each probe is a direct lookup in a
table of bucket starts, so there is no binary search. The kernel walks one query's probes,
buckets and candidates in compiled loops, fetching table entries and rows ahead of their use.
Without numba, a batch of queries is searched with a fixed number of numpy passes: every probe of
every word at once (one gather fetches each bucket's start and end, adjacent in the table), the
buckets expanded to candidate rows, and a pre-filter on the first 128 bits (a lower bound of the
distance, so it never drops a match) before the exact 256-bit distance of the few that pass
(the kernel filters the same way). Batches are small (tens of queries) so that the bucket table
lines a batch touches are still cached when they are read again. Wider words at 100M
(fewer, larger buckets' worth of candidates) would need tables of 2^26-2^28 entries per word and
three times the probes; the layout is the same at every size.

Arrays are saved with ``numpy.save`` and memory-mapped on load (``PDQIndex.build`` writes an index
straight into a folder with bounded memory, for banks larger than memory would allow to build in
one piece). Memory at 10M: 320 MB of hashes, 80 MB of ids, 440 MB of per-word orders, 470 MB of
bucket tables; at 100M: 3.2 GB, 0.8 GB (none when ids are the row numbers), 4.4 GB and 0.47 GB. An
index saved in an earlier layout is rebuilt in memory when loaded. There is no GPU path: no GPU
was available to show that one pays (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Literal

import numpy as np

from . import index_kernel
from .index_build import (
    BASES,
    OFFSETS,
    WIDTHS,
    WORDS,
    array_sink,
    build_tables,
    file_sink,
    npy_file,
    npy_reader,
    subwords,
    table_dtype,
)

__all__ = ["MAX_RADIUS", "OFFSETS", "WIDTHS", "WORDS", "Matches", "MultiIndex", "PDQIndex"]
__all__ += ["brute_force", "hex_to_words", "popcount_distance", "subwords", "words_to_hex"]

MAX_RADIUS = 31
Backend = Literal["auto", "kernel", "numpy"]
LAYOUT = {"version": 3, "widths": list(WIDTHS)}
SCAN_BELOW = 65_536  # smaller indexes are scanned: 2 MB of hashes beat 470 MB of bucket tables
# probes + candidates per batch: small enough for the table lines a batch reads to stay cached
BATCH_WORK = 500_000


def hex_to_words(hashes: list[str] | np.ndarray) -> np.ndarray:
    """PDQ hex strings to an (n, 4) uint64 array (big-endian words, as the hex reads)."""
    arr = np.asarray(hashes, dtype="U64")
    if arr.size == 0:
        return np.empty((0, 4), dtype=np.uint64)
    raw = np.frombuffer(bytes.fromhex("".join(arr.tolist())), dtype=">u8").reshape(-1, 4)
    return raw.astype(np.uint64)


def words_to_hex(words: np.ndarray) -> list[str]:
    return [row.astype(">u8").tobytes().hex() for row in np.asarray(words, dtype=np.uint64)]


def _probe_masks(width: int, bits: int) -> np.ndarray:
    """Every mask of ``width`` bits with at most ``bits`` ones (0, then 1, then 2 ...)."""
    masks = [sum(1 << i for i in c) for n in range(bits + 1) for c in combinations(range(width), n)]
    return np.array(masks, dtype=np.uint32)


_MASKS = {(w, b): _probe_masks(w, b) for w in set(WIDTHS) for b in range(MAX_RADIUS // WORDS + 1)}


def thresholds(radius: int) -> list[int]:
    """Per word, the most bits it is probed at: the thresholds plus one sum to ``radius + 1``, so
    a pair within ``radius`` differs in some word by at most its threshold (were every word ``k``
    off by ``t_k + 1`` or more, the distance would exceed ``radius``). The spare bits go to the
    widest words, whose buckets are the smallest; -1 means the word is not probed at all (radius
    0 probes one word). At 31: 2 for ten words, 1 for the last (24 probes instead of 277)."""
    per, spare = divmod(radius + 1, WORDS)
    return [per - 1 + (k < spare) for k in range(WORDS)]


@cache
def _probe_plan(radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every probe of every word, each twice (bucket start, then end): the word it reads, the mask
    to XOR into that word, and what to add to get its entry in the table."""
    masks = [_probe_masks(w, t) for w, t in zip(WIDTHS, thresholds(radius), strict=True)]
    word = np.repeat(np.arange(WORDS), [len(m) for m in masks])
    add = np.asarray(BASES, dtype=np.int64)[word]
    plan = np.repeat(word, 2), np.repeat(np.concatenate(masks), 2), np.repeat(add, 2)
    plan[2][1::2] += 1
    return plan


def popcount_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between rows of two broadcastable (.., 4) uint64 arrays."""
    out: np.ndarray = np.bitwise_count(np.bitwise_xor(a, b)).sum(axis=-1, dtype=np.int32)
    return out


@dataclass
class Matches:
    query: np.ndarray  # index of the query
    entry: np.ndarray  # row in the index
    distance: np.ndarray


def _empty() -> Matches:
    empty = np.empty(0, dtype=np.int64)
    return Matches(empty, empty, np.empty(0, dtype=np.int32))


def _swap_in(tmp: Path, folder: Path) -> None:
    """Replace ``folder`` by the finished ``tmp`` with one rename."""
    old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _tmp_dir(folder: Path) -> Path:
    tmp = folder.parent / f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    return tmp


class PDQIndex:
    """An immutable index over ``n`` hashes; ``ids`` are the caller's row ids (int64, default the
    row numbers, which are then not stored)."""

    def __init__(
        self, words: np.ndarray, ids: np.ndarray | None = None, scan: bool | None = None
    ) -> None:
        self.words = np.ascontiguousarray(words, dtype=np.uint64)
        self._ids = None if ids is None else np.asarray(ids, dtype=np.int64)
        n = len(self.words)
        self.order = np.empty(0, dtype=np.uint32)
        self.table = np.empty(0, dtype=np.uint32)
        if n < SCAN_BELOW if scan is None else scan:
            return
        self.order = np.empty(WORDS * n, dtype=np.uint32)
        self.table = np.empty(BASES[-1] + 1, dtype=table_dtype(n))
        words_ = self.words
        build_tables(lambda s, e: words_[s:e], n, array_sink(self.order), array_sink(self.table))

    @classmethod
    def build(
        cls,
        folder: Path,
        words: np.ndarray | Path,
        ids: np.ndarray | None = None,
        scan: bool | None = None,
    ) -> PDQIndex:
        """Build an index straight into ``folder`` and memory-map it, in bounded memory: about 12
        bytes a hash for one word's sort plus a chunk of hashes, whatever ``n`` (1.3 GB at 100M,
        where building in memory would need 8 GB of arrays). ``words`` may be the path of an .npy
        file of (n, 4) uint64 rows, which is hard-linked (or else copied) into the folder."""
        folder = Path(folder)
        tmp = _tmp_dir(folder)
        try:
            if isinstance(words, (str, Path)):
                try:
                    os.link(words, tmp / "words.npy")
                except OSError:
                    shutil.copyfile(words, tmp / "words.npy")
            else:
                np.save(tmp / "words.npy", np.ascontiguousarray(words, dtype=np.uint64))
            n, read = npy_reader(tmp / "words.npy")
            if ids is not None:
                np.save(tmp / "ids.npy", np.asarray(ids, dtype=np.int64))
            scan = n < SCAN_BELOW if scan is None else scan
            if scan:
                np.save(tmp / "order.npy", np.empty(0, dtype=np.uint32))
                np.save(tmp / "table.npy", np.empty(0, dtype=np.uint32))
            else:
                tdt = table_dtype(n)
                ofd, ooff = npy_file(tmp / "order.npy", np.uint32, (WORDS * n,))
                tfd, toff = npy_file(tmp / "table.npy", tdt, (BASES[-1] + 1,))
                try:
                    put_order = file_sink(ofd, ooff, 4)
                    build_tables(read, n, put_order, file_sink(tfd, toff, np.dtype(tdt).itemsize))
                finally:
                    os.close(ofd)
                    os.close(tfd)
            _write_layout(tmp, scan, ids is None)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap_in(tmp, folder)
        return cls.load(folder)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def ids(self) -> np.ndarray:
        return np.arange(len(self), dtype=np.int64) if self._ids is None else self._ids

    @property
    def starts(self) -> list[np.ndarray]:
        """Per word, its slice of the bucket table (positions in ``order``); empty when scanned."""
        if not len(self.table):
            return []
        return [self.table[BASES[k] : BASES[k + 1] + 1] for k in range(WORDS)]

    @property
    def nbytes(self) -> int:
        """Memory of the index's arrays (memory-mapped ones count as their file size)."""
        arrays: list[np.ndarray] = [self.words, self.order, self.table]
        return int(sum(a.nbytes for a in arrays)) + (0 if self._ids is None else self._ids.nbytes)

    def search(
        self,
        queries: np.ndarray,
        radius: int = MAX_RADIUS,
        batch: int | None = None,
        backend: Backend = "auto",
        threads: int = 1,
    ) -> Matches:
        """Every (query, entry) pair within ``radius``; queries are (q, 4) uint64 words.

        ``backend``: "kernel" is the compiled kernel (``index_kernel``, needs numba), "numpy" the
        numpy search, "auto" the kernel where numba is installed; both give the same output.
        ``threads`` splits a batch over threads in the kernel, ``batch`` is the numpy search's
        batch size (each ignores the other's: the kernel searches one query at a time)."""
        if not 0 <= radius <= MAX_RADIUS:
            raise ValueError(f"radius {radius}: must be 0-{MAX_RADIUS}")
        n = len(self)
        if n == 0 or len(queries) == 0:
            return _empty()
        if not len(self.table):
            return self._scan(np.asarray(queries, dtype=np.uint64), radius)
        if backend == "auto":
            backend = "kernel" if index_kernel.available() else "numpy"
        if backend == "kernel":
            if not index_kernel.available():
                raise RuntimeError(
                    "the compiled kernel needs numba: pip install counterspell[fast]"
                )
            return self._search_kernel(np.asarray(queries, dtype=np.uint64), radius, threads)
        if batch is None:  # sized for the work per query (see BATCH_WORK)
            word = _probe_plan(radius)[0][::2]
            probes = float(np.sum(1 + n / (1 << np.asarray(WIDTHS)[word])))
            batch = int(min(256, max(1, BATCH_WORK // probes)))
        qs, es, ds = [], [], []
        for start in range(0, len(queries), batch):
            q = np.ascontiguousarray(queries[start : start + batch], dtype=np.uint64)
            cq, ce, d = self._search_batch(q, radius)
            qs.append(cq + start)
            es.append(ce)
            ds.append(d)
        entry = np.concatenate(es)
        return Matches(
            np.concatenate(qs), entry if self._ids is None else self._ids[entry], np.concatenate(ds)
        )

    def _search_kernel(self, queries: np.ndarray, radius: int, threads: int) -> Matches:
        q = np.ascontiguousarray(queries, dtype=np.uint64)
        word, mask, add = _probe_plan(radius)
        plan = (word[::2].astype(np.int64), mask[::2].copy(), add[::2].copy())
        cq, ce, d = index_kernel.search_threads(
            subwords(q), q, self.words, self.order, self.table, plan, radius, threads
        )
        return Matches(cq, ce if self._ids is None else self._ids[ce], d)

    def _search_batch(
        self, q: np.ndarray, radius: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(self)
        word, mask, add = _probe_plan(radius)
        # every probe's bucket start and end in one gather (they are adjacent in the table)
        bounds = np.take(self.table, (subwords(q)[:, word] ^ mask).astype(np.int64) + add)
        lo = bounds[:, 0::2].astype(np.int64)
        counts = bounds[:, 1::2] - lo
        per_query = counts.sum(axis=1)
        counts = counts.ravel()
        # every position lo..hi-1 of every bucket, flattened without a Python loop
        pos = np.repeat(lo.ravel() - np.cumsum(counts) + counts, counts)
        pos += np.arange(len(pos))
        ce = np.take(self.order, pos).astype(np.int64)
        cq = np.repeat(np.arange(len(q)), per_query)
        rows = np.take(self.words, ce, axis=0)
        # the first 128 bits' distance is a lower bound of the whole's, so this drops no match
        # and leaves about one random candidate in a billion for the full distance
        near = np.bitwise_count(rows[:, 0] ^ np.take(q[:, 0], cq))
        near += np.bitwise_count(rows[:, 1] ^ np.take(q[:, 1], cq))
        sel = np.flatnonzero(near <= radius)
        cq, ce = cq[sel], ce[sel]
        d = popcount_distance(q[cq], rows[sel])
        keep = d <= radius  # a pair found through several words is kept once, below
        key, first = np.unique(cq[keep] * n + ce[keep], return_index=True)
        return key // n, key % n, d[keep][first]

    def _scan(self, queries: np.ndarray, radius: int) -> Matches:
        """Exact search of a small index: every hash against a block of queries at a time."""
        n = len(self)
        block = max(1, 1_000_000 // n)  # about 32 MB of temporaries per block
        qs, es, ds = [], [], []
        for start in range(0, len(queries), block):
            d = popcount_distance(queries[start : start + block, None, :], self.words[None, :, :])
            qi, ei = np.nonzero(d <= radius)
            qs.append(qi.astype(np.int64) + start)
            es.append(ei.astype(np.int64))
            ds.append(d[qi, ei])
        entry = np.concatenate(es)
        return Matches(
            np.concatenate(qs), entry if self._ids is None else self._ids[entry], np.concatenate(ds)
        )

    def save(self, folder: Path) -> None:
        """Write the index as a new folder and swap it in with one rename."""
        folder = Path(folder)
        tmp = _tmp_dir(folder)
        np.save(tmp / "words.npy", self.words)
        if self._ids is not None:
            np.save(tmp / "ids.npy", self._ids)
        np.save(tmp / "order.npy", self.order)
        np.save(tmp / "table.npy", self.table)
        _write_layout(tmp, not len(self.table), self._ids is None)
        _swap_in(tmp, folder)

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> PDQIndex:
        folder = Path(folder)
        mode: Literal["r"] | None = "r" if mmap else None
        path = folder / "layout.json"
        layout = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        layout.pop("scan", None)
        rows = layout.pop("ids", "stored") == "rows"
        words = np.load(folder / "words.npy", mmap_mode=mode)
        ids = None if rows else np.load(folder / "ids.npy", mmap_mode=mode)
        if layout != LAYOUT:  # an older layout: rebuild in memory
            return cls(np.asarray(words), None if ids is None else np.asarray(ids))
        self = cls.__new__(cls)
        self.words, self._ids = words, ids
        self.order = np.load(folder / "order.npy", mmap_mode=mode)
        self.table = np.load(folder / "table.npy", mmap_mode=mode)
        return self


def _write_layout(folder: Path, scan: bool, rows: bool) -> None:
    layout = {**LAYOUT, "scan": scan, "ids": "rows" if rows else "stored"}
    (folder / "layout.json").write_text(json.dumps(layout), encoding="utf-8")


class MultiIndex:
    """Several indexes searched as one (a bank's main index and its delta of recent additions)."""

    def __init__(self, parts: list[PDQIndex]) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def search(self, queries: np.ndarray, radius: int = MAX_RADIUS) -> Matches:
        found = [p.search(queries, radius) for p in self.parts if len(p)]
        if not found:
            return _empty()
        return Matches(
            np.concatenate([m.query for m in found]),
            np.concatenate([m.entry for m in found]),
            np.concatenate([m.distance for m in found]),
        )


def brute_force(words: np.ndarray, queries: np.ndarray, radius: int) -> Matches:
    """The reference: every query against every hash (for tests and the recall benchmark)."""
    qs, es, ds = [], [], []
    for i, q in enumerate(queries):
        d = popcount_distance(words, q[None, :])
        hit = np.flatnonzero(d <= radius)
        qs.append(np.full(len(hit), i, dtype=np.int64))
        es.append(hit.astype(np.int64))
        ds.append(d[hit])
    if not qs:
        return _empty()
    return Matches(np.concatenate(qs), np.concatenate(es), np.concatenate(ds))
