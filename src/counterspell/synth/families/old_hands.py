"""The ``old_hands`` family: long-time regulars of an anonymous request board.

Jaded, in-jokey, gatekeeping ("lurk more", "read the sticky"), wizards talking shop about
workflows, masking, relighting, grain and skin tone, local versus web tools; trading sets and
archives, herding people to backups after a nuke, quoting prices for customs, vouching and
calling out scammers. Mixed sentence lengths, board abbreviations, dry humour, few emoji.

Synthetic training data for a detector; every request is euphemistic and non-graphic, every
person fictional (names, handles, workplaces and towns come from the generator's slots).
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family, load_banks

BANKS: dict[str, list[str]] = load_banks(__name__)

# Words the family itself writes: typos only ever land on these, never on slot values.
_VOCAB: frozenset[str] = frozenset(
    w for bank in BANKS.values() for t in bank for w in re.findall(r"[a-z]{5,}", t)
)

_CONTRACTIONS = re.compile(
    r"\b(i'm|it's|that's|she's|don't|can't|won't|didn't|doesn't|isn't|you're|i'll|i'd|i've|"
    r"there's|what's|he's|we're|they're|wasn't|couldn't|let's|here's|who's|you'd)\b",
    re.IGNORECASE,
)

_SUBS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\byou're\b"), ("ur", "youre")),
    (re.compile(r"\byour\b"), ("ur", "yr")),
    (re.compile(r"\byou\b"), ("u",)),
    (re.compile(r"\bplease\b"), ("pls", "plz")),
    (re.compile(r"\bthough\b"), ("tho",)),
    (re.compile(r"\bbecause\b"), ("cuz", "bc", "cos")),
    (re.compile(r"\bpeople\b"), ("ppl",)),
    (re.compile(r"\bthanks\b"), ("thx", "ta")),
    (re.compile(r"\bsomething\b"), ("smth", "sth")),
    (re.compile(r"\bwith\b"), ("w/",)),
    (re.compile(r"\bright now\b"), ("rn",)),
    (re.compile(r"\bto be honest\b"), ("tbh",)),
)

_TAILS = (" lol", " tbh", " desu", " kek", " lmao")


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # drop one
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double one


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a finished post the way the regulars type: lowercase habits, dropped
    apostrophes, board abbreviations, the odd typo, no full stop at the end."""
    if role in ("who", "detail") or not text:
        return text
    careful = role.startswith("counter")
    sloppy = rng.random() < (0.3 if careful else 0.5 if role == "technical" else 0.75)
    out = text
    if sloppy:
        if rng.random() < 0.7:
            out = _CONTRACTIONS.sub(lambda m: m.group(0).replace("'", ""), out)
        for pat, repl in _SUBS:
            if pat.search(out) and rng.random() < 0.5:
                out = pat.sub(repl[rng.randrange(len(repl))], out)
        if out.endswith(".") and not out.endswith("..") and rng.random() < 0.6:
            out = out[:-1]
        if ". " in out and rng.random() < 0.12:
            out = out.replace(". ", ".. ", 1)
    if rng.random() < (0.03 if careful else 0.1):
        words = [m for m in re.finditer(r"\b[a-z]{5,}\b", out) if m.group(0) in _VOCAB]
        if words:
            m = words[rng.randrange(len(words))]
            out = out[: m.start()] + _typo(rng, m.group(0)) + out[m.end() :]
    if careful and out[-1:].isalpha() and rng.random() < 0.4:
        out += "."
    elif role == "other" and out[-1:].isalpha() and "\n" not in out and rng.random() < 0.06:
        out += _TAILS[rng.randrange(len(_TAILS))]
    return out


FAMILY = Family(
    name="old_hands",
    banks=BANKS,
    style=style,
    description=(
        "Long-time regulars of an anonymous request board: jaded, gatekeeping, shop talk about "
        "masking, grain and relighting, prices and vouches, herding people to backups."
    ),
)

__all__ = ["FAMILY"]
