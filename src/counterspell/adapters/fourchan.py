"""4chan's read-only API: thread, catalog and board-index JSON, and NDJSON of whole threads.

The API never names the board inside the JSON, so the board comes from ``--community``, else from
the path (``.../r/thread/123.json``, or a file name such as ``thread-r-123.json``), else it is
``unknown`` and a notice says how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa

from ..errors import Place
from ..models import Post
from ..textio import Line, Problem, iter_lines, open_json
from .base import (
    Adapter,
    BulkRead,
    Item,
    Notice,
    ReadContext,
    md5_hex,
    register_adapter,
    strip_head,
)
from .fourchan_bulk import read_thread_bulk
from .fourchan_map import infer_board, map_post, parse_now
from .fourchan_vec import ThreadFile, read_threads


@dataclass(slots=True)
class ManyRead:
    """One file of :meth:`FourchanJson.read_many`: its partition, its rows ``start`` to
    ``start + count`` of the batch table, and the notices ``read`` would give."""

    key: tuple[str, str]
    start: int
    count: int
    notices: list[Notice]


class _FourchanBase(Adapter):
    platform = "4chan"

    def _board(self, path: str, ctx: ReadContext) -> tuple[str, Notice | None]:
        if ctx.community:
            return ctx.community, None
        board, _how = infer_board(path)
        if board:
            return board, None
        return "unknown", Notice(
            Place(path),
            "4chan JSON does not name its board and none could be read from the path; stored as board 'unknown' (use --community BOARD)",
        )


@register_adapter
class FourchanJson(_FourchanBase):
    """A thread (``{"posts": [...]}``), a catalog (pages of threads) or a board index page."""

    name = "4chan"
    description = "4chan API JSON: thread, catalog.json, or board index page"

    @classmethod
    def sniff(cls, head: str, path: str) -> int:
        h = strip_head(head)
        if re.match(r'\{\s*"posts"\s*:\s*\[\s*\{\s*"no"\s*:', h):
            return 95
        if re.match(r'\[\s*\{\s*"page"\s*:\s*\d+\s*,\s*"threads"\s*:', h):
            return 95
        if re.match(r'\{\s*"threads"\s*:\s*\[\s*\{\s*"posts"\s*:', h):
            return 90
        if re.match(r'\{\s*"posts"\s*:\s*\[', h) and '"resto"' in h:
            return 80
        return 0

    def read_bulk(self, path: str, ctx: ReadContext) -> BulkRead | None:
        board, notice = self._board(path, ctx)
        return read_thread_bulk(path, board, [notice] if notice else [], ctx)

    def read_many(
        self,
        paths: Sequence[str],
        ctxs: Sequence[ReadContext],
        datas: Sequence[bytes | None] | None = None,
    ) -> tuple[pa.Table, list[ManyRead | None]]:
        """Many thread files at once, column-wise (:mod:`.fourchan_vec`): one table of their
        posts, in file order, and per file its rows in that table with the notices
        :meth:`read` would give, or None where :meth:`read_bulk` (then :meth:`read`) is to be
        used: what they give for it is what this gives for the others. ``datas``: the files'
        bytes where the caller has them (a file is read once)."""
        boards = [self._board(path, ctx) for path, ctx in zip(paths, ctxs, strict=True)]
        datas = datas if datas is not None else [None] * len(paths)
        files = [
            ThreadFile(path, board, ctx.sha256, data)
            for path, ctx, (board, _), data in zip(paths, ctxs, boards, datas, strict=True)
        ]
        run_id = ctxs[0].run_id if ctxs else None
        assert all(ctx.run_id == run_id for ctx in ctxs), "one run per batch"
        table, spans = read_threads(files, run_id)
        out: list[ManyRead | None] = []
        for (board, notice), span in zip(boards, spans, strict=True):
            if span is None:
                out.append(None)
            else:
                out.append(ManyRead(("4chan", board), span[0], span[1], [notice] if notice else []))
        return table, out

    def read(self, path: str, ctx: ReadContext) -> Iterator[Item]:
        board, notice = self._board(path, ctx)
        if notice:
            yield notice
        cursor = open_json(path)
        counter = [0]
        kind = cursor.peek_kind()
        if kind == "array":  # catalog: [{"page": n, "threads": [...]}, ...]
            for page in cursor.iter_records():
                if isinstance(page, Problem):
                    yield page
                    continue
                threads = page.value.get("threads") if isinstance(page.value, dict) else None
                if not isinstance(threads, list):
                    yield Problem(page.place, "catalog page without a 'threads' list")
                    continue
                for op in threads:
                    yield from self._catalog_thread(op, board, path, ctx, counter, page.place.line)
            return
        if kind != "object":
            yield Problem(
                cursor.place(), "not 4chan API JSON: expected an object or a catalog array"
            )
            return
        for key in cursor.iter_object():
            if key == "posts":
                thread_hint: int | None = None
                for rec in cursor.iter_records(lambda v: isinstance(v, dict) and "no" in v):
                    if isinstance(rec, Problem):
                        yield rec
                        continue
                    item = map_post(
                        rec.value, board, ctx.source(path, counter[0], rec.place.line), thread_hint
                    )
                    counter[0] += 1
                    if isinstance(item, Post) and thread_hint is None:
                        thread_hint = int(item.thread_id)
                    yield item
            elif key == "threads":  # board index page
                for rec in cursor.iter_records():
                    if isinstance(rec, Problem):
                        yield rec
                        continue
                    posts = rec.value.get("posts") if isinstance(rec.value, dict) else None
                    if not isinstance(posts, list):
                        yield Problem(rec.place, "index thread without a 'posts' list")
                        continue
                    yield from _thread_posts(posts, board, path, ctx, counter, rec.place.line)
            else:
                cursor.skip_value()

    def _catalog_thread(
        self, op: Any, board: str, path: str, ctx: ReadContext, counter: list[int], line: int | None
    ) -> Iterator[Item]:
        if not isinstance(op, dict):
            yield Problem(Place(path, line=line), "catalog thread is not an object")
            return
        replies = op.get("last_replies") or []
        yield from _thread_posts(
            [op, *replies] if isinstance(replies, list) else [op], board, path, ctx, counter, line
        )


def _thread_posts(
    posts: list[Any], board: str, path: str, ctx: ReadContext, counter: list[int], line: int | None
) -> Iterator[Item]:
    thread_hint: int | None = None
    for p in posts:
        item = map_post(p, board, ctx.source(path, counter[0], line), thread_hint)
        counter[0] += 1
        if isinstance(item, Post) and thread_hint is None:
            thread_hint = int(item.thread_id)
        yield item


@register_adapter
class FourchanNdjson(_FourchanBase):
    """One whole API thread per line, as in the public /pol/ research dataset. Extra keys on
    posts (e.g. ``perspectives``) are kept in ``extra``."""

    name = "4chan-ndjson"
    description = 'NDJSON, one 4chan API thread ({"posts": [...]}) per line'

    @classmethod
    def sniff(cls, head: str, path: str) -> int:
        lines = [ln for ln in strip_head(head).split("\n")[:3] if ln.strip()]
        if not lines or not re.match(r'\{\s*"posts"\s*:\s*\[\s*\{\s*"no"', lines[0]):
            return 0
        if len(lines) > 1 and lines[1].lstrip().startswith("{"):
            return 96  # several whole threads, one per line
        if len(lines) == 1 and path.lower().endswith((".ndjson", ".jsonl")):
            return 96
        return 0

    def read(self, path: str, ctx: ReadContext) -> Iterator[Item]:
        board, notice = self._board(path, ctx)
        if notice:
            yield notice
        counter = [0]
        for line in iter_lines(path):
            if isinstance(line, Problem):
                yield line
                continue
            assert isinstance(line, Line)
            try:
                thread = orjson.loads(line.text)
            except orjson.JSONDecodeError as exc:
                yield Problem(
                    Place(path, line=line.number), f"malformed JSON line: {exc}", line.text[:200]
                )
                continue
            posts = thread.get("posts") if isinstance(thread, dict) else None
            if not isinstance(posts, list):
                yield Problem(
                    Place(path, line=line.number),
                    "line is not a thread object with a 'posts' list",
                    line.text[:200],
                )
                continue
            yield from _thread_posts(posts, board, path, ctx, counter, line.number)


__all__ = ["FourchanJson", "FourchanNdjson", "infer_board", "map_post", "md5_hex", "parse_now"]
