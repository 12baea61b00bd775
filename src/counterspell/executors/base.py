"""The executor interface: map a picklable function over tasks and return results in order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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


def results_in_order(executor: Executor, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
    """Results in task order, each as soon as it and those before it are done, so a caller can
    show progress; executors without ``imap`` (a plugin's) give them all at the end."""
    imap = getattr(executor, "imap", None)
    if imap is None:
        yield from executor.map(fn, tasks)
    else:
        yield from imap(fn, tasks)


@dataclass(frozen=True)
class ExecutorKind:
    """How to make one kind of executor, and the options it takes (``workers``, ``scheduler``,
    or a plugin's own): an option the kind does not take is a user error, not silently dropped."""

    factory: Callable[..., Executor]
    options: frozenset[str]
    description: str = ""


EXECUTORS: Registry[ExecutorKind] = Registry("executor", entry_points="counterspell.executors")


def get_executor(name: str, **options: Any) -> Executor:
    """An executor by name with the options given (``None`` means not given); a user error
    names the choices or the option the executor does not take."""
    try:
        kind = EXECUTORS.get(name)
    except KeyError:
        raise CounterspellError(
            f"--executor {name!r}: choose one of {', '.join(EXECUTORS.names())}"
        ) from None
    given = {k: v for k, v in options.items() if v is not None}
    unknown = sorted(set(given) - kind.options)
    if unknown:
        takes = ", ".join(f"--{o}" for o in sorted(kind.options)) or "no options"
        raise CounterspellError(
            f"--{unknown[0]} does not apply to --executor {name} (it takes {takes})"
        )
    return kind.factory(**given)
