"""The Telegram writer: Telegram Desktop exports of a distribution channel and a request group."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import compose as C
from ..conversation import Actor, Event, World, conversation, target_ref
from .common import END, START, JsonArrayWriter, MediaFiles, actor_num
from .truth import TruthWriter


class TelegramWriter:
    def __init__(self, world: World, root: Path, truth: TruthWriter, media: MediaFiles) -> None:
        self.world, self.root, self.truth, self.media = world, root, truth, media

    def channel(
        self, budget: int, chat_id: int, name: str, own_invite: str, invites: dict[str, str]
    ) -> int:
        rng = self.world.rng
        folder = self.root / "telegram" / f"ChatExport_{chat_id}"
        folder.mkdir(parents=True, exist_ok=True)
        community = str(chat_id)
        with open(folder / "result.json", "w", encoding="utf-8") as f:
            w = JsonArrayWriter(
                f, {"name": name, "type": "public_channel", "id": chat_id}, "messages", " "
            )
            t = START + 86400 * 3
            msg_id = 1
            intro = C.RoleText(
                "distribution",
                f"Welcome. Backup link if we get banned: t.me/+{own_invite}",
                "none/distribution.own-invite",
            )
            self._write(w, msg_id, t, name, f"channel{chat_id}", intro, None, None)
            self.truth.row("telegram", community, community, str(msg_id), None, intro)
            for msg_id in range(2, budget + 1):
                t += rng.expovariate(1 / ((END - START) / max(budget, 1)))
                pool = self.world.media_before(t, 30)
                if pool and rng.random() < 0.75:
                    seed, campaign, target = rng.choice(pool)
                    var = rng.randint(1, 10**6) if rng.random() < 0.3 else None
                    rt = (
                        self.world.writer.text(name, "distribution", "distribution.repost")
                        if rng.random() < 0.5
                        else C.RoleText("distribution", "", "none/distribution.repost-silent")
                    )
                    rt.flags = self.world.inherited(campaign)
                    e = Event(
                        t,
                        Actor(name),
                        rt,
                        campaign=campaign,
                        part="distribution",
                        target=target_ref(target),
                    )
                    self._write(
                        w,
                        msg_id,
                        t,
                        name,
                        f"channel{chat_id}",
                        rt,
                        (seed, var, folder),
                        {
                            k: rng.randint(1, 80)
                            for k in rng.sample(["🔥", "😍", "❤", "👍"], rng.randint(0, 3))
                        },
                    )
                    self.truth.row("telegram", community, community, str(msg_id), e)
                else:
                    dest = rng.choice(sorted(invites))
                    rt = self.world.writer.invite(name, dest, invites[dest])
                    self._write(w, msg_id, t, name, f"channel{chat_id}", rt, None, None)
                    self.truth.row("telegram", community, community, str(msg_id), None, rt)
            w.close()
        return budget

    def group(self, budget: int, chat_id: int, name: str, invites: dict[str, str]) -> int:
        folder = self.root / "telegram" / f"ChatExport_{chat_id}"
        folder.mkdir(parents=True, exist_ok=True)
        community = str(chat_id)
        events = conversation(
            self.world,
            "telegram",
            budget,
            START + 86400 * 5,
            quote_rate=0.7,
            invites=invites,
            noise_share=0.5,
            gap=(END - START) / max(budget, 1) * 0.6,
        )
        ids: dict[int, int] = {}
        with open(folder / "result.json", "w", encoding="utf-8") as f:
            w = JsonArrayWriter(
                f, {"name": name, "type": "private_supergroup", "id": chat_id}, "messages", " "
            )
            for i, e in enumerate(events, start=1):
                ids[id(e)] = i
                reply = ids.get(id(e.parent)) if e.parent is not None and e.quoted else None
                uid = 500_000 + actor_num(e.actor)
                media = (e.media_seed, None, folder) if e.media_seed is not None else None
                self._write(
                    w,
                    i,
                    e.t,
                    e.actor.key.replace("user", "member_").replace("creator", "wizard_"),
                    f"user{uid}",
                    e.role,
                    media,
                    e.reactions,
                    reply,
                )
                self.truth.row("telegram", community, community, str(i), e)
            w.close()
        return len(events)

    def _write(
        self,
        w: JsonArrayWriter,
        msg_id: int,
        t: float,
        author: str,
        author_id: str,
        rt: C.RoleText,
        media: tuple[int, int | None, Path] | None,
        reactions: dict[str, int] | None,
        reply: int | None = None,
    ) -> None:
        d = datetime.fromtimestamp(t, tz=UTC)
        m: dict[str, Any] = {
            "id": msg_id,
            "type": "message",
            "date": d.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(int(t)),
            "from": author,
            "from_id": author_id,
        }
        if reply is not None:
            m["reply_to_message_id"] = reply
        if media is not None:
            seed, var, folder = media
            rel = f"photos/photo_{seed}{'_' + str(var) if var else ''}@{d.strftime('%d-%m-%Y_%H-%M-%S')}.png"
            size = self.media.write(folder / "photos", rel.split("/", 1)[1], seed, var)
            if size is None:
                m.update(
                    photo="(File not included. Change data exporting settings to download.)",
                    width=96,
                    height=96,
                )
            else:
                m.update(photo=rel, photo_file_size=size, width=96, height=96)
        m["text"] = _telegram_text(rt.text)
        m["text_entities"] = [{"type": "plain", "text": rt.text}] if rt.text else []
        if reactions:
            m["reactions"] = [
                {"type": "emoji", "count": c, "emoji": e} for e, c in reactions.items()
            ]
        w.add(m)


def _telegram_text(text: str) -> Any:
    """Telegram writes entity-bearing texts as arrays; links become ``link`` entities."""
    if "t.me/" in text and "[.]" not in text and " dot " not in text:
        before, _, after = text.partition("t.me/")
        code, sep, rest = after.partition(" ")
        parts: list[Any] = [before] if before else []
        parts.append({"type": "link", "text": "t.me/" + code})
        if sep or rest:
            parts.append(sep + rest)
        return parts
    return text
