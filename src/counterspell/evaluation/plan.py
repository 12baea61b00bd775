"""The planner against a synthetic corpus's ground truth.

Two checks, both on corpora from ``counterspell synth`` whose ``truth.csv`` names every post's
author and campaign:

- **precision at 10**: of the planner's 10 highest-ranked creators, the share that are one of the
  10 creators with the most true fulfilled campaigns (an actor is the truth author of most of its
  posts; one creator seen on three platforms is three actors, each of which counts); the same
  with the ranking read as people (each truth author once, at its best-ranked actor); of its
  highest-ranked hubs among the lake's communities, the share among the true hubs (communities
  that true campaigns reached from another community, ranked by how many). The synthetic world has
  a handful of communities, so the hub figure is at min(10, true hubs).
- **simulation against re-linking**: the planner predicts what remains when some creators are
  removed, by cutting them out of the linked graph; the other way is to delete their posts from a
  copy of the lake and run the graph stages again (the linker re-places what is left: praise of a
  removed fulfilment may land on another one). The two are compared measure by measure. The copy
  keeps the roles as they were classified with those posts present.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import CounterspellError
from ..lake.query import connect, posts_relation_sql, sql_path
from ..lake.workspace import Workspace
from ..pipeline.network import build_network
from ..pipeline.plan import MEASURES, Simulator, rank
from ..pipeline.plan_graph import load_graph

AT = 10


@dataclass
class PlanTruth:
    creators_at_10: float  # share of the planner's top 10 creators that are true top-10 creators
    distinct_true_creators_in_top_10: int
    # the planner's ranking read as people: each truth author at its first actor, the first 10
    people_at_10: float
    hubs_at_k: float
    hubs_k: int
    true_top_creators: list[str]
    planner_top_creators: list[tuple[str, str]]  # (actor, the truth author it maps to)
    true_hubs: list[str]
    planner_hubs: list[str]


def truth_authors(ws: Workspace, truth: Path) -> dict[str, str]:
    """Every lake post's truth author, by platform, community and post id."""
    con = connect(ws)
    posts = posts_relation_sql(ws)
    rows = con.execute(
        f"""SELECT p.uid, t.author
            FROM read_csv({sql_path(truth)}, header = true, all_varchar = true) t
            JOIN (SELECT uid, platform, community, post_id FROM {posts}) p
              ON p.platform = t.platform AND p.community = t.community AND p.post_id = t.post_id
            WHERE coalesce(t.author, '') <> ''"""
    ).fetchall()
    return {str(u): str(a) for u, a in rows}


def _truth_rows(ws: Workspace, truth: Path, sql: str) -> list[tuple[Any, ...]]:
    con = connect(ws)
    con.execute(
        f"CREATE TEMP TABLE t AS SELECT * FROM read_csv({sql_path(truth)}, header = true, all_varchar = true)"
    )
    return con.execute(sql).fetchall()


def true_creators(ws: Workspace, truth: Path) -> list[str]:
    """Creators by distinct true campaigns they fulfilled, most first (ties by name)."""
    rows = _truth_rows(
        ws,
        truth,
        """SELECT author, count(DISTINCT campaign) AS n FROM t
           WHERE part = 'fulfillment' AND campaign <> '' AND starts_with(author, 'creator')
           GROUP BY author ORDER BY n DESC, author""",
    )
    return [str(r[0]) for r in rows]


def true_hubs(ws: Workspace, truth: Path) -> list[str]:
    """Communities true campaigns reached from another community, by how many campaigns."""
    rows = _truth_rows(
        ws,
        truth,
        """WITH r AS (SELECT campaign, any_value(platform || ':' || community) AS home FROM t
                      WHERE part = 'request' AND campaign <> '' GROUP BY campaign)
           SELECT t.platform || ':' || t.community AS place, count(DISTINCT t.campaign) AS n
           FROM t JOIN r USING (campaign) WHERE t.platform || ':' || t.community <> r.home
           GROUP BY place ORDER BY n DESC, place""",
    )
    return [str(r[0]) for r in rows]


