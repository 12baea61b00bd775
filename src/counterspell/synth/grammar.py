"""Grammar families: independent ways of writing every role, so evaluation can hold one out.

A classifier trained on one author's phrase banks learns that author. The synthetic corpus is
therefore written by several **families**, each a small grammar written independently (by a
different author, without seeing the others or the classification rules): its own vocabulary,
register, typos, slang, emoji and non-English posts. Training uses some families; evaluation
scores the others, which the model has never seen (``counterspell evaluate`` reports both).

A family is a :class:`Family`: a name, a mapping from *keys* to lists of *templates*, and a
``style`` function that roughens a finished text the way that family's writers type.

Template language (deliberately tiny, so a family is mostly data):

* ``{a|b|c}`` picks one alternative; alternatives nest; ``{a|}`` makes ``a`` optional.
* ``<key>`` expands a random template of the family's bank ``key`` (a family may add private
  helper banks whose keys start with ``_``, e.g. ``<_ask>``).
* ``$name`` inserts a value the generator provides (see :data:`SLOTS`); ``$`` followed by a digit
  is a literal dollar sign (``$20``).
* Runs of spaces collapse, spaces before ``, . ! ? :`` go, and the result is stripped; newlines
  stay (greentext lines start with ``>``).

:data:`REQUIRED` lists every key a family must define and what each is for.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

LANGS = ("es", "pt", "de")

# Values the generator passes to templates (every one is fictional).
SLOTS: dict[str, str] = {
    "name": "the target's first name (fictional), e.g. Maya",
    "who": "the family's own description of the target, expanded from who.<relationship>",
    "extras": "the request's optional details (handle, workplace, age cue, ...) already written "
    "by this family's detail.* banks and joined; may be empty",
    "handle": "the target's fictional social handle without @, e.g. maya.fit",
    "employer": "a fictional workplace, e.g. Example Dental",
    "school": "a fictional school or university, e.g. Riverton Community College",
    "town": "a fictional town, e.g. Maplewood",
    "amount": "a number of dollars/euros, digits only, e.g. 20",
    "invite": "an invite link or contact, already obfuscated, e.g. t[.]me/+Ab3dE or kik: wizdrops7",
    "n": "a small number (thread numbers, counts)",
}

REQUIRED: dict[str, str] = {
    # --- who the target is (one per relationship; may use $name) ---------------------------
    "who.coworker": "a woman the poster works with",
    "who.classmate": "an adult woman from the poster's university/college class",
    "who.ex": "the poster's ex-partner",
    "who.family": "a relative (cousin, sister-in-law, step-sister...)",
    "who.acquaintance": "a friend, neighbour, a friend's girlfriend, someone from the gym...",
    "who.public_figure": "a streamer, influencer, local news anchor...",
    "who.stranger": "a woman the poster does not know (saw online, on the train...)",
    # --- optional details of a request (the generator decides which appear) ---------------
    "detail.handle": "gives her social handle: uses $handle (and names the site in your words)",
    "detail.doxx.work": "names where she works: uses $employer and/or $town",
    "detail.doxx.school": "names her (adult) university: uses $school",
    "detail.doxx.home": "names where she lives: uses $town",
    "detail.doxx.school_minor": "names her (high/middle) school: uses $school; implies a minor",
    "detail.minor": "a hint that she is under 18 (age, school year, grade, 'still in school'...)",
    "detail.nc": "a hint she does not know / would never agree / pictures taken from a private account",
    "detail.pay": "offers money for it: uses $amount",
    # --- requests ---------------------------------------------------------------------------
    "request.open": "asks for a fake sexualised (non-graphic, euphemistic) image of her; MUST use "
    "$who and $extras; vary the ask (nude / undress / lewd / spicy edit / 'the treatment' / "
    "'do your thing' / faceswap onto ... / 'make her less dressed' ...) in YOUR words",
    "request.bump": "the requester bumping his own request, no new info (may be one word)",
    "request.bump_name": "a bump that names her again: uses $name",
    "request.more_pic": "the requester adds one more picture of her and says where it came from "
    "(her story, a beach trip, work party...); an image is attached by the generator",
    "request.nothing_public": "the requester says there are no better/other pictures (private "
    "account, this is all...)",
    "request.insist": "the requester insisting after someone objected ('it's just fake', 'relax', "
    "'still want it')",
    "request.second": "another user seconding the request ('this', '+1', 'would like to see too')",
    "request.repeat": "asking again for someone requested before in an older thread: uses $who or $name",
    # --- fulfilments (an image is always attached by the generator) -------------------------
    "fulfillment.delivery": "a few words handing over the result ('here', 'done', 'took a while')",
    "fulfillment.remark": "a remark about the result or the tool used ('rough angle, best I "
    "could', 'quick inpaint, not great', 'hands are off sorry') in YOUR words",
    # --- distribution -----------------------------------------------------------------------
    "distribution.invite": "sends people elsewhere for more: MUST use $invite",
    "distribution.repost": "reposting older results for people who missed them (image attached)",
    "distribution.pointer": "says the rest/full set is on another platform, no link ('it's all in "
    "the tg', 'check the server')",
    # --- praise -----------------------------------------------------------------------------
    "praise.generic": "praising the creator/result",
    "praise.thanks": "the requester thanking the creator",
    "praise.emoji": "emoji-only or nearly (🔥, 👑, 🙏 ...)",
    # --- the other roles --------------------------------------------------------------------
    "source_solicitation": "a creator asking for more / better source pictures of her",
    "technical": "talk about tools, models, settings, apps, how-to (no request)",
    "payment": "prices, customs, paying, tips: uses $amount",
    "counter_speech": "objecting: harm, consent, law, reporting, 'these are real women'",
    "counter_speech.minor": "objecting because the target sounds under 18, reporting it",
    # --- 'other': the hard negatives (no request, no image asked for) -----------------------
    "other.chatter": "ordinary board chatter (greetings, complaints, memes, 'new thread when')",
    "other.meta": "rules, mods, sage, 'hello fbi', scam warnings about fake wizards",
    "other.sexist": "sexist or misogynistic talk about women in general or one woman, NOT asking "
    "for any image (keep it non-graphic; no slurs needed)",
    "other.lust": "saying a woman is hot / wishing to see her naked / claiming she sends nudes or "
    "has an OnlyFans, WITHOUT asking anyone to make an image",
    "other.insult": "insulting other posters or a woman, crude jokes, 'cope', 'touch grass'",
    "other.sfw_edit": "asking for an ordinary, non-sexual photo edit (remove background, restore "
    "an old photo, fix lighting, make a meme)",
    "other.age": "ordinary talk that mentions ages or school (a relative's age, one's own childhood "
    "photo, 'young lady' said of an adult, a kid's grade, a teacher's day) with nothing sexual",
    "other.game": "video-game / anime talk using words like school uniform, waifu, loli as a "
    "character type, skins, 'year 7' dungeons... with no request and nothing sexual about real people",
    "other.question": "a bystander's question that is not a request ('who is she?', 'sauce?', "
    "'what board is this')",
}
# Non-English variants a family must also write (key@es, key@pt, key@de), as these posts
# appear on the boards: whole posts in the language, sometimes with English board slang.
FOREIGN: tuple[str, ...] = (
    "request.open",
    "fulfillment.delivery",
    "praise.generic",
    "source_solicitation",
    "counter_speech",
    "other.chatter",
    "other.sexist",
)
REQUIRED_KEYS: tuple[str, ...] = (
    *REQUIRED,
    *(f"{k}@{lang}" for k in FOREIGN for lang in LANGS),
)
MAX_DEPTH = 8


@dataclass(frozen=True)
class Family:
    """One independent way of writing posts."""

    name: str
    banks: Mapping[str, Sequence[str]]
    style: Callable[[random.Random, str, str], str] = field(
        default=lambda rng, text, role: text
    )  # (rng, text, role) -> roughened text
    description: str = ""

    def has(self, key: str) -> bool:
        return bool(self.banks.get(key))

    def expand(self, rng: random.Random, key: str, slots: Mapping[str, str] | None = None) -> str:
        """A random text from bank ``key`` with ``slots`` filled (not yet styled)."""
        bank = self.banks.get(key)
        if not bank:
            raise KeyError(f"family {self.name!r} has no templates for {key!r}")
        text = _expand(self, rng, bank[rng.randrange(len(bank))], slots or {}, 0)
        return _tidy(text)

    def write(
        self, rng: random.Random, key: str, role: str, slots: Mapping[str, str] | None = None
    ) -> str:
        """Expanded and styled: what a post of this family says."""
        return self.style(rng, self.expand(rng, key, slots), role)


_SLOT = re.compile(r"\$([a-z_]+)")
_SPACES = re.compile(r"[ \t]{2,}")
_BEFORE_PUNCT = re.compile(r"[ \t]+([,.!?:;])")


def _alternatives(body: str) -> list[str]:
    """Split ``a|{b|c}|d`` on top-level bars."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
    out.append(body[start:])
    return out


