"""``counterspell synth``: a fictional multi-platform corpus in the real export formats.

Layout of the output folder::

    4chan/r/thread/<no>.json          4chan API threads (board /r/)
    4chan/r/catalog.json              a catalog snapshot (overlaps the threads, as in real life)
    4chan-archive/r/thread-<no>.json  FoolFuuka archive copies of some threads (overlap again)
    telegram/<channel>/result.json    Telegram Desktop export of the distribution channel, photos/
    telegram/<group>/result.json      Telegram Desktop export of the request group, photos/
    discord/*.json                    DiscordChatExporter exports of a server (and one thread)
    truth.csv                         ground truth per post (role, campaign, part, target, flags)
    communities.csv                   each community with its name and invite code

Deterministic by seed; written as a stream, so 10 million posts need no more memory than 10
thousand. Every text is fictional and non-graphic; domains are example.com; images are abstract
colour fields.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import orjson

from . import compose as C
from . import phrases as P
from .conversation import Actor, Event, World, conversation, reposts, target_ref
from .images import encode_png, pattern, variant

START = datetime(2025, 12, 1, tzinfo=UTC).timestamp()
END = datetime(2026, 3, 31, tzinfo=UTC).timestamp()
_EASTERN = ZoneInfo("America/New_York")
TRUTH_COLUMNS = [
    "platform",
    "community",
    "thread_id",
    "post_id",
    "role",
    "campaign",
    "part",
    "target",
    "relationship",
    "flags",
    "template",
    "lang",
]


@dataclass
class Summary:
    output: str
    posts: int = 0
    per_platform: dict[str, int] = field(default_factory=dict)
    truth_path: str = ""


class _Truth:
    def __init__(self, path: Path) -> None:
        self.f = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.w = csv.writer(self.f)
        self.w.writerow(TRUTH_COLUMNS)
        self.counts: dict[str, int] = {}

    def row(
        self,
        platform: str,
        community: str,
        thread: str,
        post_id: str,
        e: Event | None,
        role: C.RoleText | None = None,
    ) -> None:
        rt = role or (e.role if e else None)
        assert rt is not None
        t = e.target if e else None
        is_request = rt.role == "request"
        self.w.writerow(
            [
                platform,
                community,
                thread,
                post_id,
                rt.role,
                (e.campaign or "") if e else "",
                (e.part or "") if e else "",
                t.tid if t and e and e.campaign else "",
                t.relationship if t and is_request else ("none" if not is_request else "unknown"),
                ";".join(sorted(set(rt.flags))),
                rt.template,
                rt.lang,
            ]
        )
        self.counts[platform] = self.counts.get(platform, 0) + 1

    def close(self) -> None:
        self.f.close()


class _Media:
    """PNG bytes per media seed, with MD5s cached for the 4chan side (which has no files).

    With ``files=False`` (large benchmark corpora) no image is drawn: 4chan MD5s are derived from
    the seed, and Telegram/Discord media are recorded the way exports record files they did not
    download (placeholders, remote URLs).
    """

    def __init__(self, files: bool = True) -> None:
        self.files = files
        self._md5: dict[tuple[int, int | None], tuple[str, int]] = {}

    def png(self, seed: int, var: int | None = None) -> bytes:
        px = pattern(seed)
        if var is not None:
            px = variant(px, var)
        return encode_png(px)

    def md5(self, seed: int, var: int | None = None) -> tuple[str, int]:
        key = (seed, var)
        hit = self._md5.get(key)
        if hit is None:
            if self.files:
                data = self.png(seed, var)
                hit = (hashlib.md5(data).hexdigest(), len(data))
            else:
                hit = (hashlib.md5(f"{seed}/{var}".encode()).hexdigest(), 20_000 + seed % 9000)
            if len(self._md5) >= 50_000:
                self._md5.clear()  # bounded memory for corpora of millions of posts
            self._md5[key] = hit
        return hit

    def write(self, folder: Path, name: str, seed: int, var: int | None = None) -> int | None:
        """Write the image; None when the corpus has no media files."""
        if not self.files:
            return None
        data = self.png(seed, var)
        path = folder / name
        try:
            path.write_bytes(data)
        except FileNotFoundError:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return len(data)


def _fourchan_html(text: str, quote_no: int | None) -> str:
    lines = []
    for line in text.split("\n"):
        esc = html.escape(line, quote=True).replace("&#x27;", "&#039;")
        lines.append(f'<span class="quote">{esc}</span>' if line.startswith(">") else esc)
    body = "<br>".join(lines)
    if quote_no is not None:
        body = f'<a href="#p{quote_no}" class="quotelink">&gt;&gt;{quote_no}</a><br>{body}'
    return body


def _now_eastern(t: float) -> str:
    d = datetime.fromtimestamp(t, tz=_EASTERN)
    return d.strftime("%m/%d/%y(%a)%H:%M:%S")


class _Fourchan:
    def __init__(
        self, world: World, root: Path, truth: _Truth, media: _Media, invites: dict[str, str]
    ) -> None:
        self.world, self.root, self.truth, self.media, self.invites = (
            world,
            root,
            truth,
            media,
            invites,
        )
        self.no = 40_000_000 + world.seed * 1000
        self.catalog: list[list[dict[str, Any]]] = []
        self.trips = {
            c.key: f"!!{hashlib.sha1(c.key.encode()).hexdigest()[:10]}" for c in world.creators[:12]
        }
        self.threads = 0

    def write(self, budget: int) -> int:
        rng = self.world.rng
        written = 0
        span = END - START
        while written < budget:
            size = min(budget - written, rng.randint(12, 110))
            start = START + span * (written / max(budget, 1)) + rng.uniform(0, 3600)
            kind = rng.choices(
                ["general", "request", "ordinary", "repost"], weights=[56, 30, 10, 4], k=1
            )[0]
            general = kind == "general"
            events = conversation(
                self.world,
                "4chan",
                max(size - general, 1),
                start,
                quote_rate=0.55,
                invites=self.invites,
                ordinary=kind == "ordinary",
            )
            if kind == "repost" and self.world.media_before(start, 1):
                # "reposting the best ones for the newcomers": the OP and a run of reposts
                shown = reposts(self.world, start - 600, rng.randint(3, 8), 0.55)
                events = sorted([*shown, *events], key=lambda e: e.t)
            if general:
                self.threads += 1
                op_text = rng.choice(P.GENERAL_OPS).format(n=100 + self.threads)
                events.insert(
                    0,
                    Event(
                        start - 60,
                        self.world.new_user(),
                        C.RoleText("other", op_text, "none/other.general-op"),
                    ),
                )
            written += self._thread(events, general)
        self._catalog()
        return written

    def _thread(self, events: list[Event], general: bool) -> int:
        rng = self.world.rng
        numbers: dict[int, int] = {}
        posts: list[dict[str, Any]] = []
        op_no = 0
        for i, e in enumerate(events):
            self.no += rng.randint(1, 30)
            numbers[id(e)] = self.no
            if i == 0:
                op_no = self.no
            quote = numbers.get(id(e.parent)) if e.parent is not None and e.quoted else None
            p: dict[str, Any] = {
                "no": self.no,
                "now": _now_eastern(e.t),
                "name": "Anonymous",
                "com": _fourchan_html(e.role.text, quote),
                "time": int(e.t),
                "resto": 0 if i == 0 else op_no,
            }
            if e.actor.key in self.trips and rng.random() < 0.8:
                p["name"] = e.actor.key.replace("creator", "Wiz")
                p["trip"] = self.trips[e.actor.key]
            if i == 0:
                p["sub"] = (
                    P.GENERAL_OPS[0].split(" -")[0].format(n=100 + self.threads)
                    if general
                    else rng.choice(["", "req", "R: edit"])
                )
                p["semantic_url"] = "thread"
            seed = e.media_seed
            if seed is None and i == 0:
                seed = self.world.new_media(e.t)  # 4chan threads must start with an image
            if seed is not None:
                md5, size = self.media.md5(seed)
                p.update(
                    filename=f"IMG_{seed % 10000:04d}",
                    ext=".png",
                    w=96,
                    h=96,
                    tn_w=96,
                    tn_h=96,
                    tim=int(e.t * 1000) + rng.randint(0, 999),
                    md5=base64.b64encode(bytes.fromhex(md5)).decode(),
                    fsize=size,
                )
            if not e.role.text:
                p.pop("com")
            posts.append(p)
            self.truth.row("4chan", "r", str(op_no), str(self.no), e)
        path = self.root / "4chan" / "r" / "thread" / f"{op_no}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps({"posts": posts}))
        self.catalog.append(posts[:1] + posts[-5:] if len(posts) > 1 else posts)
        self.catalog = self.catalog[-12:]
        if rng.random() < 0.1:
            self._archive(posts)
        return len(posts)

    def _archive(self, posts: list[dict[str, Any]]) -> None:
        """The same thread as a FoolFuuka archive would serve it."""
        op = posts[0]["no"]

        def ff(p: dict[str, Any]) -> dict[str, Any]:
            comment = html.unescape(re.sub(r"<[^>]+>", "", p.get("com", "").replace("<br>", "\n")))
            d: dict[str, Any] = {
                "num": str(p["no"]),
                "subnum": "0",
                "thread_num": str(op),
                "op": "1" if p["no"] == op else "0",
                "timestamp": p["time"],
                "name": p.get("name"),
                "trip": p.get("trip"),
                "title": p.get("sub") or None,
                "comment": comment,
                "poster_hash": None,
                "board": {"name": "Adult Requests", "shortname": "r"},
            }
            if "md5" in p:
                d["media"] = {
                    "media_filename": p["filename"] + p["ext"],
                    "media_hash": p["md5"],
                    "media_size": str(p["fsize"]),
                    "media_w": "96",
                    "media_h": "96",
                }
            return d

        doc = {str(op): {"op": ff(posts[0]), "posts": {str(p["no"]): ff(p) for p in posts[1:]}}}
        path = self.root / "4chan-archive" / "r" / f"thread-{op}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(doc))

    def _catalog(self) -> None:
        threads = []
        for posts in self.catalog:
            op = dict(posts[0])
            op["last_replies"] = posts[1:]
            op["replies"] = len(posts) - 1
            threads.append(op)
        pages = [
            {"page": i + 1, "threads": threads[i * 6 : (i + 1) * 6]}
            for i in range((len(threads) + 5) // 6)
        ]
        (self.root / "4chan" / "r").mkdir(parents=True, exist_ok=True)
        (self.root / "4chan" / "r" / "catalog.json").write_bytes(orjson.dumps(pages))


class _JsonArrayWriter:
    """Streams a pretty-printed export: header keys, then one array of messages."""

    def __init__(
        self, f: IO[str], header: dict[str, Any], array_key: str, indent: str = "  "
    ) -> None:
        self.f, self.indent, self.first = f, indent, True
        head = orjson.dumps(header, option=orjson.OPT_INDENT_2).decode()[:-2]  # drop "\n}"
        f.write(head + ("," if header else "") + f'\n{indent}"{array_key}": [')

    def add(self, obj: dict[str, Any]) -> None:
        text = (
            orjson.dumps(obj, option=orjson.OPT_INDENT_2)
            .decode()
            .replace("\n", "\n" + self.indent * 2)
        )
        self.f.write(("\n" if self.first else ",\n") + self.indent * 2 + text)
        self.first = False

    def close(self, trailer: dict[str, Any] | None = None) -> None:
        self.f.write(f"\n{self.indent}]")
        for k, v in (trailer or {}).items():
            self.f.write(f',\n{self.indent}"{k}": {orjson.dumps(v).decode()}')
        self.f.write("\n}\n")


class _Telegram:
    def __init__(self, world: World, root: Path, truth: _Truth, media: _Media) -> None:
        self.world, self.root, self.truth, self.media = world, root, truth, media

    def channel(
        self, budget: int, chat_id: int, name: str, own_invite: str, invites: dict[str, str]
    ) -> int:
        rng = self.world.rng
        folder = self.root / "telegram" / f"ChatExport_{chat_id}"
        folder.mkdir(parents=True, exist_ok=True)
        community = str(chat_id)
        with open(folder / "result.json", "w", encoding="utf-8") as f:
            w = _JsonArrayWriter(
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
            w = _JsonArrayWriter(
                f, {"name": name, "type": "private_supergroup", "id": chat_id}, "messages", " "
            )
            for i, e in enumerate(events, start=1):
                ids[id(e)] = i
                reply = ids.get(id(e.parent)) if e.parent is not None and e.quoted else None
                uid = 500_000 + _actor_num(e.actor)
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
        w: _JsonArrayWriter,
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


def _actor_num(actor: Actor) -> int:
    """A stable number per actor (Python's str hash is salted per process)."""
    digits = "".join(ch for ch in actor.key if ch.isdigit())
    return (int(digits) if digits else 0) + (0 if actor.creator else 1000)


class _Discord:
    EPOCH_MS = 1420070400000

    def __init__(
        self, world: World, root: Path, truth: _Truth, media: _Media, guild_id: str, guild_name: str
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
            w = _JsonArrayWriter(
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
                author_id = str(700_000_000_000_000_000 + _actor_num(e.actor))
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


def generate(
    output: str | os.PathLike[str],
    posts: int = 5000,
    seed: int = 1,
    media_files: bool = True,
    quote_scale: float = 1.0,
    families: str | list[str] | tuple[str, ...] | None = None,
    minor_rate: float = 0.04,
) -> Summary:
    """Write the corpus; ``posts`` is the approximate total across platforms.

    ``media_files=False`` skips drawing images (for benchmark corpora of millions of posts).
    ``families``: the grammar families that write the text (``"train"``, ``"heldout"``, names,
    or None for all of them; see :mod:`counterspell.synth.families`). ``minor_rate`` scales how
    often a target is a minor (training raises it so the model sees enough of them).
    """
    from .families import select

    root = Path(output)
    root.mkdir(parents=True, exist_ok=True)
    world = World(seed, quote_scale, select(families), minor_rate)
    rng = world.rng
    media = _Media(media_files)
    truth = _Truth(root / "truth.csv")
    tg_channel_id, tg_group_id = 1_800_000_000 + seed, 1_700_000_000 + seed
    guild_id = str(990_000_000_000_000_000 + seed)
    codes = {
        k: "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
            for _ in range(10)
        )
        for k in ("telegram", "discord", "kik", "teleguard", "session")
    }
    codes["kik"] = "wiz_drops" + str(seed)
    try:
        n4 = int(posts * 0.55)
        n_tg_channel = max(int(posts * 0.08), 2)
        n_tg_group = int(posts * 0.17)
        n_dc = max(posts - n4 - n_tg_channel - n_tg_group, 4)
        fc = _Fourchan(world, root, truth, media, codes)
        fc.write(n4)
        tg = _Telegram(world, root, truth, media)
        tg.channel(
            n_tg_channel,
            tg_channel_id,
            "Wizard Drops (fictional)",
            codes["telegram"],
            {"discord": codes["discord"], "kik": codes["kik"]},
        )
        tg.group(n_tg_group, tg_group_id, "Req Room (fictional)", {"telegram": codes["telegram"]})
        dc = _Discord(world, root, truth, media, guild_id, "Example Edits")
        req_events = conversation(
            world,
            "discord",
            int(n_dc * 0.5),
            START + 86400 * 10,
            quote_rate=0.6,
            invites={"telegram": codes["telegram"]},
            gap=(END - START) / max(n_dc, 1),
        )
        cut = max(len(req_events) - max(int(n_dc * 0.1), 1), 1)
        dc.channel(cut, "910000000000000001", "requests", req_events[:cut])
        dc.channel(
            len(req_events) - cut,
            "910000000000000009",
            "edit-thread",
            req_events[cut:],
            thread_of="910000000000000001",
        )
        gallery = _gallery_events(world, int(n_dc * 0.3))
        dc.channel(len(gallery), "910000000000000002", "gallery", gallery)
        n_general = max(n_dc - len(req_events) - len(gallery), 1)
        general = conversation(
            world,
            "discord",
            n_general,
            START + 86400 * 12,
            quote_rate=0.5,
            invites={},
            noise_share=0.9,
            gap=(END - START) / n_general * 0.8,
        )
        intro = Event(
            START + 86400 * 11,
            Actor("mod"),
            C.RoleText(
                "distribution",
                f"invite your friends: discord.gg/{codes['discord']}",
                "none/distribution.own-invite",
            ),
        )
        dc.channel(len(general) + 1, "910000000000000003", "general", [intro, *general])
    finally:
        truth.close()
    with open(root / "communities.csv", "w", newline="", encoding="utf-8") as f:
        cw = csv.writer(f)
        cw.writerow(["platform", "community", "name", "invite"])
        cw.writerow(["4chan", "r", "/r/ - Adult Requests", ""])
        cw.writerow(
            [
                "telegram",
                str(tg_channel_id),
                "Wizard Drops (fictional)",
                f"t.me/+{codes['telegram']}",
            ]
        )
        cw.writerow(["telegram", str(tg_group_id), "Req Room (fictional)", ""])
        cw.writerow(
            [
                "discord",
                f"{guild_id}/910000000000000001",
                "Example Edits #requests",
                f"discord.gg/{codes['discord']}",
            ]
        )
        cw.writerow(
            [
                "discord",
                f"{guild_id}/910000000000000002",
                "Example Edits #gallery",
                f"discord.gg/{codes['discord']}",
            ]
        )
        cw.writerow(
            [
                "discord",
                f"{guild_id}/910000000000000003",
                "Example Edits #general",
                f"discord.gg/{codes['discord']}",
            ]
        )
    (root / "README.txt").write_text(
        f"Synthetic corpus written by `counterspell synth` (seed {seed}). Every person, handle, server and\n"
        "message here is fictional and non-graphic; images are abstract colour fields. truth.csv holds\n"
        "the ground truth of every post.\n",
        encoding="utf-8",
    )
    return Summary(
        str(root), sum(truth.counts.values()), dict(truth.counts), str(root / "truth.csv")
    )


def _gallery_events(world: World, n: int) -> list[Event]:
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


__all__ = ["TRUTH_COLUMNS", "Summary", "generate"]
