"""What every platform writer shares: the corpus's time span, stand-in media, streamed JSON export writing, stable actor numbers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from ..conversation import Actor
from ..images import encode_png, pattern, variant

START = datetime(2025, 12, 1, tzinfo=UTC).timestamp()


END = datetime(2026, 3, 31, tzinfo=UTC).timestamp()


@dataclass
class Summary:
    output: str
    posts: int = 0
    per_platform: dict[str, int] = field(default_factory=dict)
    truth_path: str = ""


class MediaFiles:
    """PNG bytes per media seed, with MD5s cached for the 4chan side (which has no files).

    With ``files=False`` (large benchmark corpora) no image is drawn: 4chan MD5s are derived from
    the seed, and Telegram/Discord media are recorded the way exports record files they did not
    download (placeholders, remote URLs).
    """

    def __init__(self, files: bool = True) -> None:
        self.files = files
        self._md5: dict[tuple[int, int | None], tuple[str, int]] = {}

    def png(self, seed: int, var: int | None = None) -> bytes:
        px = pattern(seed)
        if var is not None:
            px = variant(px, var)
        return encode_png(px)

    def md5(self, seed: int, var: int | None = None) -> tuple[str, int]:
        key = (seed, var)
        hit = self._md5.get(key)
        if hit is None:
            if self.files:
                data = self.png(seed, var)
                hit = (hashlib.md5(data).hexdigest(), len(data))
            else:
                hit = (hashlib.md5(f"{seed}/{var}".encode()).hexdigest(), 20_000 + seed % 9000)
            if len(self._md5) >= 50_000:
                self._md5.clear()  # bounded memory for corpora of millions of posts
            self._md5[key] = hit
        return hit

    def write(self, folder: Path, name: str, seed: int, var: int | None = None) -> int | None:
        """Write the image; None when the corpus has no media files."""
        if not self.files:
            return None
        data = self.png(seed, var)
        path = folder / name
        try:
            path.write_bytes(data)
        except FileNotFoundError:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return len(data)


class JsonArrayWriter:
    """Streams a pretty-printed export: header keys, then one array of messages."""

    def __init__(
        self, f: IO[str], header: dict[str, Any], array_key: str, indent: str = "  "
    ) -> None:
        self.f, self.indent, self.first = f, indent, True
        head = orjson.dumps(header, option=orjson.OPT_INDENT_2).decode()[:-2]  # drop "\n}"
        f.write(head + ("," if header else "") + f'\n{indent}"{array_key}": [')

    def add(self, obj: dict[str, Any]) -> None:
        text = (
            orjson.dumps(obj, option=orjson.OPT_INDENT_2)
            .decode()
            .replace("\n", "\n" + self.indent * 2)
        )
        self.f.write(("\n" if self.first else ",\n") + self.indent * 2 + text)
        self.first = False

    def close(self, trailer: dict[str, Any] | None = None) -> None:
        self.f.write(f"\n{self.indent}]")
        for k, v in (trailer or {}).items():
            self.f.write(f',\n{self.indent}"{k}": {orjson.dumps(v).decode()}')
        self.f.write("\n}\n")


def actor_num(actor: Actor) -> int:
    """A stable number per actor (Python's str hash is salted per process)."""
    digits = "".join(ch for ch in actor.key if ch.isdigit())
    return (int(digits) if digits else 0) + (0 if actor.creator else 1000)
