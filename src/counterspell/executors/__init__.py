"""Executors run per-partition work (a community's text stages, its campaign linking) in
parallel: ``local`` processes on this machine, or ``dask`` workers of a Dask cluster. Whichever
runs it, the same partitions give the same results; tasks read and write lake partitions by path.
"""

from typing import Any

from .base import EXECUTORS, Executor, ExecutorKind, get_executor, results_in_order
from .local import LocalExecutor


def _dask(**kwargs: Any) -> Executor:
    from .dask import DaskExecutor  # Dask is an optional extra: imported only when asked for

    return DaskExecutor(**kwargs)


EXECUTORS.register(
    "dask",
    ExecutorKind(_dask, frozenset({"workers", "scheduler"}), "the workers of a Dask cluster"),
)

__all__ = [
    "EXECUTORS",
    "Executor",
    "ExecutorKind",
    "LocalExecutor",
    "get_executor",
    "results_in_order",
]
