"""The grammar families of the synthetic corpus (see :mod:`counterspell.synth.grammar`).

Each family was written by a different author who saw only the grammar's specification, never
the other families nor the classifier's rules. ``TRAIN`` families write the corpora the shipped
role model learns from; ``HELDOUT`` families write the corpora it is evaluated on, so the
held-out figures measure phrasing the model has never seen.
"""

from __future__ import annotations

import importlib
from functools import cache

from ..grammar import Family

NAMES = (
    "anon_terse",
    "storyteller",
    "emoji_chat",
    "transactional",
    "second_language",
    "lads_forum",
    "bot_channel",
    "old_hands",
)
# lads_forum's author saw a preview of transactional's output by accident: both train.
TRAIN = ("anon_terse", "transactional", "second_language", "lads_forum", "bot_channel", "old_hands")
HELDOUT = ("storyteller", "emoji_chat")


@cache
def all_families() -> dict[str, Family]:
    out: dict[str, Family] = {}
    for name in NAMES:
        fam: Family = importlib.import_module(f"{__name__}.{name}").FAMILY
        if fam.name != name:
            raise ValueError(f"family module {name} names itself {fam.name!r}")
        out[name] = fam
    return out


def select(names: tuple[str, ...] | list[str] | str | None) -> list[Family]:
    """Families by name (``"train"``, ``"heldout"`` or ``None`` for all, or a list of names)."""
    fams = all_families()
    if names is None or names == "all":
        return list(fams.values())
    if names == "train":
        names = TRAIN
    elif names == "heldout":
        names = HELDOUT
    elif isinstance(names, str):
        names = tuple(n.strip() for n in names.split(",") if n.strip())
    unknown = [n for n in names if n not in fams]
    if unknown:
        raise ValueError(f"unknown grammar family {', '.join(unknown)}; known: {', '.join(fams)}")
    return [fams[n] for n in names]


__all__ = ["HELDOUT", "NAMES", "TRAIN", "all_families", "select"]
