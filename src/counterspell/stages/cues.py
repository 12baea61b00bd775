"""Per-post signals from text: risk flags, tools, targets and the requester's relationship to her.

All functions take the normalised text (and the cleaned text where case matters) and return plain
Python values; :mod:`counterspell.pipeline.analyze` turns them into Arrow columns.
"""

from __future__ import annotations

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
    r"\b(?:nude|nudes|nuded|nudify|nudified|undress|undressed|undressing|strip|stripped|naked|lewd|lewds|lewded|topless|nsfw|spicy|clothes\s?off|"
    r"remove\s+(?:the\s+|her\s+)?cloth\w*|take\s+(?:it\s+all|everything|(?:her\s+)?clothes)\s+off|without\s+clothes|"
    r"(?:see|show)\s+(?:what'?s\s+)?underneath|show\s+more|bikini\s+to\s+nothing|pelada|desnud\w*|ausziehen|d[ée]shabill\w*|spogli\w*)\b"
)
# The deepfake domain: asking for an image to be made or altered, not merely sexual talk. "make
# her lewd", "nude her", "undress this one", "faceswap her onto", "run her through the app" are
# asks; "she sends nudes", "wish I saw her naked", "she has an OnlyFans" are not.
_MAKE = re.compile(
    r"\b(?:make|makes|making|made|turn|turning|edit|edits|editing|edited|shop|shopped|gen|generate|render|"
    r"do|doing|done|did|remove|take|put|give|swap|fake|faked|run|paste|photoshop\w*|ai|hazla|haz|"
    r"faz|deixa|mach|machen|macht|bitte|porfa|pls|please|plz|someone|anyone|wizard|wiz)\b"
)
_ASK_OBJECT = re.compile(
    r"\b(?:nude|lewd|undress|strip|nudify|unclothe|desnuda|desnude|ausziehen)\s+(?:her|this|them|she|pic|it|one)\b"
    r"|\b(?:nudif\w+|undress\w*|deep\s?fake\w*|face\s?swap\w*|inpaint\w*|lewded|nuded|de-?clothe\w*)\b"
)
_CLAIM = re.compile(
    r"\b(?:sends?|sent|sending|posts?|posted|posting|has|have|had|leaked|sells?|selling|sold|got|trade|trading)"
    r"\s+(?:\w+\s+){0,2}(?:nudes?|naked|lewds?|pics)\b"
)
_DOMAIN_TOOLS = frozenset(
    {
        "stable_diffusion",
        "inpainting",
        "lora",
        "faceswap",
        "deepfacelab",
        "nudify_app",
        "wan",
        "comfyui",
        "controlnet",
    }
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
    "cute bro guys anon op hi hey ok okay same one two some old new http https www info etc only out "
    # her school year describes her, it does not name her ("volleyball team, sophomore")
    "freshman sophomore junior senior grade year".split()
)
# A post or line that opens with a capitalised word and a comma, and goes on about "her" or
# "she": "Rosa, found her on insta". Case-sensitive: names are written capitalised here, and
# the words that open a sentence this way otherwise (Bro, Guys, Damn) are excluded below.
_NAME_LEADING = re.compile(r"(?:^|\n)\s*([A-Z][a-z]{1,20}),\s+(?=[^\n.!?]{0,80}\b(?:her|she)\b)")
_NOT_LEADING = frozenset(
    "damn man dude yo wow god jesus honestly sadly also yeah yep nah well update edit bump "
    "look listen guys bro anon wizard wizards pls please okay ok lol lmao fr ngl imo tbh".split()
)


# Capitalised words: who a request is about, to recognise a later "bump Isla" (matched lower case
# against follow-ups only; never stored). Sentence-initial function words are not names.
_CAPITALISED = re.compile(r"\b([A-Z][a-z]{2,15}(?:[A-Z][a-z]{1,15})?)\b")
COMMON_WORDS = frozenset(
    """a about after again all also am an and any anybody anyone anything are as at be because been
    before being best bro but by can cant could did do does done dont for from get got guys had has
    have he hello her here hers hey hi him his how however i if im in is it its just keep last let
    like looking lol many may maybe me mine more most my need new no nobody not now of ok okay on one
    only or our out please pls plz post posted posting really req request requesting same see she
    should so some someone something still such thanks thank that the their them then there these
    they thing this those thread tho though today too ty up us very want was we well were what when
    where which while who why will with wizard wizards would yeah yes yet you your anon op edit bump
    instagram insta tiktok snapchat twitter discord telegram kik reddit onlyfans twitch youtube
    monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december mods janny fbi""".split()
)


@dataclass(slots=True)
class Cues:
    flags: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    # tools named only by an everyday word ("comfy", "checkpoint") with no talk of making images
    # in the post: evidence for the model's words, never for the deepfake domain on their own;
    # kept as the post's tools only where its thread made it more than ordinary talk
    maybe_tools: list[str] = field(default_factory=list)
    relationship: str | None = None
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (kind, clear value)
    female_ref: bool = False
    edit_ask: bool = False  # sexual-edit vocabulary ("nude", "lewd", "undress"...)
    domain_ask: bool = False  # an ask to make or alter an image of someone, or a deepfake tool
    evidence: dict[str, str] = field(default_factory=dict)  # flag -> the words that raised it
    names: list[str] = field(default_factory=list)  # capitalised words: who she may be (lower case)


