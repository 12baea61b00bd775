"""FoolFuuka archive API (4plebs, desuarchive, ...): ``/_/api/chan/thread/`` responses.

Shape: ``{"<thread>": {"op": {...}, "posts": {"<num>": {...}, ...}}}``; numbers are strings,
``media.media_hash`` is base64 MD5, ``comment`` is plain text with ``>>123`` quotes. Archived
posts say which board they are from (``board.shortname``), so no guessing is needed.

FoolFuuka reports ``timestamp`` as unix seconds; Asagi-based archives are known to have stored
some boards' times in US Eastern wall-clock time. We take the value as UTC and keep it raw in
``extra['timestamp_raw']``; pass ``--tz`` to reinterpret an archive known to be shifted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..errors import Place
from ..models import Media, Post, Source, make_uid
from ..textio import Problem, open_json
from ..textutil import extract_urls, plain_quotes
from .base import (
    Adapter,
    Item,
    ReadContext,
    from_unix,
    md5_hex,
    media_kind,
    register_adapter,
    strip_head,
)

_MAPPED = frozenset(
    "num thread_num op timestamp name trip poster_hash comment title media board subnum".split()
)


def _shift(created: datetime | None, ctx: ReadContext) -> datetime | None:
    if created is None or not ctx.tz_explicit:
        return created
    wall = created.replace(tzinfo=None)
    return wall.replace(tzinfo=ctx.tz).astimezone(UTC)


def map_post(
    p: Any, board_hint: str | None, thread_num: str, source: Source, ctx: ReadContext
) -> Post | Problem:
    place = Place(source.file, line=source.line, record=source.record)
    if not isinstance(p, dict):
        return Problem(place, f"expected a post object, found {type(p).__name__}")
    num = str(p.get("num") or "").strip()
    if not num.isdigit():
        return Problem(place, "post has no valid 'num'")
    subnum = str(p.get("subnum") or "0")
    post_id = (
        num if subnum in ("0", "") else f"{num},{subnum}"
    )  # ghost posts live in the archive only
    board_obj = p.get("board")
    board = (
        (
            board_obj.get("shortname")
            if isinstance(board_obj, dict) and board_obj.get("shortname")
            else None
        )
        or board_hint
        or "unknown"
    )
    thread = str(p.get("thread_num") or thread_num)
    created = _shift(from_unix(p.get("timestamp")), ctx)
    text = p.get("comment") if isinstance(p.get("comment"), str) else ""
    parents = list(
        dict.fromkeys(make_uid("4chan", qb or board, qp) for qb, qp in plain_quotes(text or ""))
    )
    name = p.get("name") if isinstance(p.get("name"), str) else None
    trip = p.get("trip") or None
    poster_hash = p.get("poster_hash") or None
    if trip:
        author_key: str | None = f"trip:{trip}"
    elif poster_hash:
        author_key = f"id:{thread}:{poster_hash}"
    elif name and name != "Anonymous":
        author_key = f"name:{name}"
    else:
        author_key = None
    extra: dict[str, Any] = {k: v for k, v in p.items() if k not in _MAPPED}
    extra["timestamp_raw"] = p.get("timestamp")
    extra["archive"] = "foolfuuka"
    media: list[Media] = []
    m = p.get("media")
    if isinstance(m, dict) and (m.get("media_hash") or m.get("media_filename")):
        fname = m.get("media_filename") if isinstance(m.get("media_filename"), str) else None
        ext = ("." + fname.rsplit(".", 1)[1]) if fname and "." in fname else None
        media.append(
            Media(
                name=fname,
                ext=ext,
                size=_to_int(m.get("media_size")),
                width=_to_int(m.get("media_w")),
                height=_to_int(m.get("media_h")),
                md5=md5_hex(m.get("media_hash")),
                kind=media_kind(ext),
                url=m.get("media_link") or m.get("remote_media_link") or None,
            )
        )
        extra["media"] = {
            k: v
            for k, v in m.items()
            if k not in ("media_hash", "media_filename", "media_size", "media_w", "media_h")
        }
    is_op = str(p.get("op")) == "1" or num == thread
    return Post(
        platform="4chan",
        community=board,
        thread_id=thread,
        post_id=post_id,
        created_at=created,
        author_key=author_key,
        author_name=name,
        text=text or "",
        raw_markup=p.get("comment_processed")
        if isinstance(p.get("comment_processed"), str)
        else None,
        parent_uids=parents,
        links=extract_urls(text or ""),
        media=media,
        is_op=is_op,
        extra=extra,
        source=source,
        subject=p.get("title") or None,
    )


def _to_int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


@register_adapter
class FoolFuukaThread(Adapter):
    name = "foolfuuka"
    platform = "4chan"
    description = "FoolFuuka / 4plebs archive API thread JSON"

    @classmethod
    def sniff(cls, head: str, path: str) -> int:
        if re.match(r'\{\s*"\d+"\s*:\s*\{\s*"(?:op|posts)"\s*:', strip_head(head)):
            return 95
        return 0

    def read(self, path: str, ctx: ReadContext) -> Iterator[Item]:
        cursor = open_json(path)
        if cursor.peek_kind() != "object":
            yield Problem(cursor.place(), "not a FoolFuuka thread response: expected a JSON object")
            return
        record = 0
        for thread_num in cursor.iter_object():
            thread = cursor.read_value()
            place = cursor.place()
            if not isinstance(thread, dict):
                yield Problem(place, f"thread {thread_num!r} is not an object")
                continue
            op = thread.get("op")
            posts = thread.get("posts") or {}
            items = ([op] if op else []) + (
                list(posts.values()) if isinstance(posts, dict) else list(posts)
            )
            board_hint = ctx.community
            for p in items:
                item = map_post(
                    p, board_hint, thread_num, ctx.source(path, record, place.line), ctx
                )
                if isinstance(item, Post) and board_hint is None and item.community != "unknown":
                    board_hint = item.community  # posts without a board belong to their thread's
                yield item
                record += 1
