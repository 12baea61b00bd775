"""The signal-type interface: what a kind of hash is, how it is checked, and how a bank finds
the lake's media that match it (after python-threatexchange's ``SignalType``).

Each kind (PDQ, MD5, vPDQ) is one small class in its own module, registered in one place
(:data:`counterspell.matching.signals.SIGNALS`); a plugin adds one through the
``counterspell.signals`` entry point group exactly as the built-ins are registered.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from ...executors import Executor
    from ...lake.workspace import Workspace
    from ..banks import BankInfo


@dataclass(frozen=True)
class MatchContext:
    """What a signal needs to match the lake's media against one bank."""

    ws: Workspace
    bank: BankInfo
    media: dict[str, np.ndarray]  # the lake's media items (uid, md5, pdq, vpdq, path...)
    radius: int
    dihedral: bool = False
    executor: Executor | None = None


@dataclass(frozen=True)
class Hits:
    """Matches of one signal type: media row, bank entry, distance (-1: none), match percent."""

    rows: np.ndarray
    entries: np.ndarray
    distance: np.ndarray
    percent: np.ndarray

    @classmethod
    def empty(cls) -> Hits:
        return cls(
            np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32),
        )  # fmt: skip

    @classmethod
    def of(
        cls, rows: np.ndarray, entries: np.ndarray, distance: np.ndarray | None = None,
        percent: np.ndarray | None = None,
    ) -> Hits:  # fmt: skip
        n = len(rows)
        return cls(
            np.asarray(rows, dtype=np.int64), np.asarray(entries, dtype=np.int64),
            np.zeros(n, dtype=np.int32) if distance is None else np.asarray(distance, dtype=np.int32),
            np.full(n, np.nan, dtype=np.float32) if percent is None else np.asarray(percent, dtype=np.float32),
        )  # fmt: skip


class SignalType(ABC):
    """One kind of hash. Subclasses are used as classes, never instantiated."""

    name: ClassVar[str]  # as stored in banks and the ``matches`` dataset
    aliases: ClassVar[tuple[str, ...]] = ()  # other names in hash files (python-threatexchange's)
    hex_length: ClassVar[int | None] = None  # a fixed-length hex digest, when it is one

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return (cls.name, *cls.aliases)

    @classmethod
    @abstractmethod
    def validate(cls, value: str) -> str:
        """The value normalised for storage; ``ValueError`` saying why when it is not one."""

    @classmethod
    def reject(cls, value: str, quality: int | None) -> str | None:
        """Why a bank refuses this (valid) value, e.g. a degenerate hash; None to accept it."""
        return None

    @classmethod
    @abstractmethod
    def distance(cls, a: str, b: str) -> float:
        """How far apart two values are (0: the same content)."""

    @classmethod
    @abstractmethod
    def find(cls, ctx: MatchContext) -> Hits:
        """Every lake media item matching one of the bank's entries of this type."""


__all__ = ["Hits", "MatchContext", "SignalType"]
