"""The server-rendered review UI: forms that work without JavaScript, enhanced by htmx.

Each page states the least role it needs, like the API. Pages never show media, file paths or
raw markup; target identifiers are masked unless an analyst reveals them (audited).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..exchanges import feedback as exchange_feedback
from ..stages.roles import FLAGS
from ..stages.roles import ROLES as POST_ROLES
from ..store import audit, cases, queue, takedown
from ..store.accounts import LoginRefused, add_user, list_users, login, logout
from ..store.schema import ROLES
from .lakeview import flag_cues, mask_snippets, mask_view
from .security import (
    SESSION_COOKIE,
    Admin,
    Analyst,
    Id,
    Principal,
    Reviewer,
    Viewer,
    auth_of,
    check_public_csrf,
    public_csrf,
    store_of,
    views_of,
)
from .viewcache import next_in_queue

router = APIRouter(include_in_schema=False)


def page(
    request: Request, name: str, who: Principal | None, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    env = request.app.state.templates
    html = env.get_template(name).render(
        request=request, who=who, csrf=who.csrf if who else None, post_roles=POST_ROLES,
        flags=FLAGS, roles=ROLES, **ctx,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html.j2", None, token=public_csrf(request), next=_safe_next(next))


def _safe_next(url: str) -> str:
    """Only redirect within this site after login (no open redirect)."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else "/"


@router.post("/login")
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    check_public_csrf(request, csrf)
    client = request.client.host if request.client else "unknown"
    refused: LoginRefused | None = None
    with store_of(request).begin() as conn:
        try:
            _user, cookie, _ = login(conn, username, password, client)
        except LoginRefused as exc:  # caught inside: the failed attempt must be committed
            refused = exc
    if refused is not None:
        return page(request, "login.html.j2", None, refused.status, error=str(refused),
                    token=public_csrf(request), next=_safe_next(next))  # fmt: skip
    resp = see_other(_safe_next(next))
    resp.set_cookie(
        SESSION_COOKIE, cookie, httponly=True, samesite="strict",
        secure=request.app.state.secure_cookies, max_age=12 * 3600, path="/",
    )  # fmt: skip
    return resp


@router.post("/logout")
def logout_submit(request: Request, who: Viewer) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    with store_of(request).begin() as conn:
        logout(conn, cookie, who.user)
    auth_of(request).forget("session", cookie)  # ended at once here, not a second later
    resp = see_other("/login")
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/")
def dashboard(request: Request, who: Viewer) -> HTMLResponse:
    store = store_of(request)
    with store.engine.connect() as conn:
        top = queue.list_items(conn, "open", 10)
        ctx: dict[str, Any] = {
            "counts": queue.counts(conn),
            "due": takedown.due(conn),
            "compliance": takedown.compliance(conn),
            "cases": cases.list_cases(conn, limit=10),
            "top": top,
            "snippets": mask_snippets(views_of(request).texts(top), queue.all_identities(conn)),
            "chosen": {},  # the queue table's filters: none on the dashboard
        }
    return page(request, "dashboard.html.j2", who, names=views_of(request).names(), **ctx)


@router.get("/partials/counts")
def counts_partial(request: Request, who: Viewer) -> HTMLResponse:
    with store_of(request).engine.connect() as conn:
        return page(
            request, "counts.html.j2", who, counts=queue.counts(conn), due=takedown.due(conn)
        )


@router.get("/queue")
def queue_page(
    request: Request,
    who: Viewer,
    status: str = "open",
    offset: int = 0,
    flag: Annotated[str, Query(max_length=32)] = "",
    role: Annotated[str, Query(max_length=32)] = "",
    community: Annotated[str, Query(max_length=300)] = "",
    sort: str = "priority",
) -> HTMLResponse:
    if status not in queue.STATUSES:
        raise HTTPException(400, "status must be open, escalated or decided")
    if sort not in queue.SORTS:
        raise HTTPException(400, f"sort must be one of {', '.join(queue.SORTS)}")
    store = store_of(request)
    filters = {"flag": flag or None, "role": role or None, "community": community or None}
    with store.engine.connect() as conn:
        items = queue.list_items(
            conn, status, 100, max(0, min(offset, 10_000_000)), sort=sort, **filters
        )
        counts = queue.counts(conn)
        facets = queue.facets(conn, status)
        texts = mask_snippets(views_of(request).texts(items), queue.all_identities(conn))
    names = views_of(request).names()
    chosen = {
        k: v for k, v in {**filters, "sort": sort if sort != "priority" else None}.items() if v
    }
    return page(request, "queue.html.j2", who, items=items, counts=counts, status=status,
                offset=offset, facets=facets, snippets=texts, names=names, chosen=chosen,
                sort=sort, query=urlencode(chosen))  # fmt: skip


@router.post("/queue/next")
def queue_next(request: Request, who: Reviewer) -> Response:
    with store_of(request).begin() as conn:
        item = queue.claim_next(conn, who.user)
    return see_other(f"/queue/{item.id}" if item else "/queue?empty=1")


