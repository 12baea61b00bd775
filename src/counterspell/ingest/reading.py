"""Reading one input file through its adapter, here or in a worker process, into Post batches and problems."""

from __future__ import annotations

import codecs
import gc
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..adapters import Adapter, Notice, ReadContext, detect, get_adapter
from ..errors import CounterspellError, InputError, Place, UnknownFormatError
from ..models import Post, posts_to_table
from ..textio import Problem, fallback_bytes, sniff_encoding

if TYPE_CHECKING:
    pass
from .results import MAX_PROBLEMS_PER_FILE

# Files up to this size are mapped in worker processes, one file per task (bigger ones stream here).
PARALLEL_MAX_BYTES = 32 * 1024 * 1024


PARALLEL_MIN_FILES = 4  # below this, starting workers costs more than it saves


# Files (and bytes) per map on an executor: bounds what the coordinator holds at once, while
# leaving each worker a few batches of small files
EXECUTOR_WINDOW = 512
EXECUTOR_WINDOW_BYTES = 256 * 1024 * 1024


# Flush early when buffered text grows past this, whatever the post count (long posts).
MAX_BUFFERED_CHARS = 64 * 1024 * 1024


def read_items(
    path: str,
    cls: type[Adapter],
    ctx: ReadContext,
    strict: bool,
    add_post: Callable[[Post], None],
    add_problem: Callable[[str, Place, str, str | None], None],
    add_table: Callable[[tuple[str, str], pa.Table, int], None],
) -> None:
    """Run one adapter over one file, routing posts (or whole tables, from a bulk read) and
    problems; in strict mode the first problem raises. Shared by the in-process path and the
    worker processes.

    The cyclic garbage collector is paused meanwhile: parsed JSON and mapped rows hold no cycles,
    yet its passes over millions of fresh dicts and lists took half the time of a Discord ingest.
    """
    adapter = cls()
    with paused_gc():
        given = _read_bulk(adapter, path, ctx, add_problem, add_table)
        if given is not None:
            _read_streaming(adapter, path, ctx, strict, add_post, add_problem, given)


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic collector off for a block (reference counting still frees everything else)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_bulk(
    adapter: Adapter,
    path: str,
    ctx: ReadContext,
    add_problem: Callable[[str, Place, str, str | None], None],
    add_table: Callable[[tuple[str, str], pa.Table, int], None],
) -> int | None:
    """Route a bulk read; None when it read the whole file, else how many posts it gave as
    tables before stopping (0: none, or no bulk reader), which the streaming read skips."""
    try:
        bulk = adapter.read_bulk(path, ctx)
        tables = None if bulk is None else iter(bulk.tables)
    except Exception:  # any surprise: the streaming reader is the reference, and says where
        return 0
    if bulk is None or tables is None:
        return 0
    given = 0
    while True:
        try:
            key, table = next(tables)
        except StopIteration:
            break
        except Exception:  # a stretch to quarantine (slabs.GiveUp) or a surprise: stream the rest
            return given
        add_table(key, table, table_chars(table))
        given += table.num_rows
    for notice in bulk.notices:
        add_problem("notice", notice.place, notice.message, None)
    return None


def _read_streaming(
    adapter: Adapter,
    path: str,
    ctx: ReadContext,
    strict: bool,
    add_post: Callable[[Post], None],
    add_problem: Callable[[str, Place, str, str | None], None],
    skip: int,
) -> None:
    """The streaming reader over the file, its first ``skip`` posts dropped (a bulk read gave
    them already: both readers give the same posts in the same order)."""
    before = fallback_bytes()
    try:
        for item in adapter.read(path, ctx):
            if isinstance(item, Post):
                if skip:
                    skip -= 1
                    continue
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


def table_chars(table: pa.Table) -> int:
    """Characters of text and markup in a table, as ``len(text) + len(raw_markup)`` per post."""
    total = 0
    for name in ("text", "raw_markup"):
        total += pc.sum(pc.utf8_length(table.column(name))).as_py() or 0
    return total


@dataclass
class _WorkerRead:
    """What a worker process sends back for one (small) file."""

    format: str | None = None
    error: str | None = None
    fatal: tuple[Place, str] | None = None  # strict mode: the first problem
    tables: list[tuple[tuple[str, str], pa.Table, int]] = field(default_factory=list)
    problems: list[tuple[str, Place, str, str | None]] = field(default_factory=list)
    posts: int = 0
    forced: bool = False  # read with --format rather than detected
    # read column-wise with other files: (partition, start, count, chars) in the batch's table
    span: tuple[tuple[str, str], int, int, int] | None = None


