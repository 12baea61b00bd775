"""The plan on the web: the intervention points of the lake and what acting on them leaves.

The page names creators by their platform ids (what ``counterspell export actors`` gives), so it
is for analysts. It computes the plan on request (seconds on a lake of tens of thousands of
campaigns) and says the simulation's assumptions before any figure.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ..pipeline.plan import PlanOptions, plan
from ..reports.plan_page import plan_fragment
from .security import Analyst, store_of
from .ui import page

router = APIRouter(include_in_schema=False)


@router.get("/plan")
def plan_page(
    request: Request,
    who: Analyst,
    scope: Annotated[str, Query(max_length=300)] = "",
    budget: Annotated[int, Query(ge=1, le=100)] = 5,
) -> HTMLResponse:
    ws = store_of(request).ws
    fragment = None
    if ws.has_data("campaign_members"):
        result = plan(
            ws, scope.strip() or None, PlanOptions(budget=budget, bootstrap=100, random_draws=20)
        )
        if result["campaigns"]:
            fragment = Markup(plan_fragment(result))  # every value in it is escaped
    return page(request, "plan.html.j2", who, fragment=fragment, scope=scope, budget=budget)