def _expand(
    fam: Family, rng: random.Random, template: str, slots: Mapping[str, str], depth: int
) -> str:
    if depth > MAX_DEPTH:
        raise ValueError(f"family {fam.name!r}: templates nest deeper than {MAX_DEPTH}")
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if ch == "{":
            level, j = 1, i + 1
            while j < n and level:
                level += {"{": 1, "}": -1}.get(template[j], 0)
                j += 1
            if level:
                raise ValueError(f"family {fam.name!r}: unbalanced braces in {template!r}")
            options = _alternatives(template[i + 1 : j - 1])
            out.append(_expand(fam, rng, options[rng.randrange(len(options))], slots, depth + 1))
            i = j
        elif (
            ch == "<" and (end := template.find(">", i)) > i + 1 and _is_key(template[i + 1 : end])
        ):
            key = template[i + 1 : end]
            bank = fam.banks.get(key)
            if not bank:
                raise KeyError(f"family {fam.name!r}: <{key}> has no templates")
            out.append(_expand(fam, rng, bank[rng.randrange(len(bank))], slots, depth + 1))
            i = end + 1
        elif ch == "$" and (m := _SLOT.match(template, i)):
            out.append(slots.get(m.group(1), ""))
            i = m.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _is_key(s: str) -> bool:
    return bool(re.fullmatch(r"[a-z_][a-z0-9_.@]*", s))


