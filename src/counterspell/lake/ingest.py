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
import fcntl
import glob
import hashlib
import multiprocessing
import os
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa

from ..adapters import Adapter, Notice, ReadContext, detect, get_adapter
from ..errors import CounterspellError, InputError, Place, UnknownFormatError
from ..models import Post, posts_to_table
from ..textio import Problem, fallback_bytes
from .manifest import InputRecord, Manifest, ProblemRecord, now_iso
from .workspace import Workspace
from .writer import PostsWriter, remove_stale_temp_files

if TYPE_CHECKING:
    from ..executors import Executor

INPUT_EXTENSIONS = (".json", ".jsonl", ".ndjson")
# Files up to this size are mapped in worker processes, one file per task (bigger ones stream here).
PARALLEL_MAX_BYTES = 32 * 1024 * 1024
PARALLEL_MIN_FILES = 4  # below this, starting workers costs more than it saves
EXECUTOR_WINDOW = 64  # files per map on an executor: bounds what the coordinator holds
# Flush early when buffered text grows past this, whatever the post count (long posts).
MAX_BUFFERED_CHARS = 64 * 1024 * 1024
MAX_PROBLEMS_PER_FILE = 10_000


@dataclass
class FileOutcome:
    path: str
    size: int = 0
    sha256: str | None = None
    format: str | None = None
    status: str = "ingested"  # ingested | already | error
    error: str | None = None
    added: int = 0
    duplicates: int = 0
    quarantined: int = 0
    notices: int = 0
    problems: list[ProblemRecord] = field(default_factory=list)
    index: int = -1  # position in the run, which buffered rows use to find their file

    def add_problem(self, kind: str, place: Place, reason: str, snippet: str | None = None) -> None:
        if kind == "quarantine":
            self.quarantined += 1
        else:
            self.notices += 1
        if len(self.problems) < MAX_PROBLEMS_PER_FILE:
            self.problems.append(
                ProblemRecord(
                    kind, place.file, reason, place.line, place.offset, place.record, snippet
                )
            )


@dataclass
class IngestResult:
    run_id: str
    files: list[FileOutcome]

    @property
    def errors(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "error"]

    def by_format(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for f in self.files:
            row = table.setdefault(
                f.format or "(unreadable)",
                dict.fromkeys(
                    ("files", "added", "duplicates", "quarantined", "notices", "errors"), 0
                ),
            )
            row["files"] += 1
            row["added"] += f.added
            row["duplicates"] += f.duplicates
            row["quarantined"] += f.quarantined
            row["notices"] += f.notices
            row["errors"] += f.status == "error"
        return table

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)


class Progress(Protocol):
    def file_started(self, path: str, index: int, total: int) -> None: ...
    def posts_read(self, count: int) -> None: ...
    def file_done(self, outcome: FileOutcome) -> None: ...


class _Quiet:
    def file_started(self, path: str, index: int, total: int) -> None:
        pass

    def posts_read(self, count: int) -> None:
        pass

    def file_done(self, outcome: FileOutcome) -> None:
        pass


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def expand_inputs(paths: list[str]) -> list[str]:
    """Files named, files under folders named (JSON kinds only), and glob matches, in order."""
    out: list[str] = []
    for p in paths:
        if any(ch in p for ch in "*?[") and not os.path.exists(p):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                raise CounterspellError(f"{p}: no files match this pattern")
            out.extend(m for m in matches if os.path.isfile(m))
        elif os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(
                    os.path.join(root, f)
                    for f in sorted(files)
                    if f.lower().endswith(INPUT_EXTENSIONS) and not f.startswith(".")
                )
        elif os.path.isfile(p):
            out.append(p)
        else:
            raise CounterspellError(f"{p}: no such file or folder")
    return list(dict.fromkeys(os.path.abspath(p) for p in out))


def file_sha256(path: str) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


@contextmanager
def ingest_lock(ws: Workspace) -> Iterator[None]:
    """One writer at a time per workspace; a killed writer's lock dies with its process."""
    ws.state.mkdir(parents=True, exist_ok=True)
    with open(ws.state / "ingest.lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CounterspellError(
                f"{ws.root}: another ingest is running in this workspace"
            ) from None
        yield


