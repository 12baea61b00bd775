"""What the thread pass knows around a post: the named features, the state of each thread, and
the rules that say which open request a follow-up continues.

Pure (no lake, no I/O). :mod:`counterspell.stages.thread` runs the waves over a batch with these.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from .roles import HARMFUL_ROLES, ROLES, Context, PostView

OPEN_S = 3 * 86400.0  # a request still unanswered after three days is rarely answered
SOON_S = 6 * 3600.0
RESULT_S = 2 * 3600.0
RECENT_S = 3600.0
POST_CACHE = 1_000_000
THREAD_CACHE = 200_000
OPEN_PER_THREAD = 16
WAVES = 2  # context waves after the first: request -> fulfilment -> praise chains need two
INHERITED = ("minor_risk", "non_consent")  # flags a follow-up or a reply takes from its request
MINOR_ASK = 0.2  # a post this likely to be a request keeps its minor cue whatever its role

STATIC = (
    *(f"text.{r}" for r in ROLES),
    "cue.edit_ask", "cue.domain_ask", "cue.female", "cue.relationship", "cue.name", "cue.handle",
    "cue.tool", "cue.money", "cue.invite", "cue.platform", "cue.link", "cue.minor_risk", "cue.non_consent", "cue.payment",
    "cue.doxxing",
    "post.op", "post.media", "post.notext", "post.short", "post.long", "post.question",
    "post.reply", "post.channel", "post.reactions", "post.seen_before",
    "platform.4chan", "platform.telegram", "platform.discord", "platform.other",
)  # fmt: skip
DYNAMIC = (
    "parent.known", *(f"parent.{r}" for r in ROLES), "parent.op", "parent.media",
    "parent.same_author", "parent.soon",
    *(f"op.{r}" for r in ROLES),
    "thread.request_soon", "thread.request_open", "thread.by_requester", "thread.names_target",
    "thread.result_soon", "thread.result_by_author", "thread.first", "thread.open_requests",
    "thread.since_request", "community.requests",
    *(f"recent.{r}" for r in ROLES),
    "replies.any", *(f"replies.{r}" for r in ROLES),
)  # fmt: skip
FEATURES = (*STATIC, *DYNAMIC)

# How ``why`` says a feature (the role's name fills {}); features not here are named as they are.
DESCRIBE = {
    **{f"parent.{r}": f"replies to a post read as {r}" for r in ROLES},
    **{f"op.{r}": f"in a thread whose OP is {r}" for r in ROLES},
    **{f"recent.{r}": f"{r} in the thread within the hour" for r in ROLES},
    **{f"replies.{r}": f"its replies read as {r}" for r in ROLES},
    **{f"text.{r}": f"its words read as {r}" for r in ROLES},
    "parent.media": "its parent carries an attachment",
    "parent.same_author": "answers its own author",
    "parent.op": "answers the OP",
    "parent.soon": "soon after its parent",
    "thread.request_soon": "a request of its thread is open (last 6 hours)",
    "thread.request_open": "a request of its thread is open (last 3 days)",
    "thread.by_requester": "written by the requester",
    "thread.names_target": "names the requested woman again",
    "thread.result_soon": "a result was posted in the last two hours",
    "thread.result_by_author": "its author posted a result here",
    "thread.first": "first post of its thread",
    "community.requests": "its community has requests",
    "post.media": "carries an attachment",
    "post.notext": "no text besides the attachment or quote",
    "post.short": "a few words",
    "post.op": "opens its thread",
    "post.seen_before": "its media were posted before",
    "post.channel": "posted by a channel",
    "post.reactions": "has reactions",
    "cue.domain_ask": "asks for an image to be made or altered",
    "cue.edit_ask": "sexual-edit words",
    "cue.tool": "names a tool",
    "cue.money": "names an amount of money or a way to pay",
    "cue.invite": "an invite to another platform",
    "cue.platform": "names another platform",
    "cue.relationship": "says how the poster knows her",
    "cue.name": "names someone",
    "cue.handle": "gives a social handle",
}


@dataclass(slots=True)
class ThreadPost:
    """One post as the thread pass sees it. ``view`` is None for posts judged in an earlier run:
    they give context (their settled role) and are not judged again."""

    uid: str
    thread: str
    ts: float
    parents: list[str]
    author: str | None
    view: PostView | None
    seen_before: bool = False
    known_role: str | None = None
    known_flags: tuple[str, ...] = ()
    known_follows: str | None = None


@dataclass(slots=True)
class Known:
    role: str
    ts: float
    author: str | None
    thread: str
    media: bool
    op: bool
    flags: tuple[str, ...]
    root: (
        str | None
    )  # the request this post belongs to (a request's own uid, or the one it follows)


@dataclass(slots=True)
class OpenRequest:
    uid: str
    ts: float  # of its last post (a follow-up keeps it open)
    author: str | None
    names: frozenset[str]
    flags: tuple[str, ...]
    fulfilled: bool = False


@dataclass(slots=True)
class ThreadState:
    op_role: str | None = None
    requests: list[OpenRequest] = field(default_factory=list)
    result_ts: float | None = None
    result_authors: tuple[str, ...] = ()
    recent: list[tuple[float, str]] = field(default_factory=list)
    n: int = 0

    def copy(self) -> ThreadState:
        return replace(self, requests=[replace(r) for r in self.requests], recent=list(self.recent))


@dataclass(slots=True)
class Local:
    """What the thread pass knows of a new post besides its view."""

    names: frozenset[str]
    words: frozenset[str]
    feats: list[str]
    ids: np.ndarray  # the features' hashes


def dependents(
    posts: list[ThreadPost],
    changed: list[tuple[int, str]],
    children: dict[str, list[int]],
    roles: list[str],
) -> set[int]:
    """Posts whose context features depend on a post whose role changed (index, old role): its
    parents, its replies, and the later posts of its thread that the change can reach: within
    three days for a request (open requests), two hours or the same author for a result, an hour
    otherwise (recent roles), the whole thread for its OP."""
    if not changed:
        return set()
    out: set[int] = set()
    reach: dict[str, list[tuple[int, float, str | None]]] = {}
    for k, old in changed:
        p = posts[k]
        out.update(children.get(p.uid, ()))
        both = {old, roles[k]}
        if p.view is not None and p.view.is_op:
            span = math.inf
        elif "request" in both:
            span = OPEN_S
        elif both & {"fulfillment", "distribution"}:
            span = RESULT_S
        else:
            span = RECENT_S
        author = p.author if both & {"fulfillment", "distribution"} else None
        reach.setdefault(p.thread, []).append((k, p.ts + span, author))
    parents = {uid for k, _ in changed for uid in posts[k].parents}
    for k, p in enumerate(posts):
        if p.uid in parents:
            out.add(k)
        for start, until, author in reach.get(p.thread, ()):
            if k > start and (p.ts <= until or (author is not None and p.author == author)):
                out.add(k)
                break
    return out


def split_handles(values: Iterable[str]) -> Iterator[str]:
    """Identifier values, and the parts of handles ("maya.fit" -> "maya", "fit") as words."""
    for value in values:
        yield value
        if "." in value or "_" in value:
            yield from (part for part in re.split(r"[._]+", value) if len(part) >= 3)


def names_target(loc: Local, reqs: list[OpenRequest]) -> OpenRequest | None:
    """The most recent open request whose woman this post names again."""
    words = loc.words
    for r in reversed(reqs):
        if r.names and not r.names.isdisjoint(words):
            return r
    return None


def follows_of(
    p: ThreadPost, v: PostView, loc: Local, th: ThreadState, parent: Known | None
) -> str | None:
    """The open request a request-role post continues (a bump, one more picture, insisting,
    seconding), or None when it is a request of its own."""
    if parent is not None and parent.root is not None and parent.thread == p.thread:
        return parent.root  # it answers something of that campaign
    open_reqs = [r for r in th.requests if 0 <= p.ts - r.ts <= OPEN_S]
    if not open_reqs:
        return None
    c = v.cues
    named = names_target(loc, open_reqs)
    if c.relationship is not None or c.identifiers or c.domain_ask:
        # she is described anew: a new request, unless it is a short ask naming her again
        return named.uid if named is not None and len(v.norm) < 60 else None
    if named is not None:
        return named.uid
    known = frozenset().union(*(r.names for r in open_reqs))
    if loc.names - known:
        return None  # names someone not asked for before: a new request
    if p.author:
        mine = [r for r in open_reqs if r.author == p.author]
        if mine:
            return mine[-1].uid
    soon = [r for r in open_reqs if p.ts - r.ts <= SOON_S]
    waiting = [r for r in soon if not r.fulfilled]  # people bump what is still unanswered
    return (waiting or soon)[-1].uid if soon else None


def advance(
    th: ThreadState, uid: str, k: Known, names: frozenset[str], follows: str | None
) -> None:
    """A thread's state after a post."""
    if k.op and th.op_role is None:
        th.op_role = k.role
    if k.role == "request":
        if follows is None:
            th.requests.append(OpenRequest(uid, k.ts, k.author, names, k.flags))
            if len(th.requests) > OPEN_PER_THREAD:
                del th.requests[0]
        else:
            for r in th.requests:
                if r.uid == follows:
                    r.ts = max(r.ts, k.ts)
                    r.names = r.names | names
    elif k.role == "fulfillment" or (k.role == "distribution" and k.media):
        if k.role == "fulfillment":
            answered = [r for r in th.requests if r.uid == k.root] or [
                r for r in th.requests if not r.fulfilled and 0 <= k.ts - r.ts <= SOON_S
            ][-1:]
            for r in answered:
                r.fulfilled = True
        th.result_ts = k.ts
        if k.author:
            th.result_authors = (*th.result_authors[-7:], k.author)
    th.recent.append((k.ts, k.role))
    if len(th.recent) > 8:
        del th.recent[0]
    th.n += 1


