"""Telegram Desktop exports (JSON): one chat's ``result.json`` or the whole-account export.

Details that matter: ``text`` is a string or a list of strings and entity objects; ``date`` is
local wall-clock time without a zone (we treat it as ``--tz``, UTC by default, and record that),
while ``date_unixtime`` is exact and preferred; ``from_id`` keeps its ``user``/``channel``
prefix; service messages (joins, pins, calls) are kept as ``kind="service"`` with their action;
media paths are relative to the export folder, and "(File not included...)" placeholders are kept
as media without a file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson

from ..errors import Place
from ..models import Media, Post, Reaction, make_uid
from ..textio import JsonCursor, Problem, open_json
from ..textutil import extract_urls
from .base import (
    Adapter,
    BulkRead,
    Item,
    Notice,
    ReadContext,
    from_unix,
    register_adapter,
    strip_head,
)

_CHAT_TYPES = (
    "personal_chat|private_group|private_supergroup|public_supergroup|public_channel|"
    "private_channel|bot_chat|saved_messages|replies"
)
_MAPPED = frozenset(
    """id type date date_unixtime from from_id actor actor_id text text_entities reply_to_message_id
    photo file thumbnail media_type mime_type width height file_size file_name reactions
    photo_file_size thumbnail_file_size""".split()
)
_MEDIA_FIELDS = (("photo", "image"), ("file", None))


def _is_placeholder(value: str) -> bool:
    return value.startswith("(") and value.endswith(")")


class _ChatReader:
    """Maps one chat's messages; holds the per-chat state (id, counts, the tz notice)."""

    def __init__(self, path: str, ctx: ReadContext, export_dir: str) -> None:
        self.path = path
        self.ctx = ctx
        self.export_dir = export_dir
        self.record = 0
        self.assumed_tz = False
        self.unsafe_paths = 0

    def plain_text(self, text: Any) -> tuple[str, list[str], list[str], str | None]:
        """Text, hyperlinks and mentions from either shape of ``text``; raw entities as JSON."""
        if isinstance(text, str):
            return text, [], [], None
        if not isinstance(text, list):
            return "", [], [], None
        parts: list[str] = []
        hrefs: list[str] = []
        mentions: list[str] = []
        for piece in text:
            if isinstance(piece, str):
                parts.append(piece)
            elif isinstance(piece, dict):
                t = piece.get("text")
                parts.append(t if isinstance(t, str) else "")
                etype = piece.get("type")
                if etype == "text_link" and isinstance(piece.get("href"), str):
                    hrefs.append(piece["href"])
                elif etype == "link" and isinstance(t, str):
                    hrefs.append(t)
                elif etype == "mention_name" and piece.get("user_id") is not None:
                    mentions.append(f"user{piece['user_id']}")
                elif etype == "mention" and isinstance(t, str):
                    mentions.append(t)
        return "".join(parts), hrefs, mentions, orjson.dumps(text).decode("utf-8")

    def created_at(self, m: dict[str, Any]) -> datetime | None:
        if "date_unixtime" in m:
            exact = from_unix(m["date_unixtime"])
            if exact is not None:
                return exact
        date = m.get("date")
        if not isinstance(date, str):
            return None
        try:
            parsed = datetime.fromisoformat(date)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            self.assumed_tz = not self.ctx.tz_explicit
            parsed = parsed.replace(tzinfo=self.ctx.tz)
        return parsed

    def resolve(self, rel: str) -> str | None:
        """An export-relative path made absolute; None if it would leave the export folder."""
        full = os.path.normpath(os.path.join(self.export_dir, rel.replace("\\", "/")))
        if os.path.commonpath([full, self.export_dir]) != self.export_dir:
            self.unsafe_paths += 1
            return None
        return full

    def media(self, m: dict[str, Any]) -> list[Media]:
        out: list[Media] = []
        for key, default_kind in _MEDIA_FIELDS:
            value = m.get(key)
            if not isinstance(value, str) or not value:
                continue
            kind = default_kind or str(m.get("media_type") or "file")
            if kind == "video_file":
                kind = "video"
            size_key = "photo_file_size" if key == "photo" else "file_size"
            item = Media(
                kind=kind,
                width=m.get("width") if isinstance(m.get("width"), int) else None,
                height=m.get("height") if isinstance(m.get("height"), int) else None,
                size=m.get(size_key) if isinstance(m.get(size_key), int) else None,
            )
            if _is_placeholder(value):
                item.note = value
                item.name = m.get("file_name") if isinstance(m.get("file_name"), str) else None
            else:
                item.name = os.path.basename(value.replace("\\", "/"))
                item.path = self.resolve(value)
                if item.path is None:
                    item.note = "path points outside the export folder; ignored"
                elif not os.path.exists(item.path):
                    item.note = "file named by the export is missing"
            item.ext = os.path.splitext(item.name or "")[1].lower() or None
            out.append(item)
        return out

    def map(self, m: Any, chat_id: str, place: Place) -> Post | Problem:
        if not isinstance(m, dict):
            return Problem(place, f"expected a message object, found {type(m).__name__}")
        msg_id = m.get("id")
        if isinstance(msg_id, bool) or not isinstance(msg_id, int | str) or str(msg_id) == "":
            return Problem(
                place, "message has no 'id'", orjson.dumps(m)[:200].decode("utf-8", "replace")
            )
        source = self.ctx.source(self.path, self.record, place.line)
        self.record += 1
        is_service = m.get("type") == "service"
        text, hrefs, mentions, raw = self.plain_text(m.get("text"))
        author_id = m.get("actor_id" if is_service else "from_id", m.get("from_id"))
        author_name = m.get("actor" if is_service else "from", m.get("from"))
        extra: dict[str, Any] = {k: v for k, v in m.items() if k not in _MAPPED}
        created = self.created_at(m)
        if self.assumed_tz and "date_unixtime" not in m:
            extra["time_assumed_tz"] = str(self.ctx.tz)
        parents = []
        if m.get("reply_to_message_id") is not None:
            parents.append(make_uid("telegram", chat_id, str(m["reply_to_message_id"])))
        reactions = [
            Reaction(
                str(r.get("emoji") or r.get("document_id") or r.get("type") or "?"),
                int(r.get("count") or 0),
            )
            for r in (m.get("reactions") or [])
            if isinstance(r, dict)
        ]
        return Post(
            platform="telegram",
            community=chat_id,
            thread_id=chat_id,
            post_id=str(msg_id),
            created_at=created,
            author_key=None if author_id is None else str(author_id),
            author_name=author_name if isinstance(author_name, str) else None,
            text=text,
            raw_markup=raw,
            parent_uids=parents,
            links=extract_urls(text, hrefs),
            media=self.media(m),
            extra=extra,
            source=source,
            kind="service" if is_service else "post",
            reactions=reactions,
            mentions=mentions,
        )


