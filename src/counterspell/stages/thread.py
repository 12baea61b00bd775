"""The thread pass: each post's role decided with its thread, not from its words alone.

Posts of one community arrive in time order (:meth:`ThreadPass.judge`, one batch at a time). A
first wave judges every new post by its words; each following wave judges it again with what the
previous wave found around it:

* its **parent** (the post it quotes or replies to): role, attachment, same author, how soon;
* its **thread**: the OP's role, requests still open (within three days), whether this post's
  author is one of their requesters, whether it names the requested woman again, whether a result
  was posted in the last two hours, what roles the last hour saw;
* its **replies**: praise under a post with an attachment says it was a result; a creator asking
  for better pictures says the parent was a request;
* its **media**: a picture seen earlier in the lake makes a repost (distribution).

The features are named (:data:`FEATURES`) so that ``why`` can say which of them decided. State
is bounded (capped caches of recent posts and threads), so a community of any size streams
through in constant memory. Pure: no lake, no I/O; :mod:`counterspell.pipeline.analyze` feeds it
from the lake and ``train`` feeds it synthetic corpora through the very same code.
"""

from __future__ import annotations

import collections
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from .cues import COMMON_WORDS
from .roles import (
    HARMFUL_ROLES,
    ROLE_INDEX,
    ROLES,
    Context,
    PostView,
    RoleModel,
    RoleResult,
    gate,
    hash_all,
    softmax,
    text_tokens,
)

OPEN_S = 3 * 86400.0  # a request still unanswered after three days is rarely answered
SOON_S = 6 * 3600.0
RESULT_S = 2 * 3600.0
RECENT_S = 3600.0
POST_CACHE = 1_000_000
THREAD_CACHE = 200_000
OPEN_PER_THREAD = 16
WAVES = 2  # context waves after the first: request -> fulfilment -> praise chains need two
INHERITED = ("minor_risk", "non_consent")
MINOR_ASK = 0.2  # a post this likely to be a request keeps its minor cue whatever its role  # flags a follow-up or a reply takes from its request

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
_FIRST, _COMMUNITY = _D["thread.first"], _D["community.requests"]

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
class _Known:
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
class _Request:
    uid: str
    ts: float  # of its last post (a follow-up keeps it open)
    author: str | None
    names: frozenset[str]
    flags: tuple[str, ...]
    fulfilled: bool = False


@dataclass(slots=True)
class _Thread:
    op_role: str | None = None
    requests: list[_Request] = field(default_factory=list)
    result_ts: float | None = None
    result_authors: tuple[str, ...] = ()
    recent: list[tuple[float, str]] = field(default_factory=list)
    n: int = 0

    def copy(self) -> _Thread:
        return replace(self, requests=[replace(r) for r in self.requests], recent=list(self.recent))


@dataclass(slots=True)
class _Local:
    """What the thread pass knows of a new post besides its view."""

    names: frozenset[str]
    words: frozenset[str]
    feats: list[str]
    ids: np.ndarray  # the features' hashes


