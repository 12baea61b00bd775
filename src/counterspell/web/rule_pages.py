"""Rules in the web service: the API (``/api/rules``) and the pages (``/rules``).

Viewers see rules and their shadow hits; analysts write rules (draft and shadow), run backtests
and use the editor's live count; only admins move a rule into or out of ``live``. Backtest
samples are masked against every identity the store holds, like every other page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from ..errors import CounterspellError
from ..lake.datasets import relation
from ..lake.query import connect
from ..reports.backtest_page import chart_svg
from ..rules.condition import FUNCTION_NAMES, ConditionError
from ..rules.editor import OPERATORS, Row, build
from ..rules.engine import Backtest, Window, backtest, count
from ..rules.fields import FIELDS
from ..rules.model import STATES, Rule
from ..store import queue, rules
from ..store.schema import queue_items
from .lakeview import masker
from .security import Analyst, Viewer, store_of
from .ui import page

api = APIRouter(prefix="/api/rules")
router = APIRouter(include_in_schema=False)
EDITOR_ROWS = 5
COUNT_DAYS = 30


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=63)
    condition: str = Field(min_length=1, max_length=4000)
    actions: list[str] = Field(default_factory=list, max_length=20)
    state: Literal["draft", "shadow", "live", "retired"] = "draft"
    description: str = Field(default="", max_length=2000)


class StateIn(BaseModel):
    state: Literal["draft", "shadow", "live", "retired"]


class WindowIn(BaseModel):
    since: date | None = None
    until: date | None = None
    scope: str | None = Field(default=None, max_length=300)


class CountIn(BaseModel):
    condition: str = Field(min_length=1, max_length=4000)
    days: int = Field(default=COUNT_DAYS, ge=1, le=3650)


def _last_days(request: Request, days: int) -> Window:
    """The last ``days`` days of the lake (its newest post, not the clock: a lake of old posts
    still gets a count)."""
    ws = store_of(request).ws
    if not ws.has_data("posts"):
        return Window()
    from ..lake.query import posts_relation_sql

    newest = connect(ws).sql(f"SELECT max(created_at) FROM {posts_relation_sql(ws)}").fetchall()
    if not newest or newest[0][0] is None:
        return Window()
    end = newest[0][0].astimezone(UTC).date()
    return Window(since=end - timedelta(days=days - 1), until=end)


def _run_backtest(request: Request, name: str, window: Window) -> Backtest:
    store = store_of(request)
    with store.engine.connect() as conn:
        current = rules.get(conn, name)
        previous = rules.get(conn, name, current.version - 1) if current.version > 1 else None
        reviewed = rules.reviewed(conn)
        mask = masker(queue.all_identities(conn))
    return backtest(store.ws, current, window, previous=previous, reviewed=reviewed, mask=mask)


def shadow_vs_live(request: Request, days: int = COUNT_DAYS) -> list[dict[str, Any]]:
    """For each rule: hits per day over the lake's last ``days`` days, and for shadow rules what
    a promotion would add to the review queue per day (hits not already queued)."""
    store = store_of(request)
    ws = store.ws
    with store.begin() as conn:
        found = rules.all_rules(conn)
        queued = set(conn.execute(select(queue_items.c.uid)).scalars())
    window = _last_days(request, days)
    out = []
    active = [r for r in found if r.state in ("shadow", "live")]
    by_rule: dict[str, list[str]] = {r.name: [] for r in found}
    if active and ws.has_data("rule_hits"):
        where = window.where().replace("b.", "")
        rows = (
            connect(ws)
            .sql(
                f"""SELECT h.rule, h.uid FROM {relation(ws, "rule_hits")} h
                JOIN (SELECT name, version FROM (VALUES {", ".join(f"('{r.name}', {r.version})" for r in active)})
                      t(name, version)) c ON c.name = h.rule AND c.version = h.version
                WHERE {where}"""
            )
            .fetchall()
        )
        for rule, uid in rows:
            by_rule.setdefault(rule, []).append(uid)
    n_days = days if window.since else 1
    for r in found:
        uids = by_rule.get(r.name, [])
        new = sum(u not in queued for u in uids)
        out.append(
            {
                "rule": r,
                "hits": len(uids),
                "per_day": round(len(uids) / n_days, 2),
                "would_add_per_day": round(new / n_days, 2) if r.state == "shadow" else None,
            }
        )
    return out


# ---- API -----------------------------------------------------------------------------------


@api.get("")
def rules_list(request: Request, who: Viewer) -> dict[str, Any]:
    """Every rule with its state (shadow, live, off), its hits in the last 30 days and, for rules
    in shadow, what going live would add to the queue per day. Any role."""
    rows = shadow_vs_live(request)
    return {
        "rules": [
            {**x["rule"].to_dict(), "hits_last_30_days": x["hits"], "per_day": x["per_day"],
             "would_add_per_day": x["would_add_per_day"]}
            for x in rows
        ]
    }  # fmt: skip


@api.get("/fields")
def rules_fields(who: Viewer) -> dict[str, Any]:
    """What a rule's condition may use: the fields of a post with their kinds and choices, the
    functions and the operators. Any role."""
    return {
        "fields": [
            {"name": f.name, "kind": f.kind, "doc": f.doc, "choices": list(f.choices)}
            for f in FIELDS
        ],
        "functions": list(FUNCTION_NAMES),
        "operators": OPERATORS,
    }


@api.post("", status_code=201)
def rules_save(request: Request, who: Analyst, body: RuleIn) -> dict[str, Any]:
    """Create or change a rule (a new version; the condition is checked before it is kept). Only an
    admin may save it live. Analyst or above."""
    rule = Rule.make(body.name, body.condition, body.actions, body.state, body.description)
    with store_of(request).begin() as conn:
        saved = rules.save(conn, rule, who.user.name, may_go_live=who.user.can("admin"))
    return saved.to_dict()


@api.post("/count")
def rules_count(request: Request, who: Analyst, body: CountIn) -> dict[str, Any]:
    """How many posts a condition matches over the last ``days`` days, and the SQL it compiles to
    (nothing is saved). Analyst or above."""
    rule = Rule.make("editor", body.condition)
    window = _last_days(request, body.days)
    return {
        "condition": rule.compiled.sql,
        "count": count(store_of(request).ws, rule, window),
        "since": window.since.isoformat() if window.since else None,
        "until": window.until.isoformat() if window.until else None,
    }


@api.get("/{name}")
def rules_get(request: Request, who: Viewer, name: str) -> dict[str, Any]:
    """One rule with every version of it. Any role."""
    with store_of(request).engine.connect() as conn:
        r = rules.get(conn, name)
        versions = rules.history(conn, name)
    return {**r.to_dict(), "versions": versions}


@api.post("/{name}/state")
def rules_state(request: Request, who: Analyst, name: str, body: StateIn) -> dict[str, Any]:
    """Put a rule in shadow, live or off; going live needs an admin. Audited. Analyst or above."""
    with store_of(request).begin() as conn:
        r = rules.set_state(
            conn, name, body.state, who.user.name, may_go_live=who.user.can("admin")
        )
    return r.to_dict()


@api.post("/{name}/backtest")
def rules_backtest(request: Request, who: Analyst, name: str, body: WindowIn) -> dict[str, Any]:
    """Run a rule over the lake's history (a window and scope) and score it against reviewers'
    decisions: hits per day and community, precision and recall where reviewed, what changed since
    its previous version. Analyst or above."""
    return _run_backtest(request, name, Window(body.since, body.until, body.scope)).to_dict()


# ---- pages ---------------------------------------------------------------------------------


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/rules")
def rules_page(request: Request, who: Viewer) -> HTMLResponse:
    return page(request, "rules.html.j2", who, rows=shadow_vs_live(request), days=COUNT_DAYS)


def _editor(
    request: Request, who: Analyst, rule: Rule | None, error: str = "", status_code: int = 200
) -> HTMLResponse:
    return page(
        request, "rule_edit.html.j2", who, status_code=status_code, rule=rule, fields=FIELDS,
        operators=OPERATORS, n_rows=EDITOR_ROWS, states=STATES, error=error,
        functions=FUNCTION_NAMES,
    )  # fmt: skip


@router.get("/rules/new")
def rule_new(request: Request, who: Analyst) -> HTMLResponse:
    return _editor(request, who, None)


def _rows(form: Any) -> list[Row]:
    out = []
    for i in range(EDITOR_ROWS):
        f = str(form.get(f"field{i}") or "")
        if f:
            out.append(Row(f, str(form.get(f"op{i}") or ""), str(form.get(f"value{i}") or "")))
    return out


def _condition_from(form: Any) -> str:
    text = str(form.get("condition") or "").strip()
    if text:
        return text
    return build(_rows(form), str(form.get("combine") or "all"))


@router.post("/rules/preview")
async def rule_preview(request: Request, who: Analyst) -> HTMLResponse:
    """The editor's live count: the expression the rows write and its hits in the last 30 days."""
    form = await request.form()
    try:
        condition = _condition_from(form)
        rule = Rule.make("preview", condition)
        window = _last_days(request, COUNT_DAYS)
        n = count(store_of(request).ws, rule, window)
        return page(
            request, "rule_preview.html.j2", who, condition=condition, count=n, window=window,
            error="",
        )  # fmt: skip
    except CounterspellError as exc:
        return page(request, "rule_preview.html.j2", who, condition="", count=None, window=None,
                    error=str(exc))  # fmt: skip


