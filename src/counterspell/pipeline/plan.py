"""The planner: which intervention points enable the most harm, and what acting on them leaves.

Removing one picture at a time does not work; the request infrastructure, the rewards that keep
creators going and the distribution networks have to be disrupted together. The planner ranks
each kind of intervention point (:data:`~counterspell.pipeline.plan_graph.KINDS`) by the share of
harm that disappears when it alone is removed from the campaign graph, then simulates acting on
the top K of each kind, and on several kinds at once, against random choices of the same size.

What the simulation assumes, and every output says: **no displacement** (nobody takes over what
was removed: no new thread, no other creator, no new invite) and **the graph as observed** (the
campaigns as ``analyze`` linked them, with its errors; what the lake does not hold does not
count). Displacement scenarios show how much of the effect survives when a removed creator's
requests are picked up by the next most active creator of the same community.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..lake.workspace import Workspace
from .plan_graph import KIND_NOUNS, KIND_TITLES, KINDS, Campaign, PlanGraph, load_graph, reach_of

MEASURES = ("fulfilled", "praise", "reach", "targets")
MEASURE_TITLES = {
    "fulfilled": "fulfilled campaigns",
    "praise": "praise posts",
    "reach": "reach to other communities (campaign-destination pairs)",
    "targets": "targets still exposed (in a fulfilled campaign)",
}
# The measure each kind's share is a share of, and what "alone" losses rank ties by.
SHARE_OF = {
    "creator": "fulfilled",
    "thread": "fulfilled",
    "community": "fulfilled",
    "handle": "fulfilled",
    "hub": "reaching",
    "cluster": "reach",
}
DEFAULT_COMBINED = ("creator", "thread", "hub")  # rewards, request infrastructure, distribution
DISPLACEMENT_RATES = (0.0, 0.5, 1.0)
CACHE_MAX = 2_000_000  # remembered campaign outcomes (a few hundred MB at most)
ASSUMPTIONS = (
    "No displacement: nobody takes over what is removed (no new thread, creator or invite); "
    "the displacement scenarios relax this for creators and threads (not for hubs).",
    "The graph as observed: campaigns as `analyze` linked them, errors included; activity the "
    "lake does not hold is not counted.",
    "Removing a point removes its posts as if they had never been made, and everything anchored "
    "on them (praise of a removed fulfilment, reposts of its picture).",
    "Intervals are 95% bootstrap intervals over campaigns (the ranking itself is held fixed); the "
    "random baseline draws the same number of points of each kind uniformly.",
)


@dataclass(frozen=True, slots=True)
class Outcome:
    alive: bool  # the request survives
    fulfilled: bool
    praise: int
    reach: int


def outcome(c: Campaign, removed: frozenset[str]) -> Outcome:
    """One campaign after ``removed``: a member is gone when it carries a removed key or its anchor
    (in the same campaign) is gone; without a living fulfilment nothing is praised."""
    state: dict[str, bool] = {}
    alive: list[bool] = []
    for m in c.members:
        ok = not (m.keys & removed)
        if ok and m.anchor is not None and m.anchor != m.uid:
            ok = state.get(m.anchor, True)
        state[m.uid] = ok
        alive.append(ok)
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


def rank(sim: Simulator, kind: str, top: int | None = None) -> list[dict[str, Any]]:
    """Candidates of one kind by the share of harm each takes part in (``enabled``): creators and
    handles by the fulfilled campaigns they fulfilled, then praise received; threads and
    communities by the fulfilled campaigns requested there, then requests; hubs by the campaigns
    that reached them from elsewhere; clusters by the places they travelled to, then the
    campaign-destination pairs they carried (their share is of those pairs). ``alone`` is what goes if it alone is removed
    (smaller where another point does the same work: a campaign two creators fulfilled)."""
    rows = []
    total = sim.denominators()[SHARE_OF[kind]]
    for node, touched in sim.graph.touches.get(kind, {}).items():
        d = _detail(sim, kind, node, touched)
        lost = sim.lost(frozenset([node]))
        first = tuple(-v for v in d.pop("order"))
        key = (*first, -lost["fulfilled"], -lost["reach"], node)
        rows.append((key, node, lost, touched, d))
    rows.sort(key=lambda r: r[0])
    out = []
    for n, (_, node, lost, touched, d) in enumerate(rows[:top] if top else rows, start=1):
        out.append(
            {
                "rank": n,
                "kind": kind,
                "node": node,
                "name": node.split(":", 1)[1],
                "share": round(d["enabled"] / total, 6) if total else 0.0,
                "of": SHARE_OF[kind],
                "campaigns": len(touched),
                "alone": lost,
                **d,
            }
        )
    return out


def _detail(sim: Simulator, kind: str, node: str, touched: set[int]) -> dict[str, Any]:
    """The kind's own figures: ``enabled``, and the ``order`` it ranks by (largest first)."""
    cs = [(sim.graph.campaigns[i], sim.base[i]) for i in sorted(touched)]
    if kind in ("thread", "community"):
        req = [b for c, b in cs if node in c.members[0].keys]
        done = sum(b.fulfilled for b in req)
        rate = round(done / len(req), 4) if req else None
        return {
            "enabled": done,
            "order": (done, len(req)),
            "requests": len(req),
            "fulfilment_rate": rate,
        }
    if kind in ("creator", "handle"):
        mine = {
            m.uid for c, _ in cs for m in c.members if node in m.keys and m.part == "fulfillment"
        }
        done = sum(1 for c, b in cs if b.fulfilled and any(m.uid in mine for m in c.members))
        praise = sum(1 for c, _ in cs for m in c.members if m.part == "praise" and m.anchor in mine)
        return {
            "enabled": done,
            "order": (done, praise),
            "fulfilments": len(mine),
            "praise_received": praise,
        }
    if kind == "cluster":
        pairs = {
            (c.cid, m.place)
            for c, _ in cs
            for m in c.members
            if node in m.keys and m.place != c.place
        }
        places = {m.place for c, _ in cs for m in c.members if node in m.keys}
        return {"enabled": len(pairs), "order": (len(places), len(pairs)), "places": len(places)}
    place = node[len("hub:") :]
    reached = sum(1 for c, _ in cs if place in _reach_set(c))
    return {"enabled": reached, "order": (reached,), "reached_by": reached}


