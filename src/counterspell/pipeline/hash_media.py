"""``counterspell hash-media``: hash every media item of the lake once, into the ``media`` dataset.

One row per (post, attachment): the MD5 the platform reported (4chan's, even without a file),
and for files that the export contains, MD5, SHA-256 and PDQ with quality. Bytes are read in place
and never copied into the workspace. Incremental: attachments already hashed are skipped; a file
seen under two posts (a repost inside one export) is hashed once per run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from ..executors import Executor, LocalExecutor
from ..lake.datasets import MEDIA_SCHEMA
from ..lake.query import arrow_batches, communities, connect, partition_sql, posts_relation_sql
from ..lake.workspace import Workspace
from ..lake.writer import isin_sorted, partition_dir, stored_hashes, write_atomic
from ..matching.hashing import FileHashes, hash_file
from ..models import uid_hash

BATCH = 5_000
PARALLEL_MIN_ITEMS = 2_000  # posts with media, below which one process hashes everything
SHARD_MIN_ITEMS = 5_000  # posts with media below which a community is never split


MAX_ERROR_EXAMPLES = 5


@dataclass
class HashMediaResult:
    items: int = 0
    files_hashed: int = 0  # files read and hashed (each once); those that failed are errors
    errors: int = 0
    skipped: int = 0
    # the first few files that could not be hashed and why; every error is in the media
    # dataset's ``error`` column (``counterspell export media``)
    error_examples: list[tuple[str, str]] = field(default_factory=list)

    def add(self, part: HashMediaResult) -> None:
        self.items += part.items
        self.files_hashed += part.files_hashed
        self.errors += part.errors
        self.skipped += part.skipped
        room = MAX_ERROR_EXAMPLES - len(self.error_examples)
        self.error_examples.extend(part.error_examples[: max(0, room)])


def hash_media(
    ws: Workspace, *, workers: int | None = None, executor: Executor | None = None
) -> HashMediaResult:
    """Hash every attachment not hashed yet (local processes, or the workers of a Dask cluster
    with ``executor``); each task writes its own files into its community's partition.

    A task is a community, or a shard of a large one: with one task per community, the largest
    (a board is often half of a lake) kept one worker busy long after the others had finished.
    Shards split a community by file path, so a file seen under two posts is still hashed once;
    the largest tasks go first."""
    result = HashMediaResult()
    if not ws.has_data("posts"):
        return result
    partitions = communities(ws, "len(media) > 0")  # posts with media: enough to size the work
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    n = workers or ws.settings.workers or os.cpu_count() or 1
    if executor is not None:
        n = max(n, getattr(executor, "workers", 0) or 0)
    # processes only when there is enough to hash to pay for starting them
    parallel = len(partitions) > 1 and sum(int(k) for *_, k in partitions) >= PARALLEL_MIN_ITEMS
    tasks = _tasks(ws, [(str(p), str(c), int(k)) for p, c, k in partitions], run,
                   n if parallel or executor is not None else 1)  # fmt: skip
    runner = executor or LocalExecutor(min(n, len(tasks)) if parallel else 1)
    for part in runner.map(_hash_job, tasks):
        result.add(part)
    return result


_Task = tuple[Workspace, str, str, str, int, int]


def _tasks(ws: Workspace, partitions: list[tuple[str, str, int]], run: str, n: int) -> list[_Task]:
    """About two tasks per worker: communities larger than that share split into shards."""
    total = sum(k for *_, k in partitions)
    share = max(SHARD_MIN_ITEMS, -(-total // (2 * n))) if n > 1 else total + 1
    sized: list[tuple[float, _Task]] = []
    for platform, community, k in partitions:
        shards = max(1, min(4 * n, -(-k // share)))
        for shard in range(shards):
            sized.append((k / shards, (ws, platform, community, run, shard, shards)))
    sized.sort(key=lambda t: -t[0])  # stable: the partitions' order among equals
    return [task for _, task in sized]


def _hash_job(job: _Task) -> HashMediaResult:
    return _hash_partition(*job)


def _hash_partition(
    ws: Workspace, platform: str, community: str, run: str, shard: int = 0, shards: int = 1
) -> HashMediaResult:
    """One community's attachments, or those of its ``shard`` of ``shards`` (by the file's path,
    or the post when there is no file); a file seen under two posts is hashed once."""
    result = HashMediaResult()
    con = connect()
    rel = partition_sql(ws, "posts", platform, community) or posts_relation_sql(ws)
    cache: dict[str, FileHashes] = {}
    directory = partition_dir(ws.dataset("media"), platform, community)
    done = stored_hashes(directory, "key_hash")
    sql = f"""SELECT uid, created_at, idx - 1 AS media_index, item.name AS name, item.path AS path, item.md5 AS md5
              FROM (SELECT uid, created_at, unnest(media) AS item, generate_subscripts(media, 1) AS idx FROM {rel}
                    WHERE platform = $1 AND community = $2)
              WHERE $3 = 1 OR hash(coalesce(item.path, uid)) % $3 = $4
              ORDER BY created_at, uid, media_index"""
    name = f"part-{run}" + (f"-s{shard:03d}" if shards > 1 else "")
    seq = 0
    for batch in arrow_batches(con, sql, [platform, community, shards, shard], BATCH):
        cols = batch.to_pydict()
        keys = np.array(
            [uid_hash(f"{u}#{i}") for u, i in zip(cols["uid"], cols["media_index"], strict=True)],
            dtype=np.int64,
        )
        new = ~isin_sorted(keys, done)
        result.skipped += int((~new).sum())
        rows: dict[str, list[Any]] = {f.name: [] for f in MEDIA_SCHEMA}
        now = datetime.now(UTC)
        for i in np.flatnonzero(new):
            path = cols["path"][i]
            h: FileHashes | None = None
            if path:
                h = cache.get(path)
                if h is None:
                    h = cache[path] = hash_file(path)
                    result.files_hashed += h.error is None  # a file that failed is an error only
                    if len(cache) > 100_000:
                        cache.clear()
                if h.error is not None:
                    result.errors += 1
                    if len(result.error_examples) < MAX_ERROR_EXAMPLES:
                        result.error_examples.append((path, h.error))
            values = {
                "uid": cols["uid"][i], "media_index": cols["media_index"][i], "key_hash": int(keys[i]),
                "platform": platform, "community": community, "created_at": cols["created_at"][i],
                "name": cols["name"][i], "path": path, "reported_md5": cols["md5"][i],
                "md5": h.md5 if h else None, "sha256": h.sha256 if h else None, "pdq": h.pdq if h else None,
                "pdq_quality": h.pdq_quality if h else None, "error": h.error if h else None, "hashed_at": now,
                "provenance": orjson.dumps(h.provenance).decode() if h and h.provenance else None,
                "vpdq": h.vpdq if h else None, "skipped": h.skipped if h else None,
            }  # fmt: skip
            for k, v in values.items():
                rows[k].append(v)
        if rows["uid"]:
            seq += 1
            write_atomic(
                pa.Table.from_pydict(rows, schema=MEDIA_SCHEMA),
                directory,
                f"{name}-{seq:06d}.parquet",
            )
            result.items += len(rows["uid"])
    return result
