"""The Discord writer: DiscordChatExporter exports of a server's channels, a thread and a gallery."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import compose as C
from ..conversation import Event, World, target_ref
from .common import END, START, JsonArrayWriter, MediaFiles, actor_num
from .truth import TruthWriter


class DiscordWriter:
    EPOCH_MS = 1420070400000

    def __init__(
        self,
        world: World,
        root: Path,
        truth: TruthWriter,
        media: MediaFiles,
        guild_id: str,
        guild_name: str,
    ) -> None:
        self.world, self.root, self.truth, self.media = world, root, truth, media
        self.guild = {"id": guild_id, "name": guild_name, "iconUrl": "https://example.com/icon.png"}
        self.seq = 0

    def snowflake(self, t: float) -> str:
        self.seq = (self.seq + 1) % 4096
        return str(((int(t * 1000) - self.EPOCH_MS) << 22) | self.seq)

    def channel(
        self,
        budget: int,
        channel_id: str,
        name: str,
        events: list[Event],
        thread_of: str | None = None,
    ) -> int:
        kind = "GuildPublicThread" if thread_of else "GuildTextChat"
        file_stem = f"{self.guild['name']} - {name} [{channel_id}]"
        channel = {
            "id": channel_id,
            "type": kind,
            "categoryId": thread_of or "900000000000000001",
            "category": "requests" if thread_of else "Text Channels",
            "name": name,
            "topic": None,
        }
        community = f"{self.guild['id']}/{thread_of or channel_id}"
        path = self.root / "discord" / f"{file_stem}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        ids: dict[int, str] = {}
        with open(path, "w", encoding="utf-8") as f:
            w = JsonArrayWriter(
                f,
                {
                    "guild": self.guild,
                    "channel": channel,
                    "dateRange": {"after": None, "before": None},
                },
                "messages",
            )
            for e in events:
                mid = self.snowflake(e.t)
                ids[id(e)] = mid
                author_id = str(700_000_000_000_000_000 + actor_num(e.actor))
                m: dict[str, Any] = {
                    "id": mid,
                    "type": "Default",
                    "timestamp": datetime.fromtimestamp(e.t, tz=UTC).isoformat(
                        timespec="milliseconds"
                    ),
                    "timestampEdited": None,
                    "callEndedTimestamp": None,
                    "isPinned": False,
                    "content": e.role.text,
                    "author": {
                        "id": author_id,
                        "name": e.actor.key,
                        "discriminator": "0000",
                        "nickname": e.actor.key.replace("creator", "Wizard "),
                        "color": None,
                        "isBot": False,
                        "avatarUrl": "https://example.com/avatar.png",
                    },
                    "attachments": [],
                    "embeds": [],
                    "stickers": [],
                    "reactions": [],
                    "mentions": [],
                }
                if e.media_seed is not None:
                    fname = f"edit-{e.media_seed}{'-' + str(e.media_variant) if e.media_variant else ''}.png"
                    size = self.media.write(
                        path.parent / f"{file_stem}.json_Files",
                        fname,
                        e.media_seed,
                        e.media_variant,
                    )
                    url = (
                        f"{file_stem}.json_Files/{fname}"
                        if size is not None
                        else f"https://cdn.example.com/attachments/{fname}"
                    )
                    m["attachments"].append(
                        {
                            "id": self.snowflake(e.t),
                            "url": url,
                            "fileName": fname,
                            "fileSizeBytes": size or 20_000,
                        }
                    )
                if e.reactions:
                    m["reactions"] = [
                        {
                            "emoji": {
                                "id": "",
                                "name": k,
                                "isAnimated": False,
                                "imageUrl": "https://example.com/e.svg",
                            },
                            "count": c,
                        }
                        for k, c in e.reactions.items()
                    ]
                parent = ids.get(id(e.parent)) if e.parent is not None and e.quoted else None
                if parent:
                    m["type"] = "Reply"
                    m["reference"] = {
                        "messageId": parent,
                        "channelId": channel_id,
                        "guildId": self.guild["id"],
                    }
                w.add(m)
                self.truth.row("discord", community, channel_id, mid, e)
            w.close({"messageCount": len(events)})
        return len(events)


def gallery_events(world: World, n: int) -> list[Event]:
    """Reposts of fulfilments into the Discord gallery, with reactions (the reward)."""
    rng = world.rng
    events: list[Event] = []
    t = START + 86400 * 14
    for _ in range(max(n, 1)):
        t += rng.expovariate(1 / ((END - START - 86400 * 14) / max(n, 1)))
        pool = world.media_before(t, 40)
        poster = world.creator() if rng.random() < 0.5 else world.new_user()
        if not pool:
            events.append(Event(t, poster, world.writer.text(poster.key, "other", "other.chatter")))
            continue
        seed, campaign, target = rng.choice(pool)
        rt = (
            world.writer.text(poster.key, "distribution", "distribution.repost")
            if rng.random() < 0.5
            else C.RoleText("distribution", "", "none/distribution.gallery-silent")
        )
        rt.flags = world.inherited(campaign)
        e = Event(
            t,
            poster,
            rt,
            campaign=campaign,
            part="distribution",
            media_seed=seed,
            target=target_ref(target),
        )
        if rng.random() < 0.3:
            e.media_variant = rng.randint(1, 10**6)
        e.reactions = {
            k: rng.randint(1, 40)
            for k in rng.sample(["🔥", "😍", "👑", "🪄", "💯", "❤️"], rng.randint(1, 4))
        }
        events.append(e)
    return events
