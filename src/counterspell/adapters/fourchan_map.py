"""4chan API posts mapped one at a time to :class:`Post`: the reference mapping that the streaming
reader uses, and that the bulk reader (:mod:`.fourchan_bulk`) falls back to for any post it does not
recognise as ordinary, so both give the same record."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from ..errors import Place
from ..models import Media, Post, Source, make_uid
from ..textio import Problem
from ..textutil import extract_urls, fourchan_html_to_text
from .base import from_unix, md5_hex, media_kind

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


def poster_key(p: dict[str, Any], thread_no: int, name: str | None) -> str | None:
    """The author key of a post: its tripcode, else its poster ID (unique per thread only, so
    the thread is part of the key), else a name other than the default one."""
    trip = p.get("trip")
    if isinstance(trip, str) and trip:
        return f"trip:{trip}"
    poster_id = p.get("id")
    if isinstance(poster_id, str) and poster_id:
        return f"id:{thread_no}:{poster_id}"
    if name and name != "Anonymous":
        return f"name:{name}"
    return None


def media_fields(p: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any] | None:
    """The :class:`Media` fields of a post's file, or None without one; an MD5 that is not
    base64 of 16 bytes is kept in ``extra`` as ``md5_invalid``. Shared by both readers."""
    if not (p.get("ext") or p.get("md5") or p.get("filename")):
        return None
    ext = p.get("ext") if isinstance(p.get("ext"), str) else None
    md5 = md5_hex(p.get("md5"))
    if p.get("md5") and md5 is None:
        extra["md5_invalid"] = p.get("md5")
    return {
        "name": f"{p.get('filename', '')}{ext or ''}" or None,
        "ext": ext,
        "size": _int(p.get("fsize")),
        "width": _int(p.get("w")),
        "height": _int(p.get("h")),
        "md5": md5,
        "kind": media_kind(ext),
    }


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
    author_key = poster_key(p, thread_no, name)
    fields = media_fields(p, extra)
    media = [] if fields is None else [Media(**fields)]
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
