"""emoji_chat: a Telegram/Discord group chat written by zoomers.

Emoji everywhere (💀😭🔥🙏👀😈🫠), slang (fr, ngl, no cap, lowkey, bro, ong, istg, iykyk, ate, W, L),
elongated letters, ALL CAPS bursts, one-liners and split messages, @-mentions of made-up users and
almost no full stops. The Spanish, Portuguese and German posts are written the way teenage boys and
young men text in those languages (wey, jajaja, kkkk, mano, digga, alter...), with English board
words mixed in. Every request is euphemistic and non-graphic; every name, handle and place comes
from the generator's slots.
"""

from __future__ import annotations

import random
import re

from counterspell.synth.grammar import Family, load_banks

# --------------------------------------------------------------------------------------------
# style: how these people type
# --------------------------------------------------------------------------------------------
_PROTECTED = re.compile(r"[/@\[\]\d$]|\w\.\w|:")
_ALPHA = re.compile(r"^([A-Za-z']+)([^A-Za-z']*)$")
# fmt: off
_SHORTEN = {
    "you": "u", "your": "ur", "you're": "ur", "youre": "ur", "are": "r", "though": "tho",
    "because": "bc", "people": "ppl", "with": "w", "really": "rly", "something": "smth",
    "probably": "prob", "okay": "ok", "thanks": "thx", "please": "pls", "tonight": "2nite",
    "about": "abt", "why": "y", "know": "kno", "going": "goin",
}
_STRETCH = re.compile(r"[aeiouyhs]$")
_STRETCHY = frozenset(
    "bro pls plz please so yes omg why guys chat help what wait fr lol lmao bump need mano digga "
    "wey alter hello hey yo ayo girl ok bruh damn goat crazy insane real this same here done "
    "finally cooked ate pretty thanks ty tysm yall who sheesh holy anyone someone now rn up "
    "jajaja kkkk bitte porfa plis pfv hi gm gn nah yeah yea".split()
)
_QUIET = frozenset(
    "a an the i my me of in on at is to and as or it so u w la de el le da do no na die der das "
    "und ist es en que q e o".split()
)
_POOLS = {
    "request": ["🙏", "😭", "👀", "😈", "🥺", "🙏🙏", "😩"],
    "praise": ["🔥", "👑", "🐐", "💯", "😩", "🔥🔥"],
    "counter_speech": ["🤨", "😐", "🚩", "🙄", "💀"],
    "other": ["💀", "😭", "🫠", "😂", "🤣", "💀💀", "😭😭"],
    "": ["💀", "😭", "🔥", "👀", "🫠", "😈"],
}
# fmt: on


def _pool(role: str) -> list[str]:
    for prefix, pool in _POOLS.items():
        if prefix and role.startswith(prefix):
            return pool
    return _POOLS[""]


def style(rng: random.Random, text: str, role: str) -> str:
    """Roughen a finished post the way group-chat zoomers type."""
    parts = re.split(r"(\s+)", text)
    words = [i for i, p in enumerate(parts) if p and not p.isspace() and not _PROTECTED.search(p)]
    serious = role.startswith("counter_speech")
    capital = {i for i in words if parts[i][:1].isupper()}

    if rng.random() < 0.4:  # dont → dont
        for i in words:
            parts[i] = parts[i].replace("'", "").replace("’", "")
    if rng.random() < 0.35:  # you → u, because → bc ...
        for i in words:
            m = _ALPHA.match(parts[i])
            if m and m.group(1).lower() in _SHORTEN and rng.random() < 0.7:
                parts[i] = _SHORTEN[m.group(1).lower()] + m.group(2)
    if rng.random() < 0.55:  # all lowercase, except links, handles, mentions
        for i in words:
            parts[i] = parts[i].lower()

    plain = [i for i in words if (m := _ALPHA.match(parts[i])) and "'" not in m.group(1)]
    last = plain[-1] if plain else -1
    if plain and rng.random() < 0.25:  # brooo, pleaseee, mayaaa
        cands = [
            i
            for i in plain
            if (m := _ALPHA.match(parts[i]))
            and _STRETCH.search(m.group(1))
            and (m.group(1).lower() in _STRETCHY or (i == last and len(m.group(1)) > 2))
        ]
        if cands:
            i = cands[rng.randrange(len(cands))]
            m = _ALPHA.match(parts[i])
            assert m is not None
            core = m.group(1)
            parts[i] = core + core[-1] * rng.randint(2, 4) + m.group(2)
    # typos and single-word caps leave names, towns and workplaces (capitalised) alone
    common = [i for i in plain if i not in capital]
    if common and rng.random() < 0.09:  # a typo: swapped, dropped or doubled letter
        cands = [i for i in common if len(parts[i]) >= 4 and parts[i].isalpha()]
        if cands:
            i = cands[rng.randrange(len(cands))]
            w = parts[i]
            j = rng.randrange(1, len(w) - 2)
            how = rng.randrange(3)
            if how == 0:
                parts[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            elif how == 1:
                parts[i] = w[:j] + w[j + 1 :]
            else:
                parts[i] = w[:j] + w[j] + w[j:]
    if common and rng.random() < 0.08:  # one word in caps: i NEED this
        cands = [i for i in common if parts[i].lower().strip(",.!?") not in _QUIET]
        if cands:
            i = cands[rng.randrange(len(cands))]
            parts[i] = parts[i].upper()

    out = "".join(parts)
    if len(out) < 70 and rng.random() < (0.03 if serious else 0.07):  # ALL CAPS burst
        out = "".join(
            p.upper() if p and not p.isspace() and not _PROTECTED.search(p) else p
            for p in re.split(r"(\s+)", out)
        )
    if rng.random() < 0.8:  # few full stops; sometimes a full stop becomes a new message
        split = rng.random() < 0.3
        out = re.sub(r"(?<=[A-Za-z)])\. +", "\n" if split else " ", out)
        out = re.sub(r"(?<=[A-Za-z])\.$", "", out)
    if "?" in out and rng.random() < 0.3:
        out = out.replace("?", "?" * rng.randint(2, 4), 1)
    tail = out[-1:] if out else ""
    if tail.isascii() and rng.random() < (0.12 if serious else 0.3):
        pool = _pool(role)
        out = out + " " + pool[rng.randrange(len(pool))]
    elif not serious and role.startswith(("other", "request")) and rng.random() < 0.05:
        out = out + " " + ("lol", "lmao", "fr", "ngl", "💀")[rng.randrange(5)]
    return out


FAMILY = Family(
    name="emoji_chat",
    banks=load_banks(__name__),
    style=style,
    description="Telegram/Discord group chat: emoji-heavy zoomer slang, elongations, caps bursts, "
    "one-liners, @-mentions; es/pt/de posts in teen slang (wey, jajaja, kkkk, mano, digga, alter).",
)
