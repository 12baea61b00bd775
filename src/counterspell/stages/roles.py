"""The role of each post: what its words say, weighed with what its thread says.

Roles: request, fulfillment, praise, distribution, source_solicitation, technical, payment,
counter_speech, other.

On text nobody on the project wrote, words alone miss most of a campaign: a bump, "xmas party,
only full one i've got", an image with "rough angle, best I could", or no text at all. What the
thread shows decides those: the post answers a request, carries an attachment, comes from the
requester, names her again, its media were seen before. So a role is decided in two steps:

1. **Text model** (:class:`TextModel`): a multinomial logistic regression over hashed word
   unigrams, bigrams and word prefixes of the normalised text plus the text's cues (an ask to
   make an image, a tool, an invite, candidate flags). It says what the words alone suggest.
2. **Context model** (:class:`ContextModel`): a one-hidden-layer network over the text model's
   probabilities and the structure around the post (:mod:`counterspell.stages.thread` builds the
   features: the OP's role, the parent's role, open requests of the thread, whether the author is
   the requester, attachments, time gaps, what the replies to this post are). Its inputs are
   named, so ``why`` can say which structural evidence decided.

A **domain gate** (:func:`gate`) then keeps the harmful roles for posts with deepfake context: an
ask to make or alter an image of someone, a tool, an invite, media seen before, or a thread whose
request has that. Sexist or abusive talk without it stays ``other``.

Both models ship in ``roles_model.npz`` beside this file (trained by ``counterspell train``) and
need only numpy at run time.
"""

from __future__ import annotations

import heapq
import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..models import ROLES
from .cues import Cues
from .normalize import tokens

ROLE_INDEX = {r: i for i, r in enumerate(ROLES)}
# minor_risk first in every queue, sextortion beside it (someone is being extorted now)
FLAGS = ("minor_risk", "sextortion", "non_consent", "doxxing", "payment")
# Roles that are part of the abuse (an alarm when given to ordinary talk); counter-speech is not.
HARMFUL_ROLES = frozenset(ROLES) - {"other", "counter_speech"}
N_FEATURES = 1 << 18
MAX_TOKENS = 200  # long posts are judged on their start; bounded time per post
MODEL_PATH = Path(__file__).with_name("roles_model.npz")
# An amount of money, in the currencies and slang of these boards (not only a payment flag).
_MONEY = re.compile(
    r"[$€£]\s?\d|\d\s?(?:[$€£]|usd|eur|euros?|bucks|dollars?|quid|reais|pesos|k\b)"
    r"|\b(?:paypal|cash\s?app|venmo|crypto|btc|usdt|ltc|xmr|monero|zelle|pix|bizum)\b"
)
_NON_OTHER_DEST = frozenset(
    {"telegram", "discord", "kik", "teleguard", "session", "signal", "mega", "filehost"}
)


@dataclass(slots=True)
class PostView:
    """What the role stage sees of one post alone: its text signals and its own structure."""

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

    @property
    def invites(self) -> bool:
        """It carries a link or contact that leads to another platform (not a mere mention)."""
        return self.has_link and bool(_NON_OTHER_DEST.intersection(self.destinations))

    @property
    def mentions_platform(self) -> bool:
        """It names another platform ("it's all in the tg") without linking to it."""
        return not self.has_link and bool(_NON_OTHER_DEST.intersection(self.destinations))


