"""Every number of the report, computed by DuckDB over the lake within a scope (dates, platform,
community). Nothing here holds the lake in Python: each table is an aggregate.

The lake is read once, into two projections (posts without their text, and their enrichments),
which every section then queries. On an executor (``report --executor dask``) that read is one
task per community, so workers fetch and join their partitions (from an object store, the part
that costs) and send back only the projected rows.

A :class:`Report` is a list of sections; each section has *facts* (single numbers the text quotes,
each with the exact text it is shown as), *tables* (written as CSV) and *charts* (what to draw,
with a one-sentence takeaway computed from the same rows). The HTML, the CSV files and the figures
are all rendered from this one object, which is how the numbers in the text and in the tables
agree.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

from ..lake.datasets import (
    BRIDGE_SCHEMA,
    ENRICHMENT_SCHEMA,
    enriched_sql,
    relation,
)
from ..lake.manifest import Manifest
from ..lake.query import (
    communities,
    connect,
    dataset_sql,
    empty_relation,
    partition_sql,
    posts_relation_sql,
    sql_path,
)
from ..lake.workspace import Workspace
from ..measures import gini, top_share
from ..models import POST_SCHEMA
from ..privacy import pseudonym
from ..version import __version__

if TYPE_CHECKING:
    from ..executors import Executor

Row = dict[str, Any]
NOT_PUBLIC = ("coworker", "classmate", "ex", "family", "acquaintance", "stranger")
TOP_CREATORS = 15


@dataclass(frozen=True, slots=True)
class Scope:
    since: date | None = None
    until: date | None = None  # exclusive
    platform: str | None = None
    community: str | None = None

    def describe(self) -> str:
        parts = []
        if self.platform:
            parts.append(f"platform {self.platform}")
        if self.community:
            parts.append(f"community {self.community}")
        if self.since:
            parts.append(f"from {self.since.isoformat()}")
        if self.until:
            parts.append(f"before {self.until.isoformat()}")
        return ", ".join(parts) or "the whole workspace"


@dataclass
class Fact:
    value: Any
    text: str


@dataclass
class Chart:
    name: str  # figures/<name>.svg
    kind: str  # stacked_bars, lines, histogram, lorenz, barh, network
    title: str
    xlabel: str
    ylabel: str
    table: str  # the table it draws
    takeaway: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    facts: dict[str, Fact] = field(default_factory=dict)
    tables: dict[str, list[Row]] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: str | None = None  # why there is nothing to show

    def fact(self, name: str, value: Any, text: str | None = None) -> Fact:
        f = Fact(value, text if text is not None else _fmt(value))
        self.facts[name] = f
        return f


@dataclass
class Report:
    scope: Scope
    generated_for: str
    sections: list[Section]

    def tables(self) -> dict[str, list[Row]]:
        return {name: rows for s in self.sections for name, rows in s.tables.items()}

    def facts(self) -> dict[str, Fact]:
        return {f"{s.key}.{k}": f for s in self.sections for k, f in s.facts.items()}


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Row]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    out = []
    for r in cur.fetchall():
        row = {}
        for k, v in zip(names, r, strict=True):
            if isinstance(v, datetime):
                v = v.date().isoformat() if k == "week" else v.isoformat()
            elif isinstance(v, date):
                v = v.isoformat()
            elif isinstance(v, float):
                v = round(v, 6)
            row[k] = v
        out.append(row)
    return out


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


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


class _Builder:
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
        members = relation(ws, "campaign_members")
        c.execute(
            f"CREATE TEMP TABLE _m AS SELECT m.* FROM {members} m SEMI JOIN _c USING (campaign_id)"
        )
        self.posts = int(_one(c, "SELECT count(*) FROM _p"))
        self.analysed = int(_one(c, "SELECT count(*) FROM _e"))

    # 1. Data -------------------------------------------------------------------------------
    def data(self) -> Section:
        s = Section("data", "Data")
        c = self.con
        row = c.execute(
            """SELECT count(DISTINCT platform), count(DISTINCT platform || ':' || community),
                      count(DISTINCT platform || ':' || community || ':' || thread_id),
                      count(DISTINCT platform || ':' || author_key), coalesce(sum(n_media), 0),
                      min(created_at), max(created_at)
               FROM _p"""
        ).fetchall()[0]
        s.fact("posts", self.posts)
        s.fact("platforms", int(row[0]))
        s.fact("communities", int(row[1]))
        s.fact("threads", int(row[2]))
        s.fact("authors", int(row[3]))
        s.fact("media", int(row[4]))
        s.fact("first_post", row[5].date().isoformat() if row[5] else None)
        s.fact("last_post", row[6].date().isoformat() if row[6] else None)
        s.fact("analysed", self.analysed)
        s.tables["communities"] = _rows(
            c,
            """SELECT platform, community, count(*) AS posts, count(DISTINCT thread_id) AS threads,
                      count(DISTINCT author_key) AS authors, sum(n_media)::BIGINT AS media,
                      min(created_at)::DATE AS first_post, max(created_at)::DATE AS last_post
               FROM _p GROUP BY ALL ORDER BY posts DESC, platform, community""",
        )
        manifest = Manifest(self.ws.manifest_path)
        try:
            s.tables["inputs"] = [
                {
                    "path": r.path,
                    "sha256": r.sha256,
                    "format": r.format,
                    "bytes": r.size,
                    "posts_added": r.posts_added,
                    "duplicates": r.posts_duplicate,
                    "quarantined": r.quarantined,
                    "ingested_at": r.ingested_at,
                }
                for r in manifest.inputs()
            ]
        finally:
            manifest.close()
        settings = self.ws.settings
        s.tables["configuration"] = [
            {"setting": "counterspell_version", "value": __version__},
            {"setting": "scope", "value": self.scope.describe()},
            *({"setting": k, "value": str(getattr(settings, k))} for k in settings.__slots__),
        ]
        if not self.posts:
            s.empty = "The workspace holds no posts in this scope: ingest exports first."
        elif not self.analysed:
            s.empty = "No post in this scope has been analysed: run 'counterspell analyze'."
        return s

    # 2. Activity ---------------------------------------------------------------------------
    def activity(self) -> Section:
        s = Section("activity", "Activity over time")
        c = self.con
        s.tables["posts_per_week_by_role"] = _rows(
            c,
            """SELECT date_trunc('week', created_at)::DATE AS week, coalesce(role, 'not analysed') AS role, count(*) AS posts
               FROM _p LEFT JOIN (SELECT uid, role FROM _e) USING (uid) GROUP BY ALL ORDER BY week, role""",
        )
        s.tables["requests_per_week"] = _rows(
            c,
            """SELECT date_trunc('week', requested_at)::DATE AS week, count(*) AS requests,
                      count(*) FILTER (WHERE fulfilled) AS fulfilled_requests, sum(fulfillment_count)::BIGINT AS fulfilments
               FROM _c GROUP BY ALL ORDER BY week""",
        )
        weeks = s.tables["requests_per_week"]
        if not s.tables["posts_per_week_by_role"]:
            s.empty = "No posts in this scope."
            return s
        busiest = max(weeks, key=lambda r: (r["requests"], r["week"])) if weeks else None
        s.fact("weeks", len({r["week"] for r in s.tables["posts_per_week_by_role"]}))
        s.charts.append(
            Chart(
                "activity_by_role",
                "stacked_bars",
                "Posts per week by role",
                "week (starting Monday)",
                "posts per week",
                "posts_per_week_by_role",
                f"{s.facts['weeks'].text} weeks of activity; the busiest week for requests began "
                f"{busiest['week']} with {busiest['requests']:,} requests."
                if busiest
                else f"{s.facts['weeks'].text} weeks of activity; no requests were found.",
                {"x": "week", "stack": "role", "y": "posts"},
            )
        )
        if weeks:
            s.charts.append(
                Chart(
                    "requests_fulfilments",
                    "lines",
                    "Requests and fulfilments per week",
                    "week (starting Monday)",
                    "per week",
                    "requests_per_week",
                    f"Of {sum(r['requests'] for r in weeks):,} requests, "
                    f"{sum(r['fulfilled_requests'] for r in weeks):,} were fulfilled at least once.",
                    {"x": "week", "y": ["requests", "fulfilled_requests", "fulfilments"]},
                )
            )
        return s

    # 3. Requests and fulfilment ------------------------------------------------------------
    def fulfilment(self) -> Section:
        s = Section("fulfilment", "Requests and fulfilment")
        c = self.con
        n, fulfilled = c.execute(
            "SELECT count(*), count(*) FILTER (WHERE fulfilled) FROM _c"
        ).fetchall()[0]
        s.fact("requests", int(n))
        s.fact("fulfilled", int(fulfilled))
        rate = fulfilled / n if n else None
        s.fact("fulfilment_rate", round(rate, 6) if rate is not None else None, pct(rate))
        hours = [
            float(r[0]) / 3600
            for r in c.execute(
                "SELECT first_fulfillment_seconds FROM _c WHERE fulfilled AND first_fulfillment_seconds >= 0 ORDER BY 1"
            ).fetchall()
        ]
        med, lo, hi = median_ci(hours)
        s.fact("median_hours_to_fulfilment", med, "n/a" if med is None else f"{med:.1f} h")
        s.fact("median_ci_low", lo, "n/a" if lo is None else f"{lo:.1f} h")
        s.fact("median_ci_high", hi, "n/a" if hi is None else f"{hi:.1f} h")
        s.tables["fulfilment"] = [
            {"requests": int(n), "fulfilled": int(fulfilled), "fulfilment_rate": s.facts["fulfilment_rate"].value,
             "median_hours_to_first_fulfilment": med, "median_ci95_low_hours": lo, "median_ci95_high_hours": hi}
        ]  # fmt: skip
        edges = [0, 0.25, 0.5, 1, 2, 4, 8, 16, 24, 48, 96, math.inf]
        s.tables["time_to_fulfilment"] = [
            {"from_hours": a, "to_hours": b if b != math.inf else None,
             "requests": sum(1 for h in hours if a <= h < b)}
            for a, b in itertools.pairwise(edges)
        ]  # fmt: skip
        rer = c.execute(
            "SELECT count(*), coalesce(max(k), 0) FROM (SELECT target, count(*) AS k FROM _c WHERE target IS NOT NULL GROUP BY 1 HAVING count(*) > 1)"
        ).fetchall()[0]
        s.fact("targets_requested_again", int(rer[0]))
        s.fact("most_requests_for_one_target", int(rer[1]))
        s.tables["rerequests"] = _rows(
            c,
            """SELECT k AS requests_for_the_target, count(*) AS targets FROM
               (SELECT target, count(*) AS k FROM _c WHERE target IS NOT NULL GROUP BY 1) GROUP BY 1 ORDER BY 1""",
        )
        if not n:
            s.empty = "No requests were found in this scope."
            return s
        if hours:
            s.charts.append(
                Chart(
                    "time_to_fulfilment",
                    "bars",
                    "Time from request to first fulfilment",
                    "hours after the request",
                    "fulfilled requests",
                    "time_to_fulfilment",
                    f"Half of the fulfilled requests were answered within {s.facts['median_hours_to_fulfilment'].text} "
                    f"(95% CI {s.facts['median_ci_low'].text} to {s.facts['median_ci_high'].text}); "
                    f"{s.facts['fulfilment_rate'].text} of requests were fulfilled.",
                    {"label": "from_hours", "y": "requests"},
                )
            )
        return s

    # 4. Rewards ----------------------------------------------------------------------------
    def rewards(self) -> Section:
        s = Section("rewards", "Rewards")
        c = self.con
        per = c.execute(
            """SELECT count(*), avg(praise), median(praise), avg(react), median(react) FROM (
                   SELECT f.uid, count(pr.uid) AS praise, any_value(p.n_react) AS react
                   FROM _m f JOIN _p p USING (uid) LEFT JOIN _m pr ON pr.anchor_uid = f.uid AND pr.part = 'praise'
                   WHERE f.part = 'fulfillment' GROUP BY f.uid)"""
        ).fetchall()[0]
        s.fact("fulfilments", int(per[0]))
        s.fact("praise_per_fulfilment", round(float(per[1]), 6) if per[1] is not None else None)
        s.fact("reactions_per_fulfilment", round(float(per[3]), 6) if per[3] is not None else None)
        s.tables["rewards_per_fulfilment"] = [
            {"fulfilments": int(per[0]), "mean_praise": per[1], "median_praise": per[2],
             "mean_reactions": per[3], "median_reactions": per[4]}
        ]  # fmt: skip
        creators: list[Row] = []
        if self.ws.has_data("actors"):
            actors = relation(self.ws, "actors")
            creators = _rows(
                c,
                f"""SELECT a.actor_id, a.platform, a.fulfillments, a.praise_received, a.reactions_received
                    FROM {actors} a SEMI JOIN (SELECT DISTINCT platform || ':' || author_key AS actor_id FROM _p) USING (actor_id)
                    WHERE a.fulfillments > 0
                    ORDER BY a.praise_received DESC, a.reactions_received DESC, a.fulfillments DESC, a.actor_id""",
            )
        for r in creators:  # creators appear by pseudonym only
            r["creator"] = "creator_" + pseudonym(self.key, "actor", r.pop("actor_id"))[4:14]
        praise = [r["praise_received"] for r in creators]
        arr = np.asarray(praise, dtype=float)
        s.fact("creators", len(creators))
        s.fact("praise_gini", round(gini(arr), 6) if len(arr) else None,
               f"{gini(arr):.2f}" if len(arr) else "n/a")  # fmt: skip
        s.fact("top5_share", round(top_share(arr), 6) if len(arr) else None,
               pct(top_share(arr)) if len(arr) else "n/a")  # fmt: skip
        s.tables["creators"] = [
            {"rank": i + 1, "creator": r["creator"], "platform": r["platform"], "fulfilments": r["fulfillments"],
             "praise_received": r["praise_received"], "reactions_received": r["reactions_received"]}
            for i, r in enumerate(creators)
        ]  # fmt: skip
        total = float(arr.sum()) if len(arr) else 0.0
        ordered = np.sort(arr)
        cum = np.cumsum(ordered) / total if total else np.zeros(len(ordered))
        s.tables["lorenz"] = [{"creators_share": 0.0, "praise_share": 0.0}] + [
            {"creators_share": round((i + 1) / len(ordered), 6), "praise_share": round(float(v), 6)}
            for i, v in enumerate(cum)
        ]
        if not creators:
            s.empty = (
                "No named creators in this scope (anonymous fulfilments have no actor)."
                if s.facts["fulfilments"].value
                else "No fulfilments in this scope."
            )
            return s
        s.charts.append(
            Chart(
                "lorenz",
                "lorenz",
                "Concentration of praise among creators",
                "share of creators (poorest first)",
                "share of praise received",
                "lorenz",
                f"The top 5% of {len(creators):,} named creators receive {s.facts['top5_share'].text} of the praise "
                f"(Gini {s.facts['praise_gini'].text}).",
            )
        )
        s.tables["top_creators"] = s.tables["creators"][:TOP_CREATORS]
        s.charts.append(
            Chart(
                "top_creators",
                "barh",
                f"The {min(TOP_CREATORS, len(creators))} creators most praised",
                "praise posts received",
                "creator (pseudonym)",
                "top_creators",
                f"The most praised creator received {creators[0]['praise_received']:,} praise posts for "
                f"{creators[0]['fulfillments']:,} fulfilments.",
                {"label": "creator", "y": "praise_received"},
            )
        )
        return s

    # 5. Targets ----------------------------------------------------------------------------
    def targets(self) -> Section:
        s = Section("targets", "Targets")
        c = self.con
        s.fact(
            "distinct_targets",
            int(
                _one(
                    c,
                    "SELECT count(DISTINCT t) FROM (SELECT unnest(target_ids) AS t FROM _e WHERE role = 'request')",
                )
            ),
        )
        s.tables["relationships"] = _rows(
            c,
            """SELECT coalesce(target_relationship, 'unknown') AS relationship, count(*) AS requests
               FROM _e WHERE role = 'request' GROUP BY 1 ORDER BY requests DESC, relationship""",
        )
        known = [
            r for r in s.tables["relationships"] if r["relationship"] not in ("unknown", "none")
        ]
        n_known = sum(r["requests"] for r in known)
        not_public = sum(r["requests"] for r in known if r["relationship"] in NOT_PUBLIC)
        share = not_public / n_known if n_known else None
        s.fact("requests_with_relationship", n_known)
        s.fact(
            "share_not_public_figures", round(share, 6) if share is not None else None, pct(share)
        )
        n_req, female = c.execute(
            "SELECT count(*), count(*) FILTER (WHERE female_ref) FROM _e WHERE role = 'request'"
        ).fetchall()[0]
        fshare = female / n_req if n_req else None
        s.fact("requests", int(n_req))
        s.fact("share_women", round(fshare, 6) if fshare is not None else None, pct(fshare))
        s.tables["targets_across"] = _rows(
            c,
            """SELECT target, count(*) AS campaigns, count(DISTINCT platform || ':' || community) AS communities,
                      list_sort(list_distinct(flatten(list(platforms)))) AS platforms
               FROM _c WHERE target IS NOT NULL GROUP BY target
               HAVING count(*) > 1 ORDER BY campaigns DESC, communities DESC, target LIMIT 100""",
        )
        for r in s.tables["targets_across"]:
            r["platforms"] = ";".join(r["platforms"] or [])
        s.fact(
            "targets_on_several_platforms",
            sum(1 for r in s.tables["targets_across"] if ";" in r["platforms"]),
        )
        if not n_req:
            s.empty = "No requests in this scope."
            return s
        s.charts.append(
            Chart(
                "relationships",
                "barh",
                "Who the requested women are to the requester",
                "requests",
                "stated relationship",
                "relationships",
                f"Where the request says who she is ({n_known:,} requests), {s.facts['share_not_public_figures'].text} "
                "are not public figures.",
                {"label": "relationship", "y": "requests"},
            )
        )
        return s

    # 6. Minors -----------------------------------------------------------------------------
    def minors(self) -> Section:
        s = Section("minors", "Possible minors")
        c = self.con
        s.fact(
            "requests_minor_risk",
            int(
                _one(
                    c,
                    "SELECT count(*) FROM _e WHERE role = 'request' AND list_contains(flags, 'minor_risk')",
                )
            ),
        )
        s.fact(
            "posts_minor_risk",
            int(_one(c, "SELECT count(*) FROM _e WHERE list_contains(flags, 'minor_risk')")),
        )
        s.fact("campaigns_minor_risk", int(_one(c, "SELECT count(*) FROM _c WHERE minor_risk")))
        s.tables["minor_risk_by_community"] = _rows(
            c,
            """SELECT platform, community, count(*) FILTER (WHERE role = 'request') AS requests, count(*) AS posts
               FROM _e WHERE list_contains(flags, 'minor_risk') GROUP BY ALL ORDER BY posts DESC, platform, community""",
        )
        s.notes.append(
            "Counts only, never identifiers. These posts should be escalated first, to the hotline "
            "or authority that handles child sexual abuse material in your jurisdiction. In the "
            "case-work service (`counterspell queue sync`, then `counterspell serve`) they head the "
            "review queue with priority 9-10, and escalated ones are listed by "
            "`counterspell queue list --status escalated`."
        )
        return s

    # 7. Distribution -----------------------------------------------------------------------
    def distribution(self) -> Section:
        s = Section("distribution", "Distribution")
        c = self.con
        s.tables["destinations_per_week"] = _rows(
            c,
            """SELECT date_trunc('week', created_at)::DATE AS week, d AS destination, count(*) AS posts
               FROM (SELECT created_at, unnest(destinations) AS d FROM _e) GROUP BY ALL ORDER BY week, destination""",
        )
        s.tables["invite_hosts"] = _rows(
            c,
            """SELECT CASE WHEN contains(l, '://') THEN split_part(split_part(l, '://', 2), '/', 1) ELSE split_part(l, ':', 1) END AS host,
                      count(*) AS links, count(DISTINCT platform || ':' || community) AS communities
               FROM (SELECT platform, community, unnest(links) AS l FROM _e) GROUP BY 1 ORDER BY links DESC, host LIMIT 25""",
        )
        bridges: list[Row] = []
        if self.ws.has_data("bridges"):
            scoped = self.con.execute("SELECT DISTINCT platform, community FROM _p").fetchall()
            keys = {f"{p}:{cm}" for p, cm in scoped}
            all_b = _rows(
                c,
                f"SELECT * FROM {dataset_sql(self.ws, 'bridges', BRIDGE_SCHEMA)} ORDER BY kind, count DESC, src_platform, src_community, dst_platform, dst_community",
            )
            bridges = [
                b for b in all_b
                if f"{b['src_platform']}:{b['src_community']}" in keys or f"{b['dst_platform']}:{b['dst_community']}" in keys
            ]  # fmt: skip
        s.tables["bridges"] = bridges
        lags = [
            b["median_lag_s"] / 3600
            for b in bridges
            if b["kind"] == "media" and b["median_lag_s"] is not None
        ]
        s.fact("bridges", len(bridges))
        s.fact("invite_bridges", sum(1 for b in bridges if b["kind"] == "invite"))
        s.fact("media_bridges", sum(1 for b in bridges if b["kind"] == "media"))
        s.fact(
            "external_destinations",
            len(
                {(b["dst_platform"], b["dst_community"]) for b in bridges if not b["dst_ingested"]}
            ),
        )
        med = sorted(lags)[len(lags) // 2] if lags else None
        s.fact("median_media_lag_hours", med, "n/a" if med is None else f"{med:.1f} h")
        if not s.tables["destinations_per_week"] and not bridges:
            s.empty = "No invites, links out or shared media in this scope."
            return s
        if s.tables["destinations_per_week"]:
            top = sorted(
                _sum_by(s.tables["destinations_per_week"], "destination", "posts").items(),
                key=lambda kv: (-kv[1], kv[0]),
            )
            s.charts.append(
                Chart(
                    "destinations",
                    "stacked_bars",
                    "Where posts point to, per week",
                    "week (starting Monday)",
                    "posts naming the destination",
                    "destinations_per_week",
                    f"{top[0][0].capitalize()} is named most ({top[0][1]:,} posts).",
                    {"x": "week", "stack": "destination", "y": "posts"},
                )
            )
        if bridges:
            s.charts.append(
                Chart(
                    "community_map",
                    "network",
                    "Communities and the bridges between them",
                    "",
                    "",
                    "bridges",
                    f"{s.facts['bridges'].text} bridges; pictures reached the next community after a median of "
                    f"{s.facts['median_media_lag_hours'].text}; {s.facts['external_destinations'].text} destinations lie outside the data.",
                )
            )
        return s

    # 8. Tools ------------------------------------------------------------------------------
    def tools(self) -> Section:
        s = Section("tools", "Tools")
        c = self.con
        s.tables["tools_per_week"] = _rows(
            c,
            """SELECT date_trunc('week', created_at)::DATE AS week, t AS tool, count(*) AS posts
               FROM (SELECT created_at, unnest(tools) AS t FROM _e) GROUP BY ALL ORDER BY week, tool""",
        )
        totals = _sum_by(s.tables["tools_per_week"], "tool", "posts")
        s.tables["tools"] = [
            {"tool": k, "posts": v}
            for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        provenance: list[Row] = []
        if self.ws.has_data("media"):
            media = relation(self.ws, "media")
            provenance = _rows(
                c,
                f"""SELECT coalesce(json_extract_string(sig, '$.kind'), 'signal') AS signal,
                           coalesce(json_extract_string(sig, '$.tool'), json_extract_string(sig, '$.value'), '') AS detail,
                           count(*) AS files
                    FROM (SELECT unnest(from_json(provenance, '["JSON"]')) AS sig FROM {media} m SEMI JOIN _p USING (uid)
                          WHERE provenance IS NOT NULL)
                    GROUP BY ALL ORDER BY files DESC, signal, detail""",
            )
        s.tables["provenance"] = provenance
        s.fact("tool_mentions", sum(totals.values()))
        s.fact("files_with_provenance", sum(r["files"] for r in provenance))
        if not totals:
            s.empty = "No tools are named in this scope."
            return s
        s.charts.append(
            Chart(
                "tools",
                "stacked_bars",
                "Tools named per week",
                "week (starting Monday)",
                "posts naming the tool",
                "tools_per_week",
                f"{s.tables['tools'][0]['tool'].replace('_', ' ')} is named most "
                f"({s.tables['tools'][0]['posts']:,} posts).",
                {"x": "week", "stack": "tool", "y": "posts"},
            )
        )
        return s

    # 9. Methods ----------------------------------------------------------------------------
    def methods(self) -> Section:
        s = Section("methods", "Methods and limits")
        path = self.ws.root / "models" / "evaluation.json"
        rows: list[Row] = []
        if path.exists():
            import json

            ev = json.loads(path.read_text(encoding="utf-8"))
            s.fact("evaluated_at", ev.get("measured_at", "unknown"))
            h = ev.get("heldout_synthetic") or {}
            if h:
                rows.append(
                    {"measure": "held-out synthetic role accuracy", "value": h.get("accuracy")}
                )
                rows.append({"measure": "minor_risk recall", "value": h.get("minor_risk_recall")})
            for key in ("campaigns", "campaigns_heldout", "campaigns_heldout_no_quotes"):
                if ev.get(key):
                    rows.append(
                        {"measure": f"{key}: pairwise precision", "value": ev[key]["precision"]}
                    )
                    rows.append({"measure": f"{key}: pairwise recall", "value": ev[key]["recall"]})
            rf = ev.get("real_fixtures") or {}
            if rf:
                rows.append(
                    {
                        "measure": "real posts given a role (false positives)",
                        "value": rf.get("role_rate"),
                    }
                )
        rows.extend(_card_rows(self.ws))
        s.tables["evaluation"] = rows
        if not rows:
            s.notes.append(
                "`counterspell evaluate` has not been run in this workspace: run it to add the figures."
            )
        return s


def _card_rows(ws: Workspace) -> list[Row]:
    """The shipped role model's measured figures (its card), when this workspace uses it: how
    well roles hold on text the project did not write, and how often ordinary talk raises an
    alarm. A workspace that trained its own model has only its own evaluation."""
    from ..evaluation.evaluate import read_card

    if (ws.root / "models" / "roles_model.npz").exists():
        return []
    card = read_card()
    if not card:
        return []
    version = card.get("model_version", "?")
    rows: list[Row] = []
    for key, sec in sorted(card.get("sections", {}).items()):
        when = sec.get("measured_at", "")
        where = f"shipped model {version}, {key.replace(':', ' ')} ({when})"
        if "macro_f1" in sec:
            rows.append({"measure": f"{where}: role macro-F1", "value": sec["macro_f1"]})
            for role in ("request", "fulfillment"):
                if role in sec.get("f1", {}):
                    rows.append({"measure": f"{where}: {role} F1", "value": sec["f1"][role]})
            if sec.get("minor_risk_recall") is not None:
                rows.append(
                    {"measure": f"{where}: minor_risk recall", "value": sec["minor_risk_recall"]}
                )
        elif "alarm_rate" in sec:
            rows.append({"measure": f"{where}: alarm rate ({sec['posts']:,} posts that request nothing)",
                         "value": sec["alarm_rate"]})  # fmt: skip
        elif "f1" in sec:
            rows.append({"measure": f"{where}: campaign pairwise F1", "value": sec["f1"]})
    return rows


def _sum_by(rows: list[Row], key: str, value: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r[key]] = out.get(r[key], 0) + int(r[value])
    return out


def median_ci(
    values: list[float], z: float = 1.96
) -> tuple[float | None, float | None, float | None]:
    """The median of sorted ``values`` and a distribution-free 95% interval (order statistics).

    The ranks come from the normal approximation to the binomial, so the interval needs no
    resampling and is the same on every run.
    """
    n = len(values)
    if n == 0:
        return None, None, None
    mid = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    lo_rank = max(math.floor(n / 2 - z * math.sqrt(n) / 2), 0)
    hi_rank = min(math.ceil(n / 2 + z * math.sqrt(n) / 2), n - 1)
    return round(mid, 6), round(values[lo_rank], 6), round(values[hi_rank], 6)


def build_report(
    ws: Workspace, scope: Scope | None = None, executor: Executor | None = None
) -> Report:
    """Every section's numbers; ``executor`` reads the lake one community per task."""
    scope = scope or Scope()
    b = _Builder(ws, scope, executor)
    sections = [b.data(), b.activity(), b.fulfilment(), b.rewards(), b.targets(), b.minors(),
                b.distribution(), b.tools(), b.methods()]  # fmt: skip
    return Report(scope, str(ws.root), sections)
