"""Hamming range search over PDQ hashes: multi-index hashing in numpy, exact within the radius.

A 256-bit hash is cut into 16 words of 16 bits. If two hashes are within distance ``r`` <= 31,
some word differs in at most ``r // 16`` bits (pigeonhole: 16 words x 2 bits > 31), so probing,
for every word of the query, the table entries whose word is within ``r // 16`` bits of it (1 +
16 probes per word at ``r`` >= 16) finds every match; the candidates are then checked with an exact
popcount. Recall is therefore 100% by construction (and measured against brute force in the
benchmark); speed depends on how many candidates share words, which clustered collections raise.

Each word has a sorted copy of the table's words and the order that sorts it, so a probe is a
binary search and the candidates are a slice. Memory is 32 bytes a hash plus 6 bytes a hash per
word (96): about 1.3 GB at 10M. Arrays are saved with ``numpy.save`` and memory-mapped on load.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORDS = 16
MAX_RADIUS = 31


def hex_to_words(hashes: list[str] | np.ndarray) -> np.ndarray:
    """PDQ hex strings to an (n, 4) uint64 array (big-endian words, as the hex reads)."""
    arr = np.asarray(hashes, dtype="U64")
    if arr.size == 0:
        return np.empty((0, 4), dtype=np.uint64)
    raw = np.frombuffer(bytes.fromhex("".join(arr.tolist())), dtype=">u8").reshape(-1, 4)
    return raw.astype(np.uint64)


def words_to_hex(words: np.ndarray) -> list[str]:
    return [row.astype(">u8").tobytes().hex() for row in np.asarray(words, dtype=np.uint64)]


def _u16(words: np.ndarray) -> np.ndarray:
    """(n, 4) uint64 to (n, 16) uint16, most significant word first."""
    return words.astype(">u8").view(">u2").reshape(-1, WORDS).astype(np.uint16)


def popcount_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between rows of two broadcastable (.., 4) uint64 arrays."""
    out: np.ndarray = np.bitwise_count(np.bitwise_xor(a, b)).sum(axis=-1, dtype=np.int32)
    return out


def _bucket_starts(sorted_words: np.ndarray) -> np.ndarray:
    """For every word and 16-bit value, where that value's run begins in the sorted word."""
    values = np.arange((1 << 16) + 1)
    return np.stack([np.searchsorted(sorted_words[w], values, side="left") for w in range(WORDS)])


_FLIPS = np.array([0] + [1 << i for i in range(16)], dtype=np.uint16)


@dataclass
class Matches:
    query: np.ndarray  # index of the query
    entry: np.ndarray  # row in the index
    distance: np.ndarray


class PDQIndex:
    """An immutable index over ``n`` hashes; ``ids`` are the caller's row ids (int64)."""

    def __init__(self, words: np.ndarray, ids: np.ndarray | None = None) -> None:
        self.words = np.ascontiguousarray(words, dtype=np.uint64)
        self.ids = (
            np.arange(len(words), dtype=np.int64)
            if ids is None
            else np.asarray(ids, dtype=np.int64)
        )
        u16 = _u16(self.words)
        self.order = np.empty((WORDS, len(words)), dtype=np.int32)
        self.sorted = np.empty((WORDS, len(words)), dtype=np.uint16)
        for w in range(WORDS):
            o = np.argsort(u16[:, w], kind="stable").astype(np.int32)
            self.order[w] = o
            self.sorted[w] = u16[o, w]
        self.starts = _bucket_starts(self.sorted)

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def _from_arrays(
        cls, words: np.ndarray, ids: np.ndarray, order: np.ndarray, sorted_: np.ndarray
    ) -> PDQIndex:
        self = cls.__new__(cls)
        self.words, self.ids, self.order, self.sorted = words, ids, order, sorted_
        self.starts = _bucket_starts(sorted_)
        return self

    def search(
        self, queries: np.ndarray, radius: int = MAX_RADIUS, batch: int | None = None
    ) -> Matches:
        """Every (query, entry) pair within ``radius``; queries are (q, 4) uint64 words."""
        if not 0 <= radius <= MAX_RADIUS:
            raise ValueError(f"radius {radius}: must be 0-{MAX_RADIUS}")
        if (
            batch is None
        ):  # about 4M candidates per batch: big enough to vectorise, small enough to fit
            per_query = WORDS * (17 if radius >= WORDS else 1) * max(len(self), 1) / 65536
            batch = int(min(256, max(1, 4_000_000 // max(per_query, 1))))
        qs, es, ds = [], [], []
        flips = _FLIPS if radius >= WORDS else _FLIPS[:1]
        for start in range(0, len(queries), batch):
            q = np.ascontiguousarray(queries[start : start + batch], dtype=np.uint64)
            if len(self) == 0 or len(q) == 0:
                continue
            qu = _u16(q)  # (b, 16)
            cand_q, cand_e = [], []
            for w in range(WORDS):
                probes = (qu[:, w : w + 1] ^ flips[None, :]).ravel()  # (b * f,)
                lo = self.starts[w][probes]  # direct addressing: no binary search
                hi = self.starts[w][probes.astype(np.int32) + 1]
                counts = hi - lo
                total = int(counts.sum())
                if total == 0:
                    continue
                # positions lo..hi-1 for every probe, flattened without a Python loop
                starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
                pos = starts + np.arange(total)
                cand_e.append(self.order[w][pos])
                cand_q.append(np.repeat(np.arange(len(q)).repeat(len(flips)), counts))
            if not cand_e:
                continue
            cq = np.concatenate(cand_q)
            ce = np.concatenate(cand_e)
            d = popcount_distance(q[cq], self.words[ce])
            keep = d <= radius  # a pair found through several words is kept once, below
            key, first = np.unique(
                cq[keep].astype(np.int64) * (len(self) + 1) + ce[keep], return_index=True
            )
            qs.append(key // (len(self) + 1) + start)
            es.append(key % (len(self) + 1))
            ds.append(d[keep][first])
        if not qs:
            empty = np.empty(0, dtype=np.int64)
            return Matches(empty, empty, np.empty(0, dtype=np.int32))
        return Matches(np.concatenate(qs), self.ids[np.concatenate(es)], np.concatenate(ds))

    def save(self, folder: Path) -> None:
        """Write the index as a new folder and swap it in with one rename."""
        folder = Path(folder)
        tmp = folder.parent / f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        for name in ("words", "ids", "order", "sorted"):
            np.save(tmp / f"{name}.npy", getattr(self, name))
        old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old.exists():
            import shutil

            shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> PDQIndex:
        names = ("words", "ids", "order", "sorted")
        if mmap:
            arrays = [np.load(Path(folder) / f"{n}.npy", mmap_mode="r") for n in names]
        else:
            arrays = [np.load(Path(folder) / f"{n}.npy") for n in names]
        return cls._from_arrays(*arrays)


class MultiIndex:
    """Several indexes searched as one (a bank's main index and its delta of recent additions)."""

    def __init__(self, parts: list[PDQIndex]) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def search(self, queries: np.ndarray, radius: int = MAX_RADIUS) -> Matches:
        found = [p.search(queries, radius) for p in self.parts if len(p)]
        if not found:
            empty = np.empty(0, dtype=np.int64)
            return Matches(empty, empty, np.empty(0, dtype=np.int32))
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
        empty = np.empty(0, dtype=np.int64)
        return Matches(empty, empty, np.empty(0, dtype=np.int32))
    return Matches(np.concatenate(qs), np.concatenate(es), np.concatenate(ds))