class ThreadPass:
    """Judges the posts of one community, batch after batch, in time order."""

    def __init__(self, model: RoleModel, waves: int = WAVES) -> None:
        self.model = model
        self.waves = waves
        self._posts: collections.OrderedDict[str, _Known] = collections.OrderedDict()
        self._threads: collections.OrderedDict[str, _Thread] = collections.OrderedDict()
        self._requests = 0  # requests seen in this community so far: is it a request community?
        self.rows: list[np.ndarray] | None = None  # training: each wave's feature matrix

    # --- the batch ------------------------------------------------------------------------
    def judge(
        self, posts: list[ThreadPost], explain: bool = True, text_logits: np.ndarray | None = None
    ) -> list[RoleResult | None]:
        """Roles, scores, flags and reasons of the batch's new posts (None for settled ones).

        ``text_logits`` replaces the text model's scores of the new posts (training feeds
        out-of-fold scores so the context model learns from text evidence as noisy as real).
        """
        new = [k for k, p in enumerate(posts) if p.view is not None]
        local: dict[int, _Local] = {}
        for k in new:
            v = posts[k].view
            assert v is not None
            feats = text_tokens(v)
            words = frozenset(f[2:] for f in feats if f[0] == "w")
            names = frozenset(
                n
                for n in (*(val for _, val in v.cues.identifiers), *v.cues.names)
                if n not in COMMON_WORDS
            )
            local[k] = _Local(names, words, feats, hash_all(feats))
        if text_logits is None:
            text_logits = self.model.text_logits(
                [local[k].feats for k in new], ids=[local[k].ids for k in new]
            )
        p_text = softmax(text_logits) if new else np.zeros((0, len(ROLES)), np.float32)
        static = self._static(posts, new, p_text, local)
        children: dict[str, list[int]] = {}
        for k, p in enumerate(posts):
            for parent in p.parents:
                children.setdefault(parent, []).append(k)
        roles = [p.known_role or "other" for p in posts]
        for j, k in enumerate(new):
            roles[k] = ROLES[int(p_text[j].argmax())]
        probs = p_text
        if self.model.context is None:
            probs = softmax(text_logits / self.model.temperature) if new else p_text
        wave = self._wave(posts, new, local, roles, children)
        changed: list[tuple[int, str]] = []
        for w in range(max(self.waves, 1)):
            x = np.hstack([static, wave.features])
            if self.rows is not None:
                self.rows.append(x)
            if self.model.context is not None:
                probs = softmax(self.model.context.logits(x) / self.model.temperature)
            changed = []
            for j, k in enumerate(new):
                role = ROLES[int(probs[j].argmax())]
                if gate(role, wave.contexts[j]) is not None:
                    role = "other"
                if role != roles[k]:
                    changed.append((k, roles[k]))
                    roles[k] = role
            if w + 1 < self.waves and changed and self.model.context is not None:
                dirty = _dirty(posts, changed, children, roles)
                wave = self._wave(posts, new, local, roles, children, previous=wave, dirty=dirty)
            else:
                break
        # the decided roles settle each post's follow-up and flags (one more causal sweep, which
        # recomputes the context only where a role changed since the last wave)
        final = self._wave(
            posts, new, local, roles, children, settle=True, scores=probs,
            previous=wave, dirty=_dirty(posts, changed, children, roles),
        )  # fmt: skip
        out: list[RoleResult | None] = [None] * len(posts)
        x = np.hstack([static, wave.features]) if new else np.zeros((0, len(FEATURES)))
        rounded = probs.round(4).tolist()
        evidence: list[list[tuple[str, float]]] = [[] for _ in new]
        if explain and new and self.model.context is not None:
            role_idx = np.array([ROLE_INDEX[roles[k]] for k in new], dtype=np.int64)
            evidence = self.model.context.evidence_batch(x, role_idx)
        for j, k in enumerate(new):
            best = int(probs[j].argmax())
            flags = final.flags[j]
            why: list[str] = []
            if explain:
                why = self._why(local[k], roles[k], best, evidence[j], wave.contexts[j], flags)
                if final.follows[j]:
                    why.append(f"follows the request {final.follows[j]}")
            out[k] = RoleResult(
                roles[k], dict(zip(ROLES, rounded[j], strict=True)), why,
                [f for f, _ in flags], final.follows[j],
            )  # fmt: skip
        self._commit(final)
        return out

    # --- features -------------------------------------------------------------------------
    def _static(
        self, posts: list[ThreadPost], new: list[int], p_text: np.ndarray, local: dict[int, _Local]
    ) -> np.ndarray:
        out = np.zeros((len(new), len(STATIC)), np.float32)
        if not new:
            return out
        out[:, : len(ROLES)] = p_text
        for j, k in enumerate(new):
            p = posts[k]
            v = p.view
            assert v is not None
            c = v.cues
            loc = local[k]
            row = out[j]
            on = [
                c.edit_ask, c.domain_ask, c.female_ref, c.relationship is not None,
                any(kind == "name" for kind, _ in c.identifiers),
                any(kind.startswith("handle") for kind, _ in c.identifiers),
                bool(c.tools), "c:money" in loc.feats, v.invites, v.mentions_platform, v.has_link,
                "minor_risk" in c.flags, "non_consent" in c.flags, "payment" in c.flags,
                "doxxing" in c.flags,
                v.is_op, v.has_media, not v.norm.strip(), 0 < len(v.norm) < 25, len(v.norm) > 300,
                "?" in v.norm, v.is_reply, v.author_is_channel, v.reactions > 0, p.seen_before,
                v.platform == "4chan", v.platform == "telegram", v.platform == "discord",
                v.platform not in ("4chan", "telegram", "discord"),
            ]  # fmt: skip
            row[len(ROLES) :] = on
        return out

    def _wave(
        self,
        posts: list[ThreadPost],
        new: list[int],
        local: dict[int, _Local],
        roles: list[str],
        children: dict[str, list[int]],
        settle: bool = False,
        scores: np.ndarray | None = None,
        previous: _Wave | None = None,
        dirty: set[int] | None = None,
    ) -> _Wave:
        """One causal sweep over the batch with the current roles: each post's context features
        (what came before it in its thread, and the replies it received in this batch), and with
        ``settle`` the request it follows and its flags. Works on copies: nothing is kept.

        With ``previous``, the features of posts not in ``dirty`` are taken from that wave: only
        posts whose parent, replies or earlier thread changed role are computed again."""
        wave = _Wave(np.zeros((len(new), len(DYNAMIC)), np.float32), [], [], [], {}, {}, [])
        threads = wave.threads
        batch = wave.batch
        row_of = {k: j for j, k in enumerate(new)}
        requests = self._requests
        for k, p in enumerate(posts):
            th = threads.get(p.thread)
            if th is None:
                base = self._threads.get(p.thread)
                th = threads[p.thread] = base.copy() if base is not None else _Thread()
            role = roles[k]
            parent = self._parent(p, batch)
            j = row_of.get(k)
            follows: str | None = p.known_follows
            flags: tuple[str, ...] = p.known_flags
            names: frozenset[str] = frozenset()
            if j is not None:
                v = p.view
                assert v is not None
                loc = local[k]
                names = loc.names
                reuse = previous is not None and dirty is not None and k not in dirty
                if reuse and previous.contexts[j].community == (requests > 0):  # type: ignore[union-attr]
                    wave.features[j] = previous.features[j]  # type: ignore[union-attr]
                    wave.features[j, _COMMUNITY] = math.log1p(requests) / 5.0
                    wave.contexts.append(previous.contexts[j])  # type: ignore[union-attr]
                else:
                    wave.contexts.append(
                        self._features(
                            p, v, loc, th, parent, roles, children, requests, wave.features[j]
                        )
                    )
                if role == "request":
                    follows = _follows(p, v, loc, th, parent)
                if settle:
                    ask = float(scores[j, ROLE_INDEX["request"]]) if scores is not None else 0.0
                    found = self._post_flags(p, v, role, parent, th, follows, wave.contexts[j], ask)
                    wave.flags.append(found)
                    wave.follows.append(follows)
                    flags = tuple(f for f, _ in found)
            root = (
                (p.uid if follows is None else follows)
                if role == "request"
                else (parent.root if parent is not None else None)
            )
            media = bool(p.view.has_media) if p.view is not None else False
            op = bool(p.view.is_op) if p.view is not None else False
            batch[p.uid] = _Known(role, p.ts, p.author, p.thread, media, op, flags, root)
            if role == "request" and follows is None:
                requests += 1
            wave.order.append((p, batch[p.uid], names, follows))
            _advance(th, p.uid, batch[p.uid], names, follows)
        wave.requests = requests
        return wave

    def _parent(self, p: ThreadPost, batch: dict[str, _Known]) -> _Known | None:
        for uid in p.parents:
            hit = batch.get(uid) or self._posts.get(uid)
            if hit is not None:
                return hit
        return None

    def _features(
        self,
        p: ThreadPost,
        v: PostView,
        loc: _Local,
        th: _Thread,
        parent: _Known | None,
        roles: list[str],
        children: dict[str, list[int]],
        requests: int,
        row: np.ndarray,
    ) -> Context:
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
            if loc.words and _names_target(loc, open_reqs) is not None:
                on.append(_NAMES_TARGET)
        result_soon = th.result_ts is not None and 0 <= ts - th.result_ts <= RESULT_S
        if result_soon:
            on.append(_RESULT_SOON)
        if p.author and p.author in th.result_authors:
            on.append(_RESULT_BY_AUTHOR)
        if th.n == 0:
            on.append(_FIRST)
        row[_COMMUNITY] = math.log1p(requests) / 5.0
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

    # --- flags and reasons ----------------------------------------------------------------
    def _post_flags(
        self,
        p: ThreadPost,
        v: PostView,
        role: str,
        parent: _Known | None,
        th: _Thread,
        follows: str | None,
        ctx: Context,
        ask: float,
    ) -> list[tuple[str, str]]:
        """Flags with their reasons. Words alone raise a flag only with deepfake context; a post
        that answers or follows a minor-risk request inherits it. ``ask``: the post's probability
        of being a request; a minor cue on a post that may be one is kept even when another role
        won (a missed minor is the worst error)."""
        flags: dict[str, str] = {}
        cues = v.cues
        if (
            role in HARMFUL_ROLES
            or cues.domain_ask
            or (role == "counter_speech" and ctx.thread_request)
        ):
            for f in cues.flags:
                flags[f] = f"'{cues.evidence.get(f, f)}'"
        elif (
            "minor_risk" in cues.flags
            and ask >= MINOR_ASK
            and (cues.female_ref or cues.relationship)
        ):
            flags["minor_risk"] = f"'{cues.evidence.get('minor_risk')}' (may be a request)"
        if parent is not None and role != "other":
            for f in INHERITED:
                if f in parent.flags and f not in flags:
                    flags[f] = f"inherited: answers a {f.replace('_', '-')} post"
        if follows is not None:
            req = next((r for r in th.requests if r.uid == follows), None)
            for f in INHERITED if req is not None else ():
                if f in req.flags and f not in flags:  # type: ignore[union-attr]
                    flags[f] = f"inherited: follows a {f.replace('_', '-')} request"
        if role == "counter_speech" and "minor_risk" not in flags:
            # an objection right after a minor-risk request is about her (recall first)
            soon = [r for r in th.requests if 0 <= p.ts - r.ts <= SOON_S]
            if soon and "minor_risk" in soon[-1].flags:
                flags["minor_risk"] = "inherited: objects in a thread with a minor-risk request"
        return list(flags.items())

    def _why(
        self,
        loc: _Local,
        role: str,
        best: int,
        ev: list[tuple[str, float]],
        ctx: Context,
        flags: list[tuple[str, str]],
    ) -> list[str]:
        why: list[str] = []
        if role == "other" and ROLES[best] != "other":
            reason = gate(ROLES[best], ctx)
            if reason:
                why.append(f"not {ROLES[best]}: {reason}")
        target = ROLE_INDEX[role]
        if ev:
            why.append("context: " + "; ".join(DESCRIBE.get(n, n) for n, _ in ev))
        words = self.model.text.contributions(loc.feats, target, ids=loc.ids)
        if words:
            why.append("words: " + ", ".join(words))
        for f, reason in flags:
            why.append(f"flag {f}: {reason}")
        if not why:
            why.append("ordinary talk" if role == "other" else f"read as {role}")
        return why

    # --- state ----------------------------------------------------------------------------
    def _commit(self, wave: _Wave) -> None:
        """Keep what the batch settled: its posts (for parents) and its threads' state."""
        for p, known, _names, _follows in wave.order:
            self._posts[p.uid] = known
            self._posts.move_to_end(p.uid)
            if len(self._posts) > POST_CACHE:
                self._posts.popitem(last=False)
        for thread, th in wave.threads.items():
            self._threads[thread] = th
            self._threads.move_to_end(thread)
            if len(self._threads) > THREAD_CACHE:
                self._threads.popitem(last=False)
        self._requests = wave.requests


