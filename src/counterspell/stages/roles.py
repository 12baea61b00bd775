"""The role of each post: transparent rules plus a small linear model, combined and explained.

Roles: request, fulfillment, praise, distribution, source_solicitation, technical, payment,
counter_speech, other.

* **Rules** (:data:`RULES`) are named, weighted tests on the text and the structure; each that
  fires adds its weight to one role's score and its name to ``why``.
* **The model** (:class:`RoleModel`) is a multinomial logistic regression over hashed word
  unigrams and bigrams of the normalised text plus structural tokens (is it the OP, does it carry
  media, what role does its parent have, what happened in the thread just before, reactions),
  trained by ``counterspell train`` and temperature-calibrated on held-out data. It ships as
  ``roles_model.npz`` beside this file and needs only numpy at run time.
* **Gate**: a post with no domain cue at all (no rule, no edit request, no invite, no tool, no
  flag) is ``other`` whatever the model says; ordinary talk on real boards must stay ``other``.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .cues import Cues
from .normalize import tokens

ROLES = (
    "request",
    "fulfillment",
    "praise",
    "distribution",
    "source_solicitation",
    "technical",
    "payment",
    "counter_speech",
    "other",
)
ROLE_INDEX = {r: i for i, r in enumerate(ROLES)}
N_FEATURES = 1 << 18
MAX_TOKENS = 200  # long posts are judged on their start; bounded time per post
MODEL_PATH = Path(__file__).with_name("roles_model.npz")
MODEL_ONLY_MIN_PROB = 0.8  # the model may name a role no rule supports only this sure...
MODEL_ONLY_MAX_CHARS = 300  # ...and only on a short post


@dataclass(slots=True)
class PostView:
    """What the role stage sees of one post (text signals plus structure)."""

    norm: str
    cues: Cues
    destinations: list[str]
    has_link: bool
    is_op: bool
    has_media: bool
    platform: str
    kind: str
    reactions: int
    is_reply: bool
    author_is_channel: bool = False
    parent_role: str | None = None
    parent_gap_s: float | None = None
    recent_roles: list[str] = field(default_factory=list)  # roles earlier in the thread, last hour


def _w(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_REQ_WORD = _w(r"\b(?:req|reqs|request|requesting|rerequest|re-req|asking again)\b")
_REQ_CAN = _w(
    r"\b(?:can|could|would)\s+(?:someone|somebody|anyone|a\s+wizard|any\s+wizard)\b|\bany\s+wizards?\b|\bwizards?\s+(?:pls|please|plz)\b|\balguien\b|\bkann\s+jemand\b|\bquelqu'un\b|\bqualcuno\b|\bquem\b"
)
_FULFIL = _w(
    r"\b(?:here\s+you\s+go|here\s+ya\s+go|there\s+ya\s+go|here|done|delivered|voila|as\s+requested|enjoy|took\s+a\s+while|did\s+my\s+best|first\s+attempt|v\d|quick\s+one|not\s+perfect|your\s+order|magic\s+done|fixed)\b"
)
_PRAISE_STRONG = _w(
    r"\b(?:wizard|wiz|wizzard|magic|magician|god\s?tier|looks\s+so\s+real|delivers?|kind\s+sir|legend|goated|actual\s+magic|did\s+her\s+justice)\b|[🪄👑]"
)
_PRAISE_WEAK = _w(
    r"\b(?:based|king|goat|thanks?|thank\s+you|ty|tysm|10/10|amazing|perfect|insane|bless|saved|great\s+(?:job|work)|nice\s+work|hero|holy\s+shit)\b|[🔥💯😍🥵]"
)
_DIST = _w(
    r"\b(?:join|channel|server|group|more\s+(?:on|in|at)|full\s+set|archive|uncensored|dm\s+me\s+on|moved\s+to|backup|link|drop|dump|everything\s+is|all\s+the\s+old)\b"
)
_SOURCE = _w(
    r"\b(?:more|other|better|another|higher\s+res|full\s+body|any\s+other)\s+(?:pics?|pictures|angles?|sources?|photos?|res|shots?)(?:\s+of\s+her)?\b|\bgot\s+her\s+socials\b|\bpost\s+the\s+rest\s+of\s+the\s+(?:set|pics)\b|\bneed\s+(?:a\s+)?(?:better|higher\s+res|full\s+body)\s+(?:pic|source|photo)|\bface\s+is\s+blurry\b|\bhow\s+many\s+pics\b|\bdrop\s+more\s+sources\b|\btoo\s+low\s+res\b|\bsauce\s+pics?\b"
)
_TECH = _w(
    r"\b(?:what|which)\s+(?:model|checkpoint|workflow|sampler)\b|\bwhat\s+app\s+is\s+that\b|\bcheckpoint\b|\bdenoise\b|\bcomfy\s+workflow\b|\bsampler\b|\bcfg\s+scale\b|\bnegative\s+prompt\b|\btrained\s+on\s+her\b"
)
_COUNTER = _w(
    r"\b(?:illegal|reported|report\s+(?:this|you|it)|consent\w*|ruins?\s+lives|real\s+(?:women|people|girls|person)|take\s+it\s+down|fbi|ncmec|police|crime|criminal|disgusting|stop\s+(?:doing|this)|imagine\s+if|nobody\s+asked|mods\b|janny|jannies|creeps?|sick\s+fucks?)\b"
)
# Counter-speech on these boards is about the practice: women, consent, fakes, edits.
_ABUSE_TOPIC = _w(
    r"\b(?:she|her|women|woman|girls?|consent\w*|fakes?|deepfakes?|edits?|nudes?|pics|photos|lives|sister|victims?|real\s+people|take\s+it\s+down|this\s+board|this\s+thread|this\s+is|ai)\b"
)
_PAY_WORDS = _w(r"\b(?:paid\s+reqs?|commissions?|tip\s+jar|prices?|will\s+pay|paying|offering)\b")
_NON_OTHER_DEST = frozenset(
    {"telegram", "discord", "kik", "teleguard", "session", "signal", "mega", "filehost"}
)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    role: str
    weight: float
    test: Callable[[PostView], bool]


def _short(v: PostView, n: int = 40) -> bool:
    return len(v.norm) <= n


def _abuse_context(v: PostView) -> bool:
    return (
        v.cues.edit_ask
        or v.cues.female_ref
        or (v.parent_role is not None and v.parent_role != "other")
        or any(r != "other" for r in v.recent_roles)
    )


def _after_fulfilment(v: PostView) -> bool:
    return v.parent_role == "fulfillment" or (
        not v.is_reply and "fulfillment" in v.recent_roles[-2:]
    )


def _after_request(v: PostView) -> bool:
    return v.parent_role == "request" or (not v.is_reply and "request" in v.recent_roles)


RULES: tuple[Rule, ...] = (
    Rule(
        "asks for a sexualised edit of a woman",
        "request",
        3.0,
        lambda v: v.cues.edit_ask and (v.cues.female_ref or v.cues.relationship is not None),
    ),
    Rule(
        "says it is a request",
        "request",
        1.5,
        lambda v: bool(_REQ_WORD.search(v.norm)) and v.cues.edit_ask,
    ),
    Rule(
        "asks a wizard or anyone to do it",
        "request",
        1.0,
        lambda v: bool(_REQ_CAN.search(v.norm)) and v.cues.edit_ask,
    ),
    Rule(
        "names her relationship to the poster",
        "request",
        1.0,
        lambda v: v.cues.relationship is not None and not v.has_media and v.cues.edit_ask,
    ),
    Rule(
        "media answering a request",
        "fulfillment",
        2.5,
        lambda v: (
            v.has_media
            and not v.is_op
            and _after_request(v)
            and not v.cues.edit_ask
            and _short(v, 80)
        ),
    ),
    Rule(
        "media with delivery words after a request",
        "fulfillment",
        1.5,
        lambda v: (
            v.has_media and _short(v, 60) and bool(_FULFIL.search(v.norm)) and _after_request(v)
        ),
    ),
    Rule(
        "wizard praise",
        "praise",
        2.0,
        lambda v: (
            bool(_PRAISE_STRONG.search(v.norm))
            and not v.has_media
            and not v.cues.edit_ask
            and _short(v, 160)
            and not _COUNTER.search(v.norm)
        ),
    ),
    Rule(
        "thanks or cheers after a fulfilment",
        "praise",
        2.0,
        lambda v: (
            _after_fulfilment(v)
            and bool(_PRAISE_WEAK.search(v.norm) or _PRAISE_STRONG.search(v.norm))
            and not v.has_media
            and _short(v, 120)
        ),
    ),
    Rule(
        "short answer to a fulfilment",
        "praise",
        1.0,
        lambda v: (
            v.parent_role == "fulfillment"
            and not v.has_media
            and not v.cues.edit_ask
            and _short(v, 60)
        ),
    ),
    Rule(
        "short post right after a fulfilment",
        "praise",
        1.0,
        lambda v: (
            not v.is_reply
            and v.recent_roles[-1:] == ["fulfillment"]
            and not v.has_media
            and not v.cues.edit_ask
            and _short(v, 60)
        ),
    ),
    Rule(
        "points to another platform",
        "distribution",
        2.5,
        lambda v: (
            bool(_NON_OTHER_DEST.intersection(v.destinations))
            and (v.has_link or bool(_DIST.search(v.norm)))
            and (_short(v, 240) or _abuse_context(v))
        ),
    ),
    Rule(
        "channel repost of media",
        "distribution",
        2.5,
        lambda v: v.author_is_channel and v.has_media,
    ),
    Rule(
        "asks for more source pictures",
        "source_solicitation",
        2.5,
        lambda v: bool(_SOURCE.search(v.norm)) and not v.has_media and _short(v, 200),
    ),
    Rule(
        "talks tools or settings",
        "technical",
        2.0,
        lambda v: (
            (bool(v.cues.tools) or bool(_TECH.search(v.norm)))
            and not v.cues.edit_ask
            and _short(v, 400)
        ),
    ),
    Rule(
        "offers or asks for money",
        "payment",
        2.0,
        lambda v: "payment" in v.cues.flags and not v.cues.edit_ask and _short(v, 200),
    ),
    Rule(
        "money words",
        "payment",
        1.0,
        lambda v: bool(_PAY_WORDS.search(v.norm)) and "payment" in v.cues.flags,
    ),
    Rule(
        "speaks against the practice",
        "counter_speech",
        2.5,
        lambda v: (
            bool(_COUNTER.search(v.norm))
            and bool(_ABUSE_TOPIC.search(v.norm))
            and not v.cues.edit_ask
            and _short(v, 300)
        ),
    ),
)


def structural_tokens(v: PostView) -> list[str]:
    out = [f"s:platform:{v.platform}", f"s:kind:{v.kind}"]
    if v.is_op:
        out.append("s:op")
    if v.has_media:
        out.append("s:media")
    if not v.norm.strip():
        out.append("s:notext")
    elif len(v.norm) < 25:
        out.append("s:short")
    elif len(v.norm) > 300:
        out.append("s:long")
    if v.is_reply:
        out.append("s:reply")
    if v.author_is_channel:
        out.append("s:channel")
    if v.reactions:
        out.append("s:reactions")
    if v.has_link:
        out.append("s:link")
    out.extend(f"s:dest:{d}" for d in v.destinations)
    out.extend(f"s:flag:{f}" for f in v.cues.flags)
    if v.cues.tools:
        out.append("s:tool")
    if v.cues.edit_ask:
        out.append("s:edit_ask")
    if v.cues.female_ref:
        out.append("s:female")
    if v.cues.relationship:
        out.append(f"s:rel:{v.cues.relationship}")
    if any(k.startswith("handle") for k, _ in v.cues.identifiers):
        out.append("s:handle")
    if v.parent_role:
        out.append(f"s:parent:{v.parent_role}")
        if v.parent_gap_s is not None and v.parent_gap_s < 3600:
            out.append(f"s:parent_soon:{v.parent_role}")
    for r in dict.fromkeys(v.recent_roles[-3:]):
        out.append(f"s:recent:{r}")
    return out


def feature_tokens(v: PostView) -> list[str]:
    words = tokens(v.norm)[:MAX_TOKENS]
    feats = [f"w:{w}" for w in words]
    feats.extend(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    feats.extend(structural_tokens(v))
    return feats


_HASH_CACHE: dict[str, int] = {}
_HASH_CACHE_MAX = 500_000


def _hash(feature: str) -> int:
    h = _HASH_CACHE.get(feature)
    if h is None:
        h = zlib.crc32(feature.encode("utf-8")) & (N_FEATURES - 1)
        if len(_HASH_CACHE) < _HASH_CACHE_MAX:  # frequent features are seen early (Zipf)
            _HASH_CACHE[feature] = h
    return h


def hash_tokens(feats: Sequence[str]) -> np.ndarray:
    """Distinct hashed feature indices (presence, not counts)."""
    raw = np.fromiter(map(_hash, feats), dtype=np.int64, count=len(feats))
    return np.unique(raw)


class RoleModel:
    """Linear scores over hashed features; ``predict`` returns calibrated probabilities."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        temperature: float = 1.0,
        version: str = "untrained",
    ) -> None:
        self.weights = weights.astype(np.float32)  # (n_roles, N_FEATURES)
        self.bias = bias.astype(np.float32)
        self.temperature = float(temperature)
        self.version = version

    @classmethod
    def load(cls, path: Path | None = None) -> RoleModel:
        p = path or MODEL_PATH
        if not p.exists():
            return cls(
                np.zeros((len(ROLES), N_FEATURES), np.float32),
                np.zeros(len(ROLES), np.float32),
                1.0,
                "none",
            )
        with np.load(p) as z:
            dense = np.zeros((len(ROLES), N_FEATURES), np.float32)
            dense[:, z["index"]] = z["values"].astype(np.float32)
            return cls(dense, z["bias"], float(z["temperature"]), str(z["version"]))

    def save(self, path: Path) -> None:
        used = np.flatnonzero(np.abs(self.weights).max(axis=0) > 1e-4)
        np.savez_compressed(
            path, index=used.astype(np.int32), values=self.weights[:, used].astype(np.float16),
            bias=self.bias, temperature=np.float32(self.temperature), version=np.str_(self.version),
        )  # fmt: skip

    def logits(self, index_lists: list[np.ndarray]) -> np.ndarray:
        """(n_posts, n_roles) raw scores for a batch of hashed feature index arrays."""
        n = len(index_lists)
        out = np.tile(self.bias, (n, 1))
        if n == 0:
            return out
        lengths = np.fromiter((len(ix) for ix in index_lists), dtype=np.int64, count=n)
        flat = np.concatenate(index_lists) if lengths.sum() else np.empty(0, np.int64)
        if len(flat):
            gathered = self.weights[:, flat]  # (n_roles, total)
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            nonempty = lengths > 0
            sums = np.add.reduceat(gathered, starts[nonempty], axis=1)
            # Features are L2-normalised (as in training): long posts do not pile up evidence.
            out[nonempty] += sums.T / np.sqrt(lengths[nonempty])[:, None]
        return out

    def contributions(self, feats: Sequence[str], role: int, k: int = 3) -> list[str]:
        """The features that pushed most towards ``role`` (for ``why``)."""
        uniq = list(dict.fromkeys(feats))
        idx = np.fromiter(map(_hash, uniq), dtype=np.int64, count=len(uniq))
        w = self.weights[role, idx] / np.sqrt(max(len(uniq), 1))
        order = np.argsort(-w)[:k]
        return [f"{uniq[i]} (+{w[i]:.2f})" for i in order if w[i] > 0.05]


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


