"""Per-post signals from text: risk flags, tools, targets and the requester's relationship to her.

All functions take the normalised text (and the cleaned text where case matters) and return plain
Python values; :mod:`counterspell.stages.analyze` turns them into Arrow columns.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from . import lexicon as L
from .normalize import deleet_all

_RELATIONSHIPS = L.PhraseIndex(L.RELATIONSHIPS)
_TOOLS = L.PhraseIndex(L.TOOLS)
_TOOL_ORDER = list(L.TOOLS)
_RISK = L.PhraseIndex(
    {"minor_strong": L.MINOR_STRONG, "minor_weak": L.MINOR_WEAK, "non_consent": L.NON_CONSENT}
)
# An age on its own ("..., 17") in a post that asks for an edit: recall first.
_BARE_AGE = re.compile(r"(?:^|[,;(\n\-]\s{0,3})(?:1[0-7])\s{0,3}(?:$|[,;).!?\n])", re.M)
# Asking for an edit that sexualises someone (euphemisms included).
EDIT_ASK = re.compile(
    r"\b(?:nude|nudes|nudify|nudified|undress|undressed|strip|naked|lewd|lewds|lewded|topless|nsfw|spicy|clothes\s?off|"
    r"remove\s+(?:the\s+|her\s+)?cloth\w*|take\s+(?:it\s+all|everything|(?:her\s+)?clothes)\s+off|without\s+clothes|"
    r"(?:see|show)\s+(?:what'?s\s+)?underneath|show\s+more|bikini\s+to\s+nothing|pelada|desnud\w*|ausziehen|d[ée]shabill\w*|spogli\w*)\b"
)
_HANDLE = re.compile(
    r"\b(ig|insta|instagram|tiktok|tik\s?tok|tt|snap|snapchat|sc|twitter|x|fb|facebook|onlyfans|of|twitch|reddit|vsco|threads|bluesky|bsky)"
    r"\s*(?::|-|=|is|@|handle\s+is|name\s+is)+\s*@?([a-z0-9][a-z0-9._]{2,29})",
    re.IGNORECASE,
)
_HANDLE_PLATFORM = {
    "ig": "instagram", "insta": "instagram", "instagram": "instagram", "tiktok": "tiktok", "tik tok": "tiktok",
    "tiktok ": "tiktok", "tt": "tiktok", "snap": "snapchat", "snapchat": "snapchat", "sc": "snapchat", "twitter": "twitter",
    "x": "twitter", "fb": "facebook", "facebook": "facebook", "onlyfans": "onlyfans", "of": "onlyfans", "twitch": "twitch",
    "reddit": "reddit", "vsco": "vsco", "threads": "threads", "bluesky": "bluesky", "bsky": "bluesky",
}  # fmt: skip
_WHO = (
    r"coworker|colleague|classmate|partner|ex|gf|cousin|sister|friend|neighbou?r|roommate|streamer"
    r"|girl|boss|manager|wife|teacher|student|tutor|nurse|barista|trainer"
)
_NAME_AFTER = re.compile(
    r"\b(?:her\s+name\s+is|named|called|name'?s|she'?s\s+called)\s+([A-Za-z][a-z]{1,20})\b"
    # "my coworker - Jenna", "girl from my class, Ruby", "a girl I used to date (Lea)"
    rf"|\b(?:{_WHO}|class|work|school|church|gym|office|job|date|uni|college|team|dorm|building)"
    r"\s*(?:,|\(|-|:)\s*([A-Za-z][a-z]{1,20})\b"
    # "Holly, a girl from work", "yuki, girl from church"
    rf"|(?:^|[\n.!?;:-]\s*|\b(?:req|request|pls|please)\s+)([A-Za-z][a-z]{{1,20}}),\s+(?:a\s+|my\s+|the\s+|this\s+|our\s+)?(?:{_WHO})\b",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    "she her the a an my this that and or but pls please lol she's shes who from at in on with is was make nude "
    "lewd undress strip do can will any anyone someone here thanks ty more got wizard wizards req request "
    "he it im i you u we they anybody also just very really so too maybe if for to of no yes not nice hot "
    "cute bro guys anon op hi hey ok okay same one two some old new http https www info etc only out".split()
)


@dataclass(slots=True)
class Cues:
    flags: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    relationship: str | None = None
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (kind, clear value)
    female_ref: bool = False
    edit_ask: bool = False


def find_cues(norm: str, clean_text: str) -> Cues:
    c = Cues()
    eager = deleet_all(norm)  # a second, more aggressive view for risk cues
    views = (norm,) if eager is norm else (norm, eager)
    words = L.PhraseIndex.words(norm)
    risk = _RISK.labels(words)
    if eager is not norm:
        risk |= _RISK.labels(L.PhraseIndex.words(eager))
    c.female_ref = any(L.FEMALE_REF.search(t) for t in views)
    c.edit_ask = any(EDIT_ASK.search(t) for t in views)
    # minor risk: strong cues alone; weak cues with a woman or an edit request in the same post
    if (
        "minor_strong" in risk
        or (any(h in norm for h in L.GRADE_HINTS) and any(L.MINOR_GRADE.search(t) for t in views))
        or ("minor_weak" in risk and (c.female_ref or c.edit_ask))
        or (c.edit_ask and any(_BARE_AGE.search(t) for t in views))
    ):
        c.flags.append("minor_risk")
    if "non_consent" in risk and (c.female_ref or c.edit_ask):
        c.flags.append("non_consent")
    if (
        (c.female_ref or c.edit_ask)
        and any(h in norm for h in L.DOXXING_HINTS)
        and L.DOXXING.search(norm)
    ):
        c.flags.append("doxxing")
    if any(h in norm for h in L.PAYMENT_HINTS) and (
        L.PAYMENT.search(norm) or ((c.edit_ask or c.female_ref) and L.PAYMENT_AMOUNT.search(norm))
    ):
        c.flags.append("payment")
    tools = _TOOLS.labels(words)
    c.tools = [t for t in _TOOL_ORDER if t in tools]
    rels = _RELATIONSHIPS.find(words)
    c.relationship = rels[0][1] if rels else None
    has_sep = any(ch in clean_text for ch in ":-=@") or " is " in clean_text
    for m in _HANDLE.finditer(clean_text) if has_sep else ():
        platform = _HANDLE_PLATFORM.get(m.group(1).lower(), m.group(1).lower())
        c.identifiers.append((f"handle:{platform}", m.group(2).lower().rstrip(".")))
    for m in _NAME_AFTER.finditer(clean_text):
        name = (m.group(1) or m.group(2) or m.group(3) or "").lower()
        if name and name not in _NOT_NAMES:
            c.identifiers.append(("name", name))
    c.identifiers = list(dict.fromkeys(c.identifiers))
    return c


def pseudonym(key: bytes, kind: str, value: str, scope: str = "") -> str:
    """Keyed HMAC of an identifier: stable within a workspace, meaningless outside it.

    Names are scoped (to a community) because a first name alone does not identify a person;
    platform handles are global.
    """
    material = f"{kind}\x1f{scope if kind == 'name' else ''}\x1f{value.casefold()}".encode()
    return "tgt_" + hmac.new(key, material, hashlib.sha256).hexdigest()[:20]
