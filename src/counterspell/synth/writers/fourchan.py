"""The 4chan writer: /r/-style threads in the API's JSON, a catalog snapshot and FoolFuuka archive copies."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from .. import compose as C
from .. import phrases as P
from ..conversation import Event, World, conversation, reposts
from .common import END, START, MediaFiles
from .truth import TruthWriter

_EASTERN = ZoneInfo("America/New_York")


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


class FourchanWriter:
    def __init__(
        self,
        world: World,
        root: Path,
        truth: TruthWriter,
        media: MediaFiles,
        invites: dict[str, str],
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