@dataclass(slots=True)
class RoleResult:
    role: str
    scores: dict[str, float]
    why: list[str]


def has_domain_cue(v: PostView, fired: list[Rule]) -> bool:
    return bool(
        fired
        or v.cues.edit_ask
        or v.cues.flags
        or v.cues.tools
        or _NON_OTHER_DEST.intersection(v.destinations)
        or (v.author_is_channel and v.has_media)
    )


def classify(views: list[PostView], model: RoleModel, explain: bool = True) -> list[RoleResult]:
    """Rules plus model for a batch of posts (one pass; see ``analyze`` for the two-pass use)."""
    feats = [feature_tokens(v) for v in views]
    logits = model.logits([hash_tokens(f) for f in feats]) / model.temperature
    fired_all = [[r for r in RULES if r.test(v)] for v in views]
    cues = [has_domain_cue(v, fired) for v, fired in zip(views, fired_all, strict=True)]
    for i, fired in enumerate(fired_all):
        for r in fired:
            logits[i, ROLE_INDEX[r.role]] += r.weight
        if not cues[i]:
            logits[i, :] = -10.0
            logits[i, ROLE_INDEX["other"]] = 10.0
    probs_all = softmax(logits)
    best_all = probs_all.argmax(axis=1)
    rounded = probs_all.round(4).tolist()
    results: list[RoleResult] = []
    for i, v in enumerate(views):
        fired, cue, probs = fired_all[i], cues[i], probs_all[i]
        best = int(best_all[i])
        # A role no rule supports needs a confident model on a short post; long posts need a rule.
        unsupported = (
            cue and ROLES[best] != "other" and not any(r.role == ROLES[best] for r in fired)
        )
        demoted = unsupported and (
            probs[best] < MODEL_ONLY_MIN_PROB or len(v.norm) > MODEL_ONLY_MAX_CHARS
        )
        if demoted:
            best = ROLE_INDEX["other"]
        why: list[str] = []
        if explain:
            why = [f"rule: {r.name} (+{r.weight:g} {r.role})" for r in fired]
            if not cue:
                why.append("no domain cue: ordinary talk")
            elif demoted:
                why.append("model alone not confident enough for this post: other")
            elif model.version != "none":
                why.extend("model: " + c for c in model.contributions(feats[i], best))
        results.append(RoleResult(ROLES[best], dict(zip(ROLES, rounded[i], strict=True)), why))
    return results