_D = {n: i for i, n in enumerate(DYNAMIC)}
_PARENT_KNOWN, _PARENT_OP, _PARENT_MEDIA = _D["parent.known"], _D["parent.op"], _D["parent.media"]
_PARENT_SAME, _PARENT_SOON = _D["parent.same_author"], _D["parent.soon"]
_PARENT_ROLE = {r: _D[f"parent.{r}"] for r in ROLES}
_OP_ROLE = {r: _D[f"op.{r}"] for r in ROLES}
_RECENT = {r: _D[f"recent.{r}"] for r in ROLES}
_REPLIES = {r: _D[f"replies.{r}"] for r in ROLES}
_REPLIES_ANY = _D["replies.any"]
_REQUEST_OPEN, _REQUEST_SOON = _D["thread.request_open"], _D["thread.request_soon"]
_OPEN_REQUESTS, _SINCE_REQUEST = _D["thread.open_requests"], _D["thread.since_request"]
_BY_REQUESTER, _NAMES_TARGET = _D["thread.by_requester"], _D["thread.names_target"]
_RESULT_SOON, _RESULT_BY_AUTHOR = _D["thread.result_soon"], _D["thread.result_by_author"]
_FIRST, COMMUNITY_INDEX = _D["thread.first"], _D["community.requests"]


