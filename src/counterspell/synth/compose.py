"""Composing one post's text for a given role, with its ground-truth flags and template key."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import phrases as P
from .phrases import _pick, roughen


@dataclass(slots=True)
class Target:
    """A fictional person someone asks to have depicted; only pseudonyms leave the lake."""

    tid: str
    name: str
    relationship: str
    rel_phrase: str
    handle: tuple[str, str] | None  # (platform, handle)
    minor: bool
    doxx: str | None
    non_consent: bool


def make_target(rng: random.Random, tid: str, minor_rate: float = 0.04) -> Target:
    relationship = rng.choices(list(P.RELATIONSHIPS), weights=[22, 16, 14, 5, 18, 15, 10], k=1)[0]
    name = (
        _pick(rng, P.STREAMER_NAMES)
        if relationship == "public_figure" and rng.random() < 0.6
        else _pick(rng, P.FIRST_NAMES)
    )
    minor = (
        relationship in ("classmate", "family", "acquaintance", "stranger")
        and rng.random() < minor_rate * 2.5
    )
    handle = None
    if rng.random() < 0.45:
        platform, _ = P.HANDLE_PLATFORMS[rng.randrange(len(P.HANDLE_PLATFORMS))]
        handle = (platform, P.handle_for(rng, name))
    doxx = None
    if rng.random() < 0.18 or (minor and rng.random() < 0.4):
        if minor:
            doxx = f"goes to {_pick(rng, P.SCHOOLS_MINOR)}"
        elif relationship == "coworker" or rng.random() < 0.4:
            doxx = f"works at {_pick(rng, P.EMPLOYERS)} in {_pick(rng, P.TOWNS)}"
        elif relationship == "classmate":
            doxx = f"she's at {_pick(rng, P.SCHOOLS_ADULT)}"
        else:
            doxx = f"lives in {_pick(rng, P.TOWNS)}, {rng.choice(['near the park', 'off Elm St', 'by the mall'])}"
    return Target(
        tid=tid,
        name=name,
        relationship=relationship,
        rel_phrase=_pick(rng, P.RELATIONSHIPS[relationship]),
        handle=handle,
        minor=minor,
        doxx=doxx,
        non_consent=rng.random() < 0.3,
    )


@dataclass(slots=True)
class RoleText:
    role: str
    text: str
    template: str
    lang: str = "en"
    flags: list[str] = field(default_factory=list)


def request(rng: random.Random, t: Target, repeat: bool = False) -> RoleText:
    flags: list[str] = []
    lang = "en"
    ask = _pick(rng, P.REQ_ASKS)
    if rng.random() < 0.08:
        lang, ask = P.REQ_ASKS_FOREIGN[P.pick_index(rng, len(P.REQ_ASKS_FOREIGN))]
    who = t.rel_phrase
    name_style = rng.randrange(4)
    if name_style == 1:
        who = f"{who}, {t.name}"
    elif name_style == 2:
        who = f"{who} ({t.name})"
    elif name_style == 3 and t.relationship != "public_figure":
        who = f"{t.name}, {who}"
    slots = [who, ask]
    if t.handle and rng.random() < 0.7:
        platform, handle = t.handle
        label = _pick(rng, dict(P.HANDLE_PLATFORMS)[platform])
        slots.append(f"{label} {handle}" if label.endswith(("is", ":")) else f"{label}: {handle}")
    if t.doxx and rng.random() < 0.8:
        slots.append(t.doxx)
        flags.append("doxxing")
    if t.minor:
        slots.append(_pick(rng, P.MINOR_CUES))
        flags.append("minor_risk")
    if t.non_consent and rng.random() < 0.8:
        slots.append(_pick(rng, P.NON_CONSENT))
        flags.append("non_consent")
    if rng.random() < 0.1:
        slots.append(_pick(rng, P.PAYMENT))
        flags.append("payment")
    if repeat:
        slots.insert(
            0,
            rng.choice(
                ["rerequest", "asking again", "re-req from last thread", "nobody did her last time"]
            ),
        )
    opener, tail = _pick(rng, P.REQ_OPENERS), _pick(rng, P.REQ_TAILS)
    skeleton = rng.randrange(5)
    if skeleton == 0:
        text = " ".join(x for x in (opener, *slots, tail) if x)
    elif skeleton == 1:
        text = ". ".join(x for x in (opener, *slots, tail) if x)
    elif skeleton == 2:  # greentext
        text = "\n".join(">" + x for x in slots) + ("\n" + tail if tail else "")
    elif skeleton == 3:
        rest = slots[2:]
        rng.shuffle(rest)
        text = (
            f"{slots[1]} - {slots[0]}"
            + ("\n" + "\n".join(rest) if rest else "")
            + (f" {tail}" if tail else "")
        )
    else:
        text = "\n".join(x for x in (opener, *slots, tail) if x)
    return RoleText("request", roughen(rng, text, 0.35), f"request/s{skeleton}", lang, flags)


def simple(rng: random.Random, role: str) -> RoleText:
    bank = {
        "source_solicitation": P.SRC_SOLICIT,
        "fulfillment": P.FULFIL,
        "praise": P.PRAISE,
        "technical": P.TECH,
        "counter_speech": P.COUNTER,
        "other": P.OTHER,
    }[role]
    idx = P.pick_index(rng, len(bank))
    text = roughen(rng, bank[idx], 0.4 if role != "fulfillment" else 0.2)
    if role == "praise" and rng.random() < 0.3:
        text += " " + _pick(rng, P.PRAISE)
    return RoleText(role, text, f"{role}/b{idx % 4}")


def payment(rng: random.Random) -> RoleText:
    text = _pick(rng, P.PAYMENT)
    if rng.random() < 0.4:
        text += ", " + _pick(rng, ["dm me", "serious only", "for the right wizard", "half upfront"])
    return RoleText("payment", roughen(rng, text), "payment/b0", flags=["payment"])


def sfw_edit(rng: random.Random) -> RoleText:
    idx = P.pick_index(rng, len(P.SFW_EDITS))
    return RoleText("other", roughen(rng, P.SFW_EDITS[idx], 0.3), f"other/sfw{idx % 3}")


def distribution(rng: random.Random, platform: str, code: str) -> RoleText:
    inv, _style = P.invite(rng, platform, code)
    lead = _pick(rng, P.DIST)
    form = rng.randrange(3)
    text = f"{lead}: {inv}" if form == 0 else f"{inv}\n{lead}" if form == 1 else f"{lead} {inv} 🔗"
    return RoleText("distribution", roughen(rng, text, 0.15), f"distribution/f{form}")


def compose(rng: random.Random, role: str) -> RoleText:
    """Text for roles that need no target or invite."""
    if role == "payment":
        return payment(rng)
    return simple(rng, role)


__all__ = [
    "RoleText",
    "Target",
    "compose",
    "distribution",
    "make_target",
    "request",
    "sfw_edit",
]
