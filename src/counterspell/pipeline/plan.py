"""The planner: which intervention points enable the most harm, and what acting on them leaves.

Removing one picture at a time does not work; the request infrastructure, the rewards that keep
creators going and the distribution networks have to be disrupted together. The planner ranks
each kind of intervention point (:data:`~counterspell.pipeline.plan_graph.KINDS`) by the share of
harm it takes part in (and shows what goes if it alone is removed), then simulates acting on the
top K of each kind, and on several kinds at once, against random choices of the same size.

What the simulation assumes, and every output says: **no displacement** (nobody takes over what
was removed: no new thread, no other creator, no new invite) and **the graph as observed** (the
campaigns as ``analyze`` linked them, with its errors; what the lake does not hold does not
count). Displacement scenarios show how much of the effect survives when a removed creator's
requests are picked up by the next most active creator of the same community, or a removed
thread's by the community's next thread.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..lake.workspace import Workspace
from .plan_graph import KIND_NOUNS, KIND_TITLES, KINDS, Campaign, PlanGraph, load_graph, reach_of
from .plan_sim import MEASURES, Outcome, Simulator, living, outcome

__all__ = [
    "MEASURES",
    "Outcome",
    "PlanOptions",
    "Simulator",
    "outcome",
    "plan",
    "plan_graph",
    "rank",
]

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
ASSUMPTIONS = (
    "No displacement: nobody takes over what is removed (no new thread, creator, community or "
    "invite); the displacement scenarios relax this for creators, threads, communities and hubs.",
    "The graph as observed: campaigns as `analyze` linked them, errors included; activity the "
    "lake does not hold is not counted.",
    "Removing a point removes its posts as if they had never been made, and everything anchored "
    "on them (praise of a removed fulfilment, reposts of its picture).",
    "Intervals are 95% bootstrap intervals over campaigns (the ranking itself is held fixed); the "
    "random baseline draws the same number of points of each kind uniformly.",
)


def rank(sim: Simulator, kind: str, top: int | None = None) -> list[dict[str, Any]]:
    """Candidates of one kind by the share of harm each takes part in (``enabled``).

    Creators and handles by the fulfilled campaigns they fulfilled, then praise received; threads
    and communities by the fulfilled campaigns requested there, then requests; hubs by the
    campaigns that reached them from elsewhere; clusters by the places they travelled to, then the
    campaign-destination pairs they carried (their share is of those pairs). ``alone`` is what
    goes if it alone is removed: smaller where another point does the same work (a campaign two
    creators fulfilled survives either one), so it ranks only ties.
    """
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
        req = [b for c, b in cs if node in _request_keys(c)]
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
    combine = opt.combine or {k: opt.budget for k in DEFAULT_COMBINED if k in opt.kinds}
    rankings = {k: rank(sim, k) for k in dict.fromkeys([*opt.kinds, *combine])}

    # a budget over what there is takes all of it, and says so ("4 communities (all)", not
    # "5 communities" where only 4 exist)
    def fit(asked: dict[str, int]) -> tuple[str, dict[str, int]]:
        sizes = {k: min(n, len(rankings[k])) for k, n in asked.items()}
        return _name(sizes, asked), sizes

    plans = [fit({k: opt.budget}) for k in opt.kinds]
    name, sizes = fit(combine)
    plans.append(("combined: " + name, sizes))
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
        "rankings": {k: rankings[k][: max(opt.top, opt.budget)] for k in opt.kinds},
        "plans": results,
        "seed": opt.seed,
        "bootstrap": opt.bootstrap,
        "random_draws": opt.random_draws,
    }


def _name(sizes: dict[str, int], asked: dict[str, int] | None = None) -> str:
    return " + ".join(
        f"{n} {KIND_NOUNS[k]}" + (" (all)" if asked and n < asked[k] else "")
        for k, n in sizes.items()
    )


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
    """What a plan took, taken up again at a rate, by whoever is most active in the same place.

    - A fulfilled campaign that lost every fulfilment while its request stands: by the most
      active creator of the request's community still in place.
    - One whose request went with its thread (its community standing): by the community's most
      active thread still in place, where the requester asks again.
    - One whose request community (or that place as a hub) was taken down: by the community its
      campaigns reached most often that is itself a request community with a creator still in
      place, where the requester asks again and gets as much as before.
    - A campaign still standing that lost places it reached (a hub removed): its material goes to
      the places its community's campaigns reached most often, still in place and not reached by
      it already, one for each place lost while there are such places (``rerouted``).
    """
    creators: dict[str, Counter[str]] = defaultdict(Counter)
    threads: dict[str, Counter[str]] = defaultdict(Counter)
    reached: dict[str, Counter[str]] = defaultdict(Counter)  # place -> where its campaigns went
    for c, b in zip(sim.graph.campaigns, sim.base, strict=True):
        threads[c.place][_thread_of(c)] += 1
        reached[c.place].update(_reach_set(c))
        if b.fulfilled:
            for k in {k for m in c.members if m.part == "fulfillment" for k in m.keys}:
                if k.startswith("creator:"):
                    creators[c.place][k] += 1

    def standing(place: str) -> bool:
        return f"community:{place}" not in removed and f"hub:{place}" not in removed

    def first(pool: Counter[str], skip: Callable[[str], bool]) -> str | None:
        left = [(n, k) for k, n in pool.items() if not skip(k)]
        return min(left, key=lambda x: (-x[0], x[1]))[1] if left else None

    takers: Counter[str] = Counter()
    back = {"fulfilled": 0, "praise": 0, "reach": 0}
    rerouted = 0
    for i in sim.graph.affected(removed):
        b, a = sim.base[i], after[i]
        c = sim.graph.campaigns[i]
        if b.fulfilled and not a.fulfilled:
            taker: str | None = None
            if a.alive:
                taker = first(creators[c.place], lambda k: k in removed)
            elif _request_keys(c) & removed == {_thread_of(c)}:
                taker = first(threads[c.place], lambda k: k in removed)
            elif not standing(c.place):
                taker = first(
                    reached[c.place],
                    lambda p: not standing(p) or first(creators[p], removed.__contains__) is None,
                )
                taker = None if taker is None else f"community:{taker}"
            if taker is not None:
                takers[taker] += 1
                back["fulfilled"] += 1
                back["praise"] += b.praise - a.praise
                back["reach"] += b.reach - a.reach
        elif a.alive and a.reach < b.reach:
            kept = reach_of(c, living(c, removed)[0], removed)
            lost = b.reach - a.reach
            for place, _ in sorted(reached[c.place].items(), key=lambda x: (-x[1], x[0])):
                if lost == 0:
                    break
                if place != c.place and place not in kept and standing(place):
                    takers[f"hub:{place}"] += 1
                    back["reach"] += 1
                    lost -= 1
            rerouted += int(lost < b.reach - a.reach)
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
        "rerouted": rerouted,
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
