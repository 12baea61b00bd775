"""The report's section: 2. Activity."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
from ..model import Chart, Section, plural, rows
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("activity", "Activity over time")
    c = lake.con
    s.tables["posts_per_week_by_role"] = rows(
        c,
        """SELECT date_trunc('week', created_at)::DATE AS week, coalesce(role, 'not analysed') AS role, count(*) AS posts
           FROM _p LEFT JOIN (SELECT uid, role FROM _e) USING (uid) GROUP BY ALL ORDER BY week, role""",
    )
    s.tables["requests_per_week"] = rows(
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
            f"{plural(s.facts['weeks'].value, 'week')} of activity; the busiest week for requests "
            f"began {busiest['week']} with {plural(busiest['requests'], 'request')}."
            if busiest
            else f"{plural(s.facts['weeks'].value, 'week')} of activity; no requests were found.",
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
                f"Of {plural(sum(r['requests'] for r in weeks), 'request')}, "
                f"{sum(r['fulfilled_requests'] for r in weeks):,} "
                f"{'was' if sum(r['fulfilled_requests'] for r in weeks) == 1 else 'were'} "
                "fulfilled at least once.",
                {"x": "week", "y": ["requests", "fulfilled_requests", "fulfilments"]},
            )
        )
    return s
