"""The ``bot_channel`` family: Telegram groups / Discord servers built around a "nudify" bot.

Register: short chat messages in a group that exists to feed an automated bot and a few paid
"editors". Admins post bot status, rules, price lists and backup links; regulars talk credits,
VIP tiers, presets and queue times; newbies ask how it works and complain about results (same
face on everyone, skin tone off, blurry). Slash-commands, some emoji, lowercase, dropped
apostrophes, "u"/"ur"/"pls". Requests are euphemistic ("run her through the bot", "do the
undress on her", "spicy edit") and never describe anything.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family, load_banks

# fmt: off
# fmt: on

# Word swaps the way this group types (applied per match with some probability).
_SWAPS: tuple[tuple[str, str], ...] = (
    ("you", "u"),
    ("your", "ur"),
    ("you're", "ur"),
    ("please", "pls"),
    ("because", "bc"),
    ("though", "tho"),
    ("really", "rly"),
    ("people", "ppl"),
    ("with", "w"),
    ("thanks", "thx"),
    ("okay", "ok"),
    ("don't", "dont"),
    ("can't", "cant"),
    ("i'm", "im"),
    ("it's", "its"),
    ("that's", "thats"),
    ("what's", "whats"),
    ("doesn't", "doesnt"),
    ("anyone", "any1"),
    ("right now", "rn"),
    ("tonight", "tn"),
    ("to be honest", "tbh"),
)
_TYPOS: dict[str, str] = {
    "someone": "soemone",
    "credits": "credtis",
    "please": "plese",
    "thanks": "thansk",
    "anyone": "anyoen",
    "really": "realy",
    "because": "becuase",
    "pictures": "pictrues",
    "would": "woudl",
    "queue": "queu",
    "again": "agian",
    "version": "verison",
}
_LOWERABLE = {
    "can", "could", "anyone", "does", "is", "new", "please", "this", "thanks", "here", "need",
    "want", "bot", "done", "ok", "so", "who", "what", "why", "how", "the", "still",
}  # fmt: skip
_TAILS: dict[str, tuple[str, ...]] = {
    "request": (" 🙏", " 😩", " 👀", " 🙏🙏", " 🥺"),
    "praise": (" 🔥", " 👑", " 💯", " 🐐", "!!"),
}


def _edge(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.@/+'])" + re.escape(word) + r"(?![\w.@/+'])", re.IGNORECASE)


_SWAP_RE = tuple((_edge(a), b) for a, b in _SWAPS)
_TYPO_RE = {w: _edge(w) for w in _TYPOS}


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a post the way this group types: chat shorthand, dropped caps, stray emoji."""
    if not re.search(r"[A-Za-z]", text):
        return text  # emoji-only / symbols: leave as is
    careful = role in ("counter_speech",)
    admin_ish = role in ("technical", "payment", "distribution")
    rate = 0.25 if careful else 0.6
    out = text
    for pat, rep in _SWAP_RE:
        if rng.random() < rate:
            out = pat.sub(rep, out)
    if not careful and rng.random() < 0.15:
        words = [w for w in _TYPOS if _TYPO_RE[w].search(out)]
        if words:
            w = words[rng.randrange(len(words))]
            out = _TYPO_RE[w].sub(_TYPOS[w], out, count=1)
    first = out.split(" ", 1)[0]
    if first.lower() in _LOWERABLE:
        if admin_ish and rng.random() < 0.3:
            out = out[0].upper() + out[1:]
        elif rng.random() < 0.7:
            out = out[0].lower() + out[1:]
    if out.endswith(".") and not out.endswith("..") and rng.random() < 0.7:
        out = out[:-1]
    if out.endswith("?") and not careful and rng.random() < 0.2:
        out += "?" * rng.randint(1, 2)
    tails = _TAILS.get(role)
    if tails and "\n" not in out and out[-1].isalnum() and rng.random() < 0.12:
        out += tails[rng.randrange(len(tails))]
    if not careful and ". " in out and rng.random() < 0.08:
        out = out.replace(". ", "\n", 1)
    return out


FAMILY = Family(
    name="bot_channel",
    banks=load_banks(__name__),
    style=style,
    description="Telegram/Discord groups run around a nudify bot and paid editors: admin status "
    "posts, slash-commands, credits/VIP/queue talk, newbies complaining about results, mirrors, "
    "vouches; lowercase chat shorthand with some emoji.",
)