def resolve_tz(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CounterspellError(
            f"--tz {name!r}: unknown time zone (use an IANA name such as Europe/Berlin)"
        ) from None


def read_items(
    path: str,
    cls: type[Adapter],
    ctx: ReadContext,
    strict: bool,
    add_post: Callable[[Post], None],
    add_problem: Callable[[str, Place, str, str | None], None],
) -> None:
    """Run one adapter over one file, routing posts and problems; in strict mode the first
    problem raises. Shared by the in-process path and the worker processes."""
    before = fallback_bytes()
    try:
        for item in cls().read(path, ctx):
            if isinstance(item, Post):
                add_post(item)
            elif isinstance(item, Problem):
                if strict:
                    raise InputError(item.place, item.reason)
                add_problem("quarantine", item.place, item.reason, item.snippet or None)
            elif isinstance(item, Notice):
                add_problem("notice", item.place, item.message, None)
    except InputError as exc:
        if strict:
            raise
        add_problem(
            "quarantine", exc.place, f"{exc.reason}; the rest of the file was not read", None
        )
    except (OSError, UnicodeError) as exc:
        if strict:
            raise CounterspellError(f"{path}: {exc}") from None
        add_problem(
            "quarantine",
            Place(path),
            f"read failed: {exc}; the rest of the file was not read",
            None,
        )
    latin1 = fallback_bytes() - before
    if latin1:
        add_problem(
            "notice",
            Place(path),
            f"{latin1} bytes were not valid UTF-8 and were read as Latin-1",
            None,
        )


@dataclass
class _WorkerRead:
    """What a worker process sends back for one (small) file."""

    format: str | None = None
    error: str | None = None
    fatal: tuple[Place, str] | None = None  # strict mode: the first problem
    tables: list[tuple[tuple[str, str], pa.Table, int]] = field(default_factory=list)
    problems: list[tuple[str, Place, str, str | None]] = field(default_factory=list)
    posts: int = 0


def _watch_parent(parent_pid: int) -> None:
    """Worker initializer: exit when the ingest process is gone (even after SIGKILL), instead of
    waiting forever on a task queue nobody will fill."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="counterspell-parent-watch").start()


def _read_task(task: tuple[str, str | None, ReadContext, bool]) -> _WorkerRead:
    """:func:`_read_in_worker` as one picklable task for an :class:`Executor`."""
    return _read_in_worker(*task)


def _read_in_worker(path: str, fmt: str | None, ctx: ReadContext, strict: bool) -> _WorkerRead:
    """Map one file to Arrow tables per partition in a worker process (no lake access)."""
    out = _WorkerRead()
    try:
        cls = get_adapter(fmt) if fmt else detect(path)
    except UnknownFormatError as exc:
        out.error = str(exc)
        return out
    except (OSError, UnicodeError) as exc:
        out.error = f"{path}: cannot read: {exc}"
        return out
    out.format = cls.name
    by_key: dict[tuple[str, str], list[Post]] = defaultdict(list)

    def add_problem(kind: str, place: Place, reason: str, snippet: str | None) -> None:
        if len(out.problems) < MAX_PROBLEMS_PER_FILE or kind == "quarantine":
            out.problems.append((kind, place, reason, snippet))

    try:
        read_items(
            path,
            cls,
            ctx,
            strict,
            lambda p: by_key[(p.platform, p.community)].append(p),
            add_problem,
        )
    except InputError as exc:
        out.fatal = (exc.place, exc.reason)
    except CounterspellError as exc:
        out.fatal = (Place(path), str(exc))
    for key, posts in by_key.items():
        chars = sum(len(p.text) + len(p.raw_markup or "") for p in posts)
        out.tables.append((key, posts_to_table(posts), chars))
        out.posts += len(posts)
    return out


class _Ingest:
    def __init__(
        self, ws: Workspace, run_id: str, manifest: Manifest, batch_size: int, progress: Progress
    ) -> None:
        self.ws = ws
        self.run_id = run_id
        self.manifest = manifest
        self.batch_size = batch_size
        self.progress = progress
        self.writer = PostsWriter(ws.dataset("posts"), run_id)
        self.buffer: dict[tuple[str, str], list[Post]] = defaultdict(list)
        self.owners: dict[tuple[str, str], list[int]] = defaultdict(list)
        # tables mapped by worker processes, with the outcome index of their rows
        self.tables: dict[tuple[str, str], list[tuple[pa.Table, int]]] = defaultdict(list)
        self.buffered = 0
        self.buffered_chars = 0
        self.outcomes: list[FileOutcome] = []
        self.pending: list[
            int
        ] = []  # outcomes read to the end, waiting for their posts to be flushed

    def add(self, post: Post, owner: int) -> None:
        key = (post.platform, post.community)
        self.buffer[key].append(post)
        self.owners[key].append(owner)
        self.buffered += 1
        self.buffered_chars += len(post.text) + len(post.raw_markup or "")
        if self.buffered >= self.batch_size or self.buffered_chars >= MAX_BUFFERED_CHARS:
            self.flush()

    def add_table(self, key: tuple[str, str], table: pa.Table, owner: int, chars: int) -> None:
        self.tables[key].append((table, owner))
        self.buffered += table.num_rows
        self.buffered_chars += chars
        if self.buffered >= self.batch_size or self.buffered_chars >= MAX_BUFFERED_CHARS:
            self.flush()

    def _partition_batch(self, key: tuple[str, str]) -> tuple[pa.Table, np.ndarray]:
        parts: list[pa.Table] = []
        owner_parts: list[np.ndarray] = []
        if self.buffer.get(key):
            parts.append(posts_to_table(self.buffer[key]))
            owner_parts.append(np.asarray(self.owners[key], dtype=np.int64))
        for table, owner in self.tables.get(key, []):
            parts.append(table)
            owner_parts.append(np.full(table.num_rows, owner, dtype=np.int64))
        table = parts[0] if len(parts) == 1 else pa.concat_tables(parts)
        return table, np.concatenate(owner_parts)

    def flush(self) -> None:
        nfiles = len(self.outcomes)
        for key in list(dict.fromkeys([*self.buffer, *self.tables])):
            table, owners = self._partition_batch(key)
            result = self.writer.write(key[0], key[1], table)
            added = np.bincount(owners[result.keep], minlength=nfiles)
            dupes = np.bincount(owners[~result.keep], minlength=nfiles)
            for i in np.flatnonzero(added | dupes):
                self.outcomes[i].added += int(added[i])
                self.outcomes[i].duplicates += int(dupes[i])
            # A uid twice in one file (Discord exports repeat ids) is worth a notice; the same
            # post in overlapping files (a thread and its catalog entry) is ordinary.
            rows = np.arange(len(owners))
            twice = np.flatnonzero(
                (result.first_row != rows) & (owners[result.first_row] == owners)
            )
            for row in twice[:100]:
                o = self.outcomes[int(owners[row])]
                uid = table.column("uid")[int(row)].as_py()
                src = table.column("source")[int(row)].as_py() or {}
                o.add_problem(
                    "notice",
                    Place(o.path, line=src.get("line"), record=src.get("record")),
                    f"duplicate post {uid} in this file; kept the first copy",
                )
        self.buffer.clear()
        self.owners.clear()
        self.tables.clear()
        self.buffered = 0
        self.buffered_chars = 0
        done = [self.outcomes[i] for i in self.pending]
        if done:
            self.manifest.commit_inputs(
                (
                    InputRecord(
                        o.sha256 or "",
                        o.path,
                        o.size,
                        o.format or "",
                        o.added,
                        o.duplicates,
                        o.quarantined,
                        o.notices,
                        self.run_id,
                        now_iso(),
                    ),
                    o.problems,
                )
                for o in done
            )
        self.pending.clear()

    def check_file(self, path: str) -> FileOutcome | None:
        """Checksum and manifest look-up; the outcome to read into, or None if nothing to read."""
        outcome = FileOutcome(path, index=len(self.outcomes))
        self.outcomes.append(outcome)
        try:
            outcome.size, outcome.sha256 = file_sha256(path)
        except OSError as exc:
            outcome.status, outcome.error = "error", f"{path}: cannot read: {exc.strerror or exc}"
            return None
        seen = self.manifest.get_input(outcome.sha256)
        if seen is not None:
            outcome.status, outcome.format = "already", seen.format
            outcome.duplicates = seen.posts_added + seen.posts_duplicate
            return None
        return outcome

    def apply_worker_read(self, outcome: FileOutcome, read: _WorkerRead, strict: bool) -> None:
        """Take a worker's tables and problems into the buffers, as if read here."""
        if read.error:
            if strict:
                raise CounterspellError(read.error)
            outcome.status, outcome.error = "error", read.error
            self.progress.file_done(outcome)
            return
        outcome.format = read.format
        for kind, place, reason, snippet in read.problems:
            outcome.add_problem(kind, place, reason, snippet)
        for key, table, chars in read.tables:
            self.add_table(key, table, outcome.index, chars)
        if read.fatal is not None:
            raise InputError(*read.fatal)
        self.progress.posts_read(read.posts)
        self.pending.append(outcome.index)
        self.progress.file_done(outcome)

    def read_file(
        self,
        outcome: FileOutcome,
        adapter_cls: type[Adapter] | None,
        ctx: ReadContext,
        strict: bool,
    ) -> None:
        """Read one file in this process, streaming its posts into the buffers."""
        path = outcome.path
        index = outcome.index
        try:
            cls = adapter_cls or detect(path)
        except UnknownFormatError as exc:
            if strict:
                raise
            outcome.status, outcome.error = "error", str(exc)
            return
        except (OSError, UnicodeError) as exc:
            outcome.status, outcome.error = "error", f"{path}: cannot read: {exc}"
            return
        outcome.format = cls.name
        ctx.sha256 = outcome.sha256
        counter = [0]

        def add_post(post: Post) -> None:
            self.add(post, index)
            counter[0] += 1
            if counter[0] % 10_000 == 0:
                self.progress.posts_read(10_000)

        read_items(path, cls, ctx, strict, add_post, outcome.add_problem)
        self.progress.posts_read(counter[0] % 10_000)
        self.pending.append(index)


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
) -> IngestResult:
    """Ingest files, folders and globs into the workspace's lake.

    Small files are mapped by ``workers`` processes (default: one per CPU) and committed here in
    input order, so the lake is the same whatever the number of workers. With an ``executor``
    (e.g. Dask), small files are mapped on it instead, a window of files at a time: workers only
    parse (they never touch the lake) and this process commits every result, in input order.
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
        job = _Ingest(ws, run_id, manifest, max(1, settings.batch_size), progress)
        status = "failed"
        ctx = ReadContext(
            community=community,
            tz=zone,
            tz_explicit=tz is not None or settings.tz != "UTC",
            run_id=run_id,
        )
        n_workers = settings.workers or os.cpu_count() or 1
        pool: concurrent.futures.ProcessPoolExecutor | None = None
        inflight: collections.deque[tuple[FileOutcome, concurrent.futures.Future[_WorkerRead]]] = (
            collections.deque()
        )

        def settle_one() -> None:
            outcome, future = inflight.popleft()
            job.apply_worker_read(outcome, future.result(), strict)

        window: list[tuple[FileOutcome, tuple[str, str | None, ReadContext, bool]]] = []

        def settle_window() -> None:
            if not window or executor is None:
                return
            reads = executor.map(_read_task, [task for _, task in window])
            for (outcome, _), read in zip(window, reads, strict=True):
                job.apply_worker_read(outcome, read, strict)
            window.clear()

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
                    if len(window) >= EXECUTOR_WINDOW:
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
                    inflight.append(
                        (outcome, pool.submit(_read_in_worker, path, fmt, file_ctx, strict))
                    )
                    while len(inflight) > 2 * n_workers:
                        settle_one()
                    continue
                settle_window()  # keep file order: earlier files' posts come first
                while inflight:
                    settle_one()
                job.read_file(outcome, adapter_cls, dataclasses.replace(ctx), strict)
                progress.file_done(outcome)
            settle_window()
            while inflight:
                settle_one()
            job.flush()
            status = "done"
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            manifest.finish_run(run_id, status)
            manifest.close()
    return IngestResult(run_id, job.outcomes)