def actor_authors(ws: Workspace, authors: dict[str, str]) -> dict[str, str]:
    """``platform:author_key`` -> the truth author of most of its posts."""
    con = connect(ws)
    rows = con.execute(
        f"SELECT uid, platform || ':' || author_key FROM {posts_relation_sql(ws)} WHERE author_key IS NOT NULL"
    ).fetchall()
    votes: dict[str, Counter[str]] = {}
    for uid, actor in rows:
        a = authors.get(str(uid))
        if a is not None:
            votes.setdefault(str(actor), Counter())[a] += 1
    return {actor: c.most_common(1)[0][0] for actor, c in votes.items()}


PLAN_TRUTH = ("platform", "community", "post_id", "author", "part", "campaign")


def score_plan(ws: Workspace, truth: str | Path) -> PlanTruth:
    from .campaigns import csv_table

    truth = Path(truth)
    csv_table(
        connect(ws),
        truth,
        "_plan_truth",
        PLAN_TRUTH,
        ",".join(PLAN_TRUTH) + " (the synthetic truth.csv)",
    )
    sim = Simulator(load_graph(ws))
    mapping = actor_authors(ws, truth_authors(ws, truth))
    ranked = [r["name"] for r in rank(sim, "creator")]
    top_true = true_creators(ws, truth)[:AT]
    mapped = [(a, mapping.get(a, "")) for a in ranked[:AT]]
    people = list(dict.fromkeys(mapping.get(a, a) for a in ranked))[:AT]
    hits = sum(1 for _, t in mapped if t in top_true)
    hubs_true = true_hubs(ws, truth)
    ingested = {m.place for c in sim.graph.campaigns for m in c.members}  # truth knows these
    hubs = [r["name"] for r in rank(sim, "hub") if r["name"] in ingested]
    k = min(AT, len(hubs_true)) or 1
    return PlanTruth(
        creators_at_10=round(hits / AT, 4),
        distinct_true_creators_in_top_10=len({t for _, t in mapped if t in top_true}),
        people_at_10=round(sum(1 for p in people if p in top_true) / AT, 4),
        hubs_at_k=round(len(set(hubs[:k]) & set(hubs_true[:k])) / k, 4),
        hubs_k=k,
        true_top_creators=top_true,
        planner_top_creators=mapped,
        true_hubs=hubs_true,
        planner_hubs=hubs,
    )


def relink_without(ws: Workspace, actors: list[str], root: Path) -> Workspace:
    """A copy of the workspace at ``root`` with every post by ``actors`` (``platform:author_key``)
    deleted from posts, enrichments and media, and the graph stages run again over it (a local
    lake only: the copy is rewritten file by file)."""
    if not ws.lake.is_local:
        raise CounterspellError(f"{ws.root}: re-linking a copy needs a local lake")
    shutil.copytree(ws.root, root)
    copy = Workspace.open(root)
    con = connect(copy)
    drop = [
        str(r[0])
        for r in con.execute(
            f"SELECT uid FROM {posts_relation_sql(copy)} WHERE list_contains(?, platform || ':' || author_key)",
            [actors],
        ).fetchall()
    ]
    for name in ("posts", "enrichments", "media"):
        for path in sorted(Path(str(copy.dataset(name))).rglob("*.parquet")):
            table = pq.read_table(path)
            keep = table.filter(pc.invert(pc.is_in(table.column("uid"), value_set=_array(drop))))
            if keep.num_rows != table.num_rows:
                pq.write_table(keep, path)
    build_network(copy, workers=1)
    return copy


def _array(values: list[str]) -> pa.Array:
    return pa.array(values, type=pa.string())


def simulation_vs_relink(ws: Workspace, actors: list[str], root: Path) -> dict[str, Any]:
    """What the planner predicts remains after removing ``actors`` (as creators), beside what
    re-linking the lake without their posts finds; each as a share of the untouched totals."""
    sim = Simulator(load_graph(ws))
    removed = frozenset(f"creator:{a}" for a in actors)
    predicted = sim.totals(sim.run(removed))
    relinked = Simulator(load_graph(relink_without(ws, actors, root))).base_totals
    base = sim.base_totals
    return {
        m: {
            "before": base[m],
            "simulated": predicted[m],
            "relinked": relinked[m],
            "difference": round((predicted[m] - relinked[m]) / base[m], 4) if base[m] else 0.0,
        }
        for m in MEASURES
    }
