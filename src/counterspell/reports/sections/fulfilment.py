"""The report's section: 3. Requests and fulfilment."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
from ..model import Chart, Section, median_ci, pct, rows
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("fulfilment", "Requests and fulfilment")
    c = lake.con
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
    s.tables["rerequests"] = rows(
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
