"""The ground truth of a synthetic corpus (``truth.csv``): one row per post.

``author`` is the generator's actor (``creator3``, ``user12``; empty for the channel's own
notices): the one identity a planner's ranking of creators can be checked against, since the
platforms show the same creator under a tripcode, a Telegram id and a Discord id, or not at all.
"""

from __future__ import annotations

from pathlib import Path

from ... import csvsafe
from .. import compose as C
from ..conversation import Event

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
    "author",
]


class TruthWriter:
    def __init__(self, path: Path) -> None:
        self.f = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.w = csvsafe.Writer(self.f)
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
                e.actor.key if e else "",
            ]
        )
        self.counts[platform] = self.counts.get(platform, 0) + 1

    def close(self) -> None:
        self.f.close()
