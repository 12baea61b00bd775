"""The planner's simulator: one campaign's outcome after a removal, and the lake's totals.

A removal is a set of keys (see :mod:`counterspell.pipeline.plan_graph`). A campaign's outcome
depends only on the removed keys it can see, so outcomes are remembered by those: random plans
remove the same big communities again and again, and the bootstrap resamples outcomes rather than
simulating again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .plan_graph import Campaign, PlanGraph, reach_of

MEASURES = ("fulfilled", "praise", "reach", "targets")
CACHE_MAX = 2_000_000  # remembered campaign outcomes (a few hundred MB at most)


@dataclass(frozen=True, slots=True)
class Outcome:
    alive: bool  # the request survives
    fulfilled: bool
    praise: int
    reach: int


def living(c: Campaign, removed: frozenset[str]) -> tuple[list[bool], dict[str, bool]]:
    """Per member, whether it survives ``removed``: a member is gone when it carries a removed
    key or its anchor (in the same campaign) is gone. Also by uid."""
    state: dict[str, bool] = {}
    alive: list[bool] = []
    for m in c.members:
        ok = not (m.keys & removed)
        if ok and m.anchor is not None and m.anchor != m.uid:
            ok = state.get(m.anchor, True)
        state[m.uid] = ok
        alive.append(ok)
    return alive, state


def outcome(c: Campaign, removed: frozenset[str]) -> Outcome:
    """One campaign after ``removed`` (see :func:`living`); without a living fulfilment nothing
    is praised."""
    alive, state = living(c, removed)
    if not state.get(c.request, True):
        return Outcome(False, False, 0, 0)
    fulfilled = any(ok and m.part == "fulfillment" for m, ok in zip(c.members, alive, strict=True))
    praise = (
        sum(ok and m.part == "praise" for m, ok in zip(c.members, alive, strict=True))
        if fulfilled
        else 0
    )
    return Outcome(True, fulfilled, praise, len(reach_of(c, alive, removed)))


class Simulator:
    """The campaign graph with its untouched outcome; a removal recomputes only what it touches."""

    def __init__(self, graph: PlanGraph) -> None:
        self.graph = graph
        self.base = [outcome(c, frozenset()) for c in graph.campaigns]
        names = sorted({c.target for c in graph.campaigns if c.target is not None})
        ids = {t: i for i, t in enumerate(names)}
        self.target = np.array(
            [ids[c.target] if c.target is not None else -1 for c in graph.campaigns], dtype=np.int64
        )
        self._cache: dict[tuple[int, frozenset[str]], Outcome] = {}
        self.base_arrays = self.arrays(self.base)
        self.base_totals = self.totals(self.base_arrays)

    def denominators(self) -> dict[str, int]:
        """Totals the shares of a ranking are shares of (``reaching``: campaigns seen elsewhere)."""
        return {**self.base_totals, "reaching": sum(1 for o in self.base if o.reach > 0)}

    def outcome(self, i: int, removed: frozenset[str]) -> Outcome:
        """Campaign ``i`` after ``removed``, remembered by the part of ``removed`` it can see:
        random plans remove the same big communities again and again."""
        seen = removed & self.graph.keys_of[i]
        if not seen:
            return self.base[i]
        got = self._cache.get((i, seen))
        if got is None:
            if len(self._cache) > CACHE_MAX:
                self._cache.clear()
            got = self._cache[(i, seen)] = outcome(self.graph.campaigns[i], seen)
        return got

    def run(self, removed: frozenset[str]) -> list[Outcome]:
        after = list(self.base)
        for i in self.graph.affected(removed):
            after[i] = self.outcome(i, removed)
        return after

    def arrays(self, outs: list[Outcome]) -> dict[str, np.ndarray]:
        return {
            "fulfilled": np.array([o.fulfilled for o in outs], dtype=bool),
            "praise": np.array([o.praise for o in outs], dtype=np.int64),
            "reach": np.array([o.reach for o in outs], dtype=np.int64),
        }

    def totals(
        self, outs: list[Outcome] | dict[str, np.ndarray], sample: np.ndarray | None = None
    ) -> dict[str, int]:
        a = outs if isinstance(outs, dict) else self.arrays(outs)
        idx = sample if sample is not None else np.arange(len(a["fulfilled"]))
        f = a["fulfilled"][idx]
        tg = self.target[idx][f]
        return {
            "fulfilled": int(f.sum()),
            "praise": int(a["praise"][idx].sum()),
            "reach": int(a["reach"][idx].sum()),
            "targets": int(np.unique(tg[tg >= 0]).size),
        }

    def lost(self, removed: frozenset[str]) -> dict[str, int]:
        """What disappears when ``removed`` goes (targets: no longer in any fulfilled campaign)."""
        touched = self.graph.affected(removed)
        out = {"fulfilled": 0, "praise": 0, "reach": 0}
        gone: Counter[int] = Counter()
        for i in touched:
            b, a = self.base[i], self.outcome(i, removed)
            out["fulfilled"] += int(b.fulfilled) - int(a.fulfilled)
            out["praise"] += b.praise - a.praise
            out["reach"] += b.reach - a.reach
            if b.fulfilled and not a.fulfilled and self.target[i] >= 0:
                gone[int(self.target[i])] += 1
        if gone:
            per = Counter(
                int(t)
                for t, o in zip(self.target, self.base, strict=True)
                if o.fulfilled and t >= 0
            )
            out["targets"] = sum(1 for t, n in gone.items() if per[t] == n)
        else:
            out["targets"] = 0
        return out
