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
from dataclasses import dataclass

import numpy as np

from .context import (
    COMMUNITY_INDEX,
    DESCRIBE,
    DYNAMIC,
    FEATURES,
    INHERITED,
    MINOR_ASK,
    POST_CACHE,
    SOON_S,
    STATIC,
    THREAD_CACHE,
    WAVES,
    Known,
    Local,
    ThreadPost,
    ThreadState,
    advance,
    dependents,
    features_of,
    follows_of,
)
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


class ThreadPass:
    """Judges the posts of one community, batch after batch, in time order."""

    def __init__(self, model: RoleModel, waves: int = WAVES) -> None:
        self.model = model
        self.waves = waves
        self._posts: collections.OrderedDict[str, Known] = collections.OrderedDict()
        self._threads: collections.OrderedDict[str, ThreadState] = collections.OrderedDict()
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
        local: dict[int, Local] = {}
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
            local[k] = Local(names, words, feats, hash_all(feats))
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
        if not new and self.rows is None:
            # only settled posts (an incremental run going over old ones for their context): the
            # settling sweep below would repeat this one, since no role can change
            self._commit(wave)
            return [None] * len(posts)
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
                dirty = dependents(posts, changed, children, roles)
                wave = self._wave(posts, new, local, roles, children, previous=wave, dirty=dirty)
            else:
                break
        # the decided roles settle each post's follow-up and flags (one more causal sweep, which
        # recomputes the context only where a role changed since the last wave)
        final = self._wave(
            posts, new, local, roles, children, settle=True, scores=probs,
            previous=wave, dirty=dependents(posts, changed, children, roles),
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
                why = self._why(local[k], roles[k], best, evidence[j], final.contexts[j], flags)
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
        self, posts: list[ThreadPost], new: list[int], p_text: np.ndarray, local: dict[int, Local]
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
                bool(c.tools or c.maybe_tools), "c:money" in loc.feats, v.invites, v.mentions_platform, v.has_link,
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
        local: dict[int, Local],
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
        # the settling sweep gates each role again with the context it computes, in time order,
        # so that no role stands on a request or result that the waves themselves later undid
        # (a chain of waves can otherwise leave 'its author posted a result here' behind after
        # that result fell back to other); what it undoes, it tells the later posts about
        undone: set[str] = set()
        touched: set[str] = set()
        for k, p in enumerate(posts):
            th = threads.get(p.thread)
            if th is None:
                base = self._threads.get(p.thread)
                th = threads[p.thread] = base.copy() if base is not None else ThreadState()
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
                reuse = (
                    previous is not None
                    and dirty is not None
                    and k not in dirty
                    and p.thread not in touched
                    and undone.isdisjoint(p.parents)
                )
                if reuse and previous.contexts[j].community == (requests > 0):  # type: ignore[union-attr]
                    wave.features[j] = previous.features[j]  # type: ignore[union-attr]
                    wave.features[j, COMMUNITY_INDEX] = math.log1p(requests) / 5.0
                    wave.contexts.append(previous.contexts[j])  # type: ignore[union-attr]
                else:
                    wave.contexts.append(
                        features_of(
                            p, v, loc, th, parent, roles, children, requests, wave.features[j]
                        )
                    )
                if settle and role != "other" and gate(role, wave.contexts[j]) is not None:
                    role = roles[k] = "other"
                    undone.add(p.uid)
                    touched.add(p.thread)
                if role == "request":
                    follows = follows_of(p, v, loc, th, parent)
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
            batch[p.uid] = Known(role, p.ts, p.author, p.thread, media, op, flags, root)
            if role == "request" and follows is None:
                requests += 1
            wave.order.append((p, batch[p.uid], names, follows))
            advance(th, p.uid, batch[p.uid], names, follows)
        wave.requests = requests
        return wave

    def _parent(self, p: ThreadPost, batch: dict[str, Known]) -> Known | None:
        for uid in p.parents:
            hit = batch.get(uid) or self._posts.get(uid)
            if hit is not None:
                return hit
        return None

    # --- flags and reasons ----------------------------------------------------------------
    def _post_flags(
        self,
        p: ThreadPost,
        v: PostView,
        role: str,
        parent: Known | None,
        th: ThreadState,
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
        if "sextortion" in cues.flags and "sextortion" not in flags:
            # a threat to show her pictures unless she pays is abuse in any thread, with or
            # without a deepfake request around it (the cue needs threat and demand together)
            flags["sextortion"] = f"'{cues.evidence.get('sextortion')}'"
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
        loc: Local,
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
    threads: dict[str, ThreadState]
    batch: dict[str, Known]
    order: list[tuple[ThreadPost, Known, frozenset[str], str | None]]
    requests: int = 0


__all__ = ["DYNAMIC", "FEATURES", "STATIC", "WAVES", "ThreadPass", "ThreadPost"]
