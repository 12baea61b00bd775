"""TAKE IT DOWN Act removal requests: intake, validation, the 48-hour clock, the copy sweep.

The Act (Pub. L. 119-12, section 3; enforced from 19 May 2026) asks a covered platform to remove a
reported intimate depiction within 48 hours of a *valid* request and to make reasonable efforts to
remove identical copies. A valid request has four elements, and :func:`validate` checks each with
a message the requester can act on:

1. a physical or electronic signature of the depicted person or of someone authorised to act for
   her (here: the typed full name, the box that signs it, and, for a representative, the authority);
2. identification of the depiction and information to locate it (links, post references, or the
   hashes a victim computed with ``counterspell hash`` without sharing the image);
3. a brief statement of good-faith belief that the depiction is not consensual;
4. contact information (an e-mail address or a telephone number).

An invalid request is kept (status ``invalid`` with the reasons) so that nothing a victim sent is
lost; the clock starts only on a valid one.
"""

from __future__ import annotations

import re
import secrets
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, or_, select, update

from ..errors import Conflict
from ..matching.copies import CopyFinder
from . import audit
from .db import Store
from .records import PERSONAL_FIELDS, RemovalRequest
from .schema import new_id, row_by_id, takedown_copies, takedowns

DEADLINE = timedelta(hours=48)
NEARLY_DUE = timedelta(hours=12)
STATUSES = ("received", "triage", "invalid", "valid", "removed", "closed")
_NEXT = {
    "valid": ("removed", "closed"),
    "removed": ("closed",),
    "invalid": ("closed",),
    "received": (),
    "triage": ("closed",),  # or accepted: see accept()
}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_HEX = re.compile(r"^(?:(md5|sha256|pdq)[:\s]+)?([0-9a-fA-F]{32}|[0-9a-fA-F]{64})$")
_ALIASES = {"md5_signal": "md5", "video_md5": "md5", "pdq_signal": "pdq"}  # python-threatexchange's
_UID = re.compile(r"^[a-z0-9_]+:[^\s]+:[^\s:]+$")
_URL = re.compile(r"^https?://[^\s<>\"]+$", re.I)
FIELDS = (
    "requester_name", "acting_for", "authority", "signature", "signed", "locations", "hashes",
    "statement", "good_faith", "contact_email", "contact_phone",
)  # fmt: skip


@dataclass
class Request:
    """What a requester submitted (the public form and ``POST /api/takedowns`` take the same)."""

    requester_name: str = ""
    acting_for: str = "self"  # self | authorised
    authority: str = ""
    signature: str = ""
    signed: bool = False
    locations: str = ""
    hashes: str = ""
    statement: str = ""
    good_faith: bool = False
    contact_email: str = ""
    contact_phone: str = ""

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Request:
        def text(k: str, limit: int = 5000) -> str:
            v = data.get(k)
            return str(v).strip()[:limit] if v is not None else ""

        def flag(k: str) -> bool:
            return str(data.get(k, "")).lower() in ("1", "true", "on", "yes")

        return cls(
            requester_name=text("requester_name", 200),
            acting_for=text("acting_for", 16) or "self",
            authority=text("authority"),
            signature=text("signature", 200),
            signed=flag("signed"),
            locations=text("locations", 20_000),
            hashes=text("hashes", 20_000),
            statement=text("statement"),
            good_faith=flag("good_faith"),
            contact_email=text("contact_email", 320),
            contact_phone=text("contact_phone", 40),
        )


def parse_hashes(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, hex) pairs and a message per bad line; a bare 64-hex value may be SHA-256 or PDQ.

    Takes what the fingerprinting page saves (python-threatexchange's ``<signal type> <hash>``
    lines, its aliases such as ``video_md5``, ``#`` comments) as well as pasted bare hashes."""
    out: list[tuple[str, str]] = []
    bad: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) == 2 and parts[0].lower() in _ALIASES:
            line = f"{_ALIASES[parts[0].lower()]} {parts[1].strip()}"
        m = _HEX.match(line)
        if not m:
            bad.append(
                f"hashes, line {n}: {line[:40]!r} is not an MD5 (32 hex digits), SHA-256 or PDQ (64)"
            )
            continue
        kind, hexv = (m.group(1) or "").lower(), m.group(2).lower()
        if len(hexv) == 32:
            if kind not in ("", "md5"):
                bad.append(f"hashes, line {n}: a {kind} hash has 64 hex digits")
                continue
            out.append(("md5", hexv))
        elif kind == "md5":
            bad.append(f"hashes, line {n}: an MD5 hash has 32 hex digits")
        else:
            out.extend([(kind, hexv)] if kind else [("sha256", hexv), ("pdq", hexv)])
    return out, bad


