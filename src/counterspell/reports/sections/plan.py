"""The report's section: the intervention plan (:mod:`counterspell.pipeline.plan`).

The planner reads the campaign graph itself rather than the report's scoped projection: it needs
every member of the campaigns opened in scope, wherever they were posted. Dates in the scope do
not narrow it (a campaign is planned against whole). Creators and handles appear by pseudonym, as
in the rewards section, so the two can be read side by side.
"""

from __future__ import annotations

from typing import Any

from ...pipeline.plan import MEASURES, PlanOptions, plan
from ...pipeline.plan_graph import KIND_NOUNS
from ...privacy import pseudonym
from ..model import Section, pct
from ..scan import ScopedLake

BUDGET = 5
SHOWN = 10


def _scope(lake: ScopedLake) -> str | None:
    s = lake.scope
    if s.platform and s.community:
        return f"{s.platform}/{s.community}"
    return s.platform


def _name(lake: ScopedLake, kind: str, name: str) -> str:
    if kind == "creator":
        return "creator_" + pseudonym(lake.key, "actor", name)[4:14]
    if kind == "handle":
        return "handle_" + pseudonym(lake.key, "handle", name)[4:14]
    return name


def build(lake: ScopedLake) -> Section:
    s = Section("plan", "Where to act")
    if not lake.ws.has_data("campaign_members"):
        s.empty = "No campaigns in this scope."
        return s
    result = plan(lake.ws, _scope(lake), PlanOptions(budget=BUDGET))
    if not result["campaigns"]:
        s.empty = "No campaigns in this scope."
        return s
    t = result["totals"]
    if not t["fulfilled"]:
        s.empty = "No fulfilled campaigns in this scope: there is nothing for a plan to take."
        return s
    s.fact("campaigns", result["campaigns"])
    s.fact("fulfilled_campaigns", t["fulfilled"])
    combined = result["plans"][-1]
    s.fact("combined_plan", combined["name"].removeprefix("combined: "))
    for m in ("fulfilled", "reach"):
        r = combined["remaining"][m]
        lo, hi = r["ci"] or (None, None)
        s.fact(f"combined_{m}_left", r["share"], f"{pct(r['share'])} ({pct(lo)} to {pct(hi)})")
        s.fact(f"random_{m}_left", combined["random"].get(m, {}).get("share"),
               pct(combined["random"].get(m, {}).get("share")))  # fmt: skip
    s.tables["plan_effects"] = [_effect_row(p) for p in result["plans"]]
    for kind, rows in result["rankings"].items():
        s.tables[f"plan_top_{KIND_NOUNS[kind]}"] = [
            {"rank": r["rank"], kind: _name(lake, kind, r["name"]), "share": r["share"],
             "share_of": r["of"], "campaigns": r["campaigns"],
             "alone_fulfilled": r["alone"]["fulfilled"], "alone_praise": r["alone"]["praise"],
             "alone_reach": r["alone"]["reach"]}
            for r in rows[:SHOWN]
        ]  # fmt: skip
    s.notes.extend(result["assumptions"])
    s.notes.append(
        f"Shares are of today's totals: fulfilled campaigns, praise posts, reach (pairs of a "
        f"campaign and a community or invite outside its own) and targets in a fulfilled campaign. "
        f"Each plan acts on the top {BUDGET} of a kind; the combined plan on several kinds at once. "
        "`counterspell plan` gives the same figures with other budgets, and the names."
    )
    return s


def _effect_row(p: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"plan": p["name"]}
    for m in MEASURES:
        r = p["remaining"][m]
        row[f"{m}_left"] = r["share"]
        row[f"{m}_ci_low"], row[f"{m}_ci_high"] = r["ci"] or (None, None)
    row["random_fulfilled_left"] = p["random"].get("fulfilled", {}).get("share")
    for sc in p["displacement"]["scenarios"]:
        row[f"fulfilled_left_displaced_{int(sc['rate'] * 100)}"] = sc["fulfilled"]
    return row
