"""The executor interface: map a picklable function over tasks and return results in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from ..errors import CounterspellError
from ..registry import Registry

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs independent tasks; ``fn`` must be a module-level function, tasks picklable."""

    name: str

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> list[R]: ...

    def share(self, load: Callable[[], T]) -> T | None:
        """What ``load`` returns, sent once to every worker, to put inside tasks; or None when
        tasks should load it themselves (processes on this machine memory-map the workspace's
        file, which costs less than sending it)."""
        ...

    def close(self) -> None: ...


EXECUTORS: Registry[Callable[..., Executor]] = Registry("executor")


def get_executor(
    name: str, *, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """An executor by name (``local`` or ``dask``); a user error names the choices."""
    try:
        factory = EXECUTORS.get(name)
    except KeyError:
        raise CounterspellError(
            f"--executor {name!r}: choose one of {', '.join(EXECUTORS.names())}"
        ) from None
    kwargs: dict[str, Any] = {"workers": workers}
    if name == "dask":
        kwargs["scheduler"] = scheduler
    return factory(**kwargs)