def validate(req: Request) -> list[str]:
    """Every missing or malformed element, each in words a requester can act on."""
    problems: list[str] = []
    if req.acting_for not in ("self", "authorised"):
        problems.append(
            "acting_for: say whether you are the person depicted or authorised to act for her"
        )
    if not req.signature or not req.signed:
        problems.append(
            "signature: type your full name as your electronic signature and tick the box that signs the request"
        )
    if req.acting_for == "authorised" and len(req.authority) < 5:
        problems.append("authority: say how you are authorised to act for the person depicted")
    lines = [x.strip() for x in req.locations.splitlines() if x.strip()]
    bad_loc = [x for x in lines if not (_URL.match(x) or _UID.match(x))]
    for x in bad_loc[:5]:
        problems.append(
            f"locations: {x[:60]!r} is neither a link (https://...) nor a post reference (platform:community:post)"
        )
    hashes, bad_hash = parse_hashes(req.hashes)
    problems.extend(bad_hash[:5])
    if not lines and not hashes:
        problems.append(
            "locations: say where the image or video is (links or post references), or give its hashes"
        )
    if not req.good_faith or len(req.statement) < 10:
        problems.append(
            "statement: give a brief statement of your good-faith belief that the depiction is not consensual, and tick the box"
        )
    if not (_EMAIL.match(req.contact_email) or len(re.sub(r"\D", "", req.contact_phone)) >= 7):
        problems.append(
            "contact: give an e-mail address or a telephone number where we can reach you"
        )
    return problems


def submit(
    conn: Connection,
    req: Request,
    actor: str = "public",
    *,
    triage: str | None = None,
    sender: str | None = None,
) -> RemovalRequest:
    """Record a request (always) and validate it; a valid one starts the 48-hour clock.

    With ``triage`` (why the intake held it back, see :mod:`.intake`) it is kept for a person to
    look at instead: no clock, not in the due list or the compliance figures.
    """
    now = datetime.now(UTC)
    problems = validate(req)
    values = {f: getattr(req, f) for f in FIELDS if f not in ("signed", "good_faith")}
    ref = "TID-" + secrets.token_hex(6).upper()
    tid = new_id(
        conn.execute(
            takedowns.insert().values(
                ref=ref, received_at=now, status="received", problems="[]", client_hash=sender,
                **values,
            )
        )
    )  # fmt: skip
    audit.record(conn, actor, "takedown.received", "takedown", tid, {"ref": ref})
    if triage:
        conn.execute(
            update(takedowns).where(takedowns.c.id == tid)
            .values(status="triage", triage_reason=triage, problems=orjson.dumps(problems).decode())
        )  # fmt: skip
        audit.record(conn, actor, "takedown.triage", "takedown", tid, {"reason": triage})
        return get(conn, int(tid))
    if problems:
        conn.execute(
            update(takedowns).where(takedowns.c.id == tid)
            .values(status="invalid", problems=orjson.dumps(problems).decode())
        )  # fmt: skip
        audit.record(conn, actor, "takedown.invalid", "takedown", tid, {"problems": len(problems)})
    else:
        conn.execute(
            update(takedowns).where(takedowns.c.id == tid)
            .values(status="valid", valid_at=now, due_at=now + DEADLINE)
        )  # fmt: skip
        audit.record(
            conn, actor, "takedown.valid", "takedown", tid, {"due_at": (now + DEADLINE).isoformat()}
        )
    return get(conn, int(tid))


def accept(conn: Connection, tid: int, actor: str) -> RemovalRequest:
    """A person takes a request out of triage: it is validated as if just filed, and a valid one
    is due 48 hours after it was *received* (a real request held back loses no time)."""
    row = get(conn, tid)
    if row.status != "triage":
        raise Conflict(f"removal request {tid} is {row.status}, not waiting in triage")
    problems = validate(Request.from_mapping({**row.as_dict(), "signed": bool(row.signature),
                                              "good_faith": bool(row.statement)}))  # fmt: skip
    t = takedowns.c
    if problems:
        conn.execute(
            update(takedowns).where(t.id == tid)
            .values(status="invalid", problems=orjson.dumps(problems).decode())
        )  # fmt: skip
    else:
        conn.execute(
            update(takedowns).where(t.id == tid)
            .values(status="valid", valid_at=row.received_at, due_at=row.received_at + DEADLINE)
        )  # fmt: skip
    audit.record(conn, actor, "takedown.accept", "takedown", tid, {"valid": not problems})
    return get(conn, tid)