def features_of(
    p: ThreadPost,
    v: PostView,
    loc: Local,
    th: ThreadState,
    parent: Known | None,
    roles: list[str],
    children: dict[str, list[int]],
    requests: int,
    row: np.ndarray,
) -> Context:
    """One new post's context features, written into ``row`` (the dynamic part), and the
    deepfake context the gate needs."""
    ts = p.ts
    on: list[int] = []  # indices of the features that are 1
    if parent is not None:
        on += (_PARENT_KNOWN, _PARENT_ROLE[parent.role])
        if parent.op:
            on.append(_PARENT_OP)
        if parent.media:
            on.append(_PARENT_MEDIA)
        if p.author and parent.author == p.author:
            on.append(_PARENT_SAME)
        if 0 <= ts - parent.ts <= RECENT_S:
            on.append(_PARENT_SOON)
    if th.op_role is not None and not v.is_op:
        on.append(_OP_ROLE[th.op_role])
    open_reqs = [r for r in th.requests if 0 <= ts - r.ts <= OPEN_S]
    if open_reqs:
        on.append(_REQUEST_OPEN)
        if ts - open_reqs[-1].ts <= SOON_S:
            on.append(_REQUEST_SOON)
        row[_OPEN_REQUESTS] = math.log1p(len(open_reqs))
        row[_SINCE_REQUEST] = math.log1p(max(ts - open_reqs[-1].ts, 0.0) / 60.0) / 9.0
        if p.author and any(r.author == p.author for r in open_reqs):
            on.append(_BY_REQUESTER)
        if loc.words and names_target(loc, open_reqs) is not None:
            on.append(_NAMES_TARGET)
    result_soon = th.result_ts is not None and 0 <= ts - th.result_ts <= RESULT_S
    if result_soon:
        on.append(_RESULT_SOON)
    if p.author and p.author in th.result_authors:
        on.append(_RESULT_BY_AUTHOR)
    if th.n == 0:
        on.append(_FIRST)
    row[COMMUNITY_INDEX] = math.log1p(requests) / 5.0
    for t0, r in reversed(th.recent):  # newest first; stop at the hour
        if ts - t0 > RECENT_S:
            break
        if t0 <= ts:
            on.append(_RECENT[r])
    kids = children.get(p.uid)
    if kids:
        on.append(_REPLIES_ANY)
        on.extend(_REPLIES[roles[c]] for c in kids)
    if on:
        row[on] = 1.0
    cues = v.cues
    about_her = cues.female_ref or cues.relationship is not None or bool(cues.identifiers)
    return Context(
        domain=cues.domain_ask,
        thread_request=bool(open_reqs) or (parent is not None and parent.role in HARMFUL_ROLES),
        after_result=result_soon or (parent is not None and parent.role in ("fulfillment", "distribution")),
        invites=v.invites,
        mentions_platform=v.mentions_platform,
        media=v.has_media,
        seen_before=p.seen_before,
        channel_media=v.author_is_channel and v.has_media,
        source_picture=v.has_media and about_her,
        request_community=requests > 0 and about_her,
        community=requests > 0,
    )  # fmt: skip


__all__ = [
    "COMMUNITY_INDEX",
    "DESCRIBE",
    "DYNAMIC",
    "FEATURES",
    "STATIC",
    "Known",
    "Local",
    "OpenRequest",
    "ThreadPost",
    "ThreadState",
    "advance",
    "dependents",
    "features_of",
    "follows_of",
    "names_target",
    "split_handles",
]
