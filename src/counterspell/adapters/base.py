"""The adapter interface: one class per input format, chosen by content.

An adapter turns one file into a stream of :class:`~counterspell.models.Post` records, plus
:class:`~counterspell.textio.Problem` items for records it could not read (they go to the
quarantine) and :class:`Notice` items for things it kept but a user should know (an assumed time
zone, a duplicate message id, a count the export got wrong).
"""

from __future__ import annotations

import base64
import binascii
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar

import pyarrow as pa

from ..errors import Place
from ..models import Post, Source
from ..registry import Registry
from ..textio import Problem

__all__ = ["ADAPTERS", "Adapter", "BulkRead", "Notice", "ReadContext", "register_adapter"]


@dataclass(slots=True)
class Notice:
    """Something kept but noteworthy, reported once per file and kind."""

    place: Place
    message: str


@dataclass(slots=True)
class ReadContext:
    """What an adapter needs to know besides the file: user options and provenance."""

    community: str | None = None  # override for formats that do not name their community
    tz: tzinfo = UTC  # zone for local times without an offset (Telegram's "date")
    tz_explicit: bool = False  # whether the user chose ``tz`` (otherwise we record the assumption)
    run_id: str | None = None
    sha256: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    def source(self, file: str, record: int, line: int | None = None) -> Source:
        return Source(file=file, record=record, line=line, run_id=self.run_id, sha256=self.sha256)


Item = Post | Problem | Notice


@dataclass(slots=True)
class BulkRead:
    """A well-formed file mapped column by column, instead of post by post.

    ``tables`` hold the posts per (platform, community), exactly as
    :func:`~counterspell.models.posts_to_table` would build them from what ``read`` yields, in
    its order (the rows of one table after another are the posts ``read`` yields); it
    may be a generator (a large file, a table per slab), consumed once. ``notices`` are those
    ``read`` would yield, in its order, complete once ``tables`` is consumed. A bulk read never
    has problems: when the ``tables`` iterator raises (a record to quarantine, a malformed or
    truncated stretch), ingest runs ``read`` instead and drops the posts already given as
    tables, so the streaming reader says where the problem is and keeps what follows it.
    """

    tables: Iterable[tuple[tuple[str, str], pa.Table]]
    notices: list[Notice]


class Adapter(ABC):
    """Reads one source format. Subclasses set ``name``, ``platform`` and ``description``."""

    name: ClassVar[str]
    platform: ClassVar[str]
    description: ClassVar[str]

    @classmethod
    @abstractmethod
    def sniff(cls, head: str, path: str) -> int:
        """Confidence 0-100 that a file whose decoded start is ``head`` is in this format."""

    @abstractmethod
    def read(self, path: str, ctx: ReadContext) -> Iterator[Item]:
        """Yield posts, problems and notices. Never raise for one bad record: yield a Problem."""

    def read_bulk(self, path: str, ctx: ReadContext) -> BulkRead | None:
        """The same posts and notices as :meth:`read`, built column-wise for speed; None when
        this adapter has no bulk reader or the file is not one it can read whole (then ingest
        calls :meth:`read`). Overriding it is optional."""
        return None


ADAPTERS: Registry[type[Adapter]] = Registry("adapter", entry_points="counterspell.adapters")


def register_adapter(cls: type[Adapter]) -> type[Adapter]:
    """Class decorator: make an adapter available to detection and ``--format``."""
    ADAPTERS.register(cls.name, cls)
    return cls


_WS_HEAD = re.compile(r"^\ufeff?\s*")


def strip_head(head: str) -> str:
    return _WS_HEAD.sub("", head, count=1)


def from_unix(value: object) -> datetime | None:
    """UTC datetime from unix seconds given as int, float or digit string; None if unusable."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if seconds != seconds or not -1e11 < seconds < 1e11:  # NaN or absurd
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


_IMAGE_EXT = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"}
_VIDEO_EXT = {".webm", ".mp4"}


def md5_hex(value: Any) -> str | None:
    """4chan and FoolFuuka give MD5 as base64 of the 16 raw bytes; the lake uses hex."""
    if not isinstance(value, str) or not value:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 16 else None


def media_kind(ext: str | None) -> str:
    """image, video or file, from a file extension (the formats name their files alike)."""
    e = (ext or "").lower()
    if e in _IMAGE_EXT:
        return "image"
    if e in _VIDEO_EXT:
        return "video"
    return "file"
