"""The JSON API (``/api``): what the UI does, for machines, described by OpenAPI at ``/docs``.

Every route names the least role it needs (``Viewer`` < ``Reviewer`` < ``Analyst`` < ``Admin``);
only ``POST /api/takedowns`` is public, because a victim files a removal request without an
account. Bodies are JSON only, which also keeps cross-site forms out (they cannot send JSON).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..store import audit, cases, intake, queue, takedown
from ..store.accounts import add_user, create_token, list_users
from ..store.generation import generation
from ..store.records import RemovalRequest
from ..store.schema import ROLES
from .listcache import KeptAnswers
from .security import Admin, Analyst, Id, Reviewer, Viewer, store_of, views_of

router = APIRouter(prefix="/api")


class DecisionIn(BaseModel):
    action: Literal["confirm", "correct", "escalate", "dismiss"]
    role: str | None = Field(None, max_length=32, description="The right role (for 'correct').")
    flags: list[str] | None = Field(None, max_length=10)
    note: str = Field("", max_length=5000)


class CaseIn(BaseModel):
    kind: Literal["target", "request"]
    key: str = Field(
        min_length=1,
        max_length=200,
        description="A target pseudonym, a campaign id or a request's post uid.",
    )
    title: str = Field("", max_length=300)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


class CaseStatusIn(BaseModel):
    status: Literal["open", "in_progress", "actioned", "closed"]
    note: str = Field("", max_length=2000)


class TakedownStatusIn(BaseModel):
    status: Literal["removed", "closed"]
    note: str = Field("", max_length=2000)


class TakedownIn(BaseModel):
    """The four elements of a valid request (TAKE IT DOWN Act): signature, location, statement, contact."""

    requester_name: str = Field("", max_length=200)
    acting_for: Literal["self", "authorised"] = "self"
    authority: str = Field("", max_length=5000)
    signature: str = Field(
        "", max_length=200, description="Full name typed as an electronic signature."
    )
    signed: bool = False
    locations: str = Field(
        "", max_length=20_000, description="Links or post references, one per line."
    )
    hashes: str = Field("", max_length=20_000, description="MD5, SHA-256 or PDQ hex, one per line.")
    statement: str = Field("", max_length=5000)
    good_faith: bool = False
    contact_email: str = Field("", max_length=320)
    contact_phone: str = Field("", max_length=40)
    challenge: str = Field(
        "", max_length=200, description="From GET /api/takedowns/challenge (proof of work)."
    )
    proof: str = Field(
        "",
        max_length=40,
        description="A number n such that SHA-256 of 'challenge:n' starts with `bits` zero bits. "
        "Without it the request is kept for a person to read, with no clock yet.",
    )


class MatchIn(BaseModel):
    hashes: list[str] = Field(
        min_length=1, max_length=1000, description="'pdq <hex>', 'md5:<hex>', or bare hex"
    )
    radius: int | None = Field(None, ge=0, le=64)


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Literal["viewer", "reviewer", "analyst", "admin"]
    password: str = Field(min_length=12, max_length=1000)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


def _public(row: RemovalRequest) -> dict[str, Any]:
    """A removal request as its requester may see it (no internal case link)."""
    keep = (
        "ref",
        "status",
        "received_at",
        "valid_at",
        "due_at",
        "removed_at",
        "closed_at",
        "problems",
    )
    data = row.as_dict()
    return {k: data[k] for k in keep}


def _json(body: dict[str, Any]) -> Response:
    """``body`` as JSON, written by orjson: the same document FastAPI's encoder would make (the
    encoder still handles any type orjson lacks), at a fraction of its cost on the busiest
    routes, whose answers are lists of records. Keys may be ``str`` subclasses (SQLAlchemy's
    column names), hence ``OPT_NON_STR_KEYS``."""
    return Response(_json_bytes(body), media_type="application/json")


def _json_bytes(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body, default=jsonable_encoder, option=orjson.OPT_NON_STR_KEYS)


@router.get("/me")
def me(who: Viewer) -> dict[str, Any]:
    """Who the credentials belong to, their role, how they signed in (cookie or token) and the
    roles there are. Any role."""
    return {"name": who.user.name, "role": who.user.role, "via": who.via, "roles": list(ROLES)}


@router.get(
    "/queue",
    response_model=dict[str, Any],
    summary="A page of the review queue",
    description="Items of one status, highest priority (or newest, oldest) first, with the "
    "counts per status; filters by flag, role and community. Any role may read it.",
)
def queue_list(
    request: Request,
    who: Viewer,
    status: Literal["open", "escalated", "decided"] = "open",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
    flag: str | None = Query(None, max_length=32, description="Only items with this flag."),
    role: str | None = Query(None, max_length=32, description="Only items with this role."),
    community: str | None = Query(
        None, max_length=300, description="platform/community, or a community id alone."
    ),
    sort: Literal["priority", "newest", "oldest"] = "priority",
) -> Response:
    # The same page is answered from what was kept while the queue's generation is unchanged
    # (web/listcache.py: any write to the queue, from any process, makes it read again).
    key = (status, limit, offset, flag, role, community, sort)
    with store_of(request).engine.connect() as conn:

        def page() -> bytes:
            items = queue.list_items(
                conn, status, limit, offset, flag=flag, role=role, community=community, sort=sort
            )
            return _json_bytes(
                {"counts": queue.counts(conn), "items": [it.as_dict() for it in items]}
            )

        kept: KeptAnswers = request.app.state.lists
        body = kept.answer(key, generation(conn), page)  # the generation first, then the page
    return Response(body, media_type="application/json")


@router.post("/queue/next")
def queue_next(request: Request, who: Reviewer) -> dict[str, Any]:
    """Claim the caller's current item, else the highest-priority item nobody holds (a 30-minute
    lease); ``item`` is null when the queue is empty. Reviewer or above."""
    with store_of(request).begin() as conn:
        item = queue.claim_next(conn, who.user)
    return {"item": item}


@router.get("/queue/{item_id}", response_model=dict[str, Any])
def queue_item(request: Request, who: Viewer, item_id: Id) -> Response:
    """One item with the lake's view of it: the post, its thread, campaign, the author's other
    posts, signals and their reasons, media as hashes only; target identifiers masked. Any role."""
    from .lakeview import mask_view
    from .viewcache import next_in_queue

    with store_of(request).engine.connect() as conn:
        item = queue.get_item(conn, item_id)
        decided = queue.item_decisions(conn, item_id)
        identities = queue.all_identities(conn)
    # the lake's view is shared (cached); masking is per request, for this viewer
    store = store_of(request)
    view = views_of(request).item(item, lambda: next_in_queue(store, item))
    ctx = mask_view(view, identities)
    return _json({"item": item, "context": ctx, "decisions": decided})


@router.post("/queue/{item_id}/claim")
def queue_claim(request: Request, who: Reviewer, item_id: Id) -> dict[str, Any]:
    """Take an item for review (a 30-minute lease); 409 while another reviewer holds it. Reviewer
    or above."""
    with store_of(request).begin() as conn:
        return {"item": queue.claim(conn, who.user, item_id)}


@router.post("/queue/{item_id}/decision")
def queue_decide(request: Request, who: Reviewer, item_id: Id, body: DecisionIn) -> dict[str, Any]:
    """Confirm, correct (with the right role and flags), escalate or dismiss an item, with a note;
    decisions become training labels. Reviewer or above."""
    with store_of(request).begin() as conn:
        item = queue.decide(conn, who.user, item_id, body.action, body.role, body.flags, body.note)
    return {"item": item}


@router.post("/queue/{item_id}/reveal")
def queue_reveal(request: Request, who: Analyst, item_id: Id) -> dict[str, Any]:
    """The clear target identifiers behind an item's pseudonyms; every reveal is audited.
    Analyst or above."""
    with store_of(request).begin() as conn:
        return {"identities": queue.reveal(conn, who.user, item_id)}


@router.get("/cases")
def case_list(
    request: Request,
    who: Viewer,
    status: Literal["open", "in_progress", "actioned", "closed"] | None = None,
) -> dict[str, Any]:
    """Cases, newest first, optionally of one status. Any role."""
    with store_of(request).engine.connect() as conn:
        return {"cases": cases.list_cases(conn, status)}


@router.post("/cases", status_code=201)
def case_open(request: Request, who: Analyst, body: CaseIn) -> dict[str, Any]:
    """Open the case of a target (pseudonym), a request thread or a removal request, or return
    the one already open for that key, and link the posts it gathers. Analyst or above."""
    store = store_of(request)
    with store.begin() as conn:
        cid, created = cases.open_case(conn, who.user, body.kind, body.key, body.title)
    added = cases.collect(store, cid, who.user) if created else {}
    return {"id": cid, "created": created, "linked": added}


@router.get("/cases/{case_id}")
def case_get(request: Request, who: Viewer, case_id: Id) -> dict[str, Any]:
    """A case with its links, notes and status history. Any role."""
    with store_of(request).engine.connect() as conn:
        case = cases.get(conn, case_id)
        notes, status = cases.history(conn, case_id)
        links = cases.links_of(conn, case_id)
    return {"case": case, "links": links, "notes": notes, "status_history": status}


@router.post("/cases/{case_id}/notes", status_code=201)
def case_note(request: Request, who: Reviewer, case_id: Id, body: NoteIn) -> dict[str, Any]:
    """Add a note to a case. Reviewer or above."""
    with store_of(request).begin() as conn:
        cases.add_note(conn, case_id, who.user, body.text)
    return {"ok": True}


@router.post("/cases/{case_id}/status")
def case_status(request: Request, who: Analyst, case_id: Id, body: CaseStatusIn) -> dict[str, Any]:
    """Move a case to another status (open, in_progress, actioned, closed), with a note; audited.
    Analyst or above."""
    with store_of(request).begin() as conn:
        cases.set_status(conn, case_id, who.user, body.status, body.note)
        return {"case": cases.get(conn, case_id)}


@router.get("/cases/{case_id}/bundle")
def case_bundle(request: Request, who: Analyst, case_id: Id) -> dict[str, Any]:
    """The case as evidence: its links with hashes and times, notes, status history and audit
    trail; the export is audited with the digest of its content. Analyst or above."""
    return cases.bundle(store_of(request), case_id, who.user)


@router.get("/takedowns/challenge")
def takedown_challenge(request: Request) -> dict[str, Any]:
    """Public: a proof-of-work challenge for filing a request (valid 30 minutes)."""
    key = store_of(request).ws.ensure_secret("intake.key")
    return {"challenge": intake.new_challenge(key), "bits": intake.POW_BITS}


@router.post("/takedowns", status_code=201)
def takedown_submit(request: Request, body: TakedownIn) -> dict[str, Any]:
    """Public: file a removal request. Invalid requests are kept too, with what to fix; one over
    the intake's limits or without a proof of work is kept in triage for a person (no clock)."""
    req = takedown.Request.from_mapping(body.model_dump())
    store = store_of(request)
    key = store.ws.ensure_secret("intake.key")
    client = request.client.host if request.client else "unknown"
    with store.begin() as conn:
        try:
            held, sender = intake.triage_reason(conn, key, client, body.challenge, body.proof)
        except intake.IntakeFull as exc:
            raise HTTPException(429, str(exc)) from None
        row = takedown.submit(conn, req, actor="public", triage=held, sender=sender)
    return _public(row)


