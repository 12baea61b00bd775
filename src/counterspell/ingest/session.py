"""One ingest run: files read in order (in parallel where it pays), batches committed to the lake, the manifest kept."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..adapters import Adapter, ReadContext, detect, get_adapter
from ..errors import CounterspellError, InputError, Place, UnknownFormatError
from ..lake.manifest import InputRecord, Manifest, now_iso
from ..lake.workspace import Workspace
from ..lake.writer import PostsWriter
from ..models import Post, posts_to_table

if TYPE_CHECKING:
    pass
from .inputs import file_sha256
from .reading import MAX_BUFFERED_CHARS, _WorkerRead, read_items
from .results import FileOutcome, Progress


class _Ingest:
    def __init__(
        self,
        ws: Workspace,
        run_id: str,
        manifest: Manifest,
        batch_size: int,
        progress: Progress,
        *,
        again: bool = False,
    ) -> None:
        self.ws = ws
        self.run_id = run_id
        self.manifest = manifest
        self.batch_size = batch_size
        self.progress = progress
        self.again = again  # re-read files the manifest has (new posts added, duplicates skipped)
        self.writer = PostsWriter(ws.dataset("posts"), run_id)
        self.buffer: dict[tuple[str, str], list[Post]] = defaultdict(list)
        self.owners: dict[tuple[str, str], list[int]] = defaultdict(list)
        # tables mapped by worker processes, with the outcome index of their rows
        self.tables: dict[tuple[str, str], list[tuple[pa.Table, np.ndarray]]] = defaultdict(list)
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
        if self.buffer.get(key):  # posts read earlier go first: the first copy of a uid wins
            owners = np.asarray(self.owners.pop(key), dtype=np.int64)
            self.tables[key].append((posts_to_table(self.buffer.pop(key)), owners))
        self.tables[key].append((table, np.full(table.num_rows, owner, dtype=np.int64)))
        self.buffered += table.num_rows
        self.buffered_chars += chars
        if self.buffered >= self.batch_size or self.buffered_chars >= MAX_BUFFERED_CHARS:
            self.flush()

    def _partition_batch(self, key: tuple[str, str]) -> tuple[pa.Table, np.ndarray]:
        parts: list[pa.Table] = []
        owner_parts: list[np.ndarray] = []
        for table, owners in self.tables.get(key, []):
            parts.append(table)
            owner_parts.append(owners)
        if self.buffer.get(key):  # read after every table here (add_table drains the buffer)
            parts.append(posts_to_table(self.buffer[key]))
            owner_parts.append(np.asarray(self.owners[key], dtype=np.int64))
        table = parts[0] if len(parts) == 1 else pa.concat_tables(parts)
        if len(parts) > 16:
            # one chunk per 150-post thread made the Parquet writer (and the dedupe filter) pay
            # per chunk: copying them into one first costs less than that
            table = table.combine_chunks()
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
        seen = None if self.again else self.manifest.get_input(outcome.sha256)
        if seen is not None:
            outcome.status, outcome.format = "already", seen.format
            outcome.duplicates = seen.posts_added + seen.posts_duplicate
            return None
        return outcome

    def apply_worker_read(
        self, outcome: FileOutcome, read: _WorkerRead, strict: bool, batch: pa.Table | None = None
    ) -> None:
        """Take a worker's tables and problems into the buffers, as if read here; a file read
        with others (``read.span``) is its slice of the batch's table."""
        if read.error:
            if strict:
                raise CounterspellError(read.error)
            outcome.status, outcome.error = "error", read.error
            self.progress.file_done(outcome)
            return
        outcome.format = read.format
        for kind, place, reason, snippet in read.problems:
            outcome.add_problem(kind, place, reason, snippet)
        if read.forced and self._forced_found_nothing(
            outcome, read.format or "", read.posts, strict
        ):
            self.progress.file_done(outcome)
            return
        for key, table, chars in read.tables:
            self.add_table(key, table, outcome.index, chars)
        if read.span is not None and read.span[2]:
            assert batch is not None
            key, start, count, chars = read.span
            self.add_table(key, batch.slice(start, count), outcome.index, chars)
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
        tabled = [0]  # posts a bulk read gave as tables

        def add_post(post: Post) -> None:
            self.add(post, index)
            counter[0] += 1
            if counter[0] % 10_000 == 0:
                self.progress.posts_read(10_000)

        def add_table(key: tuple[str, str], table: pa.Table, chars: int) -> None:
            self.add_table(key, table, index, chars)
            self.progress.posts_read(table.num_rows)
            tabled[0] += table.num_rows

        read_items(path, cls, ctx, strict, add_post, outcome.add_problem, add_table)
        self.progress.posts_read(counter[0] % 10_000)
        if adapter_cls is not None and self._forced_found_nothing(
            outcome, cls.name, counter[0] + tabled[0], strict
        ):
            return
        self.pending.append(index)

    def _forced_found_nothing(
        self, outcome: FileOutcome, forced: str, posts: int, strict: bool
    ) -> bool:
        """A ``--format`` that reads no post from a file in another format is an error.

        Recording the file as done would lose it for good: the manifest skips it afterwards, with
        the right format too. So nothing is recorded and the user is told what was expected.
        """
        if posts or not outcome.size:
            return False
        try:
            detected: str | None = detect(outcome.path).name
        except (UnknownFormatError, OSError, UnicodeError):
            detected = None
        if detected == forced and not outcome.quarantined:
            return False  # an export in this format that holds no posts
        expected = get_adapter(forced).description
        looks = (
            f"it looks like {detected}: run without --format or with --format {detected}"
            if detected
            else "its format was not recognised either"
        )
        message = (
            f"{outcome.path}: --format {forced} read no posts from this file "
            f"(expected {expected}); {looks}. Nothing was recorded for this file."
        )
        if strict:
            raise CounterspellError(message)
        outcome.status, outcome.error, outcome.forced_mismatch = "error", message, True
        outcome.problems.clear()
        outcome.quarantined = outcome.notices = 0
        return True
