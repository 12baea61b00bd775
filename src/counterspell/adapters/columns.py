"""Post fields gathered column by column, for the bulk readers.

Building a :class:`~counterspell.models.Post` per record and then a table from the posts costs more
than parsing the file; a bulk reader appends each field straight to its column and
:meth:`Columns.to_table` builds the same table :func:`~counterspell.models.posts_to_table` would,
with the per-file parts (source, times, uid digests) done once per column rather than per post.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from ..models import POST_SCHEMA, Post, _extra_json, _media_row, uid_hash

__all__ = ["Columns"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def micros(value: datetime | None) -> int | None:
    """Microseconds since the epoch of an aware datetime (naive ones are UTC, as Arrow takes them)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _US


class Columns:
    """The posts of one (platform, community), one list per field, in file order."""

    def __init__(self, platform: str, community: str) -> None:
        self.platform = platform
        self.community = community
        self.uid: list[str] = []
        self.thread_id: list[str] = []
        self.post_id: list[str] = []
        self.parent_uids: list[list[str]] = []
        self.created_us: list[int | None] = []
        self.author_key: list[str | None] = []
        self.author_name: list[str | None] = []
        self.text: list[str] = []
        self.raw_markup: list[str | None] = []
        self.links: list[list[str]] = []
        self.media: list[list[dict[str, Any]]] = []
        self.is_op: list[bool] = []
        self.extra: list[str | None] = []
        self.kind: list[str] = []
        self.subject: list[str | None] = []
        self.reactions: list[list[dict[str, Any]]] = []
        self.mentions: list[list[str]] = []
        self.record: list[int] = []
        self.line: list[int | None] = []
        self.chars = 0

    def __len__(self) -> int:
        return len(self.uid)

    def add_post(self, post: Post) -> None:
        """Append a Post built by the per-record mapping (records the bulk loop leaves to it)."""
        self.uid.append(post.uid)
        self.thread_id.append(post.thread_id)
        self.post_id.append(post.post_id)
        self.parent_uids.append(post.parent_uids)
        self.created_us.append(micros(post.created_at))
        self.author_key.append(post.author_key)
        self.author_name.append(post.author_name)
        self.text.append(post.text)
        self.raw_markup.append(post.raw_markup)
        self.links.append(post.links)
        self.media.append([_media_row(m) for m in post.media])
        self.is_op.append(post.is_op)
        self.extra.append(_extra_json(post.extra))
        self.kind.append(post.kind)
        self.subject.append(post.subject)
        self.reactions.append([{"emoji": r.emoji, "count": r.count} for r in post.reactions])
        self.mentions.append(post.mentions)
        src = post.source
        self.record.append(src.record if src else 0)
        self.line.append(src.line if src else None)
        self.chars += len(post.text) + len(post.raw_markup or "")

    def to_table(self, file: str, run_id: str | None, sha256: str | None) -> pa.Table:
        """The Arrow table of these posts, field for field what ``posts_to_table`` gives."""
        n = len(self.uid)

        def same(value: str | None) -> pa.Array:
            return pa.array([value] * n, pa.string())

        source = pa.StructArray.from_arrays(
            [
                same(file),
                pa.array(self.record, pa.int64()),
                pa.array(self.line, pa.int64()),
                same(run_id),
                same(sha256),
            ],
            fields=list(POST_SCHEMA.field("source").type),
        )
        created = pa.array(self.created_us, pa.int64()).cast(POST_SCHEMA.field("created_at").type)
        arrays = {
            "uid": pa.array(self.uid, pa.string()),
            "platform": same(self.platform),
            "community": same(self.community),
            "thread_id": pa.array(self.thread_id, pa.string()),
            "post_id": pa.array(self.post_id, pa.string()),
            "parent_uids": self.parent_uids,
            "created_at": created,
            "author_key": self.author_key,
            "author_name": self.author_name,
            "text": self.text,
            "raw_markup": self.raw_markup,
            "links": self.links,
            "media": self.media,
            "is_op": self.is_op,
            "extra": self.extra,
            "source": source,
            "kind": self.kind,
            "subject": self.subject,
            "reactions": self.reactions,
            "mentions": self.mentions,
            "uid_hash": [uid_hash(u) for u in self.uid],
        }
        return pa.Table.from_arrays(
            [
                v if isinstance(v, pa.Array) else pa.array(v, f.type)
                for f, v in zip(POST_SCHEMA, arrays.values(), strict=True)
            ],
            schema=POST_SCHEMA,
        )
