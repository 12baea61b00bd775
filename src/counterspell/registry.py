"""Named registries for extension points (adapters, signal types, executors).

Built-ins register exactly as a third-party plugin would, and a name can be taken only once, so
a plugin cannot silently replace a built-in. Plugins come from entry points: a package declares,
in its ``pyproject.toml``::

    [project.entry-points."counterspell.adapters"]
    myformat = "mypackage.adapter:MyAdapter"

and the registry loads them the first time it is asked for its items (groups
``counterspell.adapters``, ``counterspell.signals``, ``counterspell.executors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

T = TypeVar("T")


class PluginError(RuntimeError):
    """A plugin declared through an entry point could not be loaded or registered."""


class Registry(Generic[T]):
    """An ordered name -> item map that refuses duplicate names, filled by built-ins and by the
    entry points of its group."""

    def __init__(self, kind: str, entry_points: str | None = None) -> None:
        self.kind = kind
        self.group = entry_points
        self._items: dict[str, T] = {}
        self._plugins_loaded = entry_points is None

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in entry_points(group=self.group or ""):
            try:
                item = ep.load()
            except Exception as exc:  # a broken plugin must say which one it is
                raise PluginError(
                    f"{self.kind} plugin {ep.name!r} ({ep.value}, entry point group "
                    f"{self.group}) cannot be loaded: {exc}"
                ) from exc
            try:
                self.register(ep.name, item)
            except ValueError as exc:
                raise PluginError(f"{self.kind} plugin {ep.name!r} ({ep.value}): {exc}") from None

    def register(self, name: str, item: T) -> T:
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._items[name] = item
        return item

    def get(self, name: str) -> T:
        self._load_plugins()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items))
            raise KeyError(f"unknown {self.kind} {name!r}; known: {known}") from None

    def names(self) -> list[str]:
        self._load_plugins()
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        self._load_plugins()
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        self._load_plugins()
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        self._load_plugins()
        return len(self._items)
