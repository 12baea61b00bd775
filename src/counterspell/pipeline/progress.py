"""What long pipeline jobs report while they run: a stage with its size, then steps done.

The CLI draws a bar with counts and time left from it; library callers pass nothing and get
:class:`Quiet`. Kept apart from the jobs so that analyze and the graph stages share one shape.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int) -> None:
        """A stage begins with ``total`` units of work (posts, steps)."""

    def advance(self, n: int, note: str | None = None) -> None:
        """``n`` more units are done; ``note`` says what comes next, where it changes."""


class Quiet:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int, note: str | None = None) -> None:
        pass
