"""The report's section: 6. Minors."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
from ..model import Section, one, rows
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("minors", "Possible minors")
    c = lake.con
    s.fact(
        "requests_minor_risk",
        int(
            one(
                c,
                "SELECT count(*) FROM _e WHERE role = 'request' AND list_contains(flags, 'minor_risk')",
            )
        ),
    )
    s.fact(
        "posts_minor_risk",
        int(one(c, "SELECT count(*) FROM _e WHERE list_contains(flags, 'minor_risk')")),
    )
    s.fact("campaigns_minor_risk", int(one(c, "SELECT count(*) FROM _c WHERE minor_risk")))
    s.tables["minor_risk_by_community"] = rows(
        c,
        """SELECT platform, community, n.name, count(*) FILTER (WHERE role = 'request') AS requests, count(*) AS posts
           FROM _e LEFT JOIN _names n USING (platform, community)
           WHERE list_contains(flags, 'minor_risk') GROUP BY ALL ORDER BY posts DESC, platform, community""",
    )
    s.notes.append(
        "Counts only, never identifiers. These posts should be escalated first, to the hotline "
        "or authority that handles child sexual abuse material in your jurisdiction. In the "
        "case-work service (`counterspell queue sync`, then `counterspell serve`) they head the "
        "review queue with priority 9.5-10, and escalated ones are listed by "
        "`counterspell queue list --status escalated`."
    )
    return s