def reveal(conn: Connection, tid: int, actor: str) -> RemovalRequest:
    """The request with the requester's details in the clear, for someone processing it;
    every reveal is audited (who, which request), never what was shown."""
    row = get(conn, tid)
    audit.record(conn, actor, "takedown.reveal", "takedown", tid, {"ref": row.ref})
    return row


def get(conn: Connection, tid: int) -> RemovalRequest:
    return RemovalRequest.from_row(row_by_id(conn, takedowns, tid, "removal request"))


def list_requests(
    conn: Connection, status: str | None = None, limit: int = 200, offset: int = 0
) -> list[RemovalRequest]:
    """Requests by deadline; without ``status``, every one except those waiting in triage
    (which a flood would otherwise push real requests off the page with)."""
    q = select(takedowns)
    q = q.where(takedowns.c.status == status) if status else q.where(takedowns.c.status != "triage")
    rows = conn.execute(
        q.order_by(takedowns.c.due_at.is_(None), takedowns.c.due_at, takedowns.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).mappings()
    return [RemovalRequest.from_row(dict(r)) for r in rows]


def status_counts(conn: Connection) -> dict[str, int]:
    """How many requests are in each status (the staff list's tabs)."""
    rows = conn.execute(select(takedowns.c.status, func.count()).group_by(takedowns.c.status)).all()
    out = dict.fromkeys(STATUSES, 0)
    out.update({str(s): int(n) for s, n in rows})
    out["open"] = sum(
        n for s, n in out.items() if s in ("received", "valid", "invalid", "removed", "closed")
    )
    return out


def due(conn: Connection, within: timedelta = NEARLY_DUE) -> list[RemovalRequest]:
    """Valid requests not yet removed whose deadline has passed or falls within ``within``."""
    now = datetime.now(UTC)
    rows = conn.execute(
        select(takedowns)
        .where(takedowns.c.status == "valid", takedowns.c.due_at <= now + within)
        .order_by(takedowns.c.due_at)
    ).mappings()
    return [RemovalRequest.from_row(dict(r)) for r in rows]


def set_status(
    conn: Connection, tid: int, status: str, actor: str, note: str = ""
) -> RemovalRequest:
    row = get(conn, tid)
    if status not in _NEXT.get(row.status, ()):
        raise Conflict(
            f"removal request {tid} is {row.status}; it can become {', '.join(_NEXT.get(row.status, ())) or 'nothing else'}"
        )
    now = datetime.now(UTC)
    values: dict[str, Any] = {"status": status}
    if status == "removed":
        values["removed_at"] = now
    if status == "closed":
        values["closed_at"] = now
    conn.execute(update(takedowns).where(takedowns.c.id == tid).values(**values))
    detail: dict[str, Any] = {"from": row.status, "note": bool(note)}
    if status == "removed" and row.valid_at is not None:
        detail["hours"] = round((now - row.valid_at).total_seconds() / 3600, 2)
    audit.record(conn, actor, f"takedown.{status}", "takedown", tid, detail)
    return get(conn, tid)


def purge(
    conn: Connection, older_than: timedelta, actor: str, *, dry_run: bool = False
) -> list[str]:
    """Erase the requester's details from requests finished longer ago than ``older_than``.

    A victim's name and telephone number should not outlive the need for them. A request is
    finished when removed or closed, or when it was invalid and never fixed (a fixed request is
    a new one). The request itself, its clock, status and copies stay, so compliance figures
    and the audit trail are unchanged; each erasure is audited. Returns the requests' refs.
    """
    cutoff = datetime.now(UTC) - older_than
    t = takedowns.c
    finished = func.coalesce(t.closed_at, t.removed_at, t.received_at)
    held = or_(*(getattr(t, f) != "" for f in PERSONAL_FIELDS))
    rows = conn.execute(
        select(t.id, t.ref)
        .where(t.status.in_(("removed", "closed", "invalid")), finished < cutoff, held)
        .order_by(t.id)
    ).all()
    if dry_run or not rows:
        return [ref for _, ref in rows]
    conn.execute(
        update(takedowns)
        .where(t.id.in_([tid for tid, _ in rows]))
        .values(**dict.fromkeys(PERSONAL_FIELDS, ""))
    )
    for tid, _ in rows:
        audit.record(
            conn, actor, "takedown.purge", "takedown", tid, {"fields": list(PERSONAL_FIELDS)}
        )
    return [ref for _, ref in rows]


@dataclass
class Compliance:
    valid: int = 0
    removed: int = 0
    removed_in_time: int = 0
    overdue_open: int = 0
    median_hours: float | None = None
    hours: list[float] = field(default_factory=list)

    @property
    def share_in_time(self) -> float | None:
        return self.removed_in_time / self.removed if self.removed else None


def compliance(conn: Connection) -> Compliance:
    """Share of removals within 48 hours of a valid request, and the median time to removal."""
    now = datetime.now(UTC)
    c = Compliance()
    for r in conn.execute(select(takedowns).where(takedowns.c.valid_at.is_not(None))).mappings():
        c.valid += 1
        if r["removed_at"] is not None:
            h = (r["removed_at"] - r["valid_at"]).total_seconds() / 3600
            c.removed += 1
            c.hours.append(h)
            c.removed_in_time += h <= DEADLINE.total_seconds() / 3600
        elif r["status"] == "valid" and r["due_at"] <= now:
            c.overdue_open += 1
    c.median_hours = round(statistics.median(c.hours), 2) if c.hours else None
    return c


_URL_POST = (
    (
        re.compile(
            r"^https?://(?:boards\.)?4chan(?:nel)?\.org/(\w+)/thread/\d+(?:/[^#]*)?#p(\d+)$"
        ),
        "4chan:{0}:{1}",
    ),
    (re.compile(r"^https?://(?:boards\.)?4chan(?:nel)?\.org/(\w+)/thread/(\d+)"), "4chan:{0}:{1}"),
    (
        re.compile(r"^https?://(?:www\.)?discord(?:app)?\.com/channels/(\d+)/(\d+)/(\d+)"),
        "discord:{0}/{1}:{2}",
    ),
)


def located_uids(locations: str) -> list[str]:
    """Post uids a request's locations name (post references, and links to 4chan or Discord posts)."""
    out: list[str] = []
    for line in (x.strip() for x in locations.splitlines()):
        if _UID.match(line) and not _URL.match(line):
            out.append(line)
            continue
        for pattern, fmt in _URL_POST:
            m = pattern.match(line)
            if m:
                out.append(fmt.format(*m.groups()))
                break
    return list(dict.fromkeys(out))


def sweep(
    store: Store, tid: int, actor: str, finder: CopyFinder | None = None, radius: int | None = None
) -> list[dict[str, Any]]:
    """Every copy of the reported media in the lake and in the banks; replaces the last sweep.

    The reported media are the hashes given plus the media of the posts the locations name.
    Identical copies share an MD5 or SHA-256; near copies have a PDQ within ``radius``
    (the workspace's ``pdq_threshold`` by default).
    """
    finder = finder or CopyFinder(store.ws)
    radius = store.ws.settings.pdq_threshold if radius is None else radius
    with store.engine.connect() as conn:
        row = get(conn, tid)
    signals, _ = parse_hashes(row.hashes)
    signals = list(dict.fromkeys(signals + finder.media_signals(located_uids(row.locations))))
    copies = finder.find(signals, radius)
    now = datetime.now(UTC)
    with store.begin() as conn:
        conn.execute(delete(takedown_copies).where(takedown_copies.c.takedown_id == tid))
        if copies:
            conn.execute(
                takedown_copies.insert(),
                [{k: c[k] for k in ("source", "ref", "signal", "match", "distance")} | {"takedown_id": tid, "found_at": now} for c in copies],
            )  # fmt: skip
        audit.record(
            conn, actor, "takedown.sweep", "takedown", tid,
            {"copies": len(copies), "identical": sum(c["match"] == "identical" for c in copies)},
        )  # fmt: skip
    return copies


def copies_of(conn: Connection, tid: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(takedown_copies)
        .where(takedown_copies.c.takedown_id == tid)
        .order_by(takedown_copies.c.id)
    ).mappings()
    return [dict(r) for r in rows]