@router.get("/takedowns")
def takedown_list(
    request: Request,
    who: Viewer,
    status: Literal["received", "triage", "invalid", "valid", "removed", "closed"] | None = None,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> dict[str, Any]:
    """Requests by deadline (without a status: all but those waiting in triage), requesters'
    details masked. Any role."""
    with store_of(request).engine.connect() as conn:
        rows = takedown.list_requests(conn, status, limit, offset)
        return {"takedowns": [r.masked().as_dict() for r in rows]}


@router.get("/takedowns/due")
def takedown_due(
    request: Request, who: Viewer, within_hours: float = Query(12.0, ge=0, le=24 * 365)
) -> dict[str, Any]:
    """Valid removal requests whose 48-hour deadline falls within ``within_hours`` (overdue ones
    first), requesters' details masked. Any role."""
    with store_of(request).engine.connect() as conn:
        due = takedown.due(conn, timedelta(hours=within_hours))
        return {"due": [r.masked().as_dict() for r in due]}


@router.get("/takedowns/{tid}")
def takedown_get(request: Request, who: Viewer, tid: Id) -> dict[str, Any]:
    """One removal request (requester's details masked) and the copies its sweep found. Any role."""
    with store_of(request).engine.connect() as conn:
        row = takedown.get(conn, tid).masked()
        return {"takedown": row.as_dict(), "copies": takedown.copies_of(conn, tid)}


@router.post("/takedowns/{tid}/reveal")
def takedown_reveal(request: Request, who: Analyst, tid: Id) -> dict[str, Any]:
    """The requester's details in the clear, for processing the request; audited. Analyst or
    above."""
    with store_of(request).begin() as conn:
        return {"takedown": takedown.reveal(conn, tid, who.user.name).as_dict()}


@router.post("/takedowns/{tid}/status")
def takedown_status(
    request: Request, who: Analyst, tid: Id, body: TakedownStatusIn
) -> dict[str, Any]:
    """Move a removal request on (valid, removed, closed...), with a note; the 48-hour clock starts
    when it is valid. Analyst or above."""
    with store_of(request).begin() as conn:
        row = takedown.set_status(conn, tid, body.status, who.user.name, body.note)
        return {"takedown": row.masked().as_dict()}


@router.post("/takedowns/{tid}/sweep")
def takedown_sweep(request: Request, who: Analyst, tid: Id) -> dict[str, Any]:
    """Look for copies of the request's media across the lake (MD5, PDQ within the workspace's
    radius) and record them. Analyst or above."""
    copies = takedown.sweep(store_of(request), tid, who.user.name, request.app.state.finder)
    return {"copies": copies}


@router.post("/takedowns/{tid}/case", status_code=201)
def takedown_case(request: Request, who: Analyst, tid: Id) -> dict[str, Any]:
    """Open (or refresh) the case of a removal request from its sweep's copies. Analyst or
    above."""
    return {"case_id": cases.from_takedown(store_of(request), tid, who.user)}


@router.get("/compliance")
def compliance(request: Request, who: Viewer) -> dict[str, Any]:
    """How removal requests met the 48-hour deadline: valid, removed, removed in time, the share in
    time, the median hours to removal, overdue ones still open. Any role."""
    with store_of(request).engine.connect() as conn:
        c = takedown.compliance(conn)
    return {
        "valid": c.valid, "removed": c.removed, "removed_within_48h": c.removed_in_time,
        "share_within_48h": c.share_in_time, "median_hours_to_removal": c.median_hours,
        "overdue_open": c.overdue_open,
    }  # fmt: skip


@router.post("/match")
def match(request: Request, who: Analyst, body: MatchIn) -> dict[str, Any]:
    """Look hashes up in the lake and the positive banks (nothing is stored). Analyst or above."""
    signals, problems = takedown.parse_hashes("\n".join(body.hashes))
    if problems:
        raise HTTPException(422, problems)
    store = store_of(request)
    radius = store.ws.settings.pdq_threshold if body.radius is None else body.radius
    return {"matches": request.app.state.finder.find(signals, radius)}


@router.get("/audit/verify")
def audit_verify(request: Request, who: Admin) -> dict[str, Any]:
    """Check the audit log's hash chain against its signed anchor: ``ok`` false names the entries
    that were changed or removed. Admin."""
    store = store_of(request)
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
    return {"ok": v.ok, "entries": v.entries, "head": v.head_hash, "problems": v.problems}


@router.get("/users")
def users_list(request: Request, who: Admin) -> dict[str, Any]:
    """Accounts with their roles (never password hashes). Admin."""
    with store_of(request).engine.connect() as conn:
        return {"users": list_users(conn)}


@router.post("/users", status_code=201)
def users_add(request: Request, who: Admin, body: UserIn) -> dict[str, Any]:
    """Create an account with a role and a password (checked against the password rules). Admin."""
    with store_of(request).begin() as conn:
        u = add_user(conn, body.name, body.role, body.password, actor=who.user.name)
    return {"id": u.id, "name": u.name, "role": u.role}


@router.post("/users/{name}/tokens", status_code=201)
def users_token(request: Request, who: Admin, name: str, body: TokenIn) -> dict[str, Any]:
    """Create an API token for an account: shown once, only its digest is stored. Admin."""
    with store_of(request).begin() as conn:
        token = create_token(conn, name, body.name, actor=who.user.name)
    return {"token": token, "note": "shown once; only its digest is stored"}
