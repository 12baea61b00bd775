"""A one-chat Telegram Desktop export read in bulk: messages parsed by ``orjson`` (in slabs for a
large file, :mod:`.slabs`) and appended to the columns as row tuples.

Mapping each message to a :class:`Post` and then to a table row cost 7-12 times the parse. An
ordinary message (an integer or string id, ``date_unixtime`` in whole seconds, no ``photo`` or
``file``) goes straight into the columns; any other goes through the streaming reader's own
mapping (:meth:`.telegram._ChatReader.map`), so both paths give the same record. A whole-account
export, a chat without an id, or a message the streaming reader would quarantine is left to the
streaming reader (for the last, ingest resumes it where the bulk read stopped).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ..errors import Place
from ..models import Post, make_uid
from ..textutil import extract_urls
from .base import BulkRead, Notice, ReadContext
from .columns import Columns, extra_json
from .slabs import GiveUp, Members, read_members
from .telegram import _MAPPED, _ChatReader

__all__ = ["read_chat_bulk"]

_NOT_ONE_CHAT = frozenset({"chats", "left_chats", "list", "messages"})
_MAX_SECONDS = 10**11  # from_unix's bound


def read_chat_bulk(path: str, ctx: ReadContext, export_dir: str) -> BulkRead | None:
    """The chat's posts as tables (built lazily, one per slab), or None to stream the file."""
    try:
        head, batches, tail = read_members(path, "messages")
    except GiveUp:
        return None
    keys = [k for k, _ in head]
    if len(set(keys)) != len(keys) or _NOT_ONE_CHAT & set(keys):
        return None  # repeated keys, or a whole-account export: the streaming reader's walk
    header = {k: v for k, v in head if k in ("name", "type", "id")}
    if header.get("id") is None:
        return None  # the streaming reader says where the chat without an id starts
    notices: list[Notice] = []
    reader = _ChatReader(path, ctx, export_dir)
    return BulkRead(_tables(reader, str(header["id"]), header, batches, tail, notices), notices)


def _tables(
    reader: _ChatReader,
    chat: str,
    header: dict[str, Any],
    batches: Iterator[list[tuple[Any, int | None]]],
    tail: Members,
    notices: list[Notice],
) -> Iterator[tuple[tuple[str, str], pa.Table]]:
    ctx = reader.ctx
    for batch in batches:
        cols = Columns("telegram", chat)
        _map_batch(reader, chat, header, batch, cols)
        yield ("telegram", chat), cols.to_table(reader.path, ctx.run_id, ctx.sha256)
    if {k for k, _ in tail} & _NOT_ONE_CHAT:
        raise GiveUp("more chats after the messages")  # the streaming reader reads those too
    path = reader.path
    if reader.assumed_tz:
        notices.append(
            Notice(
                Place(path),
                f"'date' has no time zone and no 'date_unixtime' on some messages; read as {ctx.tz} (use --tz to change)",
            )
        )
    if reader.unsafe_paths:
        notices.append(
            Notice(
                Place(path),
                f"{reader.unsafe_paths} media paths pointed outside the export folder and were ignored",
            )
        )


def _map_batch(
    reader: _ChatReader,
    chat: str,
    header: dict[str, Any],
    batch: list[tuple[Any, int | None]],
    cols: Columns,
) -> None:
    """Append a batch of messages; GiveUp at one the streaming reader would quarantine."""
    rows = cols.rows
    pairs = (("name", "chat_name"), ("type", "chat_type"))
    meta_items = [(f, header[k]) for k, f in pairs if header.get(k)]
    prefix = f"telegram:{chat}:"
    plain_text = reader.plain_text
    for m, line in batch:
        t = m.get("date_unixtime") if type(m) is dict else None
        msg_id = m.get("id") if type(m) is dict else None
        if (
            type(t) is str
            and t.isascii()
            and t.isdigit()
            and int(t) < _MAX_SECONDS
            and (type(msg_id) is int or (type(msg_id) is str and msg_id))
            and "photo" not in m
            and "file" not in m
        ):
            seconds = int(t)
        else:
            post = reader.map(m, chat, Place(reader.path, line=line))
            if not isinstance(post, Post):
                raise GiveUp("a message to quarantine")
            for k, v in meta_items:
                post.extra.setdefault(k, v)
            cols.add_post(post)
            continue
        assert isinstance(m, dict)
        record = reader.record
        reader.record = record + 1
        is_service = m.get("type") == "service"
        text, hrefs, mentions, raw = plain_text(m.get("text"))
        author_id = m.get("actor_id" if is_service else "from_id", m.get("from_id"))
        author_name = m.get("actor" if is_service else "from", m.get("from"))
        extra = {k: v for k, v in m.items() if k not in _MAPPED}
        for k, v in meta_items:
            extra.setdefault(k, v)
        reply = m.get("reply_to_message_id")
        reactions = m.get("reactions")
        post_id = str(msg_id)
        if not hrefs:
            cols.defer_links(text)
        rows.append(
            (
                prefix + post_id,
                chat,
                post_id,
                [] if reply is None else [make_uid("telegram", chat, str(reply))],
                seconds * 1_000_000,
                None if author_id is None else str(author_id),
                author_name if isinstance(author_name, str) else None,
                text,
                raw,
                extract_urls(text, hrefs) if hrefs else [],
                [],
                False,
                extra_json(extra),
                "service" if is_service else "post",
                None,
                [
                    {
                        "emoji": str(
                            r.get("emoji") or r.get("document_id") or r.get("type") or "?"
                        ),
                        "count": int(r.get("count") or 0),
                    }
                    for r in reactions
                    if isinstance(r, dict)
                ]
                if reactions
                else [],
                mentions,
                record,
                line,
            )
        )
