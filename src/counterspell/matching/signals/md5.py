"""MD5: an exact copy of a file (of the bytes, or as the platform reported it)."""

from __future__ import annotations

import re

import numpy as np

from ..banks import entries
from .base import Hits, MatchContext, SignalType

_HEX = re.compile(r"^[0-9a-fA-F]+$")


class MD5Signal(SignalType):
    name = "md5"
    aliases = ("md5_signal", "video_md5")
    hex_length = 32

    @classmethod
    def validate(cls, value: str) -> str:
        if len(value) != 32 or not _HEX.match(value):
            raise ValueError(f"{value[:80]!r} is not an MD5 hash (32 hex digits)")
        return value.lower()

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return 0.0 if a.lower() == b.lower() else float("inf")

    @classmethod
    def find(cls, ctx: MatchContext) -> Hits:
        table = entries(ctx.ws, ctx.bank.name)
        md5s = {
            h: e
            for h, e, t in zip(table.column("hash").to_pylist(), table.column("entry_id").to_pylist(),
                               table.column("signal_type").to_pylist(), strict=True)
            if t == cls.name
        }  # fmt: skip
        hit = [(i, md5s[h]) for i, h in enumerate(ctx.media["md5"]) if h in md5s] if md5s else []
        if not hit:
            return Hits.empty()
        return Hits.of(np.array([i for i, _ in hit]), np.array([e for _, e in hit]))
