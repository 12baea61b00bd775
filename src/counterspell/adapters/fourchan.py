"""4chan's read-only API: thread, catalog and board-index JSON, and NDJSON of whole threads.

The API never names the board inside the JSON, so the board comes from ``--community``, else from
the path (``.../r/thread/123.json``, or a file name such as ``thread-r-123.json``), else it is
``unknown`` and a notice says how to fix it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from ..errors import Place
from ..models import Media, Post, Source, make_uid
from ..textio import Line, Problem, iter_lines, open_json
from ..textutil import extract_urls, fourchan_html_to_text
from .base import (
    Adapter,
    Item,
    Notice,
    ReadContext,
    from_unix,
    md5_hex,
    media_kind,
    register_adapter,
    strip_head,
)

BOARDS = frozenset(
    """3 a aco adv an b bant biz c cgl ck cm co d diy e f fa fit g gd gif h hc his hm hr i ic int
    jp k lgbt lit m mlp mu n news o out p po pol pw qa qst r r9k s s4s sci soc sp t tg toy trash trv
    tv u v vg vip vm vmg vp vr vrpg vst vt w wg wsg wsr x xs y""".split()
)
_URL_PATH = re.compile(r"(?:^|/)([a-z0-9]{1,5})/(?:thread|res)/\d+")
_TOKEN = re.compile(r"[a-z0-9]+")
_EASTERN = ZoneInfo("America/New_York")
_NOW = re.compile(r"(\d\d)/(\d\d)/(\d\d)\(\w+\)(\d\d):\s?(\d\d)(?::(\d\d))?")

# Keys of a post that map onto Post fields; everything else goes to ``extra``.
_MAPPED = frozenset(
    "no resto time now name trip id com sub filename ext fsize w h md5 last_replies".split()
)


def infer_board(path: str) -> tuple[str | None, str]:
    """The board a 4chan file belongs to, judged from its path, and how it was judged."""
    norm = path.replace("\\", "/").lower()
    m = _URL_PATH.search(norm)
    if m and m.group(1) in BOARDS:
        return m.group(1), "path"
    stem = os.path.splitext(os.path.basename(norm))[0]
    for token in _TOKEN.findall(stem):
        if token in BOARDS:
            return token, "file name"
    for part in reversed(os.path.dirname(norm).split("/")):
        if part in BOARDS:
            return part, "folder name"
    return None, ""


def parse_now(now: str) -> datetime | None:
    """4chan's human-readable ``now`` is US Eastern; used only when ``time`` is missing."""
    m = _NOW.search(now)
    if not m:
        return None
    month, day, year, hour, minute, second = (int(g) if g else 0 for g in m.groups())
    try:
        local = datetime(2000 + year, month, day, hour, minute, second, tzinfo=_EASTERN)
    except ValueError:
        return None
    return local.astimezone(UTC)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def map_post(p: Any, board: str, source: Source, thread_hint: int | None = None) -> Post | Problem:
    """One 4chan API post dict to a Post (the 4CAT ``map_item`` idea, for this format)."""
    place = Place(source.file, line=source.line, record=source.record)
    if not isinstance(p, dict):
        return Problem(place, f"expected a post object, found {type(p).__name__}")
    no = _int(p.get("no"))
    if no is None:
        return Problem(
            place,
            "post has no valid 'no' (post number)",
            orjson.dumps(p)[:200].decode("utf-8", "replace"),
        )
    resto = _int(p.get("resto")) or 0
    thread_no = resto or (thread_hint if thread_hint and thread_hint != no else no)
    is_op = resto == 0 and (thread_hint is None or thread_hint == no)

    created = from_unix(p["time"]) if "time" in p else None
    extra: dict[str, Any] = {k: v for k, v in p.items() if k not in _MAPPED}
    if created is None and isinstance(p.get("now"), str):
        created = parse_now(p["now"])
        if created is not None:
            extra["time_from"] = "now (US Eastern)"

    com = p.get("com")
    raw = com if isinstance(com, str) else None
    text, quotes, hrefs = fourchan_html_to_text(raw) if raw else ("", [], [])
    parents: list[str] = []
    for qboard, qpost in quotes:
        uid = make_uid("4chan", qboard or board, qpost)
        if uid not in parents:
            parents.append(uid)

    name = p.get("name") if isinstance(p.get("name"), str) else None
    trip = p.get("trip") if isinstance(p.get("trip"), str) and p.get("trip") else None
    poster_id = p.get("id") if isinstance(p.get("id"), str) and p.get("id") else None
    if trip:
        author_key: str | None = f"trip:{trip}"
    elif poster_id:
        author_key = f"id:{thread_no}:{poster_id}"  # 4chan poster IDs are unique per thread only
    elif name and name != "Anonymous":
        author_key = f"name:{name}"
    else:
        author_key = None

    media: list[Media] = []
    if p.get("ext") or p.get("md5") or p.get("filename"):
        ext = p.get("ext") if isinstance(p.get("ext"), str) else None
        md5 = md5_hex(p.get("md5"))
        if p.get("md5") and md5 is None:
            extra["md5_invalid"] = p.get("md5")
        media.append(
            Media(
                name=f"{p.get('filename', '')}{ext or ''}" or None,
                ext=ext,
                size=_int(p.get("fsize")),
                width=_int(p.get("w")),
                height=_int(p.get("h")),
                md5=md5,
                kind=media_kind(ext),
            )
        )
    sub = p.get("sub")
    subject = fourchan_html_to_text(sub)[0] if isinstance(sub, str) and sub else None
    return Post(
        platform="4chan",
        community=board,
        thread_id=str(thread_no),
        post_id=str(no),
        created_at=created,
        author_key=author_key,
        author_name=name,
        text=text,
        raw_markup=raw,
        parent_uids=parents,
        links=extract_urls(text, hrefs),
        media=media,
        is_op=is_op,
        extra=extra,
        source=source,
        subject=subject,
    )


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