@dataclass(slots=True)
class _Wave:
    features: np.ndarray
    contexts: list[Context]
    flags: list[list[tuple[str, str]]]
    follows: list[str | None]
    threads: dict[str, _Thread]
    batch: dict[str, _Known]
    order: list[tuple[ThreadPost, _Known, frozenset[str], str | None]]
    requests: int = 0


def _dirty(
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


def _split_handles(values: Iterable[str]) -> Iterator[str]:
    """Identifier values, and the parts of handles ("maya.fit" -> "maya", "fit") as words."""
    for value in values:
        yield value
        if "." in value or "_" in value:
            yield from (part for part in re.split(r"[._]+", value) if len(part) >= 3)


def _names_target(loc: _Local, reqs: list[_Request]) -> _Request | None:
    """The most recent open request whose woman this post names again."""
    words = loc.words
    for r in reversed(reqs):
        if r.names and not r.names.isdisjoint(words):
            return r
    return None


def _follows(
    p: ThreadPost, v: PostView, loc: _Local, th: _Thread, parent: _Known | None
) -> str | None:
    """The open request a request-role post continues (a bump, one more picture, insisting,
    seconding), or None when it is a request of its own."""
    if parent is not None and parent.root is not None and parent.thread == p.thread:
        return parent.root  # it answers something of that campaign
    open_reqs = [r for r in th.requests if 0 <= p.ts - r.ts <= OPEN_S]
    if not open_reqs:
        return None
    c = v.cues
    named = _names_target(loc, open_reqs)
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


def _advance(th: _Thread, uid: str, k: _Known, names: frozenset[str], follows: str | None) -> None:
    """A thread's state after a post."""
    if k.op and th.op_role is None:
        th.op_role = k.role
    if k.role == "request":
        if follows is None:
            th.requests.append(_Request(uid, k.ts, k.author, names, k.flags))
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


__all__ = ["DYNAMIC", "FEATURES", "STATIC", "WAVES", "ThreadPass", "ThreadPost"]