def _item_page(
    request: Request,
    who: Principal,
    item_id: Id,
    revealed: dict[str, dict[str, str]] | None = None,
    **extra: Any,
) -> HTMLResponse:
    store = store_of(request)
    with store.engine.connect() as conn:
        item = queue.get_item(conn, item_id)
        decided = queue.item_decisions(conn, item_id)
        sent = exchange_feedback.for_item(conn, item_id)
        identities = queue.all_identities(conn)
    # the lake's view of the item is shared (cached); masking is this viewer's, every time
    view = views_of(request).item(item, lambda: next_in_queue(store, item))
    ctx = mask_view(view, identities, frozenset(revealed or ()))
    reasons, cue_words = flag_cues((ctx.get("signals") or {}).get("why"))
    names = views_of(request).names()
    return page(request, "item.html.j2", who, item=item, ctx=ctx, decisions=decided,
                exchange_feedback=sent, identities=revealed, flag_reasons=reasons, cue_words=cue_words,
                place_name=names.get((item.platform, item.community)), **extra)  # fmt: skip


@router.get("/queue/{item_id}")
def item_page(request: Request, who: Viewer, item_id: Id) -> HTMLResponse:
    return _item_page(request, who, item_id)


@router.post("/queue/{item_id}/claim")
def item_claim(request: Request, who: Reviewer, item_id: Id) -> Response:
    with store_of(request).begin() as conn:
        queue.claim(conn, who.user, item_id)
    return see_other(f"/queue/{item_id}")


@router.post("/queue/{item_id}/decide")
def item_decide(
    request: Request,
    who: Reviewer,
    item_id: Id,
    action: Annotated[str, Form(max_length=16)],
    role: Annotated[str, Form(max_length=32)] = "",
    flag: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    flags = flag if action in ("correct", "escalate") else None
    with store_of(request).begin() as conn:
        queue.decide(conn, who.user, item_id, action, role or None, flags, note)
    return see_other(f"/queue/{item_id}?decided={quote(action)}")


@router.post("/queue/{item_id}/reveal")
def item_reveal(request: Request, who: Analyst, item_id: Id) -> HTMLResponse:
    with store_of(request).begin() as conn:
        revealed = queue.reveal(conn, who.user, item_id)
    return _item_page(request, who, item_id, revealed)


@router.post("/queue/{item_id}/case")
def item_case(request: Request, who: Analyst, item_id: Id) -> Response:
    store = store_of(request)
    with store.engine.connect() as conn:
        item = queue.get_item(conn, item_id)
    return see_other(f"/cases/{cases.for_item(store, item, who.user)}")


@router.get("/cases")
def cases_page(request: Request, who: Viewer) -> HTMLResponse:
    with store_of(request).engine.connect() as conn:
        return page(request, "cases.html.j2", who, cases=cases.list_cases(conn))


@router.get("/cases/{case_id}")
def case_page(request: Request, who: Viewer, case_id: Id) -> HTMLResponse:
    with store_of(request).engine.connect() as conn:
        case = cases.get(conn, case_id)
        links = cases.links_of(conn, case_id)
        notes, status = cases.history(conn, case_id)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        grouped.setdefault(link["kind"], []).append(link)
    return page(request, "case.html.j2", who, case=case, links=grouped, notes=notes, history=status,
                statuses=cases.STATUSES)  # fmt: skip


@router.post("/cases/{case_id}/note")
def case_note(
    request: Request, who: Reviewer, case_id: Id, text: Annotated[str, Form(max_length=20_000)]
) -> Response:
    with store_of(request).begin() as conn:
        cases.add_note(conn, case_id, who.user, text)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/status")
def case_status(
    request: Request, who: Analyst, case_id: Id,
    status: Annotated[str, Form(max_length=16)], note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    with store_of(request).begin() as conn:
        cases.set_status(conn, case_id, who.user, status, note)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/collect")
def case_collect(request: Request, who: Analyst, case_id: Id) -> Response:
    cases.collect(store_of(request), case_id, who.user)
    return see_other(f"/cases/{case_id}")


@router.get("/cases/{case_id}/bundle.json")
def case_bundle_json(request: Request, who: Analyst, case_id: Id) -> Response:
    import orjson

    body = cases.bundle(store_of(request), case_id, who.user)
    return Response(orjson.dumps(body, option=orjson.OPT_INDENT_2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="case-{case_id}-evidence.json"'})  # fmt: skip


@router.get("/cases/{case_id}/bundle.html")
def case_bundle_html(request: Request, who: Analyst, case_id: Id) -> HTMLResponse:
    body = cases.bundle(store_of(request), case_id, who.user)
    return page(request, "bundle.html.j2", who, bundle=body)


@router.get("/cases/{case_id}/notice")
def case_notice(
    request: Request, who: Analyst, case_id: Id, platform: str | None = None
) -> PlainTextResponse:
    return PlainTextResponse(cases.removal_notice(store_of(request), case_id, who.user, platform))


@router.get("/users")
def users_page(request: Request, who: Admin) -> HTMLResponse:
    with store_of(request).engine.connect() as conn:
        return page(request, "users.html.j2", who, users=list_users(conn))


@router.post("/users")
def users_add(
    request: Request, who: Admin,
    name: Annotated[str, Form(max_length=64)], role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:  # fmt: skip
    with store_of(request).begin() as conn:
        add_user(conn, name, role, password, actor=who.user.name)
    return see_other("/users")


@router.get("/audit")
def audit_page(request: Request, who: Admin) -> HTMLResponse:
    from sqlalchemy import select

    from ..store.schema import audit_log

    store = store_of(request)
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
        recent = [
            dict(r)
            for r in conn.execute(
                select(audit_log).order_by(audit_log.c.seq.desc()).limit(200)
            ).mappings()
        ]
    return page(request, "audit.html.j2", who, verification=v, entries=recent)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    who = getattr(request.state, "principal", None)
    return page(request, "error.html.j2", who, status, status=status, message=message)
