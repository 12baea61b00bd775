"""PDQ matching: Counterspell's index against python-threatexchange's, in the same run.

    python bench/matching.py                       # banks of 1M and 10M hashes
    python bench/matching.py --bank 1000000 --queries 2000
    python bench/matching.py --bank 100000000      # built on disk (about 12 GB of files)
    python bench/matching.py --bank 10000000 --kind random

It first prints what the kernel costs a fresh process (numba's import, the first search with an
empty compile cache and with a filled one), measured in subprocesses.

For each bank size: random hashes plus planted near-duplicates (each query is a bank hash with
0-31 bits flipped, or a random hash that matches nothing), and a clustered bank that resembles
real photo collections (hashes in tight groups, where multi-index hashing must look at many
candidates; up to 10M, or with ``--clustered``). Prints build time, lookups/s one query at a
time, in batches in one process, and in batches split over two processes that memory-map the
saved index (as ``match`` runs), recall against brute force on a sample, index size and the
peak resident memory the build added (VmHWM, reset before it, less the RSS before it). Baselines measured in the same run:
the numpy search on the same index when the compiled kernel (``index_kernel``, numba) is the
default, and the kernel on two threads (its per CPU second rate counts both threads' CPU); the
previous algorithms (``matching_previous.py``: the earlier build up to 10M, and the earlier
search on the same arrays), brute force (lookups/s from the recall sample), and threatexchange's
``PDQIndex`` (faiss multi-index hashing) and ``PDQIndex2`` (faiss flat) at 1M (at 10M with
``--te-10m``; its memory there is several GB). Needs ``pip install threatexchange faiss-cpu``
for those (``make bench`` installs them); without them they are left out.

From ``--disk-from`` hashes (default 20M) the bank is generated in chunks into a temporary
folder and the index built straight into files (``PDQIndex.build``) and memory-mapped, so the
benchmark never holds the bank in memory; ``--tmp`` chooses where (it needs about 120 bytes a
hash of disk: 12 GB at 100M).

Goals (issue #21): 10M at >= 10,000 batched lookups/s; 100M in a memory-mapped index under 16 GB
that answers >= 1,000 lookups/s at radius 31 with recall 1.0, built in under 15 minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.matching_previous import previous_build, previous_search  # noqa: E402
from counterspell.matching import index_kernel  # noqa: E402
from counterspell.matching.index import Matches, PDQIndex, brute_force, words_to_hex  # noqa: E402

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


def write_bank(path: Path, n: int, rng: np.random.Generator, clustered: bool) -> np.ndarray:
    """The bank generated in 5M-hash chunks into an .npy file; returned memory-mapped."""
    mm = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint64, shape=(n, 4))
    offset = mm.offset
    del mm
    with open(path, "r+b") as f:
        f.seek(offset)
        for lo in range(0, n, 5_000_000):
            random_bank(min(n, lo + 5_000_000) - lo, rng, clustered).tofile(f)
    words: np.ndarray = np.load(path, mmap_mode="r")
    return words


def queries_for(words: np.ndarray, q: int, rng: np.random.Generator) -> np.ndarray:
    """Half planted (a bank hash, 0-31 bits flipped), half random."""
    planted = words[np.sort(rng.integers(0, len(words), q // 2))].copy()
    rng.shuffle(planted)
    k = rng.integers(0, RADIUS + 1, len(planted))
    flips = rng.random((len(planted), 256)).argsort(axis=1) < k[:, None]
    planted ^= np.packbits(flips, axis=1).view(">u8").astype(np.uint64)
    return np.vstack(
        [planted, rng.integers(0, 2**64 - 1, (q - len(planted), 4), dtype=np.uint64, endpoint=True)]
    )


def truth(words: np.ndarray, queries: np.ndarray) -> tuple[set[tuple[int, int]], float]:
    """Brute force over the bank in 10M-hash chunks: the pairs, and its lookups/s. With faiss
    installed, its flat binary index (an exhaustive popcount scan in C, independent of this
    code); else ``brute_force``, one query at a time over 1M-hash chunks."""
    pairs: set[tuple[int, int]] = set()
    try:
        import faiss

        have_faiss = True
    except ImportError:
        have_faiss = False
    t0 = time.perf_counter()
    if have_faiss:
        qbytes = np.ascontiguousarray(queries).view(np.uint8).reshape(len(queries), 32)
        for lo in range(0, len(words), 10_000_000):
            flat = faiss.IndexBinaryFlat(256)
            flat.add(np.ascontiguousarray(words[lo : lo + 10_000_000]).view(np.uint8))
            lims, _, found = flat.range_search(qbytes, RADIUS + 1)  # distances < RADIUS + 1
            for i in range(len(queries)):
                pairs.update((i, int(e) + lo) for e in found[lims[i] : lims[i + 1]])
            del flat
    else:
        for lo in range(0, len(words), 1_000_000):
            m = brute_force(np.asarray(words[lo : lo + 1_000_000]), queries, RADIUS)
            pairs.update(zip(m.query.tolist(), (m.entry + lo).tolist(), strict=True))
    return pairs, len(queries) / (time.perf_counter() - t0)


def recall(found: set[tuple[int, int]], want: set[tuple[int, int]]) -> float:
    return len(want & found) / len(want) if want else 1.0


def _status(field: str) -> float:
    """A VmHWM/VmRSS-style figure of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM back to the current RSS


