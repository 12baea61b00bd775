"""The PDQ index's compiled search kernel (numba, optional): probes, buckets, candidates and the
distance of each query in one pass, instead of numpy's passes over the whole batch.

The numpy search (``PDQIndex._search_batch``) reads every array several times: a gather of the
bucket bounds, a repeat and a gather to expand the buckets into candidates, a gather of their
rows, two popcount passes, a unique. Each pass costs 10-25 ns an element on top of the memory
reads themselves, and with the reads done one pass at a time their cache misses overlap little:
it kept the numpy search at 5,000-6,000 lookups per CPU second at 10M (docs/benchmarks.md), and
the kernel does about twice as many on the same arrays. This kernel does the same work per query in compiled loops:

1. every probe's table slot (arithmetic only), then its bucket bounds (``table[slot]`` and the
   next entry) in a loop of independent loads with the entry ``TABLE_AHEAD`` probes on
   prefetched, so that many cache misses are in flight at once rather than one at a time;
2. the buckets' row numbers from ``order`` (their lines prefetched ``ORDER_AHEAD`` buckets
   ahead) into a block of candidates, prefetching each candidate's hash row as its number is
   read, so the rows are on their way when step 3 reads them;
3. per candidate, the first 128 bits' distance (a lower bound: no match is lost) and only for the
   few within the radius the other 128;
4. the query's matches sorted by entry and a pair found through several words kept once, so the
   output is exactly the numpy search's (sorted by query, then entry).

It is an optional accelerator: numba is in the ``fast`` extra, and without it ``available()`` is
false and the index uses the numpy search (the same results; the tests run both). Compiled
functions are cached on disk (``cache=True``: next to this file, or in numba's user cache where
that is read-only), so only the first search after an install or an upgrade pays the compile
(about 4 s); a later process loads them on its first search in 0.3-0.7 s, mostly numba's own
set-up (docs/benchmarks.md). The kernel releases the GIL, so
``search_threads`` splits a batch over threads that share the memory-mapped arrays.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import numpy as np

__all__ = ["available", "search", "search_threads"]

CANDIDATES = 1024  # candidates gathered before their rows are checked: rows prefetched, not evicted
TABLE_AHEAD = 128  # probes whose table entries are fetched ahead of the one read
ORDER_AHEAD = 32  # buckets whose first ``order`` line is fetched ahead of the one read


@cache
def available() -> bool:
    """Whether the compiled kernel can be used: numba importable, and not turned off with the
    ``COUNTERSPELL_NO_NUMBA`` environment variable. numba is imported here, on the first search
    that asks, not when the index module is imported (it takes about half a second), so CLI
    commands that search nothing do not pay for it."""
    if os.environ.get("COUNTERSPELL_NO_NUMBA", "") not in ("", "0"):
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _kernel(
    qsub: np.ndarray,
    qwords: np.ndarray,
    words: np.ndarray,
    order: np.ndarray,
    table: np.ndarray,
    pword: np.ndarray,
    pmask: np.ndarray,
    padd: np.ndarray,
    radius: int,
    first: int,
    out_q: np.ndarray,
    out_e: np.ndarray,
    out_d: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    slot: np.ndarray,
    cand: np.ndarray,
) -> tuple[int, int]:
    """Search queries ``first`` onwards into the ``out_*`` arrays; returns (the next query, the
    number of matches written). A query whose matches do not fit is dropped whole and the search
    stops there, so the caller grows the arrays and resumes at it (arrays sized for the usual few
    matches a query, not for the thousands of candidates that could all match)."""
    nq = qsub.shape[0]
    nprobe = pword.shape[0]
    nblock = cand.shape[0]
    count = 0
    wbase = words.ctypes.data
    tbase = table.ctypes.data
    tsize = table.itemsize
    obase = order.ctypes.data
    for i in range(first, nq):
        q0, q1, q2, q3 = qwords[i, 0], qwords[i, 1], qwords[i, 2], qwords[i, 3]
        for j in range(nprobe):  # table entries first: no load in this loop
            slot[j] = padd[j] + np.int64(qsub[i, pword[j]] ^ pmask[j])
        for j in range(min(TABLE_AHEAD, nprobe)):
            _prefetch(tbase + slot[j] * tsize)
        for j in range(nprobe):  # independent loads, fetched ahead: their misses overlap
            if j + TABLE_AHEAD < nprobe:
                _prefetch(tbase + slot[j + TABLE_AHEAD] * tsize)
            t = slot[j]
            a = int(table[t])
            b = int(table[t + 1])
            lo[j] = a
            hi[j] = b
            k = j - ORDER_AHEAD  # an earlier bucket's rows, for the loop below
            if k >= 0 and hi[k] > lo[k]:
                _prefetch(obase + lo[k] * 4)
        start = count
        nc = 0
        for j in range(nprobe):
            if j + ORDER_AHEAD < nprobe:
                _prefetch(obase + lo[j + ORDER_AHEAD] * 4)
            for p in range(lo[j], hi[j]):
                e = int(order[p])
                _prefetch(wbase + e * 32)
                cand[nc] = e
                nc += 1
                if nc == nblock:
                    count = _check(
                        cand, nc, words, q0, q1, q2, q3, radius, i, out_q, out_e, out_d, count
                    )
                    if count < 0:  # full: the caller grows the arrays and resumes here
                        return i, start
                    nc = 0
        count = _check(cand, nc, words, q0, q1, q2, q3, radius, i, out_q, out_e, out_d, count)
        if count < 0:
            return i, start
        if count - start > 1:  # sorted by entry; a pair found through several words once
            idx = np.argsort(out_e[start:count], kind="mergesort")
            es = out_e[start:count][idx]
            ds = out_d[start:count][idx]
            kept = start
            for k in range(len(es)):
                if k == 0 or es[k] != es[k - 1]:
                    out_e[kept] = es[k]
                    out_d[kept] = ds[k]
                    kept += 1
            count = kept
    return nq, count


def _check(
    cand: np.ndarray,
    nc: int,
    words: np.ndarray,
    q0: int,
    q1: int,
    q2: int,
    q3: int,
    radius: int,
    query: int,
    out_q: np.ndarray,
    out_e: np.ndarray,
    out_d: np.ndarray,
    count: int,
) -> int:
    """The exact distance of ``cand[:nc]``, the first 128 bits first (a lower bound of the whole's,
    so the rare candidate within the radius there is the only one whose other half is read); the
    new count of matches, or -1 when the output arrays are full."""
    cap = out_q.shape[0]
    for k in range(nc):
        e = cand[k]
        d = _popcount(words[e, 0] ^ q0) + _popcount(words[e, 1] ^ q1)
        if d <= radius:
            d += _popcount(words[e, 2] ^ q2) + _popcount(words[e, 3] ^ q3)
            if d <= radius:
                if count == cap:
                    return -1
                out_q[count] = query
                out_e[count] = e
                out_d[count] = d
                count += 1
    return count


_compiled: Callable[..., tuple[int, int]] | None = None


def _compile() -> Callable[..., tuple[int, int]]:
    """The kernel compiled (or loaded from numba's cache) on first use, not on import, so that
    importing the index costs nothing when no search runs."""
    global _compiled
    if _compiled is None:
        import numba

        # numba resolves the kernel's globals when it compiles: the helpers become compiled ones
        g = globals()
        g["_popcount"] = _popcount_intrinsic()
        g["_prefetch"] = _prefetch_intrinsic()
        g["_check"] = numba.njit(cache=True, nogil=True)(_check)
        _compiled = numba.njit(cache=True, nogil=True)(_kernel)
    return _compiled


def _popcount(x: int) -> int:  # replaced by the intrinsic below when compiled
    return int(x).bit_count()


def _prefetch(address: int) -> None:  # replaced by the intrinsic below when compiled
    return None


def _popcount_intrinsic() -> Any:
    """LLVM's ctpop on a uint64, as an int64 (one POPCNT instruction; numba has no popcount)."""
    from numba import types
    from numba.extending import intrinsic

    @intrinsic  # type: ignore[untyped-decorator]
    def popcount(typingctx: Any, x: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.ctpop(args[0])

        return types.int64(types.uint64), codegen

    return popcount


def _prefetch_intrinsic() -> Any:
    """LLVM's prefetch of an address for reading (a hint: it never faults, even on a bad one)."""
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    @intrinsic  # type: ignore[untyped-decorator]
    def prefetch(typingctx: Any, address: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            i32 = ir.IntType(32)
            ptr = builder.inttoptr(args[0], cgutils.voidptr_t)
            fnty = ir.FunctionType(ir.VoidType(), [cgutils.voidptr_t, i32, i32, i32])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
            builder.call(fn, [ptr, i32(0), i32(3), i32(1)])
            return context.get_dummy_value()

        return types.void(types.int64), codegen

    return prefetch


def search(
    qsub: np.ndarray,
    qwords: np.ndarray,
    words: np.ndarray,
    order: np.ndarray,
    table: np.ndarray,
    plan: tuple[np.ndarray, np.ndarray, np.ndarray],
    radius: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query, entry row, distance) of every pair within ``radius``, sorted by query then entry:
    the numpy search's output. ``plan`` is the probes' words, masks and table offsets."""
    kernel = _compile()
    pword, pmask, padd = plan
    # numba compiles one version per array type: plain ndarrays (not memmap subclasses)
    args = (np.asarray(words), np.asarray(order), np.asarray(table), pword, pmask, padd)
    nq = len(qsub)
    cap = 4 * nq + 1024  # matches are few: a query's bank copies and near-copies
    out_q = np.empty(cap, dtype=np.int64)
    out_e = np.empty(cap, dtype=np.int64)
    out_d = np.empty(cap, dtype=np.int32)
    lo = np.empty(len(pword), dtype=np.int64)
    hi = np.empty(len(pword), dtype=np.int64)
    slot = np.empty(len(pword), dtype=np.int64)
    cand = np.empty(CANDIDATES, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    first = 0
    while True:
        first, count = kernel(
            qsub, qwords, *args, radius, first, out_q, out_e, out_d, lo, hi, slot, cand
        )
        parts.append((out_q[:count].copy(), out_e[:count].copy(), out_d[:count].copy()))
        if first >= nq:
            break
        cap *= 2  # a query's matches did not fit: room for twice as many, from that query on
        out_q = np.empty(cap, dtype=np.int64)
        out_e = np.empty(cap, dtype=np.int64)
        out_d = np.empty(cap, dtype=np.int32)
    return parts[0] if len(parts) == 1 else _joined(parts)


def _joined(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Consecutive (query, entry, distance) parts as one, in order."""
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def search_threads(
    qsub: np.ndarray,
    qwords: np.ndarray,
    words: np.ndarray,
    order: np.ndarray,
    table: np.ndarray,
    plan: tuple[np.ndarray, np.ndarray, np.ndarray],
    radius: int,
    threads: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``search`` with the queries split over ``threads`` threads (the kernel releases the GIL and
    the arrays are shared, memory-mapped or not); the same output."""
    nq = len(qsub)
    threads = max(1, min(threads, nq))
    if threads == 1:
        return search(qsub, qwords, words, order, table, plan, radius)
    _compile()  # once, before the threads race to it
    bounds = np.linspace(0, nq, threads + 1).astype(int)

    def part(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s, e = int(bounds[k]), int(bounds[k + 1])
        q, ent, d = search(qsub[s:e], qwords[s:e], words, order, table, plan, radius)
        return q + s, ent, d

    with ThreadPoolExecutor(threads) as pool:
        return _joined(list(pool.map(part, range(threads))))
