"""PDQ matching: Counterspell's index against python-threatexchange's, in the same run.

    python bench/matching.py                       # banks of 1M and 10M hashes
    python bench/matching.py --bank 1000000 --queries 2000

For each bank size: random hashes plus planted near-duplicates (each query is a bank hash with
0-31 bits flipped, or a random hash that matches nothing), and a clustered bank that resembles
real photo collections (hashes in tight groups, where multi-index hashing must look at many
candidates). Prints build time, lookups/s one query at a time, in batches in one process, and in batches
split over two processes that memory-map the saved index (as ``match`` runs), recall against
brute force, and index memory, for Counterspell's ``PDQIndex`` and threatexchange's ``PDQIndex``
(faiss multi-index hashing) and ``PDQIndex2`` (faiss flat); threatexchange runs at 1M only unless
``--te-10m`` (its memory at 10M is several GB). Needs ``pip install threatexchange faiss-cpu``
(``make bench`` installs them); without them only Counterspell's figures are printed.

Goals (issue): recall >= 99.9%, >= 4,000 lookups/s at 10M, index memory < 2 GB at 10M.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from counterspell.matching.index import PDQIndex, brute_force, words_to_hex  # noqa: E402

RADIUS = 31


def random_bank(n: int, rng: np.random.Generator, clustered: bool) -> np.ndarray:
    words = rng.integers(0, 2**64 - 1, (n, 4), dtype=np.uint64, endpoint=True)
    if clustered:  # groups of 100 around a centre, each member 8-40 bits away from it
        for lo in range(0, n, 250_000):  # in slices: a (n, 256) mask would not fit at 10M
            hi = min(n, lo + 250_000)
            centres = words[(np.arange(lo, hi) // 100) * 100]
            flips = rng.random((hi - lo, 256)) < rng.uniform(8, 40, (hi - lo, 1)) / 256
            words[lo:hi] = centres ^ np.packbits(flips, axis=1).view(">u8").astype(np.uint64)
    return words


def queries_for(words: np.ndarray, q: int, rng: np.random.Generator) -> np.ndarray:
    """Half planted (a bank hash, 0-31 bits flipped), half random."""
    planted = words[rng.integers(0, len(words), q // 2)].copy()
    k = rng.integers(0, RADIUS + 1, len(planted))
    flips = rng.random((len(planted), 256)).argsort(axis=1) < k[:, None]
    planted ^= np.packbits(flips, axis=1).view(">u8").astype(np.uint64)
    return np.vstack(
        [planted, rng.integers(0, 2**64 - 1, (q - len(planted), 4), dtype=np.uint64, endpoint=True)]
    )


def recall(
    found: set[tuple[int, int]], words: np.ndarray, queries: np.ndarray, sample: int
) -> float:
    want = brute_force(words, queries[:sample], RADIUS)
    truth = set(zip(want.query.tolist(), want.entry.tolist(), strict=True))
    return len(truth & found) / len(truth) if truth else 1.0


def _search_saved(task: tuple[str, np.ndarray]) -> int:
    """One worker's share of a batched run: memory-map the saved index and search (as match does)."""
    folder, queries = task
    return len(PDQIndex.load(Path(folder)).search(queries, RADIUS).query)


def batched_on_cores(index: PDQIndex, queries: np.ndarray, workers: int) -> float:
    """Lookups/s with the queries split over ``workers`` processes sharing the saved index."""
    import tempfile

    from counterspell.executors import LocalExecutor

    with tempfile.TemporaryDirectory(prefix="cs-bench-index-") as tmp:
        index.save(Path(tmp) / "idx")
        executor = LocalExecutor(workers)
        try:
            executor.map(_search_saved, [(f"{tmp}/idx", queries[:workers])] * workers)  # start them
            chunks = np.array_split(queries, workers * 4)
            t0 = time.perf_counter()
            executor.map(_search_saved, [(f"{tmp}/idx", c) for c in chunks])
            return len(queries) / (time.perf_counter() - t0)
        finally:
            executor.close()


