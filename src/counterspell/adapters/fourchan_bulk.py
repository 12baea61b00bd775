"""4chan thread JSON read in bulk: one ``orjson.loads`` and the posts appended column by column.

Mapping each post to a :class:`Post` and then to a table row cost about 30 times the parse. Here
an ordinary post (a dict whose ``no`` and ``time`` are plain integers) goes straight into the
columns; any other post goes through :func:`.fourchan_map.map_post`, the mapping the streaming
reader uses, so both paths give the same record. A file that is not a whole, well-formed UTF-8
thread, or that holds a post the streaming reader would quarantine, gets ``None`` and is read
by the streaming reader, which says where the problem is and keeps every valid post around it.
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from ..models import make_uid
from ..textio import WHOLE_FILE_LIMIT, Problem, sniff_encoding
from ..textutil import extract_urls, fourchan_html_to_text
from .base import BulkRead, Notice, ReadContext
from .columns import Columns
from .fourchan_map import _MAPPED, _int, map_post, media_fields, poster_key

__all__ = ["read_thread_bulk"]

_OPT = orjson.OPT_NON_STR_KEYS  # as models._extra_json
_MAX_TIME = 1 << 36  # seconds; beyond year 4000, left to the per-post mapping


def read_thread_bulk(
    path: str, board: str, notices: list[Notice], ctx: ReadContext
) -> BulkRead | None:
    """A thread file (``{"posts": [...]}``) as one table, or None to read it post by post."""
    if os.path.getsize(path) > WHOLE_FILE_LIMIT:
        return None
    with open(path, "rb") as f:
        data = f.read()
    if sniff_encoding(data[:4]) != "utf-8" or data[:64].lstrip()[:1] != b"{":
        return None  # another encoding, or a catalog (an array): read by the streaming reader
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or "threads" in doc or not isinstance(doc.get("posts"), list):
        return None  # a board index page, or not a thread: the streaming reader decides
    cols = Columns("4chan", board)
    if not _map_posts(doc["posts"], board, path, ctx, cols):
        return None
    tables = [(("4chan", board), cols.to_table(path, ctx.run_id, ctx.sha256))] if len(cols) else []
    return BulkRead(tables, notices)


def _map_posts(posts: list[object], board: str, path: str, ctx: ReadContext, cols: Columns) -> bool:
    """Append every post to ``cols``; False as soon as one would be quarantined."""
    hint: int | None = None
    rows = cols.rows
    for record, p in enumerate(posts):
        no = p.get("no") if type(p) is dict else None
        t = p.get("time") if type(p) is dict else None
        if type(no) is not int or type(t) is not int or not 0 <= t < _MAX_TIME:
            item = map_post(p, board, ctx.source(path, record), hint)
            if isinstance(item, Problem):
                return False
            cols.add_post(item)
            if hint is None:
                hint = int(item.thread_id)
            continue
        assert isinstance(p, dict)
        row = ordinary_row(p, board, no, t, record, hint)
        if hint is None:
            hint = int(row[1])
        rows.append(row)
    return True


def ordinary_row(
    p: dict[str, Any], board: str, no: int, t: int, record: int, hint: int | None
) -> tuple[Any, ...]:
    """The row (fields in :data:`~.columns.ROW_FIELDS` order) of a post whose ``no`` and
    ``time`` are plain integers, ``hint`` the thread of the file's first post (None for that
    post itself). Shared with the vectorised reader, which leaves it the posts it cannot clean
    column-wise."""
    resto = _int(p.get("resto")) or 0
    thread_no = resto or (hint if hint and hint != no else no)
    is_op = resto == 0 and (hint is None or hint == no)
    extra = {k: v for k, v in p.items() if k not in _MAPPED}
    com = p.get("com")
    raw = com if isinstance(com, str) else None
    if raw:
        text, quotes, hrefs = fourchan_html_to_text(raw)
    else:
        text, quotes, hrefs = "", [], []
    parents: list[str] = []
    for qboard, qpost in quotes:
        uid = make_uid("4chan", qboard or board, qpost)
        if uid not in parents:
            parents.append(uid)
    name = p.get("name")
    if not isinstance(name, str):
        name = None
    fields = media_fields(p, extra)
    media = [] if fields is None else [{**fields, "path": None, "url": None, "note": None}]
    sub = p.get("sub")
    post_id = str(no)
    return (
        f"4chan:{board}:{post_id}",
        str(thread_no),
        post_id,
        parents,
        t * 1_000_000,
        poster_key(p, thread_no, name),
        name,
        text,
        raw,
        extract_urls(text, hrefs),
        media,
        is_op,
        orjson.dumps(extra, option=_OPT, default=str).decode("utf-8") if extra else None,
        "post",
        fourchan_html_to_text(sub)[0] if isinstance(sub, str) and sub else None,
        [],
        [],
        record,
        None,
    )
