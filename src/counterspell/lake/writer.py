"""Atomic, deduplicating writes of post batches into the partitioned ``posts`` dataset.

Layout: ``lake/posts/platform=<p>/community=<c>/part-<run>-<seq>.parquet``. A file appears only
whole (see :mod:`.storage`: an fsynced temp file renamed locally, a completed upload on an
object store), so a crash leaves whole files or nothing. Each partition keeps a sorted array of the 64-bit uid digests already stored (8 bytes a
post, loaded lazily from the ``uid_hash`` column), which makes re-ingest and resume exact without
holding uid strings in memory.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ..models import POST_SCHEMA
from .storage import LakePath, fsync_dir

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


def partition_dir(dataset: LakePath, platform: str, community: str) -> LakePath:
    """The folder of one platform/community partition of a dataset."""
    return (
        dataset
        / partition_dir_name("platform", platform)
        / partition_dir_name("community", community)
    )


def stored_hashes(directory: LakePath, column: str) -> np.ndarray:
    """Sorted distinct int64 digests in one column of every Parquet part in ``directory``."""
    parts = [
        f.read_table(columns=[column]).column(0).to_numpy()
        for f in directory.glob("*.parquet")
        if not f.name.startswith(".tmp-")
    ]
    return (
        np.unique(np.concatenate(parts)).astype(np.int64, copy=False)
        if parts
        else np.empty(0, dtype=np.int64)
    )


def write_atomic(table: pa.Table, directory: LakePath, name: str) -> LakePath:
    """Write a Parquet file so that it either exists whole under ``name`` or not at all."""
    final = directory / name
    final.write_parquet(table)
    return final


def remove_stale_temp_files(dataset: LakePath) -> int:
    """Temp files left by a killed writer; call only while holding the ingest lock.

    Object stores have none: an upload cut short never becomes an object (a bucket lifecycle
    rule should abort incomplete multipart uploads).
    """
    count = 0
    if dataset.is_local and dataset.exists():
        for pattern in (".tmp-*.partial", ".tmp-*.parquet"):  # the second: older versions
            for tmp in dataset.local.rglob(pattern):
                tmp.unlink(missing_ok=True)
                count += 1
    return count


@dataclass(slots=True)
class _Partition:
    directory: LakePath
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

    def __init__(self, dataset: LakePath, run_id: str) -> None:
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
            # merged in place of np.union1d, which sorts everything added so far again at each
            # batch (these digests are distinct and not in ``added`` already)
            new = np.sort(hashes[keep])
            part.added = np.insert(part.added, np.searchsorted(part.added, new), new)
        return BatchResult(keep=keep, in_lake=int(in_stored.sum()), first_row=first_idx[inverse])


def isin_sorted(values: np.ndarray, sorted_arr: np.ndarray) -> np.ndarray:
    """Membership of each value in a sorted array (vectorised, no Python loop)."""
    if len(sorted_arr) == 0:
        return np.zeros(len(values), dtype=bool)
    idx = np.searchsorted(sorted_arr, values)
    idx[idx == len(sorted_arr)] = 0
    return np.asarray(sorted_arr[idx] == values)


LEFTOVER_AGE_S = 24 * 3600  # a build or old copy this old was left by a killed run


class DerivedDataset:
    """A dataset that a stage rebuilds whole (campaigns, actors, bridges...), swapped in at once.

    Files are written into a hidden folder in ``root`` (default: beside the dataset; a dataset
    nested in another, like one bank's matches, passes the lake, so that neither a build in
    progress nor one a crash left behind is inside a dataset that readers glob). Locally,
    :meth:`commit` moves the old dataset aside and the new one into place with two renames; on
    an object store it copies each new file over the old object of the same name (derived
    datasets are one file) and then drops objects the new build does not have. Readers see the
    old results or the new ones, never a mix, and a crash mid-build leaves the old results
    intact; what the crash left (a build, an old copy) is removed by a later build of the same
    dataset once it is a day old, which no build in progress is.
    """

    def __init__(self, dataset: LakePath, root: LakePath | None = None) -> None:
        self.dataset = dataset
        self.root = root or dataset.parent
        self._remove_leftovers()
        self.staging = self.root / f".build-{dataset.name}-{uuid.uuid4().hex[:8]}"
        self.staging.mkdir()

    def _remove_leftovers(self) -> None:
        name = self.dataset.name
        for prefix in (".build-", ".old-"):
            for left in self.root.glob(f"{prefix}{name}-*"):
                age = left.age_s()
                if age is not None and age > LEFTOVER_AGE_S:
                    left.rmtree()

    def path(self, name: str = "part-000000.parquet") -> LakePath:
        return self.staging / name

    def commit(self) -> None:
        if not self.dataset.is_local:
            built = self.staging.glob("*.parquet")
            names = {f.name for f in built}
            for f in built:
                f.copy_to(self.dataset / f.name)
            for stale in self.dataset.rglob("*.parquet"):
                if stale.parent != self.dataset or stale.name not in names:
                    stale.unlink()
            self.staging.rmtree()
            return
        import shutil

        dataset, staging = self.dataset.local, self.staging.local
        old = self.root.local / f".old-{dataset.name}-{uuid.uuid4().hex[:8]}"
        if dataset.exists():
            os.replace(dataset, old)
        dataset.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, dataset)
        fsync_dir(dataset.parent)
        shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        self.staging.rmtree()

    def replace_with(self, table: pa.Table) -> None:
        """The whole dataset becomes ``table`` (one file), or stays as it was on any failure."""
        try:
            self.path().write_parquet(table)
            self.commit()
        except BaseException:
            self.abandon()
            raise
