"""The one read of the lake a report makes: posts and enrichments within the scope, projected
into DuckDB temp tables (here, or one community per task on an executor)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from ..lake.datasets import (
    ENRICHMENT_SCHEMA,
    enriched_sql,
    relation,
)
from ..lake.query import (
    communities,
    connect,
    empty_relation,
    partition_sql,
    posts_relation_sql,
    sql_path,
)
from ..lake.workspace import Workspace
from ..models import POST_SCHEMA

if TYPE_CHECKING:
    from ..executors import Executor
from .model import Scope, one

REPORT_WINDOW = 16  # communities per executor map: bounds the rows the coordinator holds at once


def _scope_where(scope: Scope) -> tuple[str, list[Any]]:
    where = ["true"]
    params: list[Any] = []
    if scope.since:
        where.append("created_at >= ?::TIMESTAMPTZ")
        params.append(scope.since.isoformat())
    if scope.until:
        where.append("created_at < ?::TIMESTAMPTZ")
        params.append(scope.until.isoformat())
    if scope.platform:
        where.append("platform = ?")
        params.append(scope.platform)
    if scope.community:
        where.append("community = ?")
        params.append(scope.community)
    return " AND ".join(where), params


def _project(
    con: duckdb.DuckDBPyConnection, posts: str, enrichments: str, scope: Scope, into: str = ""
) -> None:
    """The two projections every section reads, as temp tables ``_p`` and ``_e`` (``into``:
    a suffix for a task's own tables)."""
    where, params = _scope_where(scope)
    con.execute(
        f"""CREATE TEMP TABLE _p{into} AS
            SELECT uid, platform, community, thread_id, created_at, author_key, len(media) AS n_media,
                   coalesce(list_sum([r.count for r in reactions]), 0) AS n_react
            FROM {posts} WHERE {where}""",
        params,
    )
    con.execute(
        f"""CREATE TEMP TABLE _e{into} AS SELECT e.uid, e.role, e.flags, e.destinations, e.links, e.tools,
                   e.target_relationship, e.target_ids, e.female_ref, p.created_at, p.platform, p.community
            FROM {enrichments} e JOIN _p{into} p USING (uid)"""
    )


def _scan_community(job: tuple[Workspace, str, str, Scope]) -> tuple[pa.Table, pa.Table]:
    """One community's projections, read from its partitions (a task on an executor)."""
    ws, platform, community, scope = job
    # the community in the scope too: a read that falls back to the whole dataset stays its own
    scope = dataclasses.replace(scope, platform=platform, community=community)
    con = connect(ws)
    posts = partition_sql(ws, "posts", platform, community) or posts_relation_sql(ws)
    enr = (
        enriched_sql(ws, platform, community)
        if partition_sql(ws, "enrichments", platform, community)
        else empty_relation(ENRICHMENT_SCHEMA)
    )
    _project(con, posts, enr, scope)
    return con.sql("SELECT * FROM _p").to_arrow_table(), con.sql(
        "SELECT * FROM _e"
    ).to_arrow_table()


class ScopedLake:
    """The lake within a report's scope, read once into temp tables every section queries:
    ``_p`` (posts without their text), ``_e`` (their enrichments), ``_c`` (campaigns opened in
    scope) and ``_m`` (their members)."""

    def __init__(self, ws: Workspace, scope: Scope, executor: Executor | None = None) -> None:
        self.ws = ws
        self.scope = scope
        self.con = connect(ws)
        self.key = ws.secret("hmac.key")
        c = self.con
        enr = enriched_sql(ws)
        if executor is None:  # one DuckDB pass here, on every core of this machine
            _project(c, posts_relation_sql(ws), enr, scope)
        else:
            _project(c, empty_relation(POST_SCHEMA), empty_relation(ENRICHMENT_SCHEMA), scope)
            parts = [
                (p, m)
                for p, m, _ in communities(ws)
                if scope.platform in (None, p) and scope.community in (None, m)
            ]
            for k in range(0, len(parts), REPORT_WINDOW):
                jobs = [(ws, p, m, scope) for p, m in parts[k : k + REPORT_WINDOW]]
                for p_rows, e_rows in executor.map(_scan_community, jobs):
                    for table, rows in (("_p", p_rows), ("_e", e_rows)):
                        c.register("_part", rows)
                        c.execute(f"INSERT INTO {table} SELECT * FROM _part")
                        c.unregister("_part")
        if ws.has_data("campaigns"):
            camps = f"read_parquet({sql_path(ws.dataset_glob('campaigns'))})"
            c.execute(
                f"CREATE TEMP TABLE _c AS SELECT c.* FROM {camps} c SEMI JOIN _p p ON p.uid = c.request_uid"
            )
        else:
            c.execute(
                "CREATE TEMP TABLE _c AS SELECT NULL::VARCHAR AS campaign_id, NULL::VARCHAR AS request_uid, "
                "NULL::TIMESTAMPTZ AS requested_at, NULL::BOOLEAN AS fulfilled, NULL::DOUBLE AS first_fulfillment_seconds, "
                "0::BIGINT AS fulfillment_count, 0::BIGINT AS praise_count, 0::BIGINT AS reaction_count, "
                "NULL::VARCHAR AS target, []::VARCHAR[] AS platforms, false AS minor_risk, NULL::VARCHAR AS platform, "
                "NULL::VARCHAR AS community WHERE false"
            )
        # names from `communities import`: every table that lists communities shows them
        c.execute(
            f"""CREATE TEMP TABLE _names AS SELECT platform, community, any_value(name) AS name
                FROM {relation(ws, "communities")} WHERE name IS NOT NULL GROUP BY ALL"""
        )
        members = relation(ws, "campaign_members")
        c.execute(
            f"CREATE TEMP TABLE _m AS SELECT m.* FROM {members} m SEMI JOIN _c USING (campaign_id)"
        )
        self.posts = int(one(c, "SELECT count(*) FROM _p"))
        self.analysed = int(one(c, "SELECT count(*) FROM _e"))
