"""Removal requests on the web: the public form (with its proof of work and triage, see
:mod:`counterspell.store.intake`) and the staff pages that list, reveal and act on them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..store import cases, intake, takedown
from .hash_page import SCRIPTS as HASH_SCRIPTS
from .security import Analyst, Id, Viewer, check_public_csrf, public_csrf, store_of
from .ui import page, see_other

router = APIRouter(include_in_schema=False)
PAGE = 100
LISTS = ("open", "triage", "valid", "invalid", "removed", "closed")


@router.get("/takedowns")
def takedowns_page(
    request: Request,
    who: Viewer,
    show: Annotated[str, Query(max_length=16)] = "open",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    """Requests by deadline, a page at a time; those waiting in triage are a list of their own."""
    if show not in LISTS:
        raise HTTPException(400, f"show must be one of {', '.join(LISTS)}")
    with store_of(request).engine.connect() as conn:
        status = None if show == "open" else show
        rows = [r.masked() for r in takedown.list_requests(conn, status, PAGE + 1, offset)]
        comp = takedown.compliance(conn)
        counts = takedown.status_counts(conn)
    more = len(rows) > PAGE
    return page(request, "takedowns.html.j2", who, rows=rows[:PAGE], compliance=comp,
                counts=counts, show=show, offset=offset, lists=LISTS,
                next_url=f"/takedowns?{urlencode({'show': show, 'offset': offset + PAGE})}" if more else None)  # fmt: skip


@router.get("/takedowns/{tid}")
def takedown_page(request: Request, who: Viewer, tid: Id) -> HTMLResponse:
    """The request with the requester's details hidden; an analyst reveals them (audited)."""
    with store_of(request).engine.connect() as conn:
        row = takedown.get(conn, tid).masked()
        copies = takedown.copies_of(conn, tid)
    return page(request, "takedown.html.j2", who, t=row, copies=copies, revealed=False)


@router.post("/takedowns/{tid}/reveal")
def takedown_reveal_page(request: Request, who: Analyst, tid: Id) -> HTMLResponse:
    with store_of(request).begin() as conn:
        row = takedown.reveal(conn, tid, who.user.name)
        copies = takedown.copies_of(conn, tid)
    return page(request, "takedown.html.j2", who, t=row, copies=copies, revealed=True)


@router.post("/takedowns/{tid}/status")
def takedown_status(
    request: Request,
    who: Analyst,
    tid: Id,
    status: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with store_of(request).begin() as conn:
        if status == "accepted":  # out of triage: validated, due 48 h after it was received
            takedown.accept(conn, tid, who.user.name)
        else:
            takedown.set_status(conn, tid, status, who.user.name, note)
    return see_other(f"/takedowns/{tid}")


@router.post("/takedowns/{tid}/sweep")
def takedown_sweep(request: Request, who: Analyst, tid: Id) -> Response:
    takedown.sweep(store_of(request), tid, who.user.name, request.app.state.finder)
    return see_other(f"/takedowns/{tid}")


@router.post("/takedowns/{tid}/case")
def takedown_case(request: Request, who: Analyst, tid: Id) -> Response:
    cid = cases.from_takedown(store_of(request), tid, who.user)
    return see_other(f"/cases/{cid}")


def _form(request: Request, status: int = 200, **values: object) -> HTMLResponse:
    key = store_of(request).ws.ensure_secret("intake.key")
    ctx: dict[str, object] = {"values": {}, "problems": [], **values}
    return page(request, "takedown_form.html.j2", None, status, token=public_csrf(request),
                challenge=intake.new_challenge(key), pow_bits=intake.POW_BITS, hash_scripts=HASH_SCRIPTS,
                retention_days=_retention_days(request), **ctx)  # fmt: skip


def _retention_days(request: Request) -> int:
    return store_of(request).ws.settings.takedown_retention_days


@router.get("/hash")
def hash_page(request: Request) -> HTMLResponse:
    """Public: fingerprint pictures on this device; nothing is uploaded (see :mod:`.hash_page`)."""
    return page(request, "hash.html.j2", None, scripts=HASH_SCRIPTS)


@router.get("/takedown")
def public_form(request: Request) -> HTMLResponse:
    """Public: the removal-request form (no account needed)."""
    return _form(request)


@router.post("/takedown")
async def public_submit(request: Request) -> HTMLResponse:
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    check_public_csrf(request, data.get("csrf", ""))
    req = takedown.Request.from_mapping(data)
    store = store_of(request)
    key = store.ws.ensure_secret("intake.key")
    client = request.client.host if request.client else "unknown"
    with store.begin() as conn:
        try:
            held, sender = intake.triage_reason(
                conn, key, client, data.get("challenge", ""), data.get("proof", "")
            )
        except intake.IntakeFull as exc:
            raise HTTPException(429, str(exc)) from None
        row = takedown.submit(conn, req, actor="public", triage=held, sender=sender)
    if row.status == "invalid":  # show the form again with what to fix; the request is kept
        return _form(request, 422, values=data, problems=row.problems, ref=row.ref)
    return page(request, "takedown_done.html.j2", None, 201, t=row,
                retention_days=_retention_days(request))  # fmt: skip
