"""The PDQ index's bit layout and its build: words of a hash, and the per-word sorted tables.

A 256-bit hash is cut into 11 words (three of 24 bits, eight of 23), most significant first. For
every word ``k`` the build writes the row numbers sorted by that word (``order``, all words one
after another: ``WORDS * n`` uint32) and a directly addressed table of where each word value's
bucket starts in ``order`` (``table``, the words' tables one after another, ``sum(2^width) + 1``
entries holding positions in ``order``, so bucket ``v`` of word ``k`` is
``order[table[BASES[k] + v] : table[BASES[k] + v + 1]]``).

The build needs neither the hashes nor their words in memory at once: per word it reads the hashes
in chunks, packs ``value << 32 | row`` into one uint64 per hash and sorts those (numpy's vectorised
sort: about a second for 100M on the 2-core machine, against 20 s for a stable ``argsort``), so
its memory is about 12 bytes a hash plus a chunk; rows within a bucket stay in ascending order.
The outputs go to writable arrays or, for an index built straight into a folder, to files written
with ``pwrite`` (so the build does not map, and hold resident, gigabytes of output).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

WIDTHS = (24, 24, 24, 23, 23, 23, 23, 23, 23, 23, 23)  # bits per word, most significant first
WORDS = len(WIDTHS)
OFFSETS = tuple(sum(WIDTHS[:k]) for k in range(WORDS))
BASES = tuple(int(x) for x in np.cumsum([0, *(1 << w for w in WIDTHS)]))  # word k's table slice
CHUNK = 1 << 22  # hashes per read while building: 128 MB of hashes, ~200 MB of temporaries

# per word: which uint64 holds its first bit, the bit's position there, and the word's width
_COL = np.array([o // 64 for o in OFFSETS])
_SHL = np.array([o % 64 for o in OFFSETS], dtype=np.uint64)
_SHR = np.array([64 - w for w in WIDTHS], dtype=np.uint64)

Reader = Callable[[int, int], np.ndarray]  # (start, end) -> hashes[start:end] as (m, 4) uint64
Sink = Callable[[int, np.ndarray], None]  # (offset in elements, values) -> writes them there


def subwords(words: np.ndarray) -> np.ndarray:
    """(n, 4) uint64 hashes to their (n, 11) uint32 words, in one vectorised pass.

    Word ``k`` is bits ``OFFSETS[k]`` onwards of the 256-bit big-endian hash: the uint64 holding
    its first bit shifted left to drop the bits before it, OR the next uint64 shifted right to
    fill in (numpy shifts by 64 give 0, so a word within one uint64 gets nothing from the next),
    then shifted right to its width.
    """
    words = np.asarray(words, dtype=np.uint64)
    padded = np.zeros((len(words), 5), dtype=np.uint64)
    padded[:, :4] = words
    first = padded[:, _COL] << _SHL
    first |= padded[:, _COL + 1] >> (np.uint64(64) - _SHL)
    out: np.ndarray = (first >> _SHR).astype(np.uint32)
    return out


def word_column(words: np.ndarray, k: int) -> np.ndarray:
    """Word ``k`` of every hash in (m, 4) uint64 ``words``, as uint64."""
    i, b, r = int(_COL[k]), _SHL[k], _SHR[k]
    col = words[:, i] << b
    if i + 1 < 4:
        col |= words[:, i + 1] >> (np.uint64(64) - b)
    out: np.ndarray = col >> r
    return out


def table_dtype(n: int) -> type[np.unsignedinteger] | type[np.signedinteger]:
    """Positions in ``order`` (``WORDS * n`` of them) fit uint32 up to 390M hashes."""
    return np.uint32 if WORDS * n < 2**32 else np.int64


def build_tables(
    read: Reader, n: int, put_order: Sink, put_table: Sink, chunk: int = CHUNK
) -> None:
    """Sort the rows by each word and write ``order`` and ``table`` through the sinks."""
    if n >= 2**32:
        raise ValueError(f"{n:,} hashes: at most 2^32 - 1 in one index")
    tdt = table_dtype(n)
    key = np.empty(n, dtype=np.uint64)
    for k, wid in enumerate(WIDTHS):
        counts = np.zeros(1 << wid, dtype=np.int64)
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            col = word_column(read(s, e), k)
            counts += np.bincount(col, minlength=1 << wid)
            np.left_shift(col, np.uint64(32), out=key[s:e])
            key[s:e] |= np.arange(s, e, dtype=np.uint64)
        key.sort()  # by word value, then row
        base = k * n
        for s in range(0, n, chunk):
            put_order(base + s, (key[s : s + chunk] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        starts = np.empty(1 << wid, dtype=np.int64)
        starts[0] = base
        np.cumsum(counts[:-1], out=starts[1:])
        starts[1:] += base
        put_table(BASES[k], starts.astype(tdt))
    put_table(BASES[-1], np.array([WORDS * n], dtype=tdt))


def array_sink(out: np.ndarray) -> Sink:
    def put(offset: int, values: np.ndarray) -> None:
        out[offset : offset + len(values)] = values

    return put


def npy_file(path: Path, dtype: type[np.generic], shape: tuple[int, ...]) -> tuple[int, int]:
    """Create an .npy file of ``shape`` (sparse until written); its open fd and data offset."""
    mm = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
    offset = int(mm.offset)
    del mm  # nothing was touched: the file is a header and a hole
    return os.open(path, os.O_RDWR), offset


def file_sink(fd: int, data_offset: int, itemsize: int) -> Sink:
    def put(offset: int, values: np.ndarray) -> None:
        buf = np.ascontiguousarray(values).data.cast("B")
        at = data_offset + offset * itemsize
        while buf:
            done = os.pwrite(fd, buf, at)
            buf, at = buf[done:], at + done

    return put


def npy_reader(path: Path) -> tuple[int, Reader]:
    """Rows of an (n, 4) uint64 .npy file read in chunks with plain reads (nothing mapped)."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = header(f)
        offset = f.tell()
    if len(shape) != 2 or shape[1] != 4 or fortran or dtype != np.dtype("<u8"):
        raise ValueError(f"{path}: want (n, 4) little-endian uint64 rows, got {shape} {dtype}")

    def read(s: int, e: int) -> np.ndarray:
        flat = np.fromfile(path, dtype=np.uint64, count=(e - s) * 4, offset=offset + s * 32)
        return flat.reshape(-1, 4)

    return int(shape[0]), read