@dataclass
class _BatchRead:
    """What a worker sends back for a batch of small files: one table for the files an adapter
    read together (:meth:`FourchanJson.read_many`), sliced per file by ``span`` on arrival, and
    one :class:`_WorkerRead` per file, in order. One table rather than one per file: building and
    sending a table per 150-post thread cost more than mapping its posts."""

    table: pa.Table | None
    reads: list[_WorkerRead]


def _watch_parent(parent_pid: int) -> None:
    """Worker initializer: exit when the ingest process is gone (even after SIGKILL), instead of
    waiting forever on a task queue nobody will fill."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="counterspell-parent-watch").start()


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
    out.forced = fmt is not None
    by_key: dict[tuple[str, str], list[Post]] = defaultdict(list)
    bulk_tables: list[tuple[tuple[str, str], pa.Table, int]] = []

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
            lambda key, table, chars: bulk_tables.append((key, table, chars)),
        )
    except InputError as exc:
        out.fatal = (exc.place, exc.reason)
    except CounterspellError as exc:
        out.fatal = (Place(path), str(exc))
    for key, table, chars in bulk_tables:
        out.tables.append((key, table, chars))
        out.posts += table.num_rows
    for key, posts in by_key.items():
        chars = sum(len(p.text) + len(p.raw_markup or "") for p in posts)
        out.tables.append((key, posts_to_table(posts), chars))
        out.posts += len(posts)
    return out


def _read_batch_in_worker(tasks: list[tuple[str, str | None, ReadContext, bool]]) -> _BatchRead:
    """Map a batch of small files in a worker process: the 4chan threads among them together
    (:meth:`FourchanJson.read_many`), every other file, and any thread that adapter declines,
    through :func:`_read_in_worker` as before."""
    from ..adapters.fourchan import FourchanJson

    reads: list[_WorkerRead | None] = [None] * len(tasks)
    together: list[int] = []
    datas: list[bytes | None] = []
    for i, (path, fmt, _ctx, _strict) in enumerate(tasks):
        data, head = _utf8_head(path)
        try:
            cls = get_adapter(fmt) if fmt else detect(path, head)
        except (UnknownFormatError, OSError, UnicodeError):
            continue  # _read_in_worker says why
        if cls is FourchanJson:
            together.append(i)
            datas.append(data)
    table: pa.Table | None = None
    if together:
        try:
            with paused_gc():  # as read_items: parsed posts hold no cycles
                table, many = FourchanJson().read_many(
                    [tasks[i][0] for i in together], [tasks[i][2] for i in together], datas
                )
        except Exception:  # any surprise: every file is read on its own, as before
            table, many = None, [None] * len(together)
        if table is not None and table.num_rows:
            lengths = pc.add(
                pc.fill_null(pc.utf8_length(table.column("text")), 0),
                pc.fill_null(pc.utf8_length(table.column("raw_markup")), 0),
            )
            chars = np.concatenate([[0], np.cumsum(lengths.to_numpy())])
        else:
            chars = np.zeros(1, dtype=np.int64)
        for i, got in zip(together, many, strict=True):
            if got is None:
                continue
            fmt = tasks[i][1]
            read = _WorkerRead(format=FourchanJson.name, forced=fmt is not None, posts=got.count)
            end = got.start + got.count
            read.span = (got.key, got.start, got.count, int(chars[end] - chars[got.start]))
            read.problems = [("notice", n.place, n.message, None) for n in got.notices]
            reads[i] = read
    out: list[_WorkerRead] = []
    for i, task in enumerate(tasks):
        got_read = reads[i]
        out.append(got_read if got_read is not None else _read_in_worker(*task))
    return _BatchRead(table, out)


def _utf8_head(path: str) -> tuple[bytes | None, str | None]:
    """A small file's bytes and the head :func:`~counterspell.adapters.detect` would read (its
    first 64 Ki characters), when it starts as plain UTF-8 without a BOM: the case where that
    head is simply the decoded bytes (``open_text`` uses ``newline=""``). Else (None, None), and
    detection reads the file itself."""
    try:
        with open(path, "rb") as f:
            data = f.read(PARALLEL_MAX_BYTES + 1)
    except OSError:
        return None, None
    if len(data) > PARALLEL_MAX_BYTES or sniff_encoding(data[:4]) != "utf-8":
        return None, None
    try:  # an incremental decoder: a character cut at the end of the slice waits, not fails
        head = codecs.getincrementaldecoder("utf-8")().decode(
            data[: 4 * 65536], final=len(data) <= 4 * 65536
        )
    except UnicodeDecodeError:
        return None, None
    return data, head[:65536]
