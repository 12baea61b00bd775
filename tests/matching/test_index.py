"""The PDQ index against brute force: the out-of-core build, the saved layouts, distances 31/32,
and the compiled kernel against the numpy search (every search test runs on both backends)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterspell.matching import index_build as B
from counterspell.matching import index_kernel
from counterspell.matching.index import Backend, PDQIndex, brute_force, subwords

_NO_NUMBA = pytest.mark.skipif(not index_kernel.available(), reason="numba is not installed")
BACKENDS = [pytest.param("numpy"), pytest.param("kernel", marks=_NO_NUMBA)]


def _available_backends() -> list[Backend]:
    return ["numpy", "kernel"] if index_kernel.available() else ["numpy"]


def _random(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2**64 - 1, (n, 4), dtype=np.uint64, endpoint=True)


def _flip(row: np.ndarray, bits: list[int]) -> np.ndarray:
    out = row.copy()
    for b in bits:
        out[b // 64] ^= np.uint64(1) << np.uint64(63 - b % 64)
    return out


def _triples(m: object) -> list[tuple[int, int, int]]:
    q, e, d = (getattr(m, f).tolist() for f in ("query", "entry", "distance"))
    return sorted(zip(q, e, d, strict=True))


@cache
def _bank() -> tuple[np.ndarray, PDQIndex]:
    """3,000 random hashes, then copies of the first 20 (duplicates are found once each)."""
    words = _random(3000, 7)
    words = np.vstack([words, words[:20]])
    return words, PDQIndex(words, scan=False)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 3019),
    st.sampled_from([0, 1, 2, 3, 10, 11, 21, 22, 30, 31, 32, 33, 40]),
    st.integers(0, 2**32),
    st.integers(0, 31),
)
def test_search_equals_brute_force_around_the_radius(
    backend: Backend, entry: int, flips: int, seed: int, radius: int
) -> None:
    words, index = _bank()
    bits = np.random.default_rng(seed).choice(256, flips, replace=False).tolist()
    query = _flip(words[entry], bits)[None, :]
    got = index.search(query, radius, backend=backend)
    assert _triples(got) == _triples(brute_force(words, query, radius))
    assert (entry in got.entry.tolist()) == (flips <= radius)


@pytest.mark.parametrize("backend", BACKENDS)
def test_distance_31_is_found_and_32_is_not(backend: Backend) -> None:
    words, index = _bank()
    rng = np.random.default_rng(5)
    for entry in range(25, 60):
        bits = rng.choice(256, 32, replace=False).tolist()
        at31, at32 = _flip(words[entry], bits[:31]), _flip(words[entry], bits)
        m = index.search(np.stack([at31, at32]), 31, backend=backend)
        hits = list(zip(m.query.tolist(), m.entry.tolist(), m.distance.tolist(), strict=True))
        assert (0, entry, 31) in hits
        assert all(e != entry for q, e, _ in hits if q == 1)


def test_subwords_read_the_bits_in_order() -> None:
    words = _random(500, 1)
    bits = np.unpackbits(words.astype(">u8").view(np.uint8).reshape(-1, 32), axis=1)
    sub = subwords(words)
    for k, (off, wid) in enumerate(zip(B.OFFSETS, B.WIDTHS, strict=True)):
        want = bits[:, off : off + wid].astype(np.uint64) @ (1 << np.arange(wid - 1, -1, -1))
        assert np.array_equal(sub[:, k], want)
        assert np.array_equal(B.word_column(words, k), want)


def test_folder_build_equals_the_in_memory_one(tmp_path: Path) -> None:
    words = _random(70_000, 2)
    words[5000:5100] = words[0]  # a crowded bucket in every word
    ids = np.arange(len(words), dtype=np.int64) * 3 + 1
    memory = PDQIndex(words, ids)
    np.save(tmp_path / "bank.npy", words)
    from_file = PDQIndex.build(tmp_path / "a", tmp_path / "bank.npy", ids)
    from_array = PDQIndex.build(tmp_path / "b", words)
    assert bool(from_file.starts) and bool(from_array.starts)
    for built in (from_file, from_array):
        assert np.array_equal(built.order, memory.order)
        assert np.array_equal(built.table, memory.table)
        assert np.array_equal(built.words, words)
    # small chunks give the same tables
    order = np.empty_like(memory.order)
    table = np.empty_like(memory.table)
    B.build_tables(
        lambda s, e: words[s:e], len(words), B.array_sink(order), B.array_sink(table), 999
    )
    assert np.array_equal(order, memory.order) and np.array_equal(table, memory.table)
    queries = np.stack([_flip(words[i], list(range(i % 33))) for i in range(0, 70_000, 350)])
    want = brute_force(words, queries, 31)
    for backend in _available_backends():  # one build, both searches
        assert _triples(from_array.search(queries, backend=backend)) == _triples(want)
        got = from_file.search(queries, backend=backend)
        assert np.array_equal(np.sort(got.entry), np.sort(ids[want.entry]))
    assert not (tmp_path / "b" / "ids.npy").exists()  # row numbers are not stored
    assert np.array_equal(from_array.ids, np.arange(len(words)))


def test_small_folder_build_is_scanned(tmp_path: Path) -> None:
    words = _random(300, 4)
    index = PDQIndex.build(tmp_path / "idx", words)
    assert not index.starts
    queries = np.stack([_flip(words[i], list(range(i % 40))) for i in range(60)])
    assert _triples(index.search(queries, 25)) == _triples(brute_force(words, queries, 25))
    assert len(PDQIndex.build(tmp_path / "empty", _random(0, 1)).search(queries).query) == 0


def test_an_older_layout_is_rebuilt_on_load(tmp_path: Path) -> None:
    words = _random(1000, 3)
    folder = tmp_path / "v2"
    folder.mkdir()
    np.save(folder / "words.npy", words)
    np.save(folder / "ids.npy", np.arange(1000, dtype=np.int64) + 100)
    np.save(folder / "order.npy", np.zeros((11, 1000), dtype=np.int32))
    layout = {"version": 2, "widths": list(B.WIDTHS), "scan": False}
    (folder / "layout.json").write_text(json.dumps(layout), encoding="utf-8")
    index = PDQIndex.load(folder)
    query = _flip(words[17], [1, 50, 99])[None, :]
    m = index.search(query)
    assert m.entry.tolist() == [117] and m.distance.tolist() == [3]


@_NO_NUMBA
@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3019), st.integers(0, 40), st.integers(0, 2**32)),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 31),
    st.integers(1, 3),
)
def test_kernel_batches_equal_the_numpy_search_and_brute_force(
    cases: list[tuple[int, int, int]], radius: int, threads: int
) -> None:
    """Batches of queries (0-40 bits from a bank hash, some of them duplicated entries), on one
    thread or several: the kernel's output is the numpy search's, array for array, in order."""
    words, index = _bank()
    queries = np.stack(
        [
            _flip(words[e], np.random.default_rng(s).choice(256, f, replace=False).tolist())
            for e, f, s in cases
        ]
    )
    kernel = index.search(queries, radius, backend="kernel", threads=threads)
    numpy = index.search(queries, radius, backend="numpy")
    for field in ("query", "entry", "distance"):
        got, want = getattr(kernel, field), getattr(numpy, field)
        assert got.dtype == want.dtype and np.array_equal(got, want), field
    assert _triples(kernel) == _triples(brute_force(words, queries, radius))


@_NO_NUMBA
def test_kernel_grows_its_output_for_a_crowded_bucket() -> None:
    """70,000 copies of one hash: a query on it has 70,001 matches, more than the kernel's first
    output arrays hold (a few a query), so it drops that query, grows them and resumes there, after
    the matches of the queries before it and before those after it."""
    words = _random(20_000, 6)
    words = np.vstack([words, np.repeat(words[:1], 70_000, axis=0)])
    index = PDQIndex(words, ids=np.arange(len(words), dtype=np.int64) + 5)
    queries = np.stack([words[3], _flip(words[0], [3, 99]), words[7], _flip(words[0], [1])])
    got = index.search(queries, 31, backend="kernel")
    assert _triples(got) == _triples(index.search(queries, 31, backend="numpy"))
    assert int(np.sum(got.query == 1)) == 70_001 and int(np.sum(got.query == 3)) == 70_001


def test_numpy_search_is_used_without_numba() -> None:
    """With numba not importable the index falls back to the numpy search on its own (and asking
    for the kernel says what to install): run in a fresh interpreter that cannot import numba."""
    code = """