@router.post("/rules")
async def rule_save(request: Request, who: Analyst) -> Response:
    form = await request.form()
    try:
        condition = _condition_from(form)
        actions = [a.strip() for a in str(form.get("actions") or "").split(",") if a.strip()]
        rule = Rule.make(
            str(form.get("name") or ""), condition, actions, str(form.get("state") or "draft"),
            str(form.get("description") or "")[:2000],
        )  # fmt: skip
        with store_of(request).begin() as conn:
            saved = rules.save(conn, rule, who.user.name, may_go_live=who.user.can("admin"))
    except (CounterspellError, ConditionError) as exc:
        return _editor(request, who, None, error=str(exc), status_code=400)
    return _see(f"/rules/{saved.name}")


@router.get("/rules/{name}")
def rule_page(request: Request, who: Viewer, name: str) -> HTMLResponse:
    with store_of(request).engine.connect() as conn:
        r = rules.get(conn, name)
        versions = rules.history(conn, name)
    return page(request, "rule.html.j2", who, rule=r, versions=versions, states=STATES)


@router.get("/rules/{name}/edit")
def rule_edit(request: Request, who: Analyst, name: str) -> HTMLResponse:
    with store_of(request).engine.connect() as conn:
        r = rules.get(conn, name)
    return _editor(request, who, r)


@router.post("/rules/{name}/state")
def rule_state(
    request: Request, who: Analyst, name: str, state: Annotated[str, Form(max_length=16)]
) -> Response:
    with store_of(request).begin() as conn:
        rules.set_state(conn, name, state, who.user.name, may_go_live=who.user.can("admin"))
    return _see(f"/rules/{name}")


@router.post("/rules/{name}/backtest")
def rule_backtest(
    request: Request,
    who: Analyst,
    name: str,
    since: Annotated[str, Form(max_length=10)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
    scope: Annotated[str, Form(max_length=300)] = "",
) -> HTMLResponse:
    def day(v: str) -> date | None:
        try:
            return date.fromisoformat(v) if v else None
        except ValueError:
            raise CounterspellError(f"{v!r} is not a date (YYYY-MM-DD)") from None

    bt = _run_backtest(request, name, Window(day(since), day(until), scope or None))
    return page(request, "backtest.html.j2", who, bt=bt, chart=chart_svg(bt), now=datetime.now(UTC))


__all__ = ["api", "router", "shadow_vs_live"]