def _tidy(text: str) -> str:
    lines = [_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", ln)).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln or len(lines) == 1).strip()


def load_banks(module: str) -> dict[str, list[str]]:
    """A family's banks, from the JSON data file beside its module (``families/NAME.json``):
    a family is mostly data, and data does not belong in a code module."""
    import json
    from pathlib import Path

    name = module.rsplit(".", 1)[-1]
    path = Path(__file__).parent / "families" / f"{name}.json"
    banks: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    return banks


def check(fam: Family, rng: random.Random | None = None, samples: int = 30) -> list[str]:
    """Problems with a family: missing keys, templates that fail to expand, empty results."""
    rng = rng or random.Random(0)
    problems = [f"missing key {k}" for k in REQUIRED_KEYS if not fam.has(k)]
    slots = {k: f"<{k}>" for k in SLOTS}
    slots.update(name="Maya", handle="maya.fit", amount="20", invite="t[.]me/+Ab3dE", n="7")
    for key, bank in fam.banks.items():
        for t in bank:
            try:
                for _ in range(3):
                    _expand(fam, rng, t, slots, 0)
            except (KeyError, ValueError) as exc:
                problems.append(f"{key}: {exc}")
    if problems:
        return problems
    for _ in range(samples):  # every English request names her and carries its details
        text = fam.expand(rng, "request.open", {**slots, "who": "WHO", "extras": "EXTRAS"})
        if "WHO" not in text or "EXTRAS" not in text:
            problems.append(f"request.open: an expansion lacks $who or $extras: {text!r}")
            break
    for key in ("distribution.invite",):
        text = fam.expand(rng, key, {**slots, "invite": "INVITE"})
        if "INVITE" not in text:
            problems.append(f"{key}: an expansion lacks $invite: {text!r}")
    return problems


def preview(fam: Family, per_key: int = 3, seed: int = 0) -> str:
    """A few styled samples of every key (for the family's author to read)."""
    rng = random.Random(seed)
    slots = {
        "name": "Maya", "handle": "maya.fit", "employer": "Example Dental", "school": "Example State",
        "town": "Maplewood", "amount": "20", "invite": "t[.]me/+Ab3dE", "n": "7",
    }  # fmt: skip
    lines: list[str] = []
    for key in sorted(fam.banks):
        if key.startswith("_"):
            continue
        for _ in range(per_key):
            s = dict(slots)
            if key.startswith("request.open"):
                s["who"] = fam.expand(rng, "who.coworker", slots)
                s["extras"] = fam.expand(rng, "detail.doxx.work", slots)
            lines.append(f"{key:28} | {fam.write(rng, key, key.split('.')[0].split('@')[0], s)!r}")
    return "\n".join(lines)


def _main(argv: list[str]) -> int:
    """``python -m counterspell.synth.grammar MODULE``: check a family and print samples."""
    import importlib

    fam = importlib.import_module(argv[0]).FAMILY
    problems = check(fam)
    if not [p for p in problems if p.startswith("missing")]:
        print(preview(fam))
    for p in problems:
        print("PROBLEM:", p)
    print(f"{len(problems)} problem(s); {sum(len(b) for b in fam.banks.values())} templates")
    return 1 if problems else 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))


__all__ = [
    "FOREIGN",
    "LANGS",
    "REQUIRED",
    "REQUIRED_KEYS",
    "SLOTS",
    "Family",
    "check",
    "load_banks",
    "preview",
]
