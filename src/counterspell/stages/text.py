"""The text stages of one post, and the role stage's view of a batch: pure functions.

:func:`text_signals` runs normalisation, links and invites, cues (flags, tools, targets) over one
text; :func:`post_view` and :func:`thread_posts` turn a batch of lake rows and their signals into
what :mod:`counterspell.stages.roles` and :mod:`counterspell.stages.thread` judge. No lake here:
:mod:`counterspell.pipeline.analyze` reads the batches and writes the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from .cues import Cues, find_cues
from .links import find_links
from .normalize import clean, normalise
from .roles import PostView
from .thread import ThreadPost


@dataclass(slots=True)
class TextSignals:
    """What the text stages found in one post, before the role is known."""

    norm: str
    cues: Cues
    links: list[str]
    destinations: list[str]


def text_signals(
    text: str, subject: str | None = None, known_links: list[str] | None = None
) -> TextSignals:
    """Normalisation, links and invites, flags, tools and targets for one text (pure)."""
    full = f"{subject}\n{text}" if subject else text
    if len(full) > 200_000:
        full = full[:200_000]  # a megabyte post is judged on its first 200k characters
    cleaned = clean(full)
    norm = normalise(full)
    links, dests = find_links(cleaned, norm, known_links)
    return TextSignals(norm, find_cues(norm, cleaned), links, dests)


def signals_to_json(signals: list[TextSignals]) -> bytes:
    """Signals as JSON (not pickle: the files lie in a lake that others may write to)."""
    return orjson.dumps(signals)


def signals_from_json(data: bytes) -> list[TextSignals]:
    """The inverse of :func:`signals_to_json`: equal signals, field for field."""
    out: list[TextSignals] = []
    for d in orjson.loads(data):
        c = d["cues"]
        c["identifiers"] = [tuple(x) for x in c["identifiers"]]
        out.append(TextSignals(d["norm"], Cues(**c), d["links"], d["destinations"]))
    return out


def post_view(cols: dict[str, list[Any]], i: int, s: TextSignals) -> PostView:
    """The role stage's view of row ``i`` of a batch from :func:`_batches`."""
    return PostView(
        norm=s.norm,
        cues=s.cues,
        destinations=s.destinations,
        has_link=bool(s.links),
        is_op=bool(cols["is_op"][i]),
        has_media=bool(cols["n_media"][i]),
        platform=cols["platform"][i],
        kind=cols["kind"][i] or "post",
        reactions=int(cols["n_reactions"][i] or 0),
        is_reply=bool(cols["parent_uids"][i]),
        author_is_channel=str(cols["author_key"][i] or "").startswith("channel"),
    )


def thread_posts(cols: dict[str, list[Any]], signals: dict[int, TextSignals]) -> list[ThreadPost]:
    """The thread pass's view of a batch from :func:`_batches` (views only for new posts)."""
    out: list[ThreadPost] = []
    for i in range(len(cols["uid"])):
        s = signals.get(i)
        known = cols["known_flags"][i]
        out.append(
            ThreadPost(
                uid=cols["uid"][i],
                thread=cols["thread_id"][i] or "",
                ts=float(cols["ts"][i] or 0.0),
                parents=cols["parent_uids"][i] or [],
                author=cols["author_key"][i] or None,
                view=post_view(cols, i, s) if s is not None else None,
                seen_before=bool(cols["seen_before"][i]),
                known_role=cols["known_role"][i] if s is None else None,
                known_flags=tuple(known or ()) if s is None else (),
                known_follows=cols["known_follows"][i] if s is None else None,
            )
        )
    return out


__all__ = [
    "TextSignals",
    "post_view",
    "signals_from_json",
    "signals_to_json",
    "text_signals",
    "thread_posts",
]
