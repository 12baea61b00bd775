"""One post's text for a given role and sub-kind, with its ground-truth flags, written by a family.

Text comes from the grammar families (:mod:`counterspell.synth.families`); this module only
decides *what* is said (which key, which details of the target) and records what the truth is.
Each author writes in one family, as people do; a corpus may be restricted to some families so
that evaluation can hold others out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import phrases as P
from .grammar import FOREIGN, LANGS, Family

RELATIONSHIPS = (
    "coworker",
    "classmate",
    "ex",
    "family",
    "acquaintance",
    "public_figure",
    "stranger",
)
RELATIONSHIP_WEIGHTS = (22, 16, 14, 5, 18, 15, 10)
FOREIGN_RATE = 0.07  # share of posts written in Spanish, Portuguese or German where a key has them


@dataclass(slots=True)
class Target:
    """A fictional person someone asks to have depicted; only pseudonyms leave the lake."""

    tid: str
    name: str
    relationship: str
    handle: str | None
    minor: bool
    doxx: str | None  # work | school | home | school_minor
    non_consent: bool
    employer: str = ""
    school: str = ""
    town: str = ""


def make_target(rng: random.Random, tid: str, minor_rate: float = 0.04) -> Target:
    relationship = rng.choices(RELATIONSHIPS, weights=RELATIONSHIP_WEIGHTS, k=1)[0]
    name = (
        rng.choice(P.STREAMER_NAMES)
        if relationship == "public_figure" and rng.random() < 0.6
        else rng.choice(P.FIRST_NAMES)
    )
    minor = (
        relationship in ("classmate", "family", "acquaintance", "stranger")
        and rng.random() < minor_rate * 2.5
    )
    handle = P.handle_for(rng, name) if rng.random() < 0.45 else None
    doxx = None
    if rng.random() < 0.18 or (minor and rng.random() < 0.4):
        if minor:
            doxx = "school_minor"
        elif relationship == "coworker" or rng.random() < 0.4:
            doxx = "work"
        elif relationship == "classmate":
            doxx = "school"
        else:
            doxx = "home"
    return Target(
        tid=tid,
        name=name,
        relationship=relationship,
        handle=handle,
        minor=minor,
        doxx=doxx,
        non_consent=rng.random() < 0.3,
        employer=rng.choice(P.EMPLOYERS),
        school=rng.choice(P.SCHOOLS_MINOR if minor else P.SCHOOLS_ADULT),
        town=rng.choice(P.TOWNS),
    )


@dataclass(slots=True)
class RoleText:
    role: str
    text: str
    template: str  # family/key: what wrote it
    lang: str = "en"
    flags: list[str] = field(default_factory=list)


class Writer:
    """Writes posts in the families a corpus allows; remembers which family each author uses."""

    def __init__(self, rng: random.Random, families: list[Family]) -> None:
        if not families:
            raise ValueError("a corpus needs at least one grammar family")
        self.rng = rng
        self.families = families
        self._by_author: dict[str, Family] = {}

    def family(self, author: str) -> Family:
        fam = self._by_author.get(author)
        if fam is None:
            fam = self.families[self.rng.randrange(len(self.families))]
            if len(self._by_author) > 200_000:
                self._by_author.clear()  # bounded memory; an author may switch style, rarely
            self._by_author[author] = fam
        return fam

    def text(
        self,
        author: str,
        role: str,
        key: str,
        slots: dict[str, str] | None = None,
        flags: list[str] | None = None,
        foreign: bool = True,
    ) -> RoleText:
        """A post of ``role`` from bank ``key``; sometimes in another language where it exists."""
        fam = self.family(author)
        lang = "en"
        if foreign and key in FOREIGN and self.rng.random() < FOREIGN_RATE:
            lang = LANGS[self.rng.randrange(len(LANGS))]
            key = f"{key}@{lang}"
        text = fam.write(self.rng, key, role, slots or {})
        return RoleText(role, text, f"{fam.name}/{key}", lang, list(flags or []))

    def request(self, author: str, t: Target, repeat: bool = False) -> RoleText:
        """The opening request for ``t`` (or a re-request of her), with its details and flags."""
        rng = self.rng
        fam = self.family(author)
        slots = {
            "name": t.name,
            "handle": t.handle or "",
            "employer": t.employer,
            "school": t.school,
            "town": t.town,
            "amount": str(rng.choice([10, 15, 20, 25, 30, 40, 50, 100])),
        }
        if repeat:
            slots["who"] = fam.expand(rng, f"who.{t.relationship}", slots)
            text = fam.write(rng, "request.repeat", "request", slots)
            return RoleText("request", text, f"{fam.name}/request.repeat")
        if (
            not t.minor and rng.random() < FOREIGN_RATE
        ):  # a whole post in another language, without the details
            lang = LANGS[rng.randrange(len(LANGS))]
            slots.update(who=t.name, extras="")
            text = fam.write(rng, f"request.open@{lang}", "request", slots)
            return RoleText("request", text, f"{fam.name}/request.open@{lang}", lang)
        details: list[tuple[str, str | None]] = []
        if t.handle and rng.random() < 0.7:
            details.append(("detail.handle", "doxxing"))
        if t.doxx and rng.random() < 0.8:
            details.append((f"detail.doxx.{t.doxx}", "minor_risk" if t.minor else "doxxing"))
        if t.minor and (rng.random() < 0.85 or not any(k.endswith("minor") for k, _ in details)):
            details.append(("detail.minor", "minor_risk"))
        if t.non_consent and rng.random() < 0.8:
            details.append(("detail.nc", "non_consent"))
        if rng.random() < 0.1:
            details.append(("detail.pay", "payment"))
        rng.shuffle(details)
        flags = {f for _, f in details if f}
        pieces = [fam.expand(rng, k, slots) for k, _ in details]
        joiner = rng.choice([". ", ", ", "\n", " ", " - "])
        slots["extras"] = joiner.join(p for p in pieces if p)
        slots["who"] = fam.expand(rng, f"who.{t.relationship}", slots)
        text = fam.write(rng, "request.open", "request", slots)
        return RoleText("request", text, f"{fam.name}/request.open", "en", sorted(flags))

    def invite(self, author: str, platform: str, code: str) -> RoleText:
        inv, _style = P.invite(self.rng, platform, code)
        return self.text(author, "distribution", "distribution.invite", {"invite": inv})


__all__ = ["RELATIONSHIPS", "RoleText", "Target", "Writer", "make_target"]
