"""The one record every stage sees: :class:`Post`, and its Arrow schema.

Adapters build ``Post`` objects; the lake stores them as Arrow/Parquet with :data:`POST_SCHEMA`.
The field list is documented in ``docs/post-record.md`` and checked against this module by a test,
so the two cannot drift apart. Extend the record by adding fields at the end; never rename or
retype one (Parquet files written by older versions must keep reading).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

__all__ = [
    "MEDIA_TYPE",
    "POST_SCHEMA",
    "REACTION_TYPE",
    "SOURCE_TYPE",
    "Media",
    "Post",
    "Reaction",
    "Source",
    "make_uid",
    "posts_to_table",
    "uid_hash",
]


def make_uid(platform: str, community: str, post_id: str) -> str:
    """Stable key of a post: ``platform:community:post_id``."""
    return f"{platform}:{community}:{post_id}"


def uid_hash(uid: str) -> int:
    """A signed 64-bit digest of a uid, used to deduplicate without holding every uid string.

    At 10 million posts in one community the chance of any collision is about 3e-6.
    """
    return int.from_bytes(
        hashlib.blake2b(uid.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


@dataclass(slots=True)
class Media:
    """A file attached to a post. Bytes are never stored: only what identifies the file."""

    name: str | None = None
    ext: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None
    md5: str | None = None  # lower-case hex
    path: str | None = None  # absolute local path, only when the export contains the file
    kind: str | None = None  # image, video, audio, file, sticker, ...
    url: str | None = None  # remote location as the export gives it (never fetched)
    note: str | None = None  # e.g. Telegram's "(File not included...)" placeholder


@dataclass(slots=True)
class Reaction:
    """An emoji reaction and how many people gave it: a social reward signal."""

    emoji: str
    count: int


@dataclass(slots=True)
class Source:
    """Where a post came from, for provenance and for pointing a user at a bad record."""

    file: str
    record: int  # 0-based ordinal of the record within the file
    line: int | None = (
        None  # 1-based line, where the format is line-oriented or the parser knows it
    )
    run_id: str | None = None
    sha256: str | None = None  # checksum of the input file


@dataclass(slots=True)
class Post:
    """One post, message or reply, normalised across platforms."""

    platform: str
    community: str
    thread_id: str
    post_id: str
    created_at: datetime | None
    author_key: str | None = None
    author_name: str | None = None
    text: str = ""
    raw_markup: str | None = None
    parent_uids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    is_op: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    source: Source | None = None
    kind: str = "post"  # "post" or "service" (joins, calls, pins: kept, with extra["action"])
    subject: str | None = None
    reactions: list[Reaction] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # author keys mentioned
    uid: str = ""

    def __post_init__(self) -> None:
        if not self.uid:
            self.uid = make_uid(self.platform, self.community, self.post_id)


# A post's part in the abuse, as the role stage, the lake's role scores and the rules name them.
ROLES = (
    "request",
    "fulfillment",
    "praise",
    "distribution",
    "source_solicitation",
    "technical",
    "payment",
    "counter_speech",
    "other",
)

MEDIA_TYPE = pa.struct(
    [
        ("name", pa.string()),
        ("ext", pa.string()),
        ("size", pa.int64()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("md5", pa.string()),
        ("path", pa.string()),
        ("kind", pa.string()),
        ("url", pa.string()),
        ("note", pa.string()),
    ]
)
REACTION_TYPE = pa.struct([("emoji", pa.string()), ("count", pa.int32())])
SOURCE_TYPE = pa.struct(
    [
        ("file", pa.string()),
        ("record", pa.int64()),
        ("line", pa.int64()),
        ("run_id", pa.string()),
        ("sha256", pa.string()),
    ]
)

POST_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("thread_id", pa.string()),
        ("post_id", pa.string()),
        ("parent_uids", pa.list_(pa.string())),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("author_key", pa.string()),
        ("author_name", pa.string()),
        ("text", pa.string()),
        ("raw_markup", pa.string()),
        ("links", pa.list_(pa.string())),
        ("media", pa.list_(MEDIA_TYPE)),
        ("is_op", pa.bool_()),
        ("extra", pa.string()),  # JSON object; DuckDB reads it with json_extract
        ("source", SOURCE_TYPE),
        ("kind", pa.string()),
        ("subject", pa.string()),
        ("reactions", pa.list_(REACTION_TYPE)),
        ("mentions", pa.list_(pa.string())),
        ("uid_hash", pa.int64()),
    ]
)


def _media_row(m: Media) -> dict[str, Any]:
    return {
        "name": m.name,
        "ext": m.ext,
        "size": m.size,
        "width": m.width,
        "height": m.height,
        "md5": m.md5,
        "path": m.path,
        "kind": m.kind,
        "url": m.url,
        "note": m.note,
    }


def _extra_json(extra: dict[str, Any]) -> str | None:
    if not extra:
        return None
    return orjson.dumps(extra, option=orjson.OPT_NON_STR_KEYS, default=str).decode("utf-8")


def posts_to_table(posts: list[Post]) -> pa.Table:
    """Build an Arrow table column by column (much faster than a row-wise conversion)."""
    cols: dict[str, list[Any]] = {
        "uid": [p.uid for p in posts],
        "platform": [p.platform for p in posts],
        "community": [p.community for p in posts],
        "thread_id": [p.thread_id for p in posts],
        "post_id": [p.post_id for p in posts],
        "parent_uids": [p.parent_uids for p in posts],
        "created_at": [p.created_at for p in posts],
        "author_key": [p.author_key for p in posts],
        "author_name": [p.author_name for p in posts],
        "text": [p.text for p in posts],
        "raw_markup": [p.raw_markup for p in posts],
        "links": [p.links for p in posts],
        "media": [[_media_row(m) for m in p.media] if p.media else [] for p in posts],
        "is_op": [p.is_op for p in posts],
        "extra": [_extra_json(p.extra) for p in posts],
        "source": [
            None
            if p.source is None
            else {
                "file": p.source.file,
                "record": p.source.record,
                "line": p.source.line,
                "run_id": p.source.run_id,
                "sha256": p.source.sha256,
            }
            for p in posts
        ],
        "kind": [p.kind for p in posts],
        "subject": [p.subject for p in posts],
        "reactions": [
            [{"emoji": r.emoji, "count": r.count} for r in p.reactions] if p.reactions else []
            for p in posts
        ],
        "mentions": [p.mentions for p in posts],
        "uid_hash": [uid_hash(p.uid) for p in posts],
    }
    return pa.Table.from_pydict(cols, schema=POST_SCHEMA)
