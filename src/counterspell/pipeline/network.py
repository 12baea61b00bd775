"""The graph stages, in order: reply graph, media clusters, campaigns, actors, bridges.

They need whole communities (and, for media and bridges, the whole lake), so they run after the
per-post stages and rebuild their datasets from scratch each time: a new post can change which
campaign an older one belongs to. Work that spans the lake is done by DuckDB with a memory limit
(spilling to ``lake/_state/tmp``); the only Python loop is the per-community linker, whose state
is bounded. Nothing here holds the lake, or a graph of it, in Python memory.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import duckdb

from ..executors import Executor
from ..lake.query import communities, connect, posts_relation_sql, replace_dataset, sql_path
from ..lake.workspace import Workspace
from . import actors as actors_stage
from . import bridges as bridges_stage
from . import campaigns as campaigns_stage
from . import linking
from .clusters import build_cluster_sightings, build_clusters
from .progress import Progress, Quiet


@dataclass
class NetworkResult:
    replies: int = 0
    missing_parents: int = 0
    media_clusters: int = 0
    campaign_members: int = 0
    campaigns: int = 0
    actors: int = 0
    bridges: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    linked: dict[str, int] = field(default_factory=dict)  # communities reused, resumed, relinked


GRAPH_STEPS = (
    "reply links",
    "media clusters",
    "linking campaigns",
    "campaigns",
    "actors",
    "bridges",
)


def build_network(
    ws: Workspace,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    full: bool = False,
) -> NetworkResult:
    """Run every graph stage; each replaces its dataset only when it has finished.

    ``workers`` processes link communities in parallel (default: the ``workers`` setting, or one
    per CPU), or the tasks of an ``executor`` (a Dask cluster); the lake-wide stages run in
    DuckDB, which uses every core anyway. Communities whose posts and enrichments did not change
    since the last run keep their saved links, and ones that only gained later posts resume
    from the linker's saved state (:mod:`.linking`); ``full`` re-links every community.
    """
    result = NetworkResult()
    if not ws.has_data("posts"):
        return result
    con = connect(ws)
    settings = ws.settings
    clock = time.perf_counter()
    progress = progress or Quiet()
    progress.stage("graph stages", len(GRAPH_STEPS))
    progress.advance(0, GRAPH_STEPS[0])
    step = iter(GRAPH_STEPS[1:])

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[name] = round(now - clock, 3)
        clock = now
        progress.advance(1, next(step, "done"))

    result.replies, result.missing_parents = build_replies(ws, con)
    lap("replies")
    result.media_clusters = build_clusters(ws, con, settings.pdq_threshold)
    build_cluster_sightings(ws, con)
    lap("media_clusters")
    n_workers = workers if workers is not None else (settings.workers or os.cpu_count() or 1)
    files, result.linked = linking.link_local(ws, communities(ws), n_workers, executor, full)
    lap("link_local")
    result.campaign_members, result.campaigns = campaigns_stage.finish(ws, con, files)
    lap("campaigns")
    result.actors = actors_stage.build_actors(ws, con)
    lap("actors")
    result.bridges = bridges_stage.build_bridges(ws, con)
    lap("bridges")
    return result


def build_replies(ws: Workspace, con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """One row per reply link; links to posts the lake does not hold are kept, marked."""
    posts = posts_relation_sql(ws)
    n = replace_dataset(
        con,
        ws,
        "replies",
        f"""WITH r AS (SELECT uid, platform, community, unnest(parent_uids) AS parent_uid
                       FROM {posts} WHERE len(parent_uids) > 0)
            SELECT r.uid, r.platform, r.community, r.parent_uid, q.uid IS NOT NULL AS parent_found,
                   q.community AS parent_community
            FROM r LEFT JOIN (SELECT uid, community FROM {posts}) q ON q.uid = r.parent_uid
            ORDER BY r.platform, r.community, r.uid""",
    )
    missing = con.execute(
        f"SELECT count(*) FROM read_parquet({sql_path(ws.dataset_glob('replies'))}) WHERE NOT parent_found"
    ).fetchall()[0][0]
    return n, int(missing)


def network_summary(ws: Workspace) -> dict[str, object]:
    """Headline figures of the graph stages (empty when they have not run)."""
    if not ws.has_data("campaigns"):
        return {}
    from .actors import recognition

    con = connect()
    camps = sql_path(ws.dataset_glob("campaigns"))
    row = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE fulfilled),
                   median(first_fulfillment_seconds), count(*) FILTER (WHERE len(platforms) > 1),
                   count(*) FILTER (WHERE minor_risk), coalesce(sum(praise_count), 0), coalesce(sum(reaction_count), 0)
            FROM read_parquet({camps})"""
    ).fetchall()[0]
    bridges = (
        dict(
            con.execute(
                f"SELECT kind, count(*) FROM read_parquet({sql_path(ws.dataset_glob('bridges'))}) GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        if ws.has_data("bridges")
        else {}
    )
    return {
        "campaigns": int(row[0]),
        "fulfilled": int(row[1]),
        "median_first_fulfillment_s": float(row[2]) if row[2] is not None else None,
        "cross_platform": int(row[3]),
        "minor_risk": int(row[4]),
        "praise": int(row[5]),
        "reactions": int(row[6]),
        "bridges": {str(k): int(v) for k, v in bridges.items()},
        "recognition": recognition(ws),
    }
