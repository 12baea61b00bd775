"""JSON lines and other line-oriented files: numbered lines, over-long ones refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import Place
from .cursors import Problem
from .encoding import CHUNK_CHARS, MAX_VALUE_CHARS, open_text


@dataclass(slots=True)
class Line:
    number: int
    text: str


def iter_lines(path: str, max_chars: int = MAX_VALUE_CHARS) -> Iterator[Line | Problem]:
    """Non-empty lines of a text file with 1-based numbers; over-long lines become problems."""
    text, _ = open_text(path)
    with text:
        number = 0
        while True:
            line = text.readline(max_chars)
            if not line:
                return
            number += 1
            if len(line) >= max_chars and not line.endswith("\n"):
                while True:  # drop the rest of the over-long line without buffering it
                    rest = text.readline(CHUNK_CHARS)
                    if not rest or rest.endswith("\n"):
                        break
                yield Problem(
                    Place(path, line=number), f"line longer than {max_chars:,} characters"
                )
                continue
            if number == 1 and line.startswith("\ufeff"):
                line = line[1:]
            if line.strip():
                yield Line(number, line)
