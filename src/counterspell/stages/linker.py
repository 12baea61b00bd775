"""Campaign linking inside one community, as a stream over its posts in time order.

A campaign is one request and what answers it: the requester's follow-ups (bumps, more
pictures, insisting; analyze says which request each continues), fulfilments, praise of those
fulfilments, requests for more source pictures, price talk, and distribution posts. Reply links decide first. Most users
do not quote, so an unlinked answer is placed by what the thread shows: a fulfilment answers an
open request of its thread shortly before it (unfulfilled ones first), praise follows a
fulfilment within minutes, a source request names the same target, and a creator who links out
after a fulfilment is distributing it. Confidence says how sure the placement is: the role's
probability times the share of the chosen campaign among the plausible ones.

Memory is bounded by what is still open (campaigns of the last days per thread, a capped cache of
recent posts), never by the size of the community. Links across communities (the same media
elsewhere) are added later, over the whole lake, by :mod:`counterspell.pipeline.campaigns`.
"""

from __future__ import annotations

import collections
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

PARTS = ("request", "fulfillment", "praise", "source_solicitation", "distribution", "payment")
HORIZON_S = 3 * 86400.0  # a request still open after three days is rarely answered
RECENT_POSTS = 500_000
OPEN_PER_THREAD = 64
MAX_THREADS = 200_000

# Scales (seconds) of the typical gap between an answer and what it answers.
FULFIL_TAU = 3 * 3600.0
FULFILLED_PENALTY = 0.35  # an answered request is less likely to be answered again
PRAISE_TAU = 1800.0
PRAISE_WINDOW = 6 * 3600.0
SOLICIT_TAU = 3600.0
DISTRIBUTE_WINDOW = 12 * 3600.0
DISTRIBUTE_AFTER_S = 2 * 3600.0
AUTHOR_BOOST = 6.0  # the author is the campaign's requester or a creator who asked for sources
REPLY_CONFIDENCE = 0.95
HEURISTIC_CONFIDENCE = 0.8