_LOADED: dict[str, PDQIndex] = {}


def _search_saved(task: tuple[str, np.ndarray]) -> int:
    """One worker's share of a batched run on the saved, memory-mapped index, loaded once per
    process (as ``match`` shares it between the tasks of a worker)."""
    folder, queries = task
    if folder not in _LOADED:
        _LOADED[folder] = PDQIndex.load(Path(folder))
    return len(_LOADED[folder].search(queries, RADIUS).query)


def batched_on_cores(folder: Path, queries: np.ndarray, workers: int) -> float:
    """Lookups/s with the queries split over ``workers`` processes sharing the saved index."""
    from counterspell.executors import LocalExecutor

    executor = LocalExecutor(workers)
    try:
        executor.map(_search_saved, [(str(folder), queries[:workers])] * workers)  # start them
        chunks = np.array_split(queries, workers * 4)
        t0 = time.perf_counter()
        executor.map(_search_saved, [(str(folder), c) for c in chunks])
        return len(queries) / (time.perf_counter() - t0)
    finally:
        executor.close()


def timed(
    fn: Callable[[np.ndarray], Matches], queries: np.ndarray, single: int, repeat: int
) -> tuple[float, float, float, set[tuple[int, int]]]:
    """Batched lookups/s (best of ``repeat``: the machine may be shared), the same per CPU
    second of this process, one-at-a-time lookups/s (first ``single`` queries), and the pairs."""
    batched = per_cpu = 0.0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        m = fn(queries)
        batched = max(batched, len(queries) / (time.perf_counter() - t0))
        per_cpu = max(per_cpu, len(queries) / (time.process_time() - c0))
    t0 = time.perf_counter()
    for i in range(single):
        fn(queries[i : i + 1])
    one = single / (time.perf_counter() - t0) if single else float("nan")
    return batched, per_cpu, one, set(zip(m.query.tolist(), m.entry.tolist(), strict=True))


