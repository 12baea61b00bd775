"""The ``lads_forum`` family: a British/Aussie lads'-forum register.

Writers here call each other mate, lad, legend and wizard; say cheers, ta, sorted, sound, mint;
write "in the nip", "starkers", "the full treatment"; sign off with an ``x`` or a beer emoji;
mostly lowercase, apostrophes dropped, ``u``/``ur``/``m8``/``cos``, the odd typo and stretched
word. Foreign posts are Spain/LatAm Spanish, Brazilian Portuguese and German board slang.

Requests are euphemistic and non-graphic; every name, handle, workplace and school comes from the
generator's slots. The ``other.*`` banks are the hard negatives: the same crude register that never
asks anyone to make an image.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family, load_banks

# ---------------------------------------------------------------------- style

_SUBS: tuple[tuple[re.Pattern[str], str, float], ...] = (
    (re.compile(r"\byou're\b", re.IGNORECASE), "ur", 0.35),
    (re.compile(r"\byour\b", re.IGNORECASE), "ur", 0.35),
    (re.compile(r"\byou\b(?!['’])", re.IGNORECASE), "u", 0.4),
    (re.compile(r"\bplease\b", re.IGNORECASE), "pls", 0.35),
    (re.compile(r"\bmate\b"), "m8", 0.12),
    (re.compile(r"\bthough\b"), "tho", 0.5),
    (re.compile(r"\bbecause\b"), "cos", 0.5),
    (re.compile(r"\bgoing to\b"), "gonna", 0.6),
    (re.compile(r"\bwant to\b"), "wanna", 0.5),
    (re.compile(r"\btonight\b"), "tonite", 0.2),
    (re.compile(r"\bsorry\b"), "soz", 0.2),
    (re.compile(r"\bthanks\b"), "thx", 0.15),
    (re.compile(r"\banyone\b"), "any1", 0.06),
    (re.compile(r"\blol\b"), "lmao", 0.2),
)
_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
_EMOJI: dict[str, tuple[str, ...]] = {
    "request": ("🙏", "🤞", "👀", "🙏🙏", "😉"),
    "praise": ("🔥", "👑", "🍻", "🙌", "👏", "🐐"),
    "fulfillment": ("👍", "😉", "🤷", "👌", "🍻"),
    "distribution": ("👀", "🤫", "📦"),
    "payment": ("💷", "💸", "🤝"),
    "source_solicitation": ("👀", "📸"),
    "technical": ("🤔", "👍", "🤦"),
    "other": ("😂", "💀", "🙄", "🍺", "🤣"),
    "counter_speech": ("🤢", "🚩"),
}
_EMOJI_P: dict[str, float] = {
    "praise": 0.35,
    "request": 0.18,
    "other": 0.15,
    "counter_speech": 0.03,
}
_SIGN_OFF: tuple[str, ...] = (" x", " xx", " cheers", " ta", " 🍻")


_PLAIN = re.compile(r"[a-z]{4,}")


def _plain_words(text: str) -> list[tuple[int, int]]:
    """Spans of plain lowercase words (no handles, links, codes or capitalised names)."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"\S+", text):
        core = m.group(0).rstrip(",.!?;:)")
        if _PLAIN.fullmatch(core):
            spans.append((m.start(), m.start() + len(core)))
    return spans


def _typo(rng: random.Random, text: str) -> str:
    """One slip of the thumb in a plain lowercase word."""
    spans = _plain_words(text)
    if not spans:
        return text
    a, b = spans[rng.randrange(len(spans))]
    w = text[a:b]
    i = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # swap two letters
        w = w[: i - 1] + w[i] + w[i - 1] + w[i + 1 :]
    elif kind == 1:  # doubled letter
        w = w[:i] + w[i] + w[i:]
    else:  # dropped letter
        w = w[:i] + w[i + 1 :]
    return text[:a] + w + text[b:]


def _lower(text: str) -> str:
    """Lowercase, leaving links, handles and codes (anything with a digit, / or [) alone."""
    return " ".join(t if re.search(r"[\d/\[@+]", t) else t.lower() for t in text.split(" "))


def _stretch(rng: random.Random, text: str) -> str:
    """Stretch the last plain word: pleaseee, bumppp, ladsss."""
    spans = _plain_words(text)
    if not spans:
        return text
    b = spans[-1][1]
    return text[:b] + text[b - 1] * rng.randint(1, 3) + text[b:]


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a finished post the way this board types (deterministic given ``rng``)."""
    if not text:
        return text
    out = text
    for pattern, repl, p in _SUBS:
        if rng.random() < p:
            out = pattern.sub(repl, out)
    if rng.random() < 0.45:
        out = _APOSTROPHE.sub("", out)
    if role != "distribution" and rng.random() < 0.14:
        out = _typo(rng, out)
    r = rng.random()
    if r < 0.55:
        out = "\n".join(_lower(line) for line in out.split("\n"))
    elif r < 0.6 and len(out) < 32 and role != "distribution" and not re.search(r"\d", out):
        out = out.upper()
    if rng.random() < 0.07:
        out = _stretch(rng, out)
    if out.endswith(".") and not out.endswith("..") and rng.random() < 0.5:
        out = out[:-1]
    if rng.random() < 0.1:
        out = out.replace(". ", "... ", 1)
    if out.endswith("?") and rng.random() < 0.2:
        out += rng.choice(("?", "??", " lol", " anyone" if role == "request" else "?"))
    if role in ("request", "praise") and rng.random() < 0.1:
        out += rng.choice(_SIGN_OFF)
    emojis = _EMOJI.get(role)
    if emojis and rng.random() < _EMOJI_P.get(role, 0.1):
        out += " " + rng.choice(emojis)
    return out


FAMILY = Family(
    name="lads_forum",
    banks=load_banks(__name__),
    style=style,
    description=(
        "British/Aussie lads'-forum register: mate, lad, legend, wizard, cheers, ta, sorted, "
        "mint; 'in the nip', 'starkers', 'the full treatment'; mostly lowercase with dropped "
        "apostrophes, u/ur/m8/cos, x sign-offs and beer emoji; pub, footy and gacha chatter as "
        "hard negatives; Spain/LatAm Spanish, Brazilian Portuguese and German board slang."
    ),
)

__all__ = ["FAMILY", "style"]
