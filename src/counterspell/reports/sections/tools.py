"""The report's section: 8. Tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lake.datasets import (
    relation,
)

if TYPE_CHECKING:
    pass
from ..model import Chart, Row, Section, plural, rows, sum_by
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("tools", "Tools")
    c = lake.con
    s.tables["tools_per_week"] = rows(
        c,
        """SELECT date_trunc('week', created_at)::DATE AS week, t AS tool, count(*) AS posts
           FROM (SELECT created_at, unnest(tools) AS t FROM _e) GROUP BY ALL ORDER BY week, tool""",
    )
    totals = sum_by(s.tables["tools_per_week"], "tool", "posts")
    s.tables["tools"] = [
        {"tool": k, "posts": v} for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    provenance: list[Row] = []
    if lake.ws.has_data("media"):
        media = relation(lake.ws, "media")
        provenance = rows(
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
            f"({plural(s.tables['tools'][0]['posts'], 'post')}).",
            {"x": "week", "stack": "tool", "y": "posts"},
        )
    )
    return s