import sys
sys.modules["numba"] = None  # import numba raises ImportError
import numpy as np
from counterspell.matching import index_kernel
from counterspell.matching.index import PDQIndex, brute_force
assert not index_kernel.available()
rng = np.random.default_rng(3)
words = rng.integers(0, 2**64 - 1, (2000, 4), dtype=np.uint64, endpoint=True)
index = PDQIndex(words, scan=False)
calls = []
numpy_batch = PDQIndex._search_batch
PDQIndex._search_batch = lambda self, q, r: calls.append(len(q)) or numpy_batch(self, q, r)
queries = words[:50] ^ np.uint64(0b1011)
got = index.search(queries, 31)
want = brute_force(words, queries, 31)
assert calls and got.entry.tolist() == want.entry.tolist() == list(range(50))
try:
    index.search(queries, 31, backend="kernel")
except RuntimeError as e:
    assert "numba" in str(e)
else:
    raise AssertionError("the kernel ran without numba")
print("numpy fallback")
"""
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "numpy fallback" in done.stdout


def test_the_kernel_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """COUNTERSPELL_NO_NUMBA=1 makes "auto" the numpy search even where numba is installed."""
    words, index = _bank()
    calls: list[int] = []
    numpy_batch = PDQIndex._search_batch

    def spy(self: PDQIndex, q: np.ndarray, radius: int) -> tuple[np.ndarray, ...]:
        calls.append(len(q))
        return numpy_batch(self, q, radius)

    monkeypatch.setattr(PDQIndex, "_search_batch", spy)
    monkeypatch.setenv("COUNTERSPELL_NO_NUMBA", "1")
    index_kernel.available.cache_clear()
    try:
        assert not index_kernel.available()
        got = index.search(words[:5], 31)
    finally:
        monkeypatch.delenv("COUNTERSPELL_NO_NUMBA")
        index_kernel.available.cache_clear()
    assert calls == [5] and sorted(set(got.query.tolist())) == [0, 1, 2, 3, 4]