def bench_counterspell(
    words: np.ndarray, queries: np.ndarray, want: set[tuple[int, int]], sample: int, tmp: Path,
    bank: Path | None, repeat: int,
) -> list[tuple[str, dict[str, float]]]:  # fmt: skip
    nan = float("nan")
    folder = tmp / "idx"
    reset_peak()
    rss0 = _status("VmRSS")
    t0 = time.perf_counter()
    if bank is not None:  # straight into files, memory-mapped
        index = PDQIndex.build(folder, bank)
        build = time.perf_counter() - t0
    else:
        index = PDQIndex(words)
        build = time.perf_counter() - t0
        index.save(folder)
    # what the build added to the resident memory at its peak (before it: the bank, and with
    # faiss the bank file's pages the recall check mapped; the build reads it without mapping)
    peak = _status("VmHWM") - rss0
    size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    cores = batched_on_cores(folder, queries, 2)
    kernel = index_kernel.available()
    search = lambda q: index.search(q, RADIUS)  # noqa: E731  (the kernel where numba is)
    index.search(
        queries[:2], RADIUS
    )  # numba's compile or cache load is the first call's (printed above)
    batched, cpu, single, found = timed(search, queries, min(len(queries), 500), repeat)
    sampled = {p for p in found if p[0] < sample}
    new = {"build": build, "single": single, "batched": batched, "cpu": cpu, "cores": cores,
           "recall": recall(sampled, want), "mb": size, "peak": peak}  # fmt: skip
    runs = [(f"PDQIndex, {'kernel' if kernel else 'numpy'}", new)]
    if kernel:  # the numpy search and the kernel on two threads, on the same index
        numpy = lambda q: index.search(q, RADIUS, backend="numpy")  # noqa: E731
        b, c, s, np_found = timed(numpy, queries, min(len(queries), 500), repeat)
        print(f"{'':>21} kernel and numpy search found the same pairs: {np_found == found}")
        runs.append(("PDQIndex, numpy search", {"build": nan, "single": s, "batched": b, "cpu": c,
                     "cores": nan, "recall": recall({p for p in np_found if p[0] < sample}, want),
                     "mb": nan, "peak": nan}))  # fmt: skip
        threads = lambda q: index.search(q, RADIUS, threads=2)  # noqa: E731
        b, c, _, th_found = timed(threads, queries, 0, repeat)
        runs.append(("PDQIndex, kernel 2 threads", {"build": nan, "single": nan, "batched": b,
                     "cpu": c, "cores": nan, "recall": recall({p for p in th_found if p[0] < sample}, want),
                     "mb": nan, "peak": nan}))  # fmt: skip
    if bank is None:
        t0 = time.perf_counter()
        previous_build(words)
        old_build = time.perf_counter() - t0
    else:
        old_build = nan  # it holds the bank, its words and int64 sorts in memory: ~13 GB at 100M
    few = queries[: max(2, min(len(queries), 20_000_000_000 // max(len(words), 1)))]
    before = lambda q: previous_search(index, q, RADIUS)  # noqa: E731
    b, c, s, old_found = timed(before, few, min(len(few), 200), repeat)
    old = {"build": old_build, "single": s, "batched": b, "cpu": c, "cores": nan,
           "recall": recall({p for p in old_found if p[0] < sample}, want), "mb": nan, "peak": nan}  # fmt: skip
    runs.append(("previous algorithm", old))
    return runs


_FIRST_CALL = """
import os, sys, time
t0 = time.perf_counter()
import numpy as np
from counterspell.matching import index_kernel
from counterspell.matching.index import PDQIndex
imported = time.perf_counter() - t0
t0 = time.perf_counter()
import numba
numba_import = time.perf_counter() - t0  # the index imports it on its first search
rng = np.random.default_rng(0)
index = PDQIndex(rng.integers(0, 2**63, (1000, 4), dtype=np.uint64), scan=False)
q = index.words[:1]
t0 = time.perf_counter(); index.search(q, 31, backend="kernel"); first = time.perf_counter() - t0
t0 = time.perf_counter(); index.search(q, 31, backend="kernel"); second = time.perf_counter() - t0
print(imported, numba_import, first, second)
"""


def first_call_cost() -> str:
    """What the kernel costs a fresh process (a CLI call): importing numba, and the first search
    with an empty compile cache (just installed) and with a filled one (every later call)."""
    if not index_kernel.available():
        return "first call: numba not installed (numpy search)"
    import os
    import subprocess

    with tempfile.TemporaryDirectory(prefix="cs-numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(ROOT / "src")}
        got = []
        for _ in range(2):  # empty cache, then the cache the first run wrote
            out = subprocess.run([sys.executable, "-c", _FIRST_CALL], env=env, check=True,
                                 capture_output=True, text=True).stdout  # fmt: skip
            got.append([float(x) for x in out.split()])
    (_, _, cold, _), (imported, numba_s, warm, then) = got
    return (f"first call: the index module {imported:.2f} s, import numba {numba_s:.2f} s, then "
            f"the first search (compiling) {cold:.2f} s with an empty compile cache, {warm:.2f} s "
            f"with it filled "
            f"(later searches {then * 1000:.1f} ms)")  # fmt: skip


def bench_faiss_mih(
    words: np.ndarray, queries: np.ndarray, want: set[tuple[int, int]], sample: int
) -> dict[str, float] | None:
    """faiss's multi-index hashing searched directly and in batches (``range_search`` over all the
    queries, one OpenMP thread for a per-CPU-second figure like ours), as threatexchange's
    ``PDQIndex`` sets it up: 16 words of 16 bits, each probed at 1 bit (16 x 2 > 31, exact). It
    holds its own in-memory structure, not a memory-mapped one: the comparison is speed only."""
    try:
        import faiss
    except ImportError:
        return None
    t0 = time.perf_counter()
    index = faiss.IndexBinaryMultiHash(256, 16, 16)
    index.add(np.ascontiguousarray(words).view(np.uint8))
    index.nflip = RADIUS // 16
    build = time.perf_counter() - t0
    qbytes = np.ascontiguousarray(queries).view(np.uint8).reshape(len(queries), 32)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        lims, _, found = index.range_search(qbytes, RADIUS + 1)
        batched = len(queries) / (time.perf_counter() - t0)
        cpu = len(queries) / (time.process_time() - c0)
        t0 = time.perf_counter()
        for i in range(500):
            index.range_search(qbytes[i : i + 1], RADIUS + 1)
        single = 500 / (time.perf_counter() - t0)
    finally:
        faiss.omp_set_num_threads(threads)
    pairs = {
        (i, int(e)) for i in range(min(sample, len(queries))) for e in found[lims[i] : lims[i + 1]]
    }
    nan = float("nan")
    return {"build": build, "single": single, "batched": batched, "cpu": cpu, "cores": nan,
            "recall": recall(pairs, want), "mb": nan, "peak": nan}  # fmt: skip


def bench_threatexchange(
    words: np.ndarray, queries: np.ndarray, want: set[tuple[int, int]], sample: int, which: str
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
        "cpu": float("nan"),
        "cores": float("nan"),
        "recall": recall(found, {p for p in want if p[0] < min(sample, n)}),
        "mb": mem,
        "peak": float("nan"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bank", type=int, action="append")
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--recall-sample", type=int, default=200)
    ap.add_argument("--te-10m", action="store_true")
    ap.add_argument("--disk-from", type=int, default=20_000_000)
    ap.add_argument("--clustered", action="store_true", help="clustered banks above 10M too")
    ap.add_argument("--tmp", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="batched runs timed, the best kept")
    ap.add_argument("--kind", choices=["random", "clustered"], action="append",
                    help="only these bank kinds (default both)")  # fmt: skip
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    print(
        f"PDQ matching at radius {RADIUS} ({time.strftime('%Y-%m-%d')}); {args.queries:,} queries, half planted"
    )
    print(first_call_cost())
    print(
        f"{'bank':>11} {'kind':>9} {'index':>26} {'build s':>8} {'single/s':>9} {'batched/s':>10} {'/cpu-s':>8} {'2 procs/s':>10} {'recall':>7} {'MB':>7} {'peak MB':>8}"
    )
    for n in args.bank or [1_000_000, 10_000_000]:
        for clustered in (False, True):
            if clustered and n > 10_000_000 and not args.clustered:
                continue
            if args.kind and ("clustered" if clustered else "random") not in args.kind:
                continue
            with tempfile.TemporaryDirectory(prefix="cs-bench-pdq-", dir=args.tmp) as tmp:
                bank = Path(tmp) / "bank.npy" if n >= args.disk_from else None
                words = (
                    write_bank(bank, n, rng, clustered)
                    if bank is not None
                    else random_bank(n, rng, clustered)
                )
                queries = queries_for(words, args.queries, rng)
                want, brute = truth(words, queries[: args.recall_sample])
                runs = bench_counterspell(
                    words, queries, want, args.recall_sample, Path(tmp), bank, args.repeat
                )
                nan = float("nan")
                runs.append(("brute force (faiss flat)", {"build": nan, "single": brute, "batched": brute, "cpu": nan, "cores": nan,
                                             "recall": 1.0, "mb": nan, "peak": nan}))  # fmt: skip
                if n <= 1_000_000 or args.te_10m:
                    r = bench_faiss_mih(words, queries, want, args.recall_sample)
                    if r is not None:
                        runs.append(("faiss MultiHash, batched", r))
                    for which in ("PDQIndex", "PDQIndex2"):
                        if which == "PDQIndex2" and clustered:
                            continue  # a flat scan does not care how hashes cluster
                        r = bench_threatexchange(words, queries, want, args.recall_sample, which)
                        if r is not None:
                            runs.append((f"threatexchange {which}", r))
                del words
            base = runs[0][1]
            for name, r in runs:
                print(f"{n:>11,} {'clustered' if clustered else 'random':>9} {name:>26} {r['build']:>8.1f} "
                      f"{r['single']:>9,.0f} {r['batched']:>10,.0f} {r['cpu']:>8,.0f} {r['cores']:>10,.0f} {r['recall']:>7.4f} {r['mb']:>7,.0f} {r['peak']:>8,.0f}")  # fmt: skip
            for name, r in runs[1:]:
                print(f"{'':>21} counterspell / {name}: single lookups {base['single'] / r['single']:.1f}x, "
                      f"batched {base['batched'] / r['batched']:.1f}x (vs its single {base['batched'] / r['single']:.1f}x), "
                      f"per CPU second {base['cpu'] / r['cpu']:.2f}x, "
                      f"build {base['build'] / r['build']:.2f} of its time")  # fmt: skip
            sys.stdout.flush()


if __name__ == "__main__":
    main()
