"""A DiscordChatExporter export read in bulk: messages parsed by ``orjson`` (in slabs for a large
file, :mod:`.slabs`) and appended to the columns as row tuples.

Mapping each message to a :class:`Post` and then to a table row cost 6-9 times the parse. A
message without attachments goes straight into the columns; one with attachments (local paths
to resolve and check) goes through the streaming reader's own mapping
(:meth:`.discord._Mapper.map`), so both paths give the same record. A message the streaming
reader would quarantine, or a repeated top-level key, is left to the streaming reader (ingest
resumes it where the bulk read stopped).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ..errors import Place
from ..models import Post
from .base import BulkRead, Notice, ReadContext
from .columns import Columns, extra_json, micros
from .discord import _CONTENT_TYPES, _MAPPED, _Mapper, _parse_ts, reaction_counts
from .slabs import GiveUp, Members, read_members

__all__ = ["read_export_bulk"]

_NOT_AUTHOR_EXTRA = ("id", "name", "nickname")


def read_export_bulk(path: str, ctx: ReadContext, export_dir: str) -> BulkRead | None:
    """The export's posts as tables (built lazily, one per slab), or None to stream the file."""
    try:
        head, batches, tail = read_members(path, "messages")
    except GiveUp:
        return None
    keys = [k for k, _ in head]
    if len(set(keys)) != len(keys) or "messages" in keys:
        return None  # the streaming reader merges repeated guild/channel objects
    guild: dict[str, Any] = {}
    channel: dict[str, Any] = {}
    for k, v in head:
        if k in ("guild", "channel") and isinstance(v, dict):
            (guild if k == "guild" else channel).update(v)
    mapper = _Mapper(path, ctx, export_dir, guild, channel)
    notices: list[Notice] = []
    return BulkRead(_tables(mapper, head, batches, tail, notices), notices)


def _tables(
    mapper: _Mapper,
    head: Members,
    batches: Iterator[list[tuple[Any, int | None]]],
    tail: Members,
    notices: list[Notice],
) -> Iterator[tuple[tuple[str, str], pa.Table]]:
    ctx = mapper.ctx
    key = ("discord", mapper.community)
    seen = 0
    for batch in batches:
        cols = Columns(*key)
        _map_batch(mapper, batch, cols)
        seen += len(batch)
        yield key, cols.to_table(mapper.path, ctx.run_id, ctx.sha256)
    if any(k == "messages" for k, _ in tail):
        raise GiveUp("a second messages array")
    notices.extend(mapper.notices())
    claimed: Any = None
    for k, v in [*head, *tail]:
        if k == "messageCount":
            claimed = v
    if isinstance(claimed, int) and claimed != seen:
        notices.append(
            Notice(
                Place(mapper.path),
                f"messageCount says {claimed} but the file holds {seen} messages; counted what is there",
            )
        )


def _map_batch(mapper: _Mapper, batch: list[tuple[Any, int | None]], cols: Columns) -> None:
    """Append a batch of messages; GiveUp at one the streaming reader would quarantine."""
    rows = cols.rows
    community = mapper.community
    channel_id = mapper.channel_id
    prefix = f"discord:{community}:"
    meta = {k: v for k, v in mapper.meta.items() if v}
    is_thread = mapper.is_thread
    for m, line in batch:
        if type(m) is not dict or not m.get("id") or m.get("attachments"):
            post = mapper.map(m, Place(mapper.path, line=line))
            if not isinstance(post, Post):
                raise GiveUp("a message to quarantine")
            cols.add_post(post)
            continue
        record = mapper.record
        mapper.record = record + 1
        raw_author, raw_content = m.get("author"), m.get("content")
        author: dict[str, Any] = raw_author if isinstance(raw_author, dict) else {}
        content: str = raw_content if isinstance(raw_content, str) else ""
        parents, referenced = mapper.reference(m)
        reactions = [{"emoji": name, "count": count} for name, count in reaction_counts(m)]
        extra = {k: v for k, v in m.items() if k not in _MAPPED}
        extra.update(meta)  # in the streaming reader's key order
        if referenced is not None:
            extra["referenced_channel_id"] = referenced
        if is_thread:
            extra["thread_channel_id"] = channel_id
        extra["author"] = {k: v for k, v in author.items() if k not in _NOT_AUTHOR_EXTRA}
        mtype = str(m.get("type") or "Default")
        kind = "post" if mtype in _CONTENT_TYPES else "service"
        if kind == "service":
            extra["action"] = mtype
        msg_id = str(m["id"])
        cols.defer_links(content)
        rows.append(
            (
                prefix + msg_id,
                channel_id,
                msg_id,
                parents,
                micros(_parse_ts(m.get("timestamp"))),
                str(author["id"]) if author.get("id") else None,
                author.get("nickname") or author.get("name"),
                content,
                None,
                [],
                [],
                False,
                extra_json(extra),
                kind,
                None,
                reactions,
                [
                    str(x["id"])
                    for x in m.get("mentions") or []
                    if isinstance(x, dict) and x.get("id")
                ],
                record,
                line,
            )
        )
