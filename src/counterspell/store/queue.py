"""The review queue: flagged posts from the lake, claimed one at a time, decided with a note.

``sync`` copies what needs a person's eyes from the lake (risk flags, bank matches, and requests,
fulfilments and distribution the model is fairly sure of) into ``queue_items`` with a 0-10
priority: anything that may involve a minor is 9.5-10 and so always first; the rest is ordered by
severity and the model's confidence, never above 8.9. Sync is repeatable: it refreshes what the
lake says about an item and never touches a decision or an assignment.

A reviewer claims an item (a lease of ``LEASE``); nobody else is given it while the lease lasts,
even when two reviewers ask at the same moment (the claim is a conditional update). Decisions are
kept with their note and become labels for ``counterspell train`` (:func:`review_labels`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import Conflict, CounterspellError
from ..lake.datasets import enriched_sql, relation
from ..lake.query import arrow_batches, connect, posts_relation_sql
from ..privacy import pseudonym
from ..stages.roles import FLAGS, ROLES
from ..stages.text import text_signals
from . import audit
from .accounts import User
from .db import Store
from .priority import priority
from .records import QUEUE_COLUMNS, QueueItem
from .schema import decisions, identities, queue_items, row_by_id

LEASE = timedelta(minutes=30)
ACTIONS = ("confirm", "correct", "escalate", "dismiss")
STATUSES = ("open", "escalated", "decided")
HARMFUL_ROLES = ("request", "fulfillment", "distribution", "source_solicitation")
MIN_CONFIDENCE = 0.6


@dataclass
class SyncResult:
    seen: int = 0
    added: int = 0
    updated: int = 0
    identities: int = 0


def _upsert(
    conn: Connection, table: Any, rows: list[dict[str, Any]], key: str, refresh: list[str]
) -> None:
    ins = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    if refresh:
        values = {c: getattr(ins.excluded, c) for c in refresh}
        if "priority" in values and "rule_priority" in table.c:  # a live rule's priority stays
            rp = table.c.rule_priority
            values["priority"] = case(
                (and_(rp.is_not(None), rp > ins.excluded.priority), rp),
                else_=ins.excluded.priority,
            )
        stmt = ins.on_conflict_do_update(index_elements=[key], set_=values)
    else:
        stmt = ins.on_conflict_do_nothing(index_elements=[key])
    conn.execute(stmt, rows)


def sync(store: Store, batch: int = 5_000) -> SyncResult:
    """Bring the queue up to date with the lake (enrichments, campaigns, bank matches)."""
    ws = store.ws
    result = SyncResult()
    if not ws.has_data("enrichments"):
        return result
    key = ws.secret("hmac.key")
    con = connect(ws)
    roles_sql = ", ".join(f"'{r}'" for r in HARMFUL_ROLES)
    query = f"""
        WITH m AS (SELECT uid, count(*) AS n FROM {relation(ws, "matches")}
                   WHERE NOT quarantined_entry GROUP BY uid),
             c AS (SELECT uid, any_value(campaign_id) AS campaign_id
                   FROM {relation(ws, "campaign_members")} GROUP BY uid),
             e AS (SELECT * FROM {enriched_sql(ws)})
        SELECT e.uid, e.platform, e.community, p.thread_id, p.created_at, e.role, e.role_scores,
               e.flags, e.target_ids, p.text, p.subject, c.campaign_id, coalesce(m.n, 0) AS bank_matches
        FROM e JOIN {posts_relation_sql(ws)} p USING (uid)
        LEFT JOIN c USING (uid) LEFT JOIN m USING (uid)
        WHERE len(e.flags) > 0 OR m.n > 0 OR e.role IN ({roles_sql})
        ORDER BY e.uid
    """
    now = datetime.now(UTC)
    for rb in arrow_batches(con, query, [], batch):
        cols = pa.Table.from_batches([rb]).to_pydict()
        items: list[dict[str, Any]] = []
        ids: list[dict[str, Any]] = []
        for i, uid in enumerate(cols["uid"]):
            role, flags = cols["role"][i], list(cols["flags"][i] or [])
            confidence = float((cols["role_scores"][i] or {}).get(role) or 0.0)
            n_bank = int(cols["bank_matches"][i])
            targets = list(cols["target_ids"][i] or [])
            if targets:  # the clear identifiers behind the pseudonyms live only here
                s = text_signals(cols["text"][i] or "", cols["subject"][i])
                for kind, value in s.cues.identifiers:
                    p = pseudonym(key, kind, value, cols["community"][i])
                    if p in targets:
                        ids.append({"pseudonym": p, "kind": kind, "value": value, "first_uid": uid})
            if not flags and not n_bank and confidence < MIN_CONFIDENCE:
                continue
            items.append(
                {
                    "uid": uid,
                    "platform": cols["platform"][i],
                    "community": cols["community"][i],
                    "thread_id": cols["thread_id"][i],
                    "posted_at": cols["created_at"][i],
                    "role": role,
                    "confidence": round(confidence, 4),
                    "flags": ";".join(flags),
                    "targets": ";".join(targets),
                    "campaign_id": cols["campaign_id"][i],
                    "bank_matches": n_bank,
                    "priority": priority(role, confidence, flags, n_bank, bool(targets)),
                    "status": "open",
                    "synced_at": now,
                }
            )
        if ids:
            with store.begin() as conn:
                unique = list({d["pseudonym"]: d for d in ids}.values())
                _upsert(conn, identities, unique, "pseudonym", [])
                result.identities += len(unique)
        if not items:
            continue
        result.seen += len(items)
        count = select(func.count()).select_from(queue_items)
        with store.begin() as conn:  # new rows = the growth of the table (the lock is held)
            before = conn.execute(count).scalar_one()
            _upsert(
                conn, queue_items, items, "uid",
                ["role", "confidence", "flags", "targets", "campaign_id", "bank_matches", "priority", "synced_at"],
            )  # fmt: skip
            new = conn.execute(count).scalar_one() - before
        result.added += new
        result.updated += len(items) - new
    with store.begin() as conn:
        _matches_gone(conn, now)
        audit.record(
            conn, "system", "queue.sync", "queue", "", {"seen": result.seen, "added": result.added}
        )
    return result


def _matches_gone(conn: Connection, now: datetime) -> None:
    """Items with bank matches that this sync did not see: the lake has no match for them any
    more (a withdrawn hash), so their count drops to 0 and an open one's priority with it."""
    c = queue_items.c
    stale = conn.execute(
        select(c.id, c.role, c.confidence, c.flags, c.targets, c.rule_priority, c.status).where(
            c.bank_matches > 0, c.synced_at < now
        )
    ).all()
    for r in stale:
        values: dict[str, Any] = {"bank_matches": 0, "synced_at": now}
        if r.status == "open":
            p = priority(
                r.role, r.confidence, [f for f in r.flags.split(";") if f], 0, bool(r.targets)
            )
            values["priority"] = max(p, r.rule_priority or 0.0)
        conn.execute(update(queue_items).where(c.id == r.id).values(**values))