def bench_counterspell(words: np.ndarray, queries: np.ndarray, sample: int) -> dict[str, float]:
    t0 = time.perf_counter()
    index = PDQIndex(words)
    build = time.perf_counter() - t0
    cores = batched_on_cores(index, queries, 2)
    t0 = time.perf_counter()
    m = index.search(queries, RADIUS)
    batched = len(queries) / (time.perf_counter() - t0)
    single_n = min(len(queries), 500)
    t0 = time.perf_counter()
    for i in range(single_n):
        index.search(queries[i : i + 1], RADIUS)
    single = single_n / (time.perf_counter() - t0)
    found = {(q, e) for q, e in zip(m.query.tolist(), m.entry.tolist(), strict=True) if q < sample}
    mem = index.nbytes / 2**20
    return {
        "build": build,
        "single": single,
        "batched": batched,
        "cores": cores,
        "recall": recall(found, words, queries, sample),
        "mb": mem,
    }


def bench_threatexchange(
    words: np.ndarray, queries: np.ndarray, sample: int, which: str
) -> dict[str, float] | None:
    try:
        import psutil
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex as TEIndex
        from threatexchange.signal_type.pdq.pdq_index2 import PDQIndex2
    except ImportError:
        return None
    hexes = words_to_hex(words)
    rss0 = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    index = (TEIndex if which == "PDQIndex" else PDQIndex2).build(
        [(h, i) for i, h in enumerate(hexes)]
    )
    build = time.perf_counter() - t0
    mem = (psutil.Process().memory_info().rss - rss0) / 2**20
    qhex = words_to_hex(queries)
    n = min(len(qhex), 500 if which == "PDQIndex" else 50)
    found: set[tuple[int, int]] = set()
    t0 = time.perf_counter()
    for i in range(n):
        for match in index.query(qhex[i]):
            found.add((i, int(match.metadata)))
    single = n / (time.perf_counter() - t0)
    del index
    return {
        "build": build,
        "single": single,
        "batched": float("nan"),
        "cores": float("nan"),
        "recall": recall(found, words, queries, min(sample, n)),
        "mb": mem,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bank", type=int, action="append")
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--recall-sample", type=int, default=200)
    ap.add_argument("--te-10m", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    print(
        f"PDQ matching at radius {RADIUS} ({time.strftime('%Y-%m-%d')}); {args.queries:,} queries, half planted"
    )
    print(
        f"{'bank':>11} {'kind':>9} {'index':>24} {'build s':>8} {'single/s':>9} {'batched/s':>10} {'2 procs/s':>10} {'recall':>7} {'MB':>7}"
    )
    for n in args.bank or [1_000_000, 10_000_000]:
        for clustered in (False, True):
            words = random_bank(n, rng, clustered)
            queries = queries_for(words, args.queries, rng)
            runs = [
                ("counterspell PDQIndex", bench_counterspell(words, queries, args.recall_sample))
            ]
            if n <= 1_000_000 or args.te_10m:
                for which in ("PDQIndex", "PDQIndex2"):
                    if which == "PDQIndex2" and clustered:
                        continue  # a flat scan does not care how hashes cluster
                    r = bench_threatexchange(words, queries, args.recall_sample, which)
                    if r is not None:
                        runs.append((f"threatexchange {which}", r))
            base = runs[0][1]
            for name, r in runs:
                print(f"{n:>11,} {'clustered' if clustered else 'random':>9} {name:>24} {r['build']:>8.1f} "
                      f"{r['single']:>9,.0f} {r['batched']:>10,.0f} {r['cores']:>10,.0f} {r['recall']:>7.4f} {r['mb']:>7,.0f}")  # fmt: skip
            for name, r in runs[1:]:
                print(f"{'':>21} counterspell / {name}: single lookups {base['single'] / r['single']:.1f}x, "
                      f"batched vs its single {base['batched'] / r['single']:.1f}x")  # fmt: skip
            sys.stdout.flush()


if __name__ == "__main__":
    main()
