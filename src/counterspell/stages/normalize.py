"""Text normalised for matching: what a rule or a model should see, whatever the disguise.

Posters dodge filters with full-width letters, Cyrillic look-alikes, zero-width characters,
leetspeak (``d1sc0rd``) and spaced-out words (``d i s c o r d``). :func:`normalise` undoes all of
these; :func:`clean` undoes only the ones that cannot change meaning (used where case or digits
matter, e.g. invite codes and ages).

Every pattern here is linear: character classes and bounded repeats, no nested quantifiers.
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\ufeff]"
)
# Look-alike letters from Cyrillic, Greek and other scripts that pass for Latin.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "ɡ": "g", "ɑ": "a", "ο": "o", "α": "a", "ι": "i", "κ": "k", "ν": "v",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ε": "e", "ѵ": "v", "һ": "h", "ӏ": "l", "ⅼ": "l",
    }
)  # fmt: skip
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
    }
)
# A word with letters and leet digits mixed in (not "10th", "16yo", "1080p", "mp4").
_LEET_WORD = re.compile(
    r"(?<![\w@$])(?=[\w@$!|]*[a-z])(?=[\w@$!|]*[013457@$!|][\w@$!|]*[a-z]|[a-z][\w@$!|]*[0134757@$!|])[\w@$!|]{3,40}(?![\w@$])"
)
_ORDINAL_OR_UNIT = re.compile(
    r"\d+(?:st|nd|rd|th|yo|y|yrs?|k|p|s|m|ft|cm|kg|lbs?|am|pm|x|gb|mb|mp\d?)"
)
_PLAIN_ALNUM = re.compile(r"\d+|[a-z_]+\d+")  # numbers, and names like mp4, h264, win10, user123
# d i s c o r d / d.i.s.c.o.r.d / d-i-s-c-o-r-d  ->  discord
_SPACED = re.compile(r"(?<![\w])(?:[a-z0-9][ .\-_*]){3,30}[a-z0-9](?![\w])")
_SPACE_RUN = re.compile(r"[ \t]{2,}")


def clean(text: str) -> str:
    """NFKC (full-width to ASCII), no zero-width or bidi controls, look-alikes mapped. Case kept."""
    if text.isascii():
        return text
    t = unicodedata.normalize("NFKC", text)
    t = _ZERO_WIDTH.sub("", t)
    return t.translate(_CONFUSABLES)


def _deleet(m: re.Match[str]) -> str:
    word = m.group(0)
    if _ORDINAL_OR_UNIT.fullmatch(word) or _PLAIN_ALNUM.fullmatch(word):
        return word
    return word.translate(_LEET)


def _unspace(m: re.Match[str]) -> str:
    return re.sub(r"[ .\-_*]", "", m.group(0))


def normalise(text: str) -> str:
    """Case-folded, de-obfuscated text for matching. Emoji and punctuation are kept."""
    t = clean(text).casefold()
    if any(ch in t for ch in "013457@$!|"):
        t = _LEET_WORD.sub(_deleet, t)
    if " " in t or "." in t:
        t = _SPACED.sub(_unspace, t)
    return _SPACE_RUN.sub(" ", t)


_DIGIT = re.compile(r"\d")
_MIXED_WORD = re.compile(r"(?<![\w])(?=[\w']*[a-z])[a-z0-9']*[0-9][a-z0-9']*(?![\w])")


def deleet_all(norm: str) -> str:
    """Every letter-and-digit word de-leeted, except ordinals and units ("sh3's" -> "she's").

    Too eager for matching in general (it turns "mp4" into "mpa"); used as a second view for
    risk cues, where a missed minor costs more than a spurious match.
    """
    if not _DIGIT.search(norm):
        return norm
    return _MIXED_WORD.sub(
        lambda m: (
            m.group(0) if _ORDINAL_OR_UNIT.fullmatch(m.group(0)) else m.group(0).translate(_LEET)
        ),
        norm,
    )


_TOKEN = re.compile(r"[a-z0-9_']+|[^\sa-z0-9_'.,;:!?\"()\[\]{}<>/\\|*#&%+=~^`-]")


def tokens(norm: str) -> list[str]:
    """Words and single symbols (emoji kept as their own tokens)."""
    return _TOKEN.findall(norm)