def _looks_like_message(v: Any) -> bool:
    return isinstance(v, dict) and "id" in v and ("type" in v or "date" in v)


@register_adapter
class TelegramExport(Adapter):
    name = "telegram"
    platform = "telegram"
    description = "Telegram Desktop JSON export: one chat's result.json or the full-account export"

    @classmethod
    def sniff(cls, head: str, path: str) -> int:
        h = strip_head(head)
        if not h.startswith("{"):
            return 0
        # each regex only where its literal start occurs: every 4chan thread starts with "{" too
        if '"about"' in h and (
            re.search(r'"about"\s*:\s*"Here is the data you requested', h)
            or re.search(r'"chats"\s*:\s*\{\s*"about"\s*:', h)
        ):
            return 95
        if '"messages"' in h and re.search(r'"type"\s*:\s*"(?:' + _CHAT_TYPES + r')"', h):
            return 92
        if (
            '"messages"' in h
            and ('"date_unixtime"' in h or '"from_id"' in h)
            and '"guild"' not in h
        ):
            return 70
        return 0

    def read_bulk(self, path: str, ctx: ReadContext) -> BulkRead | None:
        from .telegram_bulk import read_chat_bulk  # it builds on this module

        return read_chat_bulk(path, ctx, os.path.dirname(os.path.abspath(path)))

    def read(self, path: str, ctx: ReadContext) -> Iterator[Item]:
        cursor = open_json(path)
        if cursor.peek_kind() != "object":
            yield Problem(cursor.place(), "not a Telegram export: expected a JSON object")
            return
        reader = _ChatReader(path, ctx, os.path.dirname(os.path.abspath(path)))
        yield from self._object(cursor, reader, top=True)
        if reader.assumed_tz:
            yield Notice(
                Place(path),
                f"'date' has no time zone and no 'date_unixtime' on some messages; read as {ctx.tz} (use --tz to change)",
            )
        if reader.unsafe_paths:
            yield Notice(
                Place(path),
                f"{reader.unsafe_paths} media paths pointed outside the export folder and were ignored",
            )

    def _object(self, cursor: JsonCursor, reader: _ChatReader, top: bool) -> Iterator[Item]:
        """Walk an object that is either a chat (has ``messages``) or a container of chats."""
        header: dict[str, Any] = {}
        for key in cursor.iter_object():
            if key == "messages" and cursor.peek_kind() == "array":
                yield from self._messages(cursor, reader, header)
            elif key in ("chats", "left_chats") and cursor.peek_kind() == "object":
                yield from self._object(cursor, reader, top=False)
            elif key == "list" and cursor.peek_kind() == "array":
                for _ in cursor.iter_array():
                    if cursor.peek_kind() == "object":
                        yield from self._object(cursor, reader, top=False)
                    else:
                        cursor.skip_value()
            elif key in ("name", "type", "id"):
                header[key] = cursor.read_value()
            else:
                cursor.skip_value()

    def _messages(
        self, cursor: JsonCursor, reader: _ChatReader, header: dict[str, Any]
    ) -> Iterator[Item]:
        chat_id = header.get("id")
        if chat_id is None:
            chat = reader.ctx.community or (
                str(header["name"]) if header.get("name") else "unknown"
            )
            yield Notice(
                cursor.place(), f"chat has no 'id' before its messages; using community {chat!r}"
            )
        else:
            chat = str(chat_id)
        for rec in cursor.iter_records(_looks_like_message):
            if isinstance(rec, Problem):
                yield rec
                continue
            post = reader.map(rec.value, chat, rec.place)
            if isinstance(post, Post):
                if header.get("name"):
                    post.extra.setdefault("chat_name", header["name"])
                if header.get("type"):
                    post.extra.setdefault("chat_type", header["type"])
            yield post
