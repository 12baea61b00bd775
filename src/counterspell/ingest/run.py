"""``counterspell ingest``: inputs -> adapters -> Post batches -> the lake, with a manifest.

Guarantees (each has a test):

* **atomic**: Parquet files appear whole (temp file + rename); a file is recorded in the manifest
  only after all its posts are durably written, in one transaction with its quarantine entries;
* **idempotent**: an input whose SHA-256 is in the manifest is skipped, and every post is
  deduplicated by uid against the lake, so the same data twice adds nothing;
* **resumable**: after a crash, files not in the manifest are read again and the posts already
  written are recognised as duplicates, so a rerun ends with exactly what a clean run gives;
* **bounded memory**: adapters stream; at most ``batch_size`` posts are buffered.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import multiprocessing
import os
from typing import TYPE_CHECKING

from ..adapters import ReadContext, get_adapter
from ..lake.manifest import Manifest
from ..lake.registry import add_export_names, export_names
from ..lake.workspace import Workspace
from ..lake.writer import remove_stale_temp_files

if TYPE_CHECKING:
    from ..executors import Executor
from .inputs import expand_inputs, ingest_lock, new_run_id, resolve_tz
from .reading import (
    EXECUTOR_WINDOW,
    EXECUTOR_WINDOW_BYTES,
    PARALLEL_MAX_BYTES,
    PARALLEL_MIN_FILES,
    _BatchRead,
    _read_batch_in_worker,
    _watch_parent,
)
from .results import FileOutcome, IngestResult, Progress, _Quiet
from .session import _Ingest

# Small files go to a worker this many (or this many bytes) at a time: one task, one table back.
# Each batch pays some 50 Arrow calls whatever its size: 4chan threads read column-wise took 1.0 s
# a 100k posts in batches of 16 files, 0.7 s in 64, 0.6 s in 256. Fewer files than that are spread
# over two batches a worker, so that every worker has some.
BATCH_FILES = 256
BATCH_BYTES = 16 * 1024 * 1024


def ingest(
    ws: Workspace,
    paths: list[str],
    *,
    fmt: str | None = None,
    strict: bool = False,
    community: str | None = None,
    tz: str | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    again: bool = False,
) -> IngestResult:
    """Ingest files, folders and globs into the workspace's lake.

    Small files are mapped by ``workers`` processes (default: one per CPU) and committed here in
    input order, so the lake is the same whatever the number of workers. With an ``executor``
    (e.g. Dask), small files are mapped on it instead, a window of files at a time: workers only
    parse (they never touch the lake) and this process commits every result, in input order.
    ``again`` reads files the manifest already has (posts already in the lake are skipped as
    duplicates, as always), for a file first read with the wrong ``--format`` or an older adapter.
    """
    settings = ws.settings.with_overrides(tz=tz, batch_size=batch_size, workers=workers)
    files = expand_inputs(paths)
    adapter_cls = get_adapter(fmt) if fmt else None
    zone = resolve_tz(settings.tz)
    progress = progress or _Quiet()
    run_id = new_run_id()
    with ingest_lock(ws):
        remove_stale_temp_files(ws.dataset("posts"))
        manifest = Manifest(ws.manifest_path)
        manifest.start_run(run_id, "ingest " + " ".join(paths))
        job = _Ingest(ws, run_id, manifest, max(1, settings.batch_size), progress, again=again)
        status = "failed"
        ctx = ReadContext(
            community=community,
            tz=zone,
            tz_explicit=tz is not None or settings.tz != "UTC",
            run_id=run_id,
        )
        n_workers = settings.workers or os.cpu_count() or 1
        batch_files = max(1, min(BATCH_FILES, -(-len(files) // (2 * n_workers))))
        pool: concurrent.futures.ProcessPoolExecutor | None = None
        inflight: collections.deque[
            tuple[list[FileOutcome], concurrent.futures.Future[_BatchRead]]
        ] = collections.deque()
        batch: list[tuple[FileOutcome, tuple[str, str | None, ReadContext, bool]]] = []
        batch_bytes = [0]

        def submit_batch() -> None:
            if not batch:
                return
            assert pool is not None
            tasks = [task for _, task in batch]
            inflight.append(([o for o, _ in batch], pool.submit(_read_batch_in_worker, tasks)))
            batch.clear()
            batch_bytes[0] = 0
            while len(inflight) > 2 * n_workers:
                settle_one()

        def settle_one() -> None:
            outcomes, future = inflight.popleft()
            read = future.result()
            for outcome, one in zip(outcomes, read.reads, strict=True):
                job.apply_worker_read(outcome, one, strict, read.table)

        window: list[tuple[FileOutcome, tuple[str, str | None, ReadContext, bool]]] = []
        window_bytes = [0]

        def settle_window() -> None:
            """The window's files mapped on the executor in batches (as the local workers map
            them: 4chan threads column-wise, one table back per batch), committed in order."""
            if not window or executor is None:
                return
            tasks = [task for _, task in window]
            workers = getattr(executor, "workers", None) or n_workers
            size = max(1, min(BATCH_FILES, -(-len(tasks) // (2 * workers))))
            chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
            outcomes = iter([outcome for outcome, _ in window])
            for read in executor.map(_read_batch_in_worker, chunks):
                for one in read.reads:
                    job.apply_worker_read(next(outcomes), one, strict, read.table)
            window.clear()
            window_bytes[0] = 0

        try:
            for i, path in enumerate(files):
                progress.file_started(path, i, len(files))
                outcome = job.check_file(path)
                if outcome is None:
                    progress.file_done(job.outcomes[-1])
                    continue
                small = outcome.size <= PARALLEL_MAX_BYTES
                if executor is not None and small:
                    file_ctx = dataclasses.replace(ctx, sha256=outcome.sha256)
                    window.append((outcome, (path, fmt, file_ctx, strict)))
                    window_bytes[0] += outcome.size
                    if len(window) >= EXECUTOR_WINDOW or window_bytes[0] >= EXECUTOR_WINDOW_BYTES:
                        settle_window()
                    continue
                if n_workers > 1 and small and len(files) >= PARALLEL_MIN_FILES:
                    if pool is None:
                        pool = concurrent.futures.ProcessPoolExecutor(
                            max_workers=n_workers,
                            mp_context=multiprocessing.get_context("spawn"),
                            initializer=_watch_parent,
                            initargs=(os.getpid(),),
                        )
                    file_ctx = dataclasses.replace(ctx, sha256=outcome.sha256)
                    batch.append((outcome, (path, fmt, file_ctx, strict)))
                    batch_bytes[0] += outcome.size
                    if len(batch) >= batch_files or batch_bytes[0] >= BATCH_BYTES:
                        submit_batch()
                    continue
                settle_window()  # keep file order: earlier files' posts come first
                submit_batch()
                while inflight:
                    settle_one()
                job.read_file(outcome, adapter_cls, dataclasses.replace(ctx), strict)
                progress.file_done(outcome)
            settle_window()
            submit_batch()
            while inflight:
                settle_one()
            job.flush()
            # names the exports give their communities, where the registry has none
            add_export_names(ws, export_names(ws, run_id))
            status = "done"
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            manifest.finish_run(run_id, status)
            manifest.close()
    return IngestResult(run_id, job.outcomes)
