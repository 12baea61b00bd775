"""The ``transactional`` family: a commission marketplace.

Requests read like orders or spec sheets ("Target: ..., Pics: 3 attached, Want: ..., Budget:
..."), creators advertise ("customs open", "DM for rates", "turnaround 24h"), people talk tool
and workflow jargon (inpaint, denoise, LoRA, upscale, faceswap, seeds, batches), praise comes as
vouches and feedback ("vouch, fast delivery, 10/10") and distribution is terse and business-like
("full pack in the vault: ..."). Semi-formal, numbered lists, a little seller/buyer etiquette.
Foreign posts are written the way Spanish, Portuguese and German buyers and sellers would type
them on the same kind of board, English market words mixed in.

Everything here is fictional and non-graphic: requests only ever use euphemisms, and the
minor-related keys carry nothing but an age or school hint so the detector learns to escalate.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family, load_banks

# (The optional openers and tails of each role were applied when the banks were written: the
# data file holds every template already wrapped in "<_pre_KIND> ... <_post_KIND>".)


# ---------------------------------------------------------------------------------- style
_APOS = re.compile(r"(\w)'(\w)")
_WORD = re.compile(r"(?<![\w.@])[a-z]{5,}(?![\w.])")
_SHORTHAND: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\bplease\b", re.I), ("pls", "plz", "pls")),
    (re.compile(r"\bthanks\b", re.I), ("thx", "ty", "thanks")),
    (re.compile(r"\byou\b"), ("u", "you")),
    (re.compile(r"\bright now\b"), ("rn",)),
    (re.compile(r"\bmessage\b"), ("msg",)),
    (re.compile(r"\bbecause\b"), ("bc", "cuz")),
)
_TAIL_EMOJI: dict[str, tuple[str, ...]] = {
    "praise": ("🔥", "💯", "✅", "🤝", "🙏", "👑"),
    "payment": ("💸", "💰", "✅"),
    "distribution": ("📦", "🔗", "👇", "🔥"),
    "fulfillment": ("✅", "📦", "🫡"),
    "request": ("🙏", "💸", "👀"),
}


def _typo(rng: random.Random, text: str) -> str:
    """Swap two adjacent letters in one longer word (fat-finger on a phone)."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    m = words[rng.randrange(len(words))]
    w = m.group(0)
    i = rng.randrange(1, len(w) - 2)
    w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return text[: m.start()] + w + text[m.end() :]


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a finished post the way marketplace buyers and sellers type it."""
    multiline = "\n" in text
    # Spec sheets typed on a phone: lines squashed into one with separators.
    if multiline and rng.random() < 0.25:
        sep = rng.choice((" | ", " / ", " - ", ". "))
        text = sep.join(ln for ln in text.split("\n") if ln.strip())
    if rng.random() < 0.1:
        text = _typo(rng, text)
    # Casual posters go all lowercase; sellers writing specs keep their caps more often.
    lower_p = 0.3 if role in ("request", "payment", "technical") else 0.55
    if rng.random() < lower_p:
        text = text.lower()
    if rng.random() < 0.35:
        text = _APOS.sub(r"\1\2", text)
    for pattern, options in _SHORTHAND:
        if pattern.search(text) and rng.random() < 0.4:
            text = pattern.sub(rng.choice(options), text)
    # Vouches shouted, thanks elongated.
    if role == "praise":
        if rng.random() < 0.2:
            text = re.sub(r"\bvouch\b", "VOUCH", text, flags=re.I)
        if rng.random() < 0.2:
            text = re.sub(r"\b(thx|ty|thanks)\b", lambda m: m.group(1) + m.group(1)[-1] * 2, text)
    if len(text) < 30 and text == text.lower() and rng.random() < 0.15:
        text = re.sub(r"\b(bump|up|this)\b", lambda m: m.group(1) + m.group(1)[-1] * 2, text)
    # Dropped final full stop.
    if not multiline and text.endswith(".") and not text.endswith("..") and rng.random() < 0.4:
        text = text[:-1]
    emoji = _TAIL_EMOJI.get(role)
    if emoji and rng.random() < 0.18:
        text = f"{text} {rng.choice(emoji)}"
    return text


FAMILY = Family(
    name="transactional",
    banks=load_banks(__name__),
    style=style,
    description=(
        "A commission marketplace: requests as orders and spec sheets (Target/Pics/Want/Budget), "
        "sellers advertising customs and turnaround, tool jargon (inpaint, denoise, LoRA, seeds, "
        "upscale), vouches as praise, terse vault/channel pointers; es/pt/de buyers and sellers."
    ),
)

__all__ = ["FAMILY", "style"]
