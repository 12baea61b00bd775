"""DiscordChatExporter JSON exports (one channel or thread per file).

``reference.messageId`` is the parent; attachments, reactions (emoji and count: social rewards)
and mentions are kept; ``messageCount`` is not trusted (a notice says when it is wrong);
duplicate message ids are kept once and reported by ingest, which deduplicates by uid. Threads
(channel types ``*Thread``) belong to their parent channel: community ``guild/parent_channel``,
``thread_id`` the thread's own id.
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
from ..textio import Problem, open_json
from ..textutil import extract_urls
from .base import (
    Adapter,
    BulkRead,
    Item,
    Notice,
    ReadContext,
    media_kind,
    register_adapter,
    strip_head,
)

_MAPPED = frozenset(
    "id type timestamp content author attachments reactions mentions reference".split()
)
_CONTENT_TYPES = frozenset(
    {"Default", "Reply", "ThreadStarterMessage", "ChatInputCommand", "ContextMenuCommand"}
)


def _parse_ts(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@register_adapter
class DiscordChatExporter(Adapter):
    name = "discord"
    platform = "discord"
    description = "DiscordChatExporter JSON export of a channel, DM or thread"

    @classmethod
    def sniff(cls, head: str, path: str) -> int:
        h = strip_head(head)
        if re.match(r'\{\s*"guild"\s*:\s*\{', h) and '"channel"' in h:
            return 95
        return 0

    def read_bulk(self, path: str, ctx: ReadContext) -> BulkRead | None:
        from .discord_bulk import read_export_bulk  # it builds on this module

        return read_export_bulk(path, ctx, os.path.dirname(os.path.abspath(path)))

    def read(self, path: str, ctx: ReadContext) -> Iterator[Item]:
        cursor = open_json(path)
        if cursor.peek_kind() != "object":
            yield Problem(
                cursor.place(), "not a DiscordChatExporter export: expected a JSON object"
            )
            return
        export_dir = os.path.dirname(os.path.abspath(path))
        guild: dict[str, Any] = {}
        channel: dict[str, Any] = {}
        seen = 0
        claimed: Any = None
        for key in cursor.iter_object():
            if key in ("guild", "channel"):
                value = cursor.read_value()
                if isinstance(value, dict):
                    (guild if key == "guild" else channel).update(value)
            elif key == "messages" and cursor.peek_kind() == "array":
                mapper = _Mapper(path, ctx, export_dir, guild, channel)
                for rec in cursor.iter_records(
                    lambda v: isinstance(v, dict) and "id" in v and "author" in v
                ):
                    if isinstance(rec, Problem):
                        yield rec
                        continue
                    seen += 1
                    yield mapper.map(rec.value, rec.place)
                yield from mapper.notices()
            elif key == "messageCount":
                claimed = cursor.read_value()
            else:
                cursor.skip_value()
        if isinstance(claimed, int) and claimed != seen:
            yield Notice(
                Place(path),
                f"messageCount says {claimed} but the file holds {seen} messages; counted what is there",
            )


class _Mapper:
    def __init__(
        self,
        path: str,
        ctx: ReadContext,
        export_dir: str,
        guild: dict[str, Any],
        channel: dict[str, Any],
    ) -> None:
        self.path = path
        self.ctx = ctx
        self.export_dir = export_dir
        self.guild_id = str(guild.get("id") or "0")
        self.channel_id = str(channel.get("id") or ctx.community or "unknown")
        ctype = str(channel.get("type") or "")
        self.is_thread = ctype.endswith("Thread")
        parent = str(channel.get("categoryId") or "") if self.is_thread else ""
        self.parent_channel = parent or self.channel_id
        self.community = f"{self.guild_id}/{self.parent_channel}"
        self.meta = {
            "guild_name": guild.get("name"),
            "channel_name": channel.get("name"),
            "channel_type": ctype or None,
        }
        if self.is_thread:
            self.meta["thread_name"] = channel.get("name")
            self.meta["channel_name"] = channel.get("category")
        self.record = 0
        self.unsafe_paths = 0

    def reference(self, m: dict[str, Any]) -> tuple[list[str], str | None]:
        """What a message answers: the uid of the message it replies to (in this channel, its
        parent's, or another channel of the guild), else the channel it points at (a
        ThreadCreated message points at its thread)."""
        ref = m.get("reference")
        if not isinstance(ref, dict):
            return [], None
        if ref.get("messageId"):
            ref_channel = str(ref.get("channelId") or self.channel_id)
            if ref_channel in (self.channel_id, self.parent_channel):
                community = self.community
            else:
                community = f"{ref.get('guildId') or self.guild_id}/{ref_channel}"
            return [make_uid("discord", community, str(ref["messageId"]))], None
        return [], str(ref["channelId"]) if ref.get("channelId") else None

    def _attachment(self, a: Any) -> Media | None:
        if not isinstance(a, dict):
            return None
        name = a.get("fileName") if isinstance(a.get("fileName"), str) else None
        url = a.get("url") if isinstance(a.get("url"), str) else None
        ext = os.path.splitext(name or "")[1].lower() or None
        item = Media(
            name=name,
            ext=ext,
            size=a.get("fileSizeBytes") if isinstance(a.get("fileSizeBytes"), int) else None,
            kind=media_kind(ext),
        )
        if url and not re.match(r"^[a-z]+://", url):
            full = os.path.normpath(os.path.join(self.export_dir, url.replace("\\", "/")))
            if os.path.commonpath([full, self.export_dir]) != self.export_dir:
                self.unsafe_paths += 1
                item.note = "path points outside the export folder; ignored"
            else:
                item.path = full
                if not os.path.exists(full):
                    item.note = "file named by the export is missing"
        else:
            item.url = url
        return item

    def map(self, m: Any, place: Place) -> Post | Problem:
        if not isinstance(m, dict) or not m.get("id"):
            return Problem(
                place, "message has no 'id'", orjson.dumps(m)[:200].decode("utf-8", "replace")
            )
        msg_id = str(m["id"])
        source = self.ctx.source(self.path, self.record, place.line)
        self.record += 1
        raw_author, raw_content = m.get("author"), m.get("content")
        author: dict[str, Any] = raw_author if isinstance(raw_author, dict) else {}
        content: str = raw_content if isinstance(raw_content, str) else ""
        parents, referenced = self.reference(m)
        extra_ref = {} if referenced is None else {"referenced_channel_id": referenced}
        reactions = [Reaction(name, count) for name, count in reaction_counts(m)]
        media = [
            x for x in (self._attachment(a) for a in m.get("attachments") or []) if x is not None
        ]
        extra: dict[str, Any] = {k: v for k, v in m.items() if k not in _MAPPED}
        extra.update({k: v for k, v in self.meta.items() if v})
        extra.update(extra_ref)
        if self.is_thread:
            extra["thread_channel_id"] = self.channel_id
        extra["author"] = {k: v for k, v in author.items() if k not in ("id", "name", "nickname")}
        mtype = str(m.get("type") or "Default")
        kind = "post" if mtype in _CONTENT_TYPES else "service"
        if kind == "service":
            extra["action"] = mtype
        return Post(
            platform="discord",
            community=self.community,
            thread_id=self.channel_id,
            post_id=msg_id,
            created_at=_parse_ts(m.get("timestamp")),
            author_key=str(author["id"]) if author.get("id") else None,
            author_name=author.get("nickname") or author.get("name"),
            text=content,
            raw_markup=None,
            parent_uids=parents,
            links=extract_urls(content),
            media=media,
            is_op=False,
            extra=extra,
            source=source,
            kind=kind,
            reactions=reactions,
            mentions=[
                str(x["id"]) for x in m.get("mentions") or [] if isinstance(x, dict) and x.get("id")
            ],
        )

    def notices(self) -> Iterator[Notice]:
        if self.unsafe_paths:
            yield Notice(
                Place(self.path),
                f"{self.unsafe_paths} attachment paths pointed outside the export folder and were ignored",
            )


def reaction_counts(m: dict[str, Any]) -> list[tuple[str, int]]:
    """A message's reactions as (emoji name, or its id for a custom one, count): both readers."""
    out = []
    for r in m.get("reactions") or []:
        if isinstance(r, dict):
            raw_emoji = r.get("emoji")
            emoji: dict[str, Any] = raw_emoji if isinstance(raw_emoji, dict) else {}
            out.append((str(emoji.get("name") or emoji.get("id") or "?"), int(r.get("count") or 0)))
    return out
