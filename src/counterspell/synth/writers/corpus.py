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

import os
from pathlib import Path

from ... import csvsafe
from .. import compose as C
from ..conversation import Actor, Event, World, conversation
from .common import END, START, MediaFiles, Summary
from .discord import DiscordWriter, gallery_events
from .fourchan import FourchanWriter
from .telegram import TelegramWriter
from .truth import TruthWriter


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
    from ..families import select

    root = Path(output)
    root.mkdir(parents=True, exist_ok=True)
    world = World(seed, quote_scale, select(families), minor_rate)
    rng = world.rng
    media = MediaFiles(media_files)
    truth = TruthWriter(root / "truth.csv")
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
        fc = FourchanWriter(world, root, truth, media, codes)
        fc.write(n4)
        tg = TelegramWriter(world, root, truth, media)
        tg.channel(
            n_tg_channel,
            tg_channel_id,
            "Wizard Drops (fictional)",
            codes["telegram"],
            {"discord": codes["discord"], "kik": codes["kik"]},
        )
        tg.group(n_tg_group, tg_group_id, "Req Room (fictional)", {"telegram": codes["telegram"]})
        dc = DiscordWriter(world, root, truth, media, guild_id, "Example Edits")
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
        gallery = gallery_events(world, int(n_dc * 0.3))
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
        cw = csvsafe.Writer(f)
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
