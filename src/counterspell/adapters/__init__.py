"""Adapters: one per source format, detected from content or forced with ``--format``."""

from __future__ import annotations

from ..errors import Place, UnknownFormatError
from ..textio import read_head
from . import discord, foolfuuka, fourchan, jsonl, telegram  # noqa: F401  (registration)
from .base import ADAPTERS, Adapter, Item, Notice, ReadContext, register_adapter

__all__ = [
    "ADAPTERS",
    "Adapter",
    "Item",
    "Notice",
    "ReadContext",
    "detect",
    "get_adapter",
    "register_adapter",
]


def detect(path: str, head: str | None = None) -> type[Adapter]:
    """The adapter most confident about a file, judged from its first 64 KiB."""
    if head is None:
        head = read_head(path)
    if not head.strip():
        raise UnknownFormatError(Place(path), "file is empty")
    scored = sorted(
        ((cls.sniff(head, path), cls.name, cls) for cls in ADAPTERS), key=lambda t: (-t[0], t[1])
    )
    best_score, _, best = scored[0]
    if best_score <= 0:
        known = ", ".join(ADAPTERS.names())
        raise UnknownFormatError(
            Place(path), f"unrecognised format (known: {known}); use --format to force one"
        )
    return best


def get_adapter(name: str) -> type[Adapter]:
    try:
        return ADAPTERS.get(name)
    except KeyError as exc:
        raise UnknownFormatError(Place(name), str(exc.args[0])) from None
