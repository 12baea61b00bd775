"""``dask``: the workers of a Dask distributed cluster (``--scheduler tcp://host:8786``), or a
``LocalCluster`` of ``--workers`` processes started for the run.

Tasks get their inputs by path, so every worker must see the workspace (a shared or local file
system). A task whose worker dies is retried elsewhere (``retries``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

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

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> list[R]:
        futures = self.client.map(fn, list(tasks), pure=False, retries=self.retries)
        return list(self.client.gather(futures))

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