def _reach_set(c: Campaign) -> set[str]:
    return reach_of(c, [True] * len(c.members), frozenset())


@dataclass
class PlanOptions:
    budget: int = 5
    combine: dict[str, int] | None = None  # kind -> K for the combined plan
    kinds: tuple[str, ...] = KINDS
    bootstrap: int = 200
    random_draws: int = 50
    seed: int = 7
    top: int = 10  # ranked points shown per kind (at least the budget)


def plan(
    ws: Workspace, scope: str | None = None, options: PlanOptions | None = None
) -> dict[str, Any]:
    """Rankings, single-kind and combined plans with intervals and a random baseline, and the
    displacement scenarios, as one JSON-ready dict."""
    return plan_graph(load_graph(ws, scope), scope, options)


def plan_graph(
    graph: PlanGraph, scope: str | None = None, options: PlanOptions | None = None
) -> dict[str, Any]:
    opt = options or PlanOptions()
    sim = Simulator(graph)
    rankings = {k: rank(sim, k) for k in opt.kinds}
    combine = opt.combine or {k: opt.budget for k in DEFAULT_COMBINED if k in opt.kinds}
    plans = [(_name({k: opt.budget}), {k: opt.budget}) for k in opt.kinds]
    plans.append(("combined: " + _name(combine), combine))
    rng = np.random.default_rng(opt.seed)
    samples = [
        rng.integers(0, len(graph.campaigns), len(graph.campaigns)) for _ in range(opt.bootstrap)
    ]
    results = []
    for name, sizes in plans:
        chosen = {k: [r["node"] for r in rankings[k][:n]] for k, n in sizes.items()}
        results.append(simulate(sim, name, chosen, samples, opt))
    return {
        "scope": scope or "the whole workspace",
        "budget": opt.budget,
        "assumptions": list(ASSUMPTIONS),
        "measures": MEASURE_TITLES,
        "campaigns": len(graph.campaigns),
        "totals": sim.base_totals,
        "kinds": {k: KIND_TITLES[k] for k in opt.kinds},
        "candidates": {k: len(graph.touches.get(k, {})) for k in opt.kinds},
        "rankings": {k: v[: max(opt.top, opt.budget)] for k, v in rankings.items()},
        "plans": results,
        "seed": opt.seed,
        "bootstrap": opt.bootstrap,
        "random_draws": opt.random_draws,
    }


def _name(sizes: dict[str, int]) -> str:
    return " + ".join(f"{n} {KIND_NOUNS[k]}" for k, n in sizes.items())


