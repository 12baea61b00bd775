"""Cases: one per target (pseudonym), per request (campaign) or per removal request.

A case gathers the posts that name the target or belong to the request's campaign, the campaigns
themselves, the media hashes of those posts (never the media) and the bank entries they matched.
Notes and status changes are kept in order; :func:`bundle` exports all of it with the audit trail
as evidence (chain of custody: every entry's hash, and the bundle's own digest is audited).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, select, update

from ..errors import CounterspellError
from ..lake.datasets import enriched_sql, relation
from ..lake.query import connect, posts_relation_sql
from . import audit, takedown
from .accounts import User
from .db import Store
from .notices.evidence import requester_accounts
from .queue import targets_of
from .records import Case, QueueItem
from .schema import (
    case_links,
    case_notes,
    case_status,
    cases,
    new_id,
    row_by_id,
    takedown_copies,
    takedowns,
    users,
)

STATUSES = ("open", "in_progress", "actioned", "closed")
KINDS = ("target", "request", "takedown")
MAX_POSTS = 5_000  # a case is for people to read; beyond this it is a research question


def open_case(
    conn: Connection, user: User, kind: str, key: str, title: str = ""
) -> tuple[int, bool]:
    """The case for (kind, key), created if new; returns (id, created)."""
    if kind not in KINDS:
        raise CounterspellError(f"case kind {kind!r} is not one of {', '.join(KINDS)}")
    found = conn.execute(
        select(cases.c.id).where(cases.c.kind == kind, cases.c.key == key)
    ).scalar()
    if found is not None:
        return int(found), False
    now = datetime.now(UTC)
    cid = new_id(
        conn.execute(
            cases.insert().values(
                kind=kind, key=key, title=(title or f"{kind} {key}")[:300], status="open",
                created_at=now, created_by=user.id, updated_at=now,
            )
        )
    )  # fmt: skip
    conn.execute(
        case_status.insert().values(
            case_id=cid, at=now, user_id=user.id, status="open", note="opened"
        )
    )
    audit.record(conn, user.name, "case.open", "case", cid, {"kind": kind, "key": key})
    return cid, True


def for_item(store: Store, item: QueueItem, user: User) -> int:
    """The case of a queue item (its first target, else its request's campaign, else the post),
    opened if new and linked again from the lake, which always includes the item's own post."""
    targets = targets_of(item)
    if targets:
        kind, key, title = "target", targets[0], f"target {targets[0][:16]}"
    else:
        key = item.campaign_id or item.uid
        kind, title = "request", f"request {key}"
    with store.begin() as conn:
        cid, created = open_case(conn, user, kind, key, title)
        if created and "sextortion" in item.flags:
            add_note(conn, cid, user, SEXTORTION_ROUTING)
    collect(store, cid, user)
    return cid


# Where someone being extorted with (real or fabricated) intimate images gets help, added to a
# case opened from a sextortion item. Sources, read 2026-12-01: NCMEC CyberTipline
# (https://report.cybertip.org/), Take It Down (https://takeitdown.ncmec.org/, images of people
# under 18), StopNCII (https://stopncii.org/, adults), FBI IC3 and PSA I-060523-PSA
# (https://www.ic3.gov/PSA/2023/PSA230605: do not pay, keep the messages, report).
SEXTORTION_ROUTING = (
    "Sextortion routing: if the person may be under 18, report to NCMEC's CyberTipline "
    "(report.cybertip.org) and use Take It Down (takeitdown.ncmec.org) for the images; adults can "
    "hash their images with StopNCII (stopncii.org). Report the extortion to local police or the "
    "FBI (ic3.gov in the US). Advise the person not to pay and to keep the messages; preserve the "
    "extorting account's handles, ids and times for the platform and the police."
)


def collect(store: Store, case_id: int, user: User) -> dict[str, int]:
    """Link what the lake knows about the case: posts, campaigns, media hashes, bank matches."""
    ws = store.ws
    with store.engine.connect() as conn:
        case = get(conn, case_id)
    if not ws.has_data("posts"):
        return {}
    con = connect(ws)
    members = relation(ws, "campaign_members")
    enr = enriched_sql(ws)
    params: dict[str, Any] = {"key": case.key}
    if case.kind == "target":
        seed = f"SELECT uid FROM {enr} WHERE list_contains(target_ids, $key)"
    elif case.kind == "takedown":  # the copies its sweep found in the lake
        with store.engine.connect() as conn:
            uids = (
                conn.execute(
                    select(takedown_copies.c.ref)
                    .join(takedowns, takedowns.c.id == takedown_copies.c.takedown_id)
                    .where(takedowns.c.ref == case.key, takedown_copies.c.source == "lake")
                )
                .scalars()
                .all()
            )
        params = {"uids": list(dict.fromkeys(uids)) or [""]}
        seed = "SELECT unnest($uids) AS uid"
    else:  # a request: its campaign, or the post alone
        seed = f"""SELECT uid FROM {members} WHERE campaign_id = $key
                   UNION SELECT uid FROM {members} WHERE campaign_id IN (SELECT campaign_id FROM {members} WHERE uid = $key)
                   UNION SELECT $key"""
    con.execute(f"CREATE TEMP TABLE seed AS {seed}", params)
    con.execute(
        f"CREATE TEMP TABLE camp AS SELECT DISTINCT campaign_id FROM {members} WHERE uid IN (SELECT uid FROM seed)"
    )
    con.execute(
        f"""CREATE TEMP TABLE cp AS SELECT uid FROM seed
            UNION SELECT uid FROM {members} WHERE campaign_id IN (SELECT campaign_id FROM camp)"""
    )
    posts = con.execute(
        f"""SELECT p.uid, p.platform, p.community, p.thread_id, p.created_at, e.role, e.flags,
                   m.campaign_id, m.part
            FROM {posts_relation_sql(ws)} p JOIN cp USING (uid)
            LEFT JOIN {enr} e USING (uid)
            LEFT JOIN (SELECT uid, any_value(campaign_id) AS campaign_id, any_value(part) AS part
                       FROM {members} GROUP BY uid) m USING (uid)
            ORDER BY p.created_at, p.uid LIMIT {MAX_POSTS}"""
    ).fetchall()
    media = con.execute(
        f"""SELECT uid, media_index, lower(coalesce(md5, reported_md5)), sha256, pdq, pdq_quality, provenance
            FROM {relation(ws, "media")} WHERE uid IN (SELECT uid FROM cp)
            ORDER BY uid, media_index"""
    ).fetchall()
    matches = con.execute(
        f"""SELECT uid, bank, entry_id, signal_type, distance FROM {relation(ws, "matches")}
            WHERE uid IN (SELECT uid FROM cp) AND NOT quarantined_entry ORDER BY bank, entry_id, uid"""
    ).fetchall()
    camps = [r[0] for r in con.execute("SELECT campaign_id FROM camp ORDER BY 1").fetchall()]
    links: list[tuple[str, str, dict[str, Any]]] = []
    for uid, platform, community, thread, at, role, flags, cid, part in posts:
        links.append(("post", uid, {"platform": platform, "community": community, "thread_id": thread,
                                    "created_at": at.isoformat() if at else None, "role": role,
                                    "flags": list(flags or []), "campaign_id": cid, "part": part}))  # fmt: skip
    links += [("campaign", c, {}) for c in camps]
    for uid, idx, md5, sha, pdq, q, prov in media:
        ref = f"{uid}#{idx}"
        links.append(("media", ref, {"uid": uid, "md5": md5, "sha256": sha, "pdq": pdq, "pdq_quality": q,
                                     "provenance": orjson.loads(prov) if prov else []}))  # fmt: skip
    for uid, bank, entry, sig, dist in matches:
        links.append(
            ("bank_entry", f"{bank}:{entry}", {"uid": uid, "signal_type": sig, "distance": dist})
        )
    added = add_links(store, case_id, user, links)
    return added


def add_links(
    store: Store, case_id: int, user: User, links: list[tuple[str, str, dict[str, Any]]]
) -> dict[str, int]:
    now = datetime.now(UTC)
    added: dict[str, int] = {}
    with store.begin() as conn:
        have = set(
            conn.execute(
                select(case_links.c.kind, case_links.c.ref).where(case_links.c.case_id == case_id)
            ).all()
        )
        new = [
            (k, r, d)
            for k, r, d in dict(((k, r), (k, r, d)) for k, r, d in links).values()
            if (k, r) not in have
        ]
        if new:
            conn.execute(
                case_links.insert(),
                [{"case_id": case_id, "kind": k, "ref": r, "detail": orjson.dumps(d).decode(),
                  "added_at": now, "added_by": user.id} for k, r, d in new],
            )  # fmt: skip
        for k, _, _ in new:
            added[k] = added.get(k, 0) + 1
        conn.execute(update(cases).where(cases.c.id == case_id).values(updated_at=now))
        audit.record(conn, user.name, "case.link", "case", case_id, added)
    return added


def get(conn: Connection, case_id: int) -> Case:
    return Case.from_row(row_by_id(conn, cases, case_id, "case"))


def list_cases(
    conn: Connection, status: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    n_links = (
        select(case_links.c.case_id, func.count().label("links"))
        .group_by(case_links.c.case_id)
        .subquery()
    )
    q = select(cases, func.coalesce(n_links.c.links, 0).label("links")).outerjoin(
        n_links, n_links.c.case_id == cases.c.id
    )
    if status:
        q = q.where(cases.c.status == status)
    return [
        dict(r) for r in conn.execute(q.order_by(cases.c.updated_at.desc()).limit(limit)).mappings()
    ]


def links_of(conn: Connection, case_id: int, kind: str | None = None) -> list[dict[str, Any]]:
    q = select(case_links).where(case_links.c.case_id == case_id)
    if kind:
        q = q.where(case_links.c.kind == kind)
    rows = conn.execute(q.order_by(case_links.c.kind, case_links.c.id)).mappings()
    return [{**dict(r), "detail": orjson.loads(r["detail"])} for r in rows]


def add_note(conn: Connection, case_id: int, user: User, text: str) -> None:
    text = text.strip()
    if not text:
        raise CounterspellError("a note needs some text")
    get(conn, case_id)
    now = datetime.now(UTC)
    conn.execute(
        case_notes.insert().values(case_id=case_id, at=now, user_id=user.id, text=text[:20_000])
    )
    conn.execute(update(cases).where(cases.c.id == case_id).values(updated_at=now))
    audit.record(conn, user.name, "case.note", "case", case_id)


def set_status(conn: Connection, case_id: int, user: User, status: str, note: str = "") -> None:
    if status not in STATUSES:
        raise CounterspellError(f"case status {status!r} is not one of {', '.join(STATUSES)}")
    case = get(conn, case_id)
    if case.status == status:
        return
    now = datetime.now(UTC)
    conn.execute(update(cases).where(cases.c.id == case_id).values(status=status, updated_at=now))
    conn.execute(
        case_status.insert().values(
            case_id=case_id, at=now, user_id=user.id, status=status, note=note[:2000]
        )
    )
    audit.record(
        conn, user.name, "case.status", "case", case_id, {"from": case.status, "to": status}
    )


def history(conn: Connection, case_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(notes, status changes) with the name of who made each, oldest first."""
    notes = conn.execute(
        select(case_notes, users.c.name.label("user")).outerjoin(users, users.c.id == case_notes.c.user_id)
        .where(case_notes.c.case_id == case_id).order_by(case_notes.c.id)
    ).mappings()  # fmt: skip
    status = conn.execute(
        select(case_status, users.c.name.label("user")).outerjoin(users, users.c.id == case_status.c.user_id)
        .where(case_status.c.case_id == case_id).order_by(case_status.c.id)
    ).mappings()  # fmt: skip
    return [dict(r) for r in notes], [dict(r) for r in status]


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


def _plain(row: dict[Any, Any]) -> dict[str, Any]:
    """A row as JSON-ready data (plain str keys: SQLAlchemy may hand back str subclasses)."""
    return {str(k): _iso(v) for k, v in row.items()}


def bundle(store: Store, case_id: int, user: User) -> dict[str, Any]:
    """The case as evidence: links with hashes and times, notes, status history, audit trail.

    The export is itself audited, with the digest of the bundle's content, so a copy handed to a
    partner can later be shown to be the one exported.
    """
    with store.begin() as conn:
        case = _plain(get(conn, case_id).as_dict())
        links = [_plain(r) for r in links_of(conn, case_id)]
        notes, status = history(conn, case_id)
        tids = [
            str(r)
            for r in conn.execute(
                select(takedowns.c.id).where(takedowns.c.case_id == case_id)
            ).scalars()
        ]
        trail = audit.entries_for(conn, "case", [str(case_id)]) + audit.entries_for(
            conn, "takedown", tids
        )
        posts = [link for link in links if link["kind"] == "post"]
        body = {
            "format": "counterspell-evidence/1",
            "generated_at": datetime.now(UTC).isoformat(),
            "generated_by": user.name,
            "case": case,
            "links": links,
            "notes": [_plain(n) for n in notes],
            "status_history": [_plain(s) for s in status],
            "audit_trail": [_plain(e) for e in sorted(trail, key=lambda e: e["seq"])],
            # a request post is itself an offence in England and Wales (Sexual Offences Act 2003
            # s.66F): the accounts that posted them are evidence a platform should preserve
            "requesters": requester_accounts(store.ws, posts),
        }
        digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
        audit.record(conn, user.name, "case.export", "case", case_id, {"sha256": digest})
    return {**body, "sha256": digest}


def removal_notice(store: Store, case_id: int, user: User, platform: str | None = None) -> str:
    """The TAKE IT DOWN Act removal request for a platform, as Markdown (the ``us-removal``
    template of :mod:`.notices`; ``counterspell notice build`` writes the others)."""
    from .notices.build import build
    from .notices.render import markdown
    from .notices.templates import load_templates

    templates, laws = load_templates()
    return markdown(build(store, case_id, user, templates["us-removal"], laws, platform=platform))


def from_takedown(store: Store, tid: int, user: User) -> int:
    """The case of a removal request: the copies its sweep found, their hashes and bank entries.

    Sweep first; the case can be collected again after a later sweep. The request is linked to
    the case both ways, so the case's evidence bundle carries the request's audit trail and a
    removal notice can be written for each platform the copies are on.
    """
    with store.begin() as conn:
        row = takedown.get(conn, tid)
        cid, _ = open_case(conn, user, "takedown", row.ref, f"removal request {row.ref}")
        conn.execute(update(takedowns).where(takedowns.c.id == tid).values(case_id=cid))
        banks = conn.execute(
            select(
                takedown_copies.c.ref, takedown_copies.c.signal, takedown_copies.c.distance
            ).where(takedown_copies.c.takedown_id == tid, takedown_copies.c.source == "bank")
        ).all()
    links: list[tuple[str, str, dict[str, Any]]] = [
        ("takedown", row.ref, {"id": tid, "status": row.status})
    ]
    links += [
        ("bank_entry", ref, {"uid": None, "signal_type": sig.split(":")[0], "distance": d})
        for ref, sig, d in banks
    ]
    add_links(store, cid, user, links)
    collect(store, cid, user)
    return cid
