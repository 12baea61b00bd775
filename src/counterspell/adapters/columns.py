"""Post fields gathered column by column, for the bulk readers.

Building a :class:`~counterspell.models.Post` per record and then a table from the posts costs more
than parsing the file; a bulk reader appends each field straight to its column and
:meth:`Columns.to_table` builds the same table :func:`~counterspell.models.posts_to_table` would,
with the per-file parts (source, times, uid digests) done once per column rather than per post.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..models import POST_SCHEMA, Post, _extra_json, _media_row
from ..textutil import extract_urls

__all__ = ["ROW_FIELDS", "Columns", "extra_json", "micros"]

extra_json = _extra_json  # the ``extra`` column's JSON, as posts_to_table writes it

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def micros(value: datetime | None) -> int | None:
    """Microseconds since the epoch of an aware datetime (naive ones are UTC, as Arrow takes them)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _US


# The fields of a row, in order; ``source`` is built from record and line, ``uid_hash`` from uid.
ROW_FIELDS = (
    "uid thread_id post_id parent_uids created_us author_key author_name text raw_markup links "
    "media is_op extra kind subject reactions mentions record line"
).split()


_LINKS = ROW_FIELDS.index("links")
_URL_HINT = r"://|www\.|\.me|\.gg|\.com/"


class Columns:
    """The posts of one (platform, community) as row tuples (fields in :data:`ROW_FIELDS`
    order), in file order: one tuple per post is cheaper than one append per field."""

    def __init__(self, platform: str, community: str) -> None:
        self.platform = platform
        self.community = community
        self.rows: list[tuple[Any, ...]] = []
        self._link_texts: list[tuple[int, str]] = []  # (row, text) whose links are still to find

    def defer_links(self, text: str) -> None:
        """The next row's ``links`` are ``extract_urls(text)``: left empty until
        :meth:`find_links`, which runs the regex only on texts that can hold a URL."""
        if "." in text:  # extract_urls finds nothing without one
            self._link_texts.append((len(self.rows), text))

    def find_links(self) -> None:
        """Fill in the deferred links. One vectorised pass (RE2) picks the texts holding a
        substring every URL pattern of :func:`~counterspell.textutil.extract_urls` needs
        (``://``, ``www.``, ``.me``, ``.gg``, ``.com/``, any case: no letter there has a
        non-ASCII case partner, so RE2 and Python agree); only those go through the regex."""
        pending, self._link_texts = self._link_texts, []
        if not pending:
            return
        texts = pa.array([t for _, t in pending], pa.string())
        hits = pc.match_substring_regex(texts, _URL_HINT, ignore_case=True).to_pylist()
        rows = self.rows
        for (i, text), hit in zip(pending, hits, strict=True):
            if hit:
                links = extract_urls(text)
                if links:
                    row = rows[i]
                    rows[i] = (*row[:_LINKS], links, *row[_LINKS + 1 :])

    def __len__(self) -> int:
        return len(self.rows)

    def add_post(self, post: Post) -> None:
        """Append a Post built by the per-record mapping (records the bulk loop leaves to it)."""
        src = post.source
        self.rows.append(
            (
                post.uid,
                post.thread_id,
                post.post_id,
                post.parent_uids,
                micros(post.created_at),
                post.author_key,
                post.author_name,
                post.text,
                post.raw_markup,
                post.links,
                [_media_row(m) for m in post.media],
                post.is_op,
                _extra_json(post.extra),
                post.kind,
                post.subject,
                [{"emoji": r.emoji, "count": r.count} for r in post.reactions],
                post.mentions,
                src.record if src else 0,
                src.line if src else None,
            )
        )

    def to_table(self, file: str, run_id: str | None, sha256: str | None) -> pa.Table:
        """The Arrow table of these posts, field for field what ``posts_to_table`` gives."""
        self.find_links()
        n = len(self.rows)
        columns = [list(c) for c in zip(*self.rows, strict=True)] or [[] for _ in ROW_FIELDS]
        col = dict(zip(ROW_FIELDS, columns, strict=True))

        def same(value: str | None) -> pa.Array:
            if value is None:
                return pa.nulls(n, pa.string())
            return pa.repeat(pa.scalar(value, pa.string()), n)

        source = pa.StructArray.from_arrays(
            [
                same(file),
                pa.array(col["record"], pa.int64()),
                pa.array(col["line"], pa.int64()),
                same(run_id),
                same(sha256),
            ],
            fields=list(POST_SCHEMA.field("source").type),
        )
        created = pa.array(col["created_us"], pa.int64()).cast(POST_SCHEMA.field("created_at").type)
        blake2b = hashlib.blake2b
        arrays = {
            "uid": col["uid"],
            "platform": same(self.platform),
            "community": same(self.community),
            "thread_id": col["thread_id"],
            "post_id": col["post_id"],
            "parent_uids": col["parent_uids"],
            "created_at": created,
            "author_key": col["author_key"],
            "author_name": col["author_name"],
            "text": col["text"],
            "raw_markup": col["raw_markup"],
            "links": col["links"],
            "media": col["media"],
            "is_op": col["is_op"],
            "extra": col["extra"],
            "source": source,
            "kind": col["kind"],
            "subject": col["subject"],
            "reactions": col["reactions"],
            "mentions": col["mentions"],
            # uid_hash(): the digests joined and read as little-endian int64, not one int each
            "uid_hash": pa.array(
                np.frombuffer(
                    b"".join(
                        blake2b(u.encode("utf-8"), digest_size=8).digest() for u in col["uid"]
                    ),
                    dtype="<i8",
                ),
                pa.int64(),
            ),
        }
        return pa.Table.from_arrays(
            [
                v if isinstance(v, pa.Array) else pa.array(v, f.type)
                for f, v in zip(POST_SCHEMA, arrays.values(), strict=True)
            ],
            schema=POST_SCHEMA,
        )