def _any_of(hints: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for "any of these substrings": C speed instead of a Python loop per post."""
    return re.compile("|".join(re.escape(h) for h in hints))


_GRADE_HINT = _any_of(L.GRADE_HINTS)
_DOXXING_HINT = _any_of(L.DOXXING_HINTS)
_PAYMENT_HINT = _any_of(L.PAYMENT_HINTS)
_SEXTORTION_HINT = _any_of(L.SEXTORTION_HINTS)
_SEPARATOR = re.compile(r"[:\-=@]| is ")
_UPPER = re.compile(r"[A-Z]")


def find_cues(norm: str, clean_text: str) -> Cues:
    """Cues of one text. Flags here are *candidates*: the thread pass keeps a flag only where the
    post has deepfake context (words alone about ages, money or places are ordinary talk)."""
    c = Cues()
    eager = deleet_all(norm)  # a second, more aggressive view for risk cues
    views = (norm,) if eager is norm else (norm, eager)
    words = L.PhraseIndex.words(norm)
    risk = _RISK.matched(words)
    if eager is not norm:
        for k, v in _RISK.matched(L.PhraseIndex.words(eager)).items():
            risk.setdefault(k, v)
    c.female_ref = any(L.FEMALE_REF.search(t) for t in views)
    edit = _first_match(EDIT_ASK, views)
    c.edit_ask = edit is not None
    tools: set[str] = set()
    loose: set[str] = set()
    for i, label, n in _TOOLS.spans(words):
        (loose if " ".join(words[i : i + n]) in L.TOOLS_AMBIGUOUS else tools).add(label)
    if loose and (tools or len(loose) > 1 or c.edit_ask or L.TOOL_CONTEXT.search(norm)):
        tools |= loose
    c.tools = [t for t in _TOOL_ORDER if t in tools]
    c.maybe_tools = [t for t in _TOOL_ORDER if t in loose and t not in tools]
    c.domain_ask = (
        bool(_DOMAIN_TOOLS.intersection(tools))
        or any(_ASK_OBJECT.search(t) for t in views)
        or (c.edit_ask and bool(_MAKE.search(norm)) and not _CLAIM.search(norm))
    )
    # minor risk: strong cues alone; weak cues with a woman or an edit request in the same post
    minor = risk.get("minor_strong")
    if minor is None and _GRADE_HINT.search(norm):
        minor = _first_match(L.MINOR_GRADE, views)
    if minor is None and "minor_weak" in risk and (c.female_ref or c.edit_ask):
        minor = risk["minor_weak"]
    if minor is None and c.edit_ask:
        minor = _first_match(_BARE_AGE, views)
    if minor is not None:
        c.flags.append("minor_risk")
        c.evidence["minor_risk"] = minor.strip(" ,;()\n-")
    if "non_consent" in risk and (c.female_ref or c.edit_ask):
        c.flags.append("non_consent")
        c.evidence["non_consent"] = risk["non_consent"]
    if (c.female_ref or c.edit_ask) and _DOXXING_HINT.search(norm):
        dox = L.DOXXING.search(norm)
        if dox:
            c.flags.append("doxxing")
            c.evidence["doxxing"] = dox.group(0)
    if _SEXTORTION_HINT.search(norm):
        threat = _first_match(L.SEXTORTION_THREAT, views)
        if threat is not None and any(
            p.search(t) for p in (L.SEXTORTION_CONDITION, L.SEXTORTION_DEMAND) for t in views
        ):
            c.flags.append("sextortion")
            c.evidence["sextortion"] = threat.strip(" ,;()\n-")
    if _PAYMENT_HINT.search(norm):
        pay = L.PAYMENT.search(norm) or (
            L.PAYMENT_AMOUNT.search(norm) if (c.edit_ask or c.female_ref) else None
        )
        if pay:
            c.flags.append("payment")
            c.evidence["payment"] = pay.group(0)
    rels = _RELATIONSHIPS.find(words)
    c.relationship = rels[0][1] if rels else None
    has_sep = _SEPARATOR.search(clean_text) is not None
    for m in _HANDLE.finditer(clean_text) if has_sep else ():
        platform = _HANDLE_PLATFORM.get(m.group(1).lower(), m.group(1).lower())
        c.identifiers.append((f"handle:{platform}", m.group(2).lower().rstrip(".")))
    for m in _NAME_AFTER.finditer(clean_text):
        name = (m.group(1) or m.group(2) or m.group(3) or "").lower()
        if name and name not in _NOT_NAMES:
            c.identifiers.append(("name", name))
    for m in _NAME_LEADING.finditer(clean_text):
        name = m.group(1).lower()
        if name not in _NOT_NAMES and name not in _NOT_LEADING and name not in COMMON_WORDS:
            c.identifiers.append(("name", name))
    c.identifiers = list(dict.fromkeys(c.identifiers))
    if _UPPER.search(clean_text):
        found = (m.group(1) for m in _CAPITALISED.finditer(clean_text))
        c.names = list(dict.fromkeys(n.lower() for n in found if n.lower() not in COMMON_WORDS))
    return c


def _first_match(pattern: re.Pattern[str], views: tuple[str, ...]) -> str | None:
    for t in views:
        m = pattern.search(t)
        if m:
            return m.group(0)
    return None
