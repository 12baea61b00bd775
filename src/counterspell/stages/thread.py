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
through in constant memory. Pure: no lake, no I/O; :mod:`counterspell.stages.analyze` feeds it
from the lake and ``train`` feeds it synthetic corpora through the very same code.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass, field, replace

import numpy as np

from .roles import (
    HARMFUL_ROLES,
    ROLE_INDEX,
    ROLES,
    Context,
    PostView,
    RoleModel,
    RoleResult,
    gate,
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
INHERITED = ("minor_risk", "non_consent")  # flags a follow-up or a reply takes from its request

STATIC = (
    *(f"text.{r}" for r in ROLES),
    "cue.edit_ask", "cue.domain_ask", "cue.female", "cue.relationship", "cue.name", "cue.handle",
    "cue.tool", "cue.invite", "cue.link", "cue.minor_risk", "cue.non_consent", "cue.payment",
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
    "thread.since_request",
    *(f"recent.{r}" for r in ROLES),
    "replies.any", *(f"replies.{r}" for r in ROLES),
)  # fmt: skip
FEATURES = (*STATIC, *DYNAMIC)
_S = {n: i for i, n in enumerate(STATIC)}
_D = {n: i for i, n in enumerate(DYNAMIC)}

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
    "cue.invite": "an invite to another platform",
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


@dataclass(slots=True)
class _Known:
    role: str
    ts: float
    author: str | None
    thread: str
    media: bool
    op: bool
    flags: tuple[str, ...]


@dataclass(slots=True)
class _Request:
    uid: str
    ts: float
    author: str | None
    names: frozenset[str]
    flags: tuple[str, ...]


@dataclass(slots=True)
class _Thread:
    op_role: str | None = None
    requests: list[_Request] = field(default_factory=list)
    result_ts: float | None = None
    result_authors: tuple[str, ...] = ()
    recent: list[tuple[float, str]] = field(default_factory=list)
    n: int = 0

    def copy(self) -> _Thread:
        return replace(self, requests=list(self.requests), recent=list(self.recent))


@dataclass(slots=True)
class _Local:
    """What the thread pass knows of a new post besides its view."""

    names: frozenset[str]
    words: frozenset[str]
    feats: list[str]


class ThreadPass:
    """Judges the posts of one community, batch after batch, in time order."""

    def __init__(self, model: RoleModel, waves: int = WAVES) -> None:
        self.model = model
        self.waves = waves
        self._posts: collections.OrderedDict[str, _Known] = collections.OrderedDict()
        self._threads: collections.OrderedDict[str, _Thread] = collections.OrderedDict()
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
            words = frozenset(f[2:] for f in feats if f.startswith("w:"))
            names = frozenset(val for _, val in v.cues.identifiers)
            local[k] = _Local(names, words, feats)
        if text_logits is None:
            text_logits = self.model.text_logits([local[k].feats for k in new])
        p_text = (
            softmax(text_logits / max(self.model.temperature, 1e-3))
            if new
            else np.zeros((0, len(ROLES)))
        )
        static = self._static(posts, new, p_text)
        children: dict[str, list[int]] = {}
        for k, p in enumerate(posts):
            for parent in p.parents:
                children.setdefault(parent, []).append(k)
        roles = [p.known_role or "other" for p in posts]
        decided = [ROLES[int(i)] for i in p_text.argmax(axis=1)] if new else []
        for j, k in enumerate(new):
            roles[k] = decided[j]
        probs = p_text
        contexts: list[Context] = []
        dynamic = np.zeros((len(new), len(DYNAMIC)), np.float32)
        for _wave in range(max(self.waves, 1)):
            dynamic, contexts = self._dynamic(posts, new, local, roles, children)
            x = np.hstack([static, dynamic])
            if self.rows is not None:
                self.rows.append(x)
            if self.model.context is not None:
                probs = softmax(self.model.context.logits(x) / self.model.temperature)
            changed = False
            for j, k in enumerate(new):
                role = ROLES[int(probs[j].argmax())]
                if gate(role, contexts[j]) is not None:
                    role = "other"
                if role != roles[k]:
                    changed = True
                    roles[k] = role
            if not changed or self.model.context is None:
                break
        flags = self._flags(posts, new, roles, contexts)
        out: list[RoleResult | None] = [None] * len(posts)
        x = np.hstack([static, dynamic]) if new else np.zeros((0, len(FEATURES)))
        rounded = probs.round(4).tolist()
        for j, k in enumerate(new):
            best = int(probs[j].argmax())
            why: list[str] = []
            if explain:
                why = self._why(posts[k], local[k], roles[k], best, x[j], contexts[j], flags[k])
            out[k] = RoleResult(
                roles[k], dict(zip(ROLES, rounded[j], strict=True)), why, [f for f, _ in flags[k]]
            )
        self._commit(posts, roles, {k: tuple(f for f, _ in flags[k]) for k in new}, local)
        return out

    # --- features -------------------------------------------------------------------------
    def _static(self, posts: list[ThreadPost], new: list[int], p_text: np.ndarray) -> np.ndarray:
        out = np.zeros((len(new), len(STATIC)), np.float32)
        if not new:
            return out
        out[:, : len(ROLES)] = p_text
        for j, k in enumerate(new):
            p = posts[k]
            v = p.view
            assert v is not None
            c = v.cues
            row = out[j]
            on = [
                c.edit_ask, c.domain_ask, c.female_ref, c.relationship is not None,
                any(kind == "name" for kind, _ in c.identifiers),
                any(kind.startswith("handle") for kind, _ in c.identifiers),
                bool(c.tools), v.invites, v.has_link,
                "minor_risk" in c.flags, "non_consent" in c.flags, "payment" in c.flags,
                "doxxing" in c.flags,
                v.is_op, v.has_media, not v.norm.strip(), 0 < len(v.norm) < 25, len(v.norm) > 300,
                "?" in v.norm, v.is_reply, v.author_is_channel, v.reactions > 0, p.seen_before,
                v.platform == "4chan", v.platform == "telegram", v.platform == "discord",
                v.platform not in ("4chan", "telegram", "discord"),
            ]  # fmt: skip
            row[len(ROLES) :] = on
        return out

    def _dynamic(
        self,
        posts: list[ThreadPost],
        new: list[int],
        local: dict[int, _Local],
        roles: list[str],
        children: dict[str, list[int]],
    ) -> tuple[np.ndarray, list[Context]]:
        """One wave's context features, causal within the thread (what came before each post),
        plus the replies each post received in this batch."""
        out = np.zeros((len(new), len(DYNAMIC)), np.float32)
        contexts: list[Context] = []
        threads: dict[str, _Thread] = {}
        batch: dict[str, _Known] = {}
        row_of = {k: j for j, k in enumerate(new)}
        for k, p in enumerate(posts):
            th = threads.get(p.thread)
            if th is None:
                base = self._threads.get(p.thread)
                th = base.copy() if base is not None else _Thread()
                threads[p.thread] = th
            j = row_of.get(k)
            if j is not None:
                v = p.view
                assert v is not None
                contexts.append(self._features(p, v, local[k], th, batch, roles, children, out[j]))
            role = roles[k]
            media = bool(p.view.has_media) if p.view is not None else False
            op = bool(p.view.is_op) if p.view is not None else False
            known = _Known(role, p.ts, p.author, p.thread, media, op, p.known_flags)
            batch[p.uid] = known
            _advance(
                th, p, role, media, op, local[k].names if k in local else frozenset(), p.known_flags
            )
        return out, contexts

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
        batch: dict[str, _Known],
        roles: list[str],
        children: dict[str, list[int]],
        row: np.ndarray,
    ) -> Context:
        D = _D
        ts = p.ts
        parent = self._parent(p, batch)
        if parent is not None:
            row[D["parent.known"]] = 1
            row[D[f"parent.{parent.role}"]] = 1
            row[D["parent.op"]] = parent.op
            row[D["parent.media"]] = parent.media
            row[D["parent.same_author"]] = bool(p.author) and parent.author == p.author
            row[D["parent.soon"]] = 0 <= ts - parent.ts <= RECENT_S
        if th.op_role is not None and not v.is_op:
            row[D[f"op.{th.op_role}"]] = 1
        open_reqs = [r for r in th.requests if 0 <= ts - r.ts <= OPEN_S]
        soon = [r for r in open_reqs if ts - r.ts <= SOON_S]
        row[D["thread.request_soon"]] = bool(soon)
        row[D["thread.request_open"]] = bool(open_reqs)
        row[D["thread.open_requests"]] = math.log1p(len(open_reqs))
        if open_reqs:
            row[D["thread.since_request"]] = (
                math.log1p(max(ts - open_reqs[-1].ts, 0.0) / 60.0) / 9.0
            )
        by_requester = bool(p.author) and any(r.author == p.author for r in open_reqs)
        row[D["thread.by_requester"]] = by_requester
        row[D["thread.names_target"]] = any(
            n in loc.words or ("." in n and n in v.norm) for r in open_reqs for n in r.names
        )
        result_soon = th.result_ts is not None and 0 <= ts - th.result_ts <= RESULT_S
        row[D["thread.result_soon"]] = result_soon
        row[D["thread.result_by_author"]] = bool(p.author) and p.author in th.result_authors
        row[D["thread.first"]] = th.n == 0
        for t0, r in th.recent:
            if 0 <= ts - t0 <= RECENT_S:
                row[D[f"recent.{r}"]] = 1
        kids = children.get(p.uid, ())
        if kids:
            row[D["replies.any"]] = 1
            for c in kids:
                row[D[f"replies.{roles[c]}"]] = 1
        parent_harm = parent is not None and parent.role in HARMFUL_ROLES
        return Context(
            domain=v.cues.domain_ask,
            thread_request=bool(open_reqs) or parent_harm,
            after_result=result_soon
            or (parent is not None and parent.role in ("fulfillment", "distribution")),
            invites=v.invites,
            media=v.has_media,
            seen_before=p.seen_before,
            channel_media=v.author_is_channel and v.has_media,
        )

    # --- flags and reasons ----------------------------------------------------------------
    def _flags(
        self, posts: list[ThreadPost], new: list[int], roles: list[str], contexts: list[Context]
    ) -> dict[int, list[tuple[str, str]]]:
        """Flags with their reasons. Words alone raise a flag only with deepfake context; a post
        that answers or follows a minor-risk request inherits it."""
        out: dict[int, list[tuple[str, str]]] = {}
        batch: dict[str, tuple[str, tuple[str, ...]]] = {}
        threads: dict[str, list[_Request]] = {}
        row_of = {k: j for j, k in enumerate(new)}
        for k, p in enumerate(posts):
            role = roles[k]
            reqs = threads.get(p.thread)
            if reqs is None:
                base = self._threads.get(p.thread)
                reqs = threads[p.thread] = list(base.requests) if base is not None else []
            if p.view is None:
                batch[p.uid] = (role, p.known_flags)
                if role == "request":
                    reqs.append(_Request(p.uid, p.ts, p.author, frozenset(), p.known_flags))
                continue
            v = p.view
            ctx = contexts[row_of[k]]
            keep = (
                role in HARMFUL_ROLES
                or v.cues.domain_ask
                or (role == "counter_speech" and ctx.thread_request)
            )
            flags: dict[str, str] = {}
            if keep:
                for f in v.cues.flags:
                    flags[f] = f"'{v.cues.evidence.get(f, f)}'"
            parent = None
            for uid in p.parents:
                parent = batch.get(uid)
                if parent is None:
                    hit = self._posts.get(uid)
                    parent = (hit.role, hit.flags) if hit is not None else None
                if parent is not None:
                    break
            if (
                parent is not None
                and parent[0] in HARMFUL_ROLES
                and (role in HARMFUL_ROLES or role == "counter_speech")
            ):
                for f in INHERITED:
                    if f in parent[1] and f not in flags:
                        flags[f] = f"inherited: answers a {f.replace('_', '-')} post"
            if role == "request" and not v.cues.domain_ask:  # a follow-up takes its request's flags
                mine = [
                    r
                    for r in reqs
                    if 0 <= p.ts - r.ts <= OPEN_S and (not p.author or r.author == p.author)
                ]
                if mine:
                    for f in INHERITED:
                        if f in mine[-1].flags and f not in flags:
                            flags[f] = f"inherited: follows a {f.replace('_', '-')} request"
            out[k] = list(flags.items())
            batch[p.uid] = (role, tuple(flags))
            if role == "request":
                reqs.append(_Request(p.uid, p.ts, p.author, frozenset(), tuple(flags)))
        return out

    def _why(
        self,
        p: ThreadPost,
        loc: _Local,
        role: str,
        best: int,
        x: np.ndarray,
        ctx: Context,
        flags: list[tuple[str, str]],
    ) -> list[str]:
        why: list[str] = []
        if role == "other" and ROLES[best] != "other":
            reason = gate(ROLES[best], ctx)
            if reason:
                why.append(f"not {ROLES[best]}: {reason}")
        target = ROLE_INDEX[role]
        if self.model.context is not None:
            ev = self.model.context.evidence(x, target)
            if ev:
                why.append("context: " + "; ".join(DESCRIBE.get(n, n) for n, _ in ev))
        words = [
            c for c in self.model.text.contributions(loc.feats, target) if not c.startswith("c:")
        ]
        if words:
            why.append("words: " + ", ".join(words))
        for f, reason in flags:
            why.append(f"flag {f}: {reason}")
        if not why:
            why.append("ordinary talk" if role == "other" else f"read as {role}")
        return why

    # --- state ----------------------------------------------------------------------------
    def _commit(
        self,
        posts: list[ThreadPost],
        roles: list[str],
        flags: dict[int, tuple[str, ...]],
        local: dict[int, _Local],
    ) -> None:
        for k, p in enumerate(posts):
            role = roles[k]
            media = bool(p.view.has_media) if p.view is not None else False
            op = bool(p.view.is_op) if p.view is not None else False
            f = flags.get(k, p.known_flags)
            self._posts[p.uid] = _Known(role, p.ts, p.author, p.thread, media, op, f)
            if len(self._posts) > POST_CACHE:
                self._posts.popitem(last=False)
            th = self._threads.get(p.thread)
            if th is None:
                th = self._threads[p.thread] = _Thread()
                if len(self._threads) > THREAD_CACHE:
                    self._threads.popitem(last=False)
            else:
                self._threads.move_to_end(p.thread)
            _advance(th, p, role, media, op, local[k].names if k in local else frozenset(), f)


def _advance(
    th: _Thread, p: ThreadPost, role: str, media: bool, op: bool, names: frozenset[str],
    flags: tuple[str, ...],
) -> None:  # fmt: skip
    """A thread's state after post ``p`` with ``role``."""
    if op and th.op_role is None:
        th.op_role = role
    if role == "request":
        th.requests.append(_Request(p.uid, p.ts, p.author, names, flags))
        if len(th.requests) > OPEN_PER_THREAD:
            del th.requests[0]
    elif role == "fulfillment" or (role == "distribution" and media):
        th.result_ts = p.ts
        if p.author:
            th.result_authors = (*th.result_authors[-7:], p.author)
    th.recent.append((p.ts, role))
    if len(th.recent) > 8:
        del th.recent[0]
    th.n += 1


__all__ = ["DYNAMIC", "FEATURES", "STATIC", "WAVES", "ThreadPass", "ThreadPost"]