def _row(conn: Connection, item_id: int) -> QueueItem:
    return QueueItem.from_row(row_by_id(conn, queue_items, item_id, "queue item"))


get_item = _row  # one queue item by id (NotFound if there is none)


SORTS = ("priority", "newest", "oldest")
_PAGE = select(*(queue_items.c[name] for name in QUEUE_COLUMNS))  # built once, not per page


def list_items(
    conn: Connection,
    status: str = "open",
    limit: int = 50,
    offset: int = 0,
    *,
    flag: str | None = None,
    role: str | None = None,
    community: str | None = None,
    sort: str = "priority",
) -> list[QueueItem]:
    """Items with a status, filtered by flag, role and community (``platform/community`` or
    the community alone); highest priority first, or by when the post was made."""
    c = queue_items.c
    q = _PAGE.where(c.status == status)  # a Select is immutable: each request adds its own
    if flag:
        q = q.where((";" + c.flags + ";").contains(f";{flag};", autoescape=True))
    if role:
        q = q.where(c.role == role)
    if community:
        platform, sep, name = community.partition("/")
        q = (
            q.where(c.platform == platform, c.community == name)
            if sep
            else q.where(c.community == community)
        )
    order = {
        "priority": (c.priority.desc(), c.id),
        "newest": (c.posted_at.desc(), c.id.desc()),
        "oldest": (c.posted_at, c.id),
    }.get(sort)
    if order is None:
        raise ValueError(f"sort {sort!r}: choose one of {', '.join(SORTS)}")
    rows = conn.execute(q.order_by(*order).limit(limit).offset(offset)).all()
    return [QueueItem.from_tuple(tuple(r)) for r in rows]


