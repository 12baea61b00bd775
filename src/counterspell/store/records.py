"""Typed records of the store: what a queue item, a case and a removal request are.

Functions of :mod:`counterspell.store` return these instead of dictionaries, so a caller that
misspells a field fails in the type checker, not in front of a reviewer. ``as_dict`` gives the
JSON shape of the API (lists stay lists: an item's flags are ``["minor_risk", "non_consent"]``).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson


def _split(value: str | None, sep: str = ";") -> list[str]:
    return [x for x in (value or "").split(sep) if x]


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A flagged post waiting for (or past) review."""

    id: int
    uid: str
    platform: str
    community: str
    thread_id: str | None
    posted_at: datetime | None
    role: str
    confidence: float
    flags: list[str]
    targets: list[str]  # pseudonyms; the clear identities are behind an audited reveal
    campaign_id: str | None
    bank_matches: int
    priority: float
    status: str
    assigned_to: int | None
    assigned_at: datetime | None
    synced_at: datetime
    reasons: list[str] = dataclasses.field(default_factory=list)  # live rules: rule:NAME@VERSION
    tags: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> QueueItem:
        values: dict[str, Any] = {name: row.get(name) for name in _QUEUE_FIELDS}
        for name in ("flags", "targets", "reasons", "tags"):
            values[name] = _split(row.get(name) or "")
        return cls(**values)

    @classmethod
    def from_tuple(cls, values: tuple[Any, ...]) -> QueueItem:
        """An item from a row of :data:`QUEUE_COLUMNS`' values, in that order: what a page of
        the queue builds per row, without a mapping per row (a fifth of the list's time)."""
        (id_, uid, platform, community, thread_id, posted_at, role, confidence, flags, targets,
         campaign_id, bank_matches, priority, status, assigned_to, assigned_at, synced_at,
         reasons, tags) = values  # fmt: skip
        return cls(id_, uid, platform, community, thread_id, posted_at, role, confidence,
                   _split(flags), _split(targets), campaign_id, bank_matches, priority, status,
                   assigned_to, assigned_at, synced_at, _split(reasons), _split(tags))  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """What ``dataclasses.asdict`` gives (lists copied), without its deep copy of every
        value: a queue page builds one per row."""
        out = dict(zip(_QUEUE_FIELDS, _queue_values(self), strict=True))
        for name in _QUEUE_LISTS:
            out[name] = list(out[name])
        return out


_QUEUE_FIELDS = tuple(f.name for f in dataclasses.fields(QueueItem))
QUEUE_COLUMNS = _QUEUE_FIELDS  # the store's columns a QueueItem is made of, in field order
_queue_values = operator.attrgetter(*_QUEUE_FIELDS)  # every field at once, in C
_QUEUE_LISTS = ("flags", "targets", "reasons", "tags")


@dataclass(frozen=True, slots=True)
class Case:
    """A case gathers what is known about one target, request or removal request."""

    id: int
    kind: str  # target | request | takedown
    key: str
    title: str
    status: str
    created_at: datetime
    created_by: int | None
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Case:
        return cls(**{f.name: row[f.name] for f in dataclasses.fields(cls)})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# What identifies or reaches a requester: masked on every page and API answer unless an analyst
# reveals it (audited), and erased by ``takedown purge`` after the retention period. Locations
# and hashes stay: they name content, not the person who asked.
PERSONAL_FIELDS = (
    "requester_name",
    "authority",
    "signature",
    "statement",
    "contact_email",
    "contact_phone",
)
HIDDEN = "[hidden: an analyst can reveal it; the reveal is logged]"


@dataclass(frozen=True, slots=True)
class RemovalRequest:
    """A TAKE IT DOWN Act removal request and its clock."""

    id: int
    ref: str
    received_at: datetime
    status: str
    requester_name: str
    acting_for: str
    authority: str
    signature: str
    locations: str  # one per line, as given
    hashes: str  # one per line, as given
    statement: str
    contact_email: str
    contact_phone: str
    problems: list[str]
    valid_at: datetime | None
    due_at: datetime | None
    removed_at: datetime | None
    closed_at: datetime | None
    case_id: int | None
    triage_reason: str | None = None  # why it waits for a person (status "triage")

    @property
    def urgency(self) -> str:
        """``overdue``, ``due-soon`` (under 12 hours left), ``on-time`` or ``""`` (no clock)."""
        from datetime import UTC, timedelta

        if self.status != "valid" or self.due_at is None:
            return ""
        left = self.due_at - datetime.now(UTC)
        if left <= timedelta(0):
            return "overdue"
        return "due-soon" if left <= timedelta(hours=12) else "on-time"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RemovalRequest:
        values = {f.name: row[f.name] for f in dataclasses.fields(cls)}
        problems = row["problems"]
        values["problems"] = (
            orjson.loads(problems or "[]") if isinstance(problems, str) else list(problems)
        )
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "urgency": self.urgency}

    def masked(self) -> RemovalRequest:
        """The request with the requester's details hidden (empty ones stay empty)."""
        hidden: dict[str, Any] = {f: HIDDEN if getattr(self, f) else "" for f in PERSONAL_FIELDS}
        return dataclasses.replace(self, **hidden)


__all__ = ["HIDDEN", "PERSONAL_FIELDS", "QUEUE_COLUMNS", "Case", "QueueItem", "RemovalRequest"]
