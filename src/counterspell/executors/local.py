"""``local``: processes on this machine (spawned, so no state leaks between runs)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from .base import EXECUTORS, ExecutorKind

T = TypeVar("T")
R = TypeVar("R")


class LocalExecutor:
    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> list[R]:
        return list(self.imap(fn, tasks))

    def imap(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """Results in order, each yielded as soon as it is ready."""
        if self.workers <= 1 or len(tasks) <= 1:
            yield from (fn(t) for t in tasks)
            return
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=min(self.workers, len(tasks)),
            mp_context=multiprocessing.get_context("spawn"),
        ) as pool:
            yield from pool.map(fn, tasks)

    def share(self, load: Callable[[], T]) -> T | None:
        return None  # tasks memory-map it from the workspace: nothing to copy

    def close(self) -> None:
        pass


EXECUTORS.register(
    "local", ExecutorKind(LocalExecutor, frozenset({"workers"}), "processes on this machine")
)
