"""The previous PDQ index algorithms (layout 2, before 2026-12-02), kept as the same-run baseline.

``previous_search`` is the earlier batched search run on today's arrays (the per-word slices of
the bucket table hold positions in the one ``order``, which the old loop reads the same way): a
Python loop over the 11 words, two gathers per probe for a bucket's start and end, the full
256-bit distance of every candidate, batches of about 4M candidates. ``previous_build`` is the
earlier build: a stable ``argsort`` of every word column of the hashes held in memory.
"""

from __future__ import annotations

import numpy as np

from counterspell.matching.index import (
    _MASKS,
    WIDTHS,
    WORDS,
    Matches,
    PDQIndex,
    popcount_distance,
    subwords,
)


def previous_build(words: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The old in-memory build (its arrays are returned, for timing only)."""
    sub = subwords(words)
    order = np.empty((WORDS, len(words)), dtype=np.int32)
    starts = []
    for k, wid in enumerate(WIDTHS):
        order[k] = np.argsort(sub[:, k], kind="stable")
        counts = np.bincount(sub[:, k], minlength=1 << wid)
        s = np.zeros((1 << wid) + 1, dtype=np.int32)
        np.cumsum(counts, out=s[1:])
        starts.append(s)
    return order, starts


def previous_search(index: PDQIndex, queries: np.ndarray, radius: int) -> Matches:
    n = len(index)
    per_word = radius // WORDS
    probes = sum(len(_MASKS[(w, per_word)]) for w in WIDTHS)
    batch = int(min(256, max(1, 4_000_000 // max(probes * n / (1 << min(WIDTHS)), 1))))
    starts = index.starts
    qs, es, ds = [], [], []
    for start in range(0, len(queries), batch):
        q = np.ascontiguousarray(queries[start : start + batch], dtype=np.uint64)
        qsub = subwords(q)
        cand_q, cand_e = [], []
        for k, wid in enumerate(WIDTHS):
            masks = _MASKS[(wid, per_word)]
            probe = (qsub[:, k : k + 1] ^ masks[None, :]).ravel()
            lo = np.take(starts[k], probe).astype(np.int64)
            hi = np.take(starts[k], probe + 1).astype(np.int64)
            counts = hi - lo
            total = int(counts.sum())
            if total == 0:
                continue
            firsts = np.repeat(lo - np.cumsum(counts) + counts, counts)
            cand_e.append(np.take(index.order, firsts + np.arange(total)).astype(np.int64))
            cand_q.append(np.repeat(np.arange(len(q)).repeat(len(masks)), counts))
        if not cand_e:
            continue
        cq = np.concatenate(cand_q)
        ce = np.concatenate(cand_e)
        d = popcount_distance(np.take(q, cq, axis=0), np.take(index.words, ce, axis=0))
        keep = d <= radius
        key, first = np.unique(cq[keep] * (n + 1) + ce[keep], return_index=True)
        qs.append(key // (n + 1) + start)
        es.append(key % (n + 1))
        ds.append(d[keep][first])
    if not qs:
        empty = np.empty(0, dtype=np.int64)
        return Matches(empty, empty, np.empty(0, dtype=np.int32))
    return Matches(np.concatenate(qs), np.concatenate(es), np.concatenate(ds))
