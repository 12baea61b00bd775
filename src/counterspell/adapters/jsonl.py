"""Generic JSON lines: one post per line, for every source without an adapter of its own.

The schema is documented in ``docs/jsonl-schema.md``. Required: ``community``, ``post_id``,
``created_at`` (ISO 8601 with a zone, or unix seconds). Keys the schema does not name are kept
in ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from ..errors import Place
from ..models import Media, Post, Reaction, make_uid
from ..textio import Line, Problem, iter_lines
from ..textutil import extract_urls
from .base import Adapter, Item, ReadContext, from_unix, register_adapter, strip_head

_FIELDS = frozenset(
    """platform community thread_id post_id created_at author_key author_name text raw_markup
    parent_uids parent_ids links media is_op subject reactions mentions kind extra""".split()
)
_MEDIA_KEYS = ("name", "ext", "size", "width", "height", "md5", "path", "kind", "url", "note")
_INT_MEDIA = ("size", "width", "height")


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_unix(value)
    if isinstance(value, str):
        if re.fullmatch(r"\d{9,11}(?:\.\d+)?", value):
            return from_unix(value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        # an offset is converted, not kept: every time in the lake is UTC
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _str_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def map_record(d: Any, ctx: ReadContext, place: Place, source_record: int) -> Post | Problem:
    if not isinstance(d, dict):
        return Problem(place, f"expected a JSON object per line, found {type(d).__name__}")
    missing = [k for k in ("post_id", "created_at") if d.get(k) in (None, "")]
    community = d.get("community") or ctx.community
    if not community:
        missing.insert(0, "community")
    if missing:
        return Problem(
            place, f"missing required field(s): {', '.join(missing)} (see docs/jsonl-schema.md)"
        )
    created = _time(d.get("created_at"))
    if created is None:
        return Problem(place, f"created_at {d.get('created_at')!r} is not ISO 8601 or unix seconds")
    platform = str(d.get("platform") or "jsonl")
    community = str(community)
    parents = _str_list(d.get("parent_uids")) + [
        make_uid(platform, community, p) for p in _str_list(d.get("parent_ids"))
    ]
    media: list[Media] = []
    for m in d.get("media") or []:
        if isinstance(m, dict):
            values = {k: m.get(k) for k in _MEDIA_KEYS}
            for k in _INT_MEDIA:
                values[k] = values[k] if isinstance(values[k], int) else None
            for k in _MEDIA_KEYS:
                if k not in _INT_MEDIA and values[k] is not None:
                    values[k] = str(values[k])
            media.append(Media(**values))
    extra = dict(d["extra"]) if isinstance(d.get("extra"), dict) else {}
    extra.update({k: v for k, v in d.items() if k not in _FIELDS})
    raw_text = d.get("text")
    text: str = raw_text if isinstance(raw_text, str) else ""
    return Post(
        platform=platform,
        community=community,
        thread_id=str(d.get("thread_id") or community),
        post_id=str(d["post_id"]),
        created_at=created,
        author_key=None if d.get("author_key") is None else str(d["author_key"]),
        author_name=None if d.get("author_name") is None else str(d["author_name"]),
        text=text,
        raw_markup=d.get("raw_markup") if isinstance(d.get("raw_markup"), str) else None,
        parent_uids=list(dict.fromkeys(parents)),
        links=extract_urls(text, _str_list(d.get("links"))),
        media=media,
        is_op=bool(d.get("is_op")),
        extra=extra,
        source=ctx.source(place.file, source_record, place.line),
        kind=str(d.get("kind") or "post"),
        subject=d.get("subject") if isinstance(d.get("subject"), str) else None,
        reactions=[
            Reaction(str(r.get("emoji")), int(r.get("count") or 0))
            for r in d.get("reactions") or []
            if isinstance(r, dict) and r.get("emoji")
        ],
        mentions=_str_list(d.get("mentions")),
    )


@register_adapter
class GenericJsonl(Adapter):
    name = "jsonl"
    platform = "jsonl"
    description = "generic JSON lines, one post per line (docs/jsonl-schema.md)"

    @classmethod
    def sniff(cls, head: str, path: str) -> int:
        first = strip_head(head).split("\n", 1)[0]
        if not first.startswith("{"):
            return 0
        if '"post_id"' in first and ('"community"' in first or '"created_at"' in first):
            return 85
        if path.lower().endswith((".jsonl", ".ndjson")):
            return 20
        return 0

    def read(self, path: str, ctx: ReadContext) -> Iterator[Item]:
        record = 0
        for line in iter_lines(path):
            if isinstance(line, Problem):
                yield line
                continue
            assert isinstance(line, Line)
            place = Place(path, line=line.number)
            try:
                d = orjson.loads(line.text)
            except orjson.JSONDecodeError as exc:
                yield Problem(place, f"malformed JSON line: {exc}", line.text[:200])
                continue
            item = map_record(d, ctx, place, record)
            if isinstance(item, Post):
                record += 1
            yield item
