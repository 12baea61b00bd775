"""``dask``: the workers of a Dask distributed cluster (``--scheduler tcp://host:8786``), or a
``LocalCluster`` of ``--workers`` processes started for the run.

Tasks read and write the lake by path or URL, so every worker must reach the lake: the
workspace's folder on a shared file system, or an object store (``lake_url``). Anything else a
task needs travels with it (settings, the pseudonym key, the role model) or is sent to each
worker once (a bank's index, :meth:`share`). A task whose worker dies is retried elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, cast

from ..errors import CounterspellError

T = TypeVar("T")
R = TypeVar("R")


class DaskExecutor:
    name = "dask"

    def __init__(
        self, workers: int | None = None, scheduler: str | None = None, retries: int = 2
    ) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise CounterspellError(
                "--executor dask needs Dask: pip install 'counterspell[dask]'"
            ) from None
        self.retries = retries
        self.cluster: Any = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(
                n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self.cluster)

    @property
    def workers(self) -> int:
        """Workers the scheduler knows now: what work is cut for (hash-media's shards, ingest's
        batches), as ``LocalExecutor.workers`` is for processes."""
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> list[R]:
        futures = self.client.map(fn, list(tasks), pure=False, retries=self.retries)
        return list(self.client.gather(futures))

    def imap(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """Results in order as they finish (all tasks are submitted at once)."""
        futures = self.client.map(fn, list(tasks), pure=False, retries=self.retries)
        for future in futures:
            yield future.result()

    def share(self, load: Callable[[], T]) -> T | None:
        # a future in a task's arguments arrives as the value; broadcast: one copy per worker
        return cast(T, self.client.scatter(load(), broadcast=True, hash=False))

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