def campaign_id(request_uid: str) -> str:
    """Stable across runs: a campaign is named after its request."""
    return "cmp_" + hashlib.blake2b(request_uid.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(slots=True)
class LinkRow:
    """What the linker needs to know of one post."""

    uid: str
    thread: str
    ts: float
    parents: list[str]
    author: str | None
    role: str
    role_p: float = 1.0
    targets: list[str] = field(default_factory=list)
    follows: str | None = None  # a request's follow-up: the request it continues (from analyze)


@dataclass(slots=True)
class Member:
    uid: str
    campaign_id: str
    part: str
    confidence: float
    method: str  # request | followup | reply | thread | author | target | media
    anchor_uid: str | None  # what it answers: the request, or (praise) the fulfilment


@dataclass(slots=True)
class _Campaign:
    cid: str
    request_uid: str
    ts: float
    author: str | None
    targets: frozenset[str]
    fulfilments: list[tuple[str, float, str | None]] = field(default_factory=list)
    last: float = 0.0
    solicitors: set[str] = field(default_factory=set)  # who asked for better pictures of her


class CampaignLinker:
    """Feed posts of one community in time order with :meth:`add`; get memberships back."""

    def __init__(self) -> None:
        # recent posts: uid -> (campaign or None, part or role)
        self._posts: collections.OrderedDict[str, tuple[_Campaign | None, str]] = (
            collections.OrderedDict()
        )
        self._threads: collections.OrderedDict[str, list[_Campaign]] = collections.OrderedDict()

    def add(self, row: LinkRow) -> Member | None:
        placed = self._place(row)
        member, camp = placed if placed else (None, None)
        self._posts[row.uid] = (camp, member.part if member else row.role)
        if len(self._posts) > RECENT_POSTS:
            self._posts.popitem(last=False)
        return member

    def remember(self, uid: str, role: str) -> None:
        """A post that cannot be a member (no campaign role, no reply link): known, placed nowhere."""
        self._posts[uid] = (None, role)
        if len(self._posts) > RECENT_POSTS:
            self._posts.popitem(last=False)

    def snapshot(self) -> dict[str, Any]:
        """Everything the linker knows, as JSON-able lists (campaigns shared by posts and threads
        are written once and referred to by index). Linking a stream, then :meth:`restore` and
        the posts that follow, gives what linking the whole stream does: how analyze resumes a
        community whose new posts all come after the ones it has linked."""
        index: dict[int, int] = {}
        camps: list[list[Any]] = []

        def ref(c: _Campaign | None) -> int | None:
            if c is None:
                return None
            k = index.get(id(c))
            if k is None:
                k = index[id(c)] = len(camps)
                camps.append(
                    [c.cid, c.request_uid, c.ts, c.author, sorted(c.targets),
                     [list(f) for f in c.fulfilments], c.last, sorted(c.solicitors)]
                )  # fmt: skip
            return k

        held = self._posts.values()
        refs = [None if c is None else ref(c) for c, _ in held]  # most posts are in none
        threads = [[t, [ref(c) for c in cs]] for t, cs in self._threads.items()]
        return {
            "campaigns": camps,
            "uids": list(self._posts),
            "campaign_of": refs,
            "parts": [part for _, part in held],
            "threads": threads,
        }

    @classmethod
    def restore(cls, state: dict[str, Any]) -> CampaignLinker:
        """The linker a :meth:`snapshot` was taken of (same recency order, same shared campaigns)."""
        camps = [
            _Campaign(cid, req, ts, author, frozenset(targets),
                      [(f[0], f[1], f[2]) for f in ful], last, set(solicitors))
            for cid, req, ts, author, targets, ful, last, solicitors in state["campaigns"]
        ]  # fmt: skip
        linker = cls()
        held = [None if k is None else camps[k] for k in state["campaign_of"]]
        linker._posts = collections.OrderedDict(
            zip(state["uids"], zip(held, state["parts"], strict=True), strict=True)
        )
        linker._threads = collections.OrderedDict(
            (thread, [camps[k] for k in ks]) for thread, ks in state["threads"]
        )
        return linker

    def _open(self, thread: str, ts: float) -> list[_Campaign]:
        camps = self._threads.get(thread)
        if camps is None:
            return []
        self._threads.move_to_end(thread)
        fresh = [c for c in camps if ts - max(c.ts, c.last) <= HORIZON_S]
        if len(fresh) != len(camps):
            self._threads[thread] = fresh
        return fresh

    def _place(self, row: LinkRow) -> tuple[Member, _Campaign] | None:
        role = row.role
        if role not in PARTS:
            return None
        if role == "request" and row.follows is not None:
            hit = self._posts.get(row.follows)
            if hit is not None and hit[0] is not None:  # a bump, one more picture, insisting...
                camp = hit[0]
                linked = any(self._posts.get(p, (None, ""))[0] is camp for p in row.parents)
                certainty = REPLY_CONFIDENCE if linked else HEURISTIC_CONFIDENCE
                return self._join(camp, row, certainty, "followup", row.follows)
        if role == "request":
            camp = _Campaign(
                campaign_id(row.uid), row.uid, row.ts, row.author, frozenset(row.targets)
            )
            camp.last = row.ts
            camps = self._threads.setdefault(row.thread, [])
            self._threads.move_to_end(row.thread)
            camps.append(camp)
            if len(camps) > OPEN_PER_THREAD:
                del camps[0]
            if len(self._threads) > MAX_THREADS:
                self._threads.popitem(last=False)
            return Member(row.uid, camp.cid, "request", round(row.role_p, 3), "request", None), camp
        # 1. A reply link to a campaign member decides; a link to a known post outside any
        #    campaign says the post answers something else.
        known_parent = False
        for p in row.parents:
            hit = self._posts.get(p)
            if hit is None:
                continue
            known_parent = True
            parent_camp, parent_part = hit
            if parent_camp is not None:
                anchor = p if (role != "praise" or parent_part == "fulfillment") else None
                if anchor is None:
                    anchor = _latest_fulfilment(parent_camp, row.ts)
                return self._join(
                    parent_camp, row, REPLY_CONFIDENCE, "reply", anchor or parent_camp.request_uid
                )
        if known_parent:
            return None
        # 2. No usable link: the thread's open campaigns.
        camps = self._open(row.thread, row.ts)
        if not camps:
            return None
        if role == "distribution":
            return self._by_author(camps, row) or self._after_fulfilment(camps, row)
        scored: list[tuple[float, _Campaign, str | None, str]] = []
        targets = set(row.targets)
        for c in camps:
            gap = row.ts - c.ts
            if gap < 0:
                continue
            overlap = bool(targets & c.targets)
            # who is writing says much where nobody quotes: the creator who asked her requester
            # for better pictures delivers; the requester thanks; a requester rarely fulfils
            by_solicitor = row.author is not None and row.author in c.solicitors
            by_requester = row.author is not None and row.author == c.author
            if role == "fulfillment":
                s = math.exp(-gap / FULFIL_TAU) * (1.0 if not c.fulfilments else FULFILLED_PENALTY)
                s *= (4.0 if overlap else 1.0) * (AUTHOR_BOOST if by_solicitor else 1.0)
                scored.append((s * (0.2 if by_requester else 1.0), c, c.request_uid, "thread"))
            elif role in ("source_solicitation", "payment"):
                s = math.exp(-gap / SOLICIT_TAU) * (1.0 if not c.fulfilments else 0.5)
                s *= AUTHOR_BOOST if (by_solicitor or by_requester) else 1.0
                scored.append(
                    (s * 4.0 if overlap else s, c, c.request_uid, "target" if overlap else "thread")
                )
            elif role == "praise":
                for f_uid, f_ts, _ in c.fulfilments:
                    fgap = row.ts - f_ts
                    if 0 <= fgap <= PRAISE_WINDOW:
                        boost = AUTHOR_BOOST if by_requester else 1.0
                        scored.append((math.exp(-fgap / PRAISE_TAU) * boost, c, f_uid, "thread"))
        if not scored:
            return None
        total = sum(s for s, *_ in scored)
        best, camp, anchor, method = max(scored, key=lambda x: x[0])
        if best < 1e-4:
            return None
        return self._join(camp, row, HEURISTIC_CONFIDENCE * best / total, method, anchor)

    def _by_author(self, camps: list[_Campaign], row: LinkRow) -> tuple[Member, _Campaign] | None:
        """A creator linking out shortly after their fulfilment is distributing it."""
        if row.author is None:
            return None
        for c in reversed(camps):
            for f_uid, f_ts, f_author in reversed(c.fulfilments):
                if f_author == row.author and 0 <= row.ts - f_ts <= DISTRIBUTE_WINDOW:
                    return self._join(c, row, HEURISTIC_CONFIDENCE, "author", f_uid)
        return None

    def _after_fulfilment(
        self, camps: list[_Campaign], row: LinkRow
    ) -> tuple[Member, _Campaign] | None:
        """An anonymous link-out soon after a fulfilment: probably its creator; weak evidence."""
        best: tuple[float, _Campaign, str] | None = None
        for c in camps:
            for f_uid, f_ts, _ in c.fulfilments:
                gap = row.ts - f_ts
                if 0 <= gap <= DISTRIBUTE_AFTER_S and (best is None or f_ts > best[0]):
                    best = (f_ts, c, f_uid)
        if best is None:
            return None
        return self._join(best[1], row, HEURISTIC_CONFIDENCE * 0.5, "thread", best[2])

    def _join(
        self, camp: _Campaign, row: LinkRow, certainty: float, method: str, anchor: str | None
    ) -> tuple[Member, _Campaign]:
        if row.role == "fulfillment":
            camp.fulfilments.append((row.uid, row.ts, row.author))
        elif row.role == "source_solicitation" and row.author:
            camp.solicitors.add(row.author)
        camp.last = max(camp.last, row.ts)
        conf = round(row.role_p * certainty, 3)
        return Member(row.uid, camp.cid, row.role, conf, method, anchor), camp


def _latest_fulfilment(camp: _Campaign, ts: float) -> str | None:
    before = [uid for uid, t, _ in camp.fulfilments if t <= ts]
    return before[-1] if before else None