def simulate(
    sim: Simulator,
    name: str,
    chosen: dict[str, list[str]],
    samples: list[np.ndarray],
    opt: PlanOptions,
) -> dict[str, Any]:
    """One plan: what remains, with bootstrap intervals, the random baseline and displacement."""
    removed = frozenset(n for nodes in chosen.values() for n in nodes)
    after = sim.run(removed)
    after_arrays = sim.arrays(after)
    totals = sim.totals(after_arrays)
    remaining: dict[str, Any] = {}
    shares: dict[str, list[float]] = {m: [] for m in MEASURES}
    for s in samples:
        b, a = sim.totals(sim.base_arrays, s), sim.totals(after_arrays, s)
        for m in MEASURES:
            shares[m].append(a[m] / b[m] if b[m] else 1.0)
    for m in MEASURES:
        base = sim.base_totals[m]
        remaining[m] = {
            "value": totals[m],
            "share": round(totals[m] / base, 4) if base else 1.0,
            "ci": _interval(shares[m]),
        }
    return {
        "name": name,
        "removed": dict(chosen),
        "remaining": remaining,
        "random": random_baseline(sim, {k: len(v) for k, v in chosen.items()}, opt),
        "displacement": displacement(sim, removed, after),
    }


def random_baseline(sim: Simulator, sizes: dict[str, int], opt: PlanOptions) -> dict[str, Any]:
    """The same number of points of each kind drawn uniformly: what a plan must beat."""
    rng = random.Random(opt.seed)
    draws: dict[str, list[float]] = {m: [] for m in MEASURES}
    pools = {k: sim.graph.candidates(k) for k in sizes}
    for _ in range(opt.random_draws):
        removed = frozenset(
            n for k, size in sizes.items() for n in rng.sample(pools[k], min(size, len(pools[k])))
        )
        t = sim.totals(sim.run(removed))
        for m in MEASURES:
            base = sim.base_totals[m]
            draws[m].append(t[m] / base if base else 1.0)
    out: dict[str, Any] = {}
    for m in MEASURES:
        if draws[m]:
            lo, hi = np.percentile(draws[m], [2.5, 97.5])
            out[m] = {
                "share": round(float(np.mean(draws[m])), 4),
                "ci": [round(float(lo), 4), round(float(hi), 4)],
            }
    return out


def displacement(sim: Simulator, removed: frozenset[str], after: list[Outcome]) -> dict[str, Any]:
    """Fulfilled campaigns a plan took are taken up again, at a rate: one that lost every
    fulfilment while its request stands, by the most active creator of the request's community
    still in place; one whose request went with its thread (its community standing), by the
    community's most active thread still in place, where the requester asks again."""
    creators: dict[str, Counter[str]] = defaultdict(Counter)
    threads: dict[str, Counter[str]] = defaultdict(Counter)
    for c, b in zip(sim.graph.campaigns, sim.base, strict=True):
        threads[c.place][_thread_of(c)] += 1
        if b.fulfilled:
            for k in {k for m in c.members if m.part == "fulfillment" for k in m.keys}:
                if k.startswith("creator:"):
                    creators[c.place][k] += 1
    takers: Counter[str] = Counter()
    back = {"fulfilled": 0, "praise": 0, "reach": 0}
    for i in sim.graph.affected(removed):
        b, a = sim.base[i], after[i]
        c = sim.graph.campaigns[i]
        if not b.fulfilled or a.fulfilled:
            continue
        if a.alive:
            pool = creators[c.place]
        elif _request_keys(c) & removed == {_thread_of(c)}:
            pool = threads[c.place]
        else:
            continue
        left = [(n, k) for k, n in pool.items() if k not in removed]
        if not left:
            continue
        takers[min(left, key=lambda x: (-x[0], x[1]))[1]] += 1
        back["fulfilled"] += 1
        back["praise"] += b.praise - a.praise
        back["reach"] += b.reach - a.reach
    totals = sim.totals(after)
    scenarios = []
    for rate in DISPLACEMENT_RATES:
        row: dict[str, Any] = {"rate": rate}
        for m in ("fulfilled", "praise", "reach"):
            value = totals[m] + rate * back[m]
            base = sim.base_totals[m]
            row[m] = round(value / base, 4) if base else 1.0
        scenarios.append(row)
    return {
        "recoverable": back["fulfilled"],
        "picked_up_by": [
            {"kind": k.split(":", 1)[0], "name": k.split(":", 1)[1], "campaigns": n}
            for k, n in takers.most_common(5)
        ],
        "scenarios": scenarios,
    }


def _request_keys(c: Campaign) -> frozenset[str]:
    return next((m.keys for m in c.members if m.uid == c.request), frozenset())


def _thread_of(c: Campaign) -> str:
    return next((k for k in _request_keys(c) if k.startswith("thread:")), "")


def _interval(values: list[float]) -> list[float] | None:
    """The 2.5th and 97.5th percentiles: a 95% interval."""
    if not values:
        return None
    lo, hi = np.percentile(values, [2.5, 97.5])
    return [round(float(lo), 4), round(float(hi), 4)]