def facets(conn: Connection, status: str = "open") -> dict[str, list[tuple[str, int]]]:
    """What the queue's filters can offer: each flag, role and community with its count."""
    c = queue_items.c
    where = c.status == status
    roles = conn.execute(
        select(c.role, func.count()).where(where).group_by(c.role).order_by(func.count().desc())
    ).all()
    places = conn.execute(
        select(c.platform, c.community, func.count())
        .where(where)
        .group_by(c.platform, c.community)
        .order_by(func.count().desc())
        .limit(200)
    ).all()
    flag_counts = {
        f: int(
            conn.execute(
                select(func.count()).where(
                    where, (";" + c.flags + ";").contains(f";{f};", autoescape=True)
                )
            ).scalar_one()
        )
        for f in FLAGS
    }
    return {
        "flag": [(f, n) for f, n in flag_counts.items() if n],
        "role": [(str(r), int(n)) for r, n in roles],
        "community": [(f"{p}/{m}", int(n)) for p, m, n in places],
    }


def counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        select(queue_items.c.status, func.count()).group_by(queue_items.c.status)
    ).all()
    return {**dict.fromkeys(STATUSES, 0), **{s: int(n) for s, n in rows}}


def _free(now: datetime) -> Any:
    return or_(queue_items.c.assigned_to.is_(None), queue_items.c.assigned_at < now - LEASE)


def claim(conn: Connection, user: User, item_id: int) -> QueueItem:
    """Assign one item to ``user``; refused while someone else's lease on it lasts."""
    now = datetime.now(UTC)
    n = conn.execute(
        update(queue_items)
        .where(
            queue_items.c.id == item_id,
            queue_items.c.status.in_(("open", "escalated")),
            or_(_free(now), queue_items.c.assigned_to == user.id),
        )
        .values(assigned_to=user.id, assigned_at=now)
    ).rowcount
    if n != 1:
        item = _row(conn, item_id)
        if item.status == "decided":
            raise Conflict(f"queue item {item_id} is decided already")
        raise Conflict(f"queue item {item_id} is being reviewed by someone else")
    audit.record(conn, user.name, "queue.claim", "queue_item", item_id)
    return _row(conn, item_id)


def claim_next(conn: Connection, user: User, status: str = "open") -> QueueItem | None:
    """The user's current item, else the highest-priority free one (never one held by another)."""
    now = datetime.now(UTC)
    mine = conn.execute(
        select(queue_items.c.id)
        .where(
            queue_items.c.assigned_to == user.id,
            queue_items.c.assigned_at >= now - LEASE,
            queue_items.c.status == status,
        )
        .order_by(queue_items.c.priority.desc())
        .limit(1)
    ).scalar()
    if mine is not None:
        return _row(conn, mine)
    for _ in range(20):  # lose a race to another reviewer: take the next one
        cand = conn.execute(
            select(queue_items.c.id)
            .where(queue_items.c.status == status, _free(now))
            .order_by(queue_items.c.priority.desc(), queue_items.c.id)
            .limit(1)
        ).scalar()
        if cand is None:
            return None
        n = conn.execute(
            update(queue_items)  # status again: it may have been decided since the select
            .where(queue_items.c.id == cand, queue_items.c.status == status, _free(now))
            .values(assigned_to=user.id, assigned_at=now)
        ).rowcount
        if n == 1:
            audit.record(conn, user.name, "queue.claim", "queue_item", cand)
            return _row(conn, cand)
    return None


