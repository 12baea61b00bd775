"""Family ``anon_terse``: anonymous imageboard posters (/r/-board style).

Terse, mostly lowercase, little punctuation, greentext, board slang (anon, op, kek, wiz, sage,
bump, newfag, desu), blunt and impatient. Foreign posts are written the way Spanish, Portuguese
and German anons write on an English board: short, slangy, English board words mixed in.

Every target is fictional (slots come from the generator) and every request is euphemistic.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family, load_banks

_CONTRACTION = re.compile(r"\b([a-z]+)'(t|s|m|re|ll|d|ve)\b")
_ELONGATE: dict[str, tuple[str, ...]] = {
    "pls": ("plss", "plsss", "plz", "pleaase"),
    "please": ("pleeease", "pleaseee", "plsss"),
    "bump": ("bumpp", "bummp", "BUMP"),
    "so": ("soo", "sooo"),
    "kek": ("kekkk", "kekek", "kek kek"),
    "lol": ("lmao", "lool", "lmfao"),
    "holy": ("holyyy", "hooly"),
    "damn": ("daaamn", "damnnn"),
    "ty": ("tyy", "tyty", "tyvm"),
    "yes": ("yesss", "yess"),
    "anyone": ("anyonee", "anyoneee"),
    "wiz": ("wizz", "wizzz"),
}
_REPLY_ROLES = {
    "praise", "counter_speech", "other", "fulfillment", "source_solicitation", "technical",
    "payment", "request", "distribution",
}  # fmt: skip
_TAGS = (" desu", " tbh", " ngl", " kek", " lol", " imo")


def _typo(rng: random.Random, word: str) -> str:
    """One keyboard slip inside a plain lowercase word."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # swap two neighbouring letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # drop a letter
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double a letter


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a post the way anon types: no apostrophes, slips, elongations, quote links."""
    if rng.random() < 0.6:
        text = _CONTRACTION.sub(r"\1\2", text)
    tokens = re.split(r"(\s+)", text)
    if rng.random() < 0.12:  # a typo in one plain word (slot values are capitalised or dotted)
        plain = [
            i
            for i, t in enumerate(tokens)
            if len(t.rstrip(",.!?:")) >= 5 and t.rstrip(",.!?:").isalpha() and t.islower()
        ]
        if plain:
            i = plain[rng.randrange(len(plain))]
            core = tokens[i].rstrip(",.!?:")
            tokens[i] = _typo(rng, core) + tokens[i][len(core) :]
    if rng.random() < 0.15:  # drawn-out word
        hits = [i for i, t in enumerate(tokens) if t in _ELONGATE]
        if hits:
            i = hits[rng.randrange(len(hits))]
            opts = _ELONGATE[tokens[i]]
            tokens[i] = opts[rng.randrange(len(opts))]
    text = "".join(tokens)
    if text.endswith(".") and not text.endswith("..") and rng.random() < 0.7:
        text = text[:-1]
    if role in ("other", "praise", "technical") and rng.random() < 0.05:
        text += _TAGS[rng.randrange(len(_TAGS))]
    if (
        role in ("other", "praise", "counter_speech")
        and len(text) < 40
        and not re.search(r"[A-Z0-9]", text)
        and rng.random() < 0.04
    ):
        text = text.upper()  # shouting
    elif text[:1].islower() and rng.random() < 0.08:
        text = text[0].upper() + text[1:]
    if role in _REPLY_ROLES and rng.random() < (0.04 if role == "request" else 0.12):
        text = f">>{rng.randrange(400_000_000, 999_999_999)}\n{text}"
    return text


FAMILY = Family(
    name="anon_terse",
    banks=load_banks(__name__),
    style=style,
    description="anonymous imageboard posters: terse lowercase, greentext, board slang "
    "(anon, op, kek, wiz, sage, bump), quote links; es/pt/de anons mixing in board English",
)
