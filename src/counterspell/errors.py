"""Errors a user can cause, and the one line that tells them what to fix.

Anything raised as :class:`CounterspellError` is printed by the CLI as a single line and exits
non-zero; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class CounterspellError(Exception):
    """A problem the user can fix (bad file, bad flag, missing workspace)."""


class WorkspaceError(CounterspellError):
    """The workspace is missing, not initialised, or unreadable."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where in an input something happened, in the most useful unit the format allows."""

    file: str
    line: int | None = None
    offset: int | None = None  # character offset into the decoded text
    record: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.offset is not None:
            parts.append(f"offset {self.offset}")
        return ", ".join(parts)


class InputError(CounterspellError):
    """An input file (or part of one) could not be read."""

    def __init__(self, place: Place, reason: str) -> None:
        super().__init__(f"{place}: {reason}")
        self.place = place
        self.reason = reason


class UnknownFormatError(InputError):
    """No adapter recognised the file."""


class NotFound(CounterspellError):
    """A named object (user, queue item, case, request) does not exist."""


class Conflict(CounterspellError):
    """The object is in a state that forbids the change (held by another reviewer, decided, ...)."""