def decide(
    conn: Connection,
    user: User,
    item_id: int,
    action: str,
    role: str | None = None,
    flags: Iterable[str] | None = None,
    note: str = "",
) -> QueueItem:
    """Record a decision on a claimed item; it becomes a label (role + flags) for training."""
    if action not in ACTIONS:
        raise CounterspellError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    item = _row(conn, item_id)
    if item.status == "decided":
        raise Conflict(f"queue item {item_id} is decided already")
    if item.assigned_to != user.id and not user.can("admin"):
        raise Conflict(f"claim queue item {item_id} before deciding it")
    if action == "confirm":
        role, flag_list = item.role, list(item.flags)
    else:
        role = role or ("other" if action == "dismiss" else item.role)
        flag_list = list(flags if flags is not None else item.flags)
        if action == "dismiss" and flags is None:
            flag_list = []
    if role not in ROLES:
        raise CounterspellError(f"role {role!r} is not one of {', '.join(ROLES)}")
    bad = [f for f in flag_list if f not in FLAGS]
    if bad:
        raise CounterspellError(f"unknown flag(s) {', '.join(bad)}; known: {', '.join(FLAGS)}")
    now = datetime.now(UTC)
    conn.execute(
        decisions.insert().values(
            item_id=item_id,
            user_id=user.id,
            decided_at=now,
            action=action,
            role=role,
            flags=";".join(flag_list),
            note=note[:5000],
        )
    )
    status = "escalated" if action == "escalate" else "decided"
    values: dict[str, Any] = {"status": status, "assigned_to": None, "assigned_at": None}
    if action == "escalate":
        values["priority"] = 10.0 if "minor_risk" in flag_list else max(item.priority, 8.9)
    conn.execute(update(queue_items).where(queue_items.c.id == item_id).values(**values))
    audit.record(
        conn, user.name, f"queue.{action}", "queue_item", item_id,
        {"uid": item.uid, "role": role, "flags": flag_list, "note": bool(note)},
    )  # fmt: skip
    return _row(conn, item_id)


def item_decisions(conn: Connection, item_id: int) -> list[dict[str, Any]]:
    from .schema import users

    rows = conn.execute(
        select(decisions, users.c.name.label("user"))
        .join(users, users.c.id == decisions.c.user_id)
        .where(decisions.c.item_id == item_id)
        .order_by(decisions.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def review_labels(conn: Connection) -> dict[str, tuple[str, tuple[str, ...]]]:
    """uid -> (role, flags) from each item's latest decision: what ``train`` learns from."""
    latest = (
        select(decisions.c.item_id, func.max(decisions.c.id).label("did"))
        .group_by(decisions.c.item_id)
        .subquery()
    )
    rows = conn.execute(
        select(queue_items.c.uid, decisions.c.role, decisions.c.flags)
        .join(latest, latest.c.item_id == queue_items.c.id)
        .join(decisions, and_(decisions.c.id == latest.c.did))
    ).all()
    return {uid: (role, tuple(f for f in flags.split(";") if f)) for uid, role, flags in rows}


def targets_of(item: QueueItem) -> list[str]:
    """The target pseudonyms of a queue item."""
    return list(item.targets)


def reveal(conn: Connection, user: User, item_id: int) -> dict[str, dict[str, str]]:
    """The clear identifiers behind an item's pseudonyms, audited in the caller's transaction.

    The role check is the caller's (the service admits analysts and admins); the audit entry
    names the pseudonyms revealed, never the clear values.
    """
    ids = identities_for(conn, targets_of(get_item(conn, item_id)))
    audit.record(
        conn, user.name, "identity.reveal", "queue_item", item_id, {"pseudonyms": sorted(ids)}
    )
    return ids


def all_identities(conn: Connection) -> dict[str, dict[str, str]]:
    """Every clear identifier the store holds, by pseudonym: what pages mask (never show)."""
    rows = conn.execute(select(identities.c.pseudonym, identities.c.kind, identities.c.value))
    return {p: {"kind": k, "value": v} for p, k, v in rows}


def identities_for(conn: Connection, pseudonyms: list[str]) -> dict[str, dict[str, str]]:
    """Clear identifiers behind pseudonyms; callers must check the role and audit the reveal."""
    if not pseudonyms:
        return {}
    rows = conn.execute(select(identities).where(identities.c.pseudonym.in_(pseudonyms))).mappings()
    return {r["pseudonym"]: {"kind": r["kind"], "value": r["value"]} for r in rows}


def reviewed_roles(ws: Any, url: str | None = None) -> dict[str, str]:
    """uid -> role from review decisions, when the workspace has a store (else nothing)."""
    from .db import has_store

    if url is None and not has_store(ws):
        return {}
    store = Store(ws, url)
    try:
        with store.engine.connect() as conn:
            return {uid: role for uid, (role, _flags) in review_labels(conn).items()}
    finally:
        store.close()