def text_tokens(v: PostView) -> list[str]:
    """Word unigrams, bigrams and prefixes, plus the text's cues, as distinct feature strings."""
    words = tokens(v.norm)[:MAX_TOKENS]
    feats = [f"w:{w}" for w in words]
    feats.extend("n:num" for w in words if w.isdigit())  # "12?", "40 and i do 3": any number
    feats.extend(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    feats.extend(f"p:{w[:5]}" for w in words if len(w) > 6)  # undressed/undressing, nudified
    c = v.cues
    if not words:
        feats.append("c:notext")
    elif len(words) <= 3:
        feats.append("c:short")
    if c.edit_ask:
        feats.append("c:edit_ask")
    if c.domain_ask:
        feats.append("c:domain_ask")
    if c.tools or c.maybe_tools:
        feats.append("c:tool")
    if _MONEY.search(v.norm):
        feats.append("c:money")
    if c.female_ref:
        feats.append("c:female")
    if c.relationship:
        feats.append(f"c:rel:{c.relationship}")
    if c.identifiers:
        feats.append("c:identifier")
    feats.extend(f"c:flag:{f}" for f in c.flags)
    feats.extend(f"c:dest:{d}" for d in v.destinations)
    if v.has_link:
        feats.append("c:link")
    return list(dict.fromkeys(feats))  # each feature once: presence, not counts


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
    """Hashed feature indices of distinct features (presence, not counts; ``text_tokens`` gives
    each feature once, so two indices are equal only where two features collide)."""
    return hash_all(feats)


def hash_all(feats: Sequence[str]) -> np.ndarray:
    """The hashed index of each feature, in order (with repeats)."""
    return np.fromiter(map(_hash, feats), dtype=np.int64, count=len(feats))


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


class TextModel:
    """Linear scores over hashed text features (L2-normalised presence vectors)."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)  # (n_roles, N_FEATURES)
        self.bias = bias.astype(np.float32)

    @classmethod
    def zeros(cls) -> TextModel:
        return cls(np.zeros((len(ROLES), N_FEATURES), np.float32), np.zeros(len(ROLES), np.float32))

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
            out[nonempty] += sums.T / np.sqrt(lengths[nonempty])[:, None]
        return out

    def contributions(
        self, feats: Sequence[str], role: int, k: int = 3, ids: np.ndarray | None = None
    ) -> list[str]:
        """The word features that pushed most towards ``role`` (for ``why``); ``ids`` are the
        features' hashes when the caller has them already."""
        if not feats:
            return []
        if ids is None:
            ids = np.fromiter(map(_hash, feats), dtype=np.int64, count=len(feats))
        scale = 1.0 / np.sqrt(len(ids))
        values = self.weights[role, ids].tolist()
        ranked = heapq.nlargest(k + 4, range(len(values)), key=values.__getitem__)
        out: list[str] = []
        for i in ranked:
            w = values[i] * scale
            if w <= 0.05 or len(out) == k:
                break
            name = feats[i]
            if not name.startswith("c:") and not any(o.startswith(name + " ") for o in out):
                out.append(f"{name} (+{w:.2f})")
        return out


class ContextModel:
    """A one-hidden-layer network over named context features (standardised)."""

    def __init__(
        self,
        names: Sequence[str],
        mean: np.ndarray,
        scale: np.ndarray,
        w1: np.ndarray,
        b1: np.ndarray,
        w2: np.ndarray,
        b2: np.ndarray,
    ) -> None:
        self.names = tuple(names)
        self.mean = mean.astype(np.float32)
        self.scale = scale.astype(np.float32)
        self.w1, self.b1 = w1.astype(np.float32), b1.astype(np.float32)
        self.w2, self.b2 = w2.astype(np.float32), b2.astype(np.float32)

    def logits(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mean) / self.scale
        h = np.maximum(z @ self.w1 + self.b1, 0.0)
        return np.asarray(h @ self.w2 + self.b2)

    def evidence_batch(
        self, x: np.ndarray, roles: np.ndarray, k: int = 3, floor: float = 0.25
    ) -> list[list[tuple[str, float]]]:
        """For each post, the present features that pushed most towards its role (gradient
        times input, against the training mean, so an absent feature explains nothing)."""
        z = (x - self.mean) / self.scale
        active = (z @ self.w1 + self.b1 > 0).astype(np.float32)  # (n, hidden)
        n_roles = self.w2.shape[1]
        # d(logit_role - mean of the other logits) / d(hidden), per role
        direction = self.w2 - (self.w2.sum(axis=1, keepdims=True) - self.w2) / (n_roles - 1)
        grad = (active * direction[:, roles].T) @ self.w1.T  # (n, features)
        contrib = np.where(x != 0, grad * z, -np.inf)
        top = np.argsort(-contrib, axis=1)[:, :k]
        out: list[list[tuple[str, float]]] = []
        for i in range(len(x)):
            out.append(
                [(self.names[j], float(contrib[i, j])) for j in top[i] if contrib[i, j] > floor]
            )
        return out


@dataclass
class RoleModel:
    """The text model, the context model and their calibration, saved together."""

    text: TextModel
    context: ContextModel | None = None
    temperature: float = 1.0
    version: str = "untrained"
    info: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> RoleModel:
        p = path or MODEL_PATH
        if not p.exists():
            return cls(TextModel.zeros(), None, 1.0, "none")
        with np.load(p, allow_pickle=False) as z:
            dense = np.zeros((len(ROLES), N_FEATURES), np.float32)
            dense[:, z["index"]] = z["values"].astype(np.float32)
            text = TextModel(dense, z["bias"])
            context = None
            if "ctx_w1" in z:
                context = ContextModel(
                    [str(n) for n in z["ctx_names"]], z["ctx_mean"], z["ctx_scale"],
                    z["ctx_w1"], z["ctx_b1"], z["ctx_w2"], z["ctx_b2"],
                )  # fmt: skip
            info = dict(zip([str(k) for k in z["info_keys"]], [str(v) for v in z["info_values"]], strict=True)) if "info_keys" in z else {}  # fmt: skip
            return cls(text, context, float(z["temperature"]), str(z["version"]), info)

    def save(self, path: Path) -> None:
        w = self.text.weights
        used = np.flatnonzero(np.abs(w).max(axis=0) > 1e-4)
        arrays: dict[str, np.ndarray] = {
            "index": used.astype(np.int32),
            "values": w[:, used].astype(np.float16),
            "bias": self.text.bias,
            "temperature": np.array(self.temperature, dtype=np.float32),
            "version": np.array(self.version, dtype=np.str_),
            "info_keys": np.array(list(self.info), dtype=np.str_),
            "info_values": np.array(list(self.info.values()), dtype=np.str_),
        }
        if self.context is not None:
            c = self.context
            arrays.update(
                ctx_names=np.array(c.names, dtype=np.str_), ctx_mean=c.mean, ctx_scale=c.scale,
                ctx_w1=c.w1, ctx_b1=c.b1, ctx_w2=c.w2, ctx_b2=c.b2,
            )  # fmt: skip
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy types allow_pickle as a keyword

    def text_logits(
        self, feats: list[list[str]], ids: list[np.ndarray] | None = None
    ) -> np.ndarray:
        """Text scores of posts from their features (``ids``: their hashes, if known)."""
        return self.text.logits(ids if ids is not None else [hash_tokens(f) for f in feats])


@dataclass(slots=True)
class RoleResult:
    role: str
    scores: dict[str, float]
    why: list[str]
    flags: list[str] = field(default_factory=list)
    follows: str | None = None  # a request's follow-up: the uid of the request it continues


@dataclass(slots=True)
class Context:
    """Deepfake context around one post, for the gate (see :mod:`counterspell.stages.thread`)."""

    domain: bool  # the post itself asks to make/alter an image, or names a deepfake tool
    thread_request: bool  # an open request with deepfake context in its thread (or its parent)
    after_result: bool  # a fulfilment or repost shortly before, or it answers one
    invites: bool
    mentions_platform: bool
    media: bool
    seen_before: bool  # its media appeared earlier in the lake
    channel_media: bool
    source_picture: bool = False  # it carries a picture and talks about a woman
    request_community: bool = False  # its community has requests, and it talks about a woman
    community: bool = False  # its community has requests


def gate(role: str, c: Context) -> str | None:
    """Why ``role`` cannot stand without deepfake context, or None when it can."""
    if role in ("other", "counter_speech"):
        return None
    ctx = c.domain or c.thread_request
    if role == "request" and not (ctx or c.source_picture or c.request_community):
        return "no ask to make or alter an image, no picture of her, and no request around it"
    if role == "fulfillment" and not (c.media and (ctx or c.seen_before)):
        return "no attachment answering a request"
    if role == "praise" and not (c.after_result or ctx):
        return "no result or request nearby to praise"
    if role == "distribution" and not (
        c.invites
        or c.seen_before
        or c.channel_media
        or (ctx and (c.media or c.mentions_platform))
        or c.after_result
    ):
        return "no invite, repost or result to distribute"
    if role in ("source_solicitation", "payment", "technical") and not (ctx or c.community):
        return "no request or deepfake talk around it"
    return None


__all__ = [
    "FLAGS",
    "HARMFUL_ROLES",
    "MODEL_PATH",
    "N_FEATURES",
    "ROLES",
    "ROLE_INDEX",
    "Context",
    "ContextModel",
    "PostView",
    "RoleModel",
    "RoleResult",
    "TextModel",
    "gate",
    "hash_tokens",
    "softmax",
    "text_tokens",
]
