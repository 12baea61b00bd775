"""Atomic, deduplicating writes of post batches into the partitioned ``posts`` dataset.

Layout: ``lake/posts/platform=<p>/community=<c>/part-<run>-<seq>.parquet``. A file appears only
by ``os.replace`` of a fully written and fsynced temp file, so a crash leaves whole files or
nothing. Each partition keeps a sorted array of the 64-bit uid digests already stored (8 bytes a
post, loaded lazily from the ``uid_hash`` column), which makes re-ingest and resume exact without
holding uid strings in memory.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..models import POST_SCHEMA

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def partition_dir_name(key: str, value: str) -> str:
    """A folder name for a partition value; reversible percent-encoding of anything unusual."""
    safe = (
        _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), value)
        or "%00"
    )
    if safe.startswith("."):
        safe = "%2E" + safe[1:]
    return f"{key}={safe}"


def partition_dir(dataset: Path, platform: str, community: str) -> Path:
    """The folder of one platform/community partition of a dataset."""
    return (
        dataset
        / partition_dir_name("platform", platform)
        / partition_dir_name("community", community)
    )


def stored_hashes(directory: Path, column: str) -> np.ndarray:
    """Sorted distinct int64 digests in one column of every Parquet part in ``directory``."""
    if not directory.exists():
        return np.empty(0, dtype=np.int64)
    parts = [
        pq.read_table(f, columns=[column]).column(0).to_numpy()
        for f in sorted(directory.glob("*.parquet"))
        if not f.name.startswith(".tmp-")
    ]
    return (
        np.unique(np.concatenate(parts)).astype(np.int64, copy=False)
        if parts
        else np.empty(0, dtype=np.int64)
    )


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(table: pa.Table, directory: Path, name: str) -> Path:
    """Write a Parquet file so that it either exists whole under ``name`` or not at all."""
    directory.mkdir(parents=True, exist_ok=True)
    # not "*.parquet": a reader globbing the dataset must never see a half-written file
    tmp = directory / f".tmp-{uuid.uuid4().hex}.partial"
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    final = directory / name
    os.replace(tmp, final)
    fsync_dir(directory)
    return final


def remove_stale_temp_files(dataset: Path) -> int:
    """Temp files left by a killed writer; call only while holding the ingest lock."""
    count = 0
    if dataset.exists():
        for pattern in (".tmp-*.partial", ".tmp-*.parquet"):  # the second: older versions
            for tmp in dataset.rglob(pattern):
                tmp.unlink(missing_ok=True)
                count += 1
    return count


@dataclass(slots=True)
class _Partition:
    directory: Path
    stored: np.ndarray  # sorted int64 uid digests already in the lake before this run
    added: np.ndarray = field(
        default_factory=lambda: np.empty(0, dtype=np.int64)
    )  # sorted, this run


@dataclass(slots=True)
class BatchResult:
    keep: np.ndarray  # boolean mask over the batch rows that were written
    in_lake: int  # rows already stored by an earlier run
    first_row: np.ndarray  # for every row, the row of the batch where its uid first appears


class PostsWriter:
    """Writes batches for one ``posts`` dataset; one instance per ingest run."""

    def __init__(self, dataset: Path, run_id: str) -> None:
        self.dataset = dataset
        self.run_id = run_id
        self._parts: dict[tuple[str, str], _Partition] = {}
        self._seq = 0

    def _partition(self, platform: str, community: str) -> _Partition:
        key = (platform, community)
        part = self._parts.get(key)
        if part is None:
            directory = partition_dir(self.dataset, platform, community)
            part = self._parts[key] = _Partition(directory, stored_hashes(directory, "uid_hash"))
        return part

    def write(self, platform: str, community: str, table: pa.Table) -> BatchResult:
        """Write the rows of ``table`` whose uid is new; report the ones that were not."""
        part = self._partition(platform, community)
        hashes = table.column("uid_hash").to_numpy()
        _, first_idx, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        first = np.zeros(len(hashes), dtype=bool)
        first[first_idx] = True
        in_stored = isin_sorted(hashes, part.stored)
        in_added = isin_sorted(hashes, part.added)
        keep = first & ~in_stored & ~in_added
        if keep.any():
            self._seq += 1
            out = table.filter(pa.array(keep)) if not keep.all() else table
            write_atomic(
                out.cast(POST_SCHEMA), part.directory, f"part-{self.run_id}-{self._seq:06d}.parquet"
            )
            part.added = np.union1d(part.added, hashes[keep])
        return BatchResult(keep=keep, in_lake=int(in_stored.sum()), first_row=first_idx[inverse])


def isin_sorted(values: np.ndarray, sorted_arr: np.ndarray) -> np.ndarray:
    """Membership of each value in a sorted array (vectorised, no Python loop)."""
    if len(sorted_arr) == 0:
        return np.zeros(len(values), dtype=bool)
    idx = np.searchsorted(sorted_arr, values)
    idx[idx == len(sorted_arr)] = 0
    return np.asarray(sorted_arr[idx] == values)


class DerivedDataset:
    """A dataset that a stage rebuilds whole (campaigns, actors, bridges...), swapped in at once.

    Files are written into a hidden folder beside the dataset; :meth:`commit` moves the old
    dataset aside and the new one into place with two renames, so readers see the old results or
    the new ones, never a mix, and a crash mid-build leaves the old results intact.
    """

    def __init__(self, dataset: Path) -> None:
        self.dataset = dataset
        self.staging = dataset.parent / f".build-{dataset.name}-{uuid.uuid4().hex[:8]}"
        self.staging.mkdir(parents=True)

    def path(self, name: str = "part-000000.parquet") -> Path:
        return self.staging / name

    def commit(self) -> None:
        import shutil

        old = self.dataset.parent / f".old-{self.dataset.name}-{uuid.uuid4().hex[:8]}"
        if self.dataset.exists():
            os.replace(self.dataset, old)
        os.replace(self.staging, self.dataset)
        fsync_dir(self.dataset.parent)
        shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        import shutil

        shutil.rmtree(self.staging, ignore_errors=True)
