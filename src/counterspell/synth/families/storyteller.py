"""The ``storyteller`` grammar family: long-winded forum posters who explain themselves.

These writers type in full sentences with proper-ish punctuation and paragraph breaks. A request
comes wrapped in backstory: how the poster knows her, what she supposedly did, why it is "only
fair", and a polite or entitled ask ("Would anyone be willing to...", "I'd really appreciate it
if..."). Praise is effusive and wordy, counter-speech argues its case, and the hard negatives
are opinionated rants in the same voice. The Spanish, Portuguese and German posts read like
educated forum regulars who mix in English board words.

Everything here is synthetic and non-graphic; the asks are euphemisms only.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family, load_banks

# ---------------------------------------------------------------------------------------------
# private helper banks (keys start with "_")
# ---------------------------------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------
# the public banks
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# style: how storytellers type
# ---------------------------------------------------------------------------------------------
_TYPOS: tuple[tuple[str, str], ...] = (
    (r"\bdefinitely\b", "definately"),
    (r"\ba lot\b", "alot"),
    (r"\breceive\b", "recieve"),
    (r"\bthough\b", "tho"),
    (r"\bseparate\b", "seperate"),
    (r"\bprobably\b", "probly"),
    (r"\bbecause\b", "cause"),
    (r"\bwould have\b", "would of"),
    (r"\bappreciate\b", "appriciate"),
    (r"\bapologies\b", "appologies"),
    (r"\btheir\b", "there"),
    (r"\byou're\b", "your"),
    (r"\bneither\b", "niether"),
    (r"\bwhether\b", "wether"),
    (r"\bexperienced\b", "experianced"),
)
_APOSTROPHE = re.compile(r"\b(\w+)'(t|s|m|re|ve)\b")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n)([a-z])")
_EDITS: tuple[str, ...] = (
    "EDIT: formatting, I'm on mobile.",
    "Edit: typo.",
    "EDIT: spelling.",
    "EDIT: to everyone sending me DMs, I'll answer tonight.",
    "EDIT: sorry for the length.",
)
_FOREIGN_HINT = re.compile(r"[äöüßñ¿¡ãõçáéíóú]|\b(que|und|nicht|ela|jemand|alguien|alguém)\b", re.I)
_SIGNOFFS: tuple[str, ...] = (" :)", " 🙏", " :/", " 😅", " 🙏🙏")


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a finished post the way this family's long-winded posters type it."""
    if not text:
        return text
    # An emoji-only or near-emoji post is left alone.
    if not re.search(r"[A-Za-z]", text):
        return text
    out = text

    # Most storytellers capitalise sentences; a few type all lower-case openings.
    if rng.random() < 0.85:
        out = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), out)
    else:
        out = out[0].lower() + out[1:]
        out = re.sub(r"(?<=\s)I(?=[\s'])", "i", out)

    # One writer in five drops apostrophes throughout (consistently, like a habit).
    if rng.random() < 0.2:
        out = _APOSTROPHE.sub(lambda m: m.group(1) + m.group(2), out)

    # A couple of habitual misspellings.
    for pattern, repl in _TYPOS:
        if rng.random() < 0.12:
            out = re.sub(pattern, repl, out, count=1, flags=re.IGNORECASE)

    # Trailing-off ellipses instead of full stops, now and then.
    if rng.random() < 0.08:
        out = re.sub(r"\. (?=[A-Z])", lambda m: "... " if rng.random() < 0.4 else m.group(0), out)

    # A stray letter swap in one longer word (rare).
    if rng.random() < 0.05:
        words = [m for m in re.finditer(r"\b[a-z]{7,}\b", out)]
        if words:
            w = words[rng.randrange(len(words))]
            s = w.group(0)
            k = rng.randrange(1, len(s) - 2)
            swapped = s[:k] + s[k + 1] + s[k] + s[k + 2 :]
            out = out[: w.start()] + swapped + out[w.end() :]

    # Double exclamation for enthusiasm in praise and thanks.
    if role == "praise" and rng.random() < 0.3:
        out = re.sub(r"\.$", "!!", out)

    # Long requests and rants sometimes get an edit note or a sign-off (English posts only).
    long_post = len(out) > 160 and not _FOREIGN_HINT.search(out)
    if long_post and role in ("request", "other", "counter_speech") and rng.random() < 0.12:
        out = out + "\n" + _EDITS[rng.randrange(len(_EDITS))]
    elif role in ("request", "praise") and rng.random() < 0.08:
        out = out + _SIGNOFFS[rng.randrange(len(_SIGNOFFS))]

    # A few write a TL;DR under a wall of text.
    if role == "request" and long_post and len(out) > 350 and rng.random() < 0.1:
        out = out + "\nTL;DR: {}".format(
            ("please help", "see pic", "she deserves it", "would appreciate it")[rng.randrange(4)]
        )
    return out


FAMILY = Family(
    name="storyteller",
    banks=load_banks(__name__),
    style=style,
    description=(
        "Long-winded forum posters in full sentences: requests wrapped in backstory and "
        "grievances about how they know her and why she 'deserves' it, polite or entitled asks, "
        "wordy praise, argued counter-speech, opinionated rants as hard negatives; educated "
        "Spanish/Portuguese/German forum posts mixing in English board words."
    ),
)
