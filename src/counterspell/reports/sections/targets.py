"""The report's section: 5. Targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
from ..model import NOT_PUBLIC, Chart, Section, one, pct, rows
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("targets", "Targets")
    c = lake.con
    s.fact(
        "distinct_targets",
        int(
            one(
                c,
                "SELECT count(DISTINCT t) FROM (SELECT unnest(target_ids) AS t FROM _e WHERE role = 'request')",
            )
        ),
    )
    s.tables["relationships"] = rows(
        c,
        """SELECT coalesce(target_relationship, 'unknown') AS relationship, count(*) AS requests
           FROM _e WHERE role = 'request' GROUP BY 1 ORDER BY requests DESC, relationship""",
    )
    known = [r for r in s.tables["relationships"] if r["relationship"] not in ("unknown", "none")]
    n_known = sum(r["requests"] for r in known)
    not_public = sum(r["requests"] for r in known if r["relationship"] in NOT_PUBLIC)
    share = not_public / n_known if n_known else None
    s.fact("requests_with_relationship", n_known)
    s.fact("share_not_public_figures", round(share, 6) if share is not None else None, pct(share))
    n_req, female = c.execute(
        "SELECT count(*), count(*) FILTER (WHERE female_ref) FROM _e WHERE role = 'request'"
    ).fetchall()[0]
    fshare = female / n_req if n_req else None
    s.fact("requests", int(n_req))
    s.fact("share_women", round(fshare, 6) if fshare is not None else None, pct(fshare))
    s.tables["targets_across"] = rows(
        c,
        """SELECT target, count(*) AS campaigns,
                  count(DISTINCT platform || ':' || community) AS request_communities,
                  list_sort(list_distinct(flatten(list(platforms)))) AS platforms_reached
           FROM _c WHERE target IS NOT NULL GROUP BY target
           HAVING count(*) > 1 ORDER BY campaigns DESC, request_communities DESC, target LIMIT 100""",
    )
    # where a target was requested (the campaigns' request communities) and where her campaigns
    # went (every platform they reached): one community can send a campaign to three platforms
    for r in s.tables["targets_across"]:
        r["platforms_reached"] = ";".join(r["platforms_reached"] or [])
    s.fact(
        "targets_on_several_platforms",
        sum(1 for r in s.tables["targets_across"] if ";" in r["platforms_reached"]),
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
