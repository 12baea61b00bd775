"""The report's section: 7. Distribution."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lake.datasets import relation
from ...pipeline.bridges import ABUSE_MIN_POSTS, abuse_post_sql

if TYPE_CHECKING:
    pass
from ..model import Chart, Row, Section, plural, rows, sum_by
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("distribution", "Distribution")
    c = lake.con
    # Where the abuse points people: posts of the abuse, and any post in a community with abuse
    # activity. A game thread's Discord invite is not a destination of the abuse.
    c.execute(
        f"""CREATE OR REPLACE TEMP TABLE _abusive AS
            SELECT platform, community FROM _e e WHERE {abuse_post_sql("e")}
            GROUP BY ALL HAVING count(*) >= {ABUSE_MIN_POSTS}"""
    )
    s.tables["destinations_per_week"] = rows(
        c,
        f"""SELECT date_trunc('week', created_at)::DATE AS week, d AS destination, count(*) AS posts
           FROM (SELECT created_at, unnest(destinations) AS d FROM _e e
                 WHERE {abuse_post_sql("e")} OR (platform, community) IN (SELECT (platform, community) FROM _abusive))
           GROUP BY ALL ORDER BY week, destination""",
    )
    s.tables["invite_hosts"] = rows(
        c,
        """SELECT CASE WHEN contains(l, '://') THEN split_part(split_part(l, '://', 2), '/', 1) ELSE split_part(l, ':', 1) END AS host,
                  count(*) AS links, count(DISTINCT platform || ':' || community) AS communities
           FROM (SELECT platform, community, unnest(links) AS l FROM _e) GROUP BY 1 ORDER BY links DESC, host LIMIT 25""",
    )
    in_scope: list[Row] = []
    if lake.ws.has_data("bridges"):
        scoped = lake.con.execute("SELECT DISTINCT platform, community FROM _p").fetchall()
        keys = {f"{p}:{cm}" for p, cm in scoped}
        all_b = rows(
            c,
            f"""SELECT b.src_platform, b.src_community, s.name AS src_name, b.dst_platform, b.dst_community,
                       d.name AS dst_name, b.* EXCLUDE (src_platform, src_community, dst_platform, dst_community)
                FROM {relation(lake.ws, "bridges")} b
                LEFT JOIN _names s ON s.platform = b.src_platform AND s.community = b.src_community
                LEFT JOIN _names d ON d.platform = b.dst_platform AND d.community = b.dst_community
                ORDER BY kind, count DESC, src_platform, src_community, dst_platform, dst_community""",
        )
        in_scope = [
            b for b in all_b
            if f"{b['src_platform']}:{b['src_community']}" in keys or f"{b['dst_platform']}:{b['dst_community']}" in keys
        ]  # fmt: skip
    # routes of the abuse; links between ordinary communities are listed apart, never mapped
    bridges = [b for b in in_scope if b["route"]]
    s.tables["bridges"] = bridges
    s.tables["ordinary_links"] = [b for b in in_scope if not b["route"]]
    s.fact("ordinary_links", len(s.tables["ordinary_links"]))
    lags = [
        b["median_lag_s"] / 3600
        for b in bridges
        if b["kind"] == "media" and b["median_lag_s"] is not None
    ]
    s.fact("bridges", len(bridges))
    s.fact("invite_bridges", sum(1 for b in bridges if b["kind"] == "invite"))
    s.fact("media_bridges", sum(1 for b in bridges if b["kind"] == "media"))
    s.fact("handle_bridges", sum(1 for b in bridges if b["kind"] == "handle"))
    s.fact(
        "external_destinations",
        len({(b["dst_platform"], b["dst_community"]) for b in bridges if not b["dst_ingested"]}),
    )
    med = sorted(lags)[len(lags) // 2] if lags else None
    s.fact("median_media_lag_hours", med, "n/a" if med is None else f"{med:.1f} h")
    if not s.tables["destinations_per_week"] and not bridges:
        n = len(s.tables["ordinary_links"])
        s.empty = "No invites, links out or shared media from the abuse in this scope." + (
            f" Links between ordinary communities (no abuse activity), not mapped: {plural(n, 'link')}"
            " in tables/ordinary_links.csv."
            if n
            else ""
        )
        return s
    if s.tables["destinations_per_week"]:
        top = sorted(
            sum_by(s.tables["destinations_per_week"], "destination", "posts").items(),
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
                f"{top[0][0].capitalize()} is named most ({plural(top[0][1], 'post')}).",
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
                f"{plural(s.facts['bridges'].value, 'bridge')}"
                + (
                    f"; pictures reached the next community after a median of {s.facts['median_media_lag_hours'].text}"
                    if s.facts["median_media_lag_hours"].value is not None
                    else ""
                )
                + f"; {plural(s.facts['external_destinations'].value, 'destination lies', 'destinations lie')} outside the data.",
            )
        )
    return s
