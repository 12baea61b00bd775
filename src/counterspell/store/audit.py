"""The append-only, hash-chained audit log.

Each entry carries the hash of the one before it, so editing or deleting an entry breaks the
chain at that point and ``counterspell audit verify`` names where. Entries are written in the same
transaction as the action they record (a decision without its audit entry cannot be committed),
and the head row (``audit_head``) is locked while an entry is chained so that two writers can never
both link to the same predecessor. Removing entries from the end and rewinding the head together
cannot be seen from inside the database; ``verify`` therefore also compares the head with the
count and hash written to ``audit.anchor`` in the workspace after every entry, a file an operator
can copy elsewhere (or sign) as often as they need.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from .schema import audit_head, audit_log

GENESIS = "0" * 64


def _entry_hash(
    prev: str, seq: int, at: datetime, actor: str, action: str, otype: str, oid: str, detail: str
) -> str:
    body = orjson.dumps(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "object_type": otype,
            "object_id": oid,
            "detail": detail,
            "prev": prev,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(body).hexdigest()


def record(
    conn: Connection,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry inside the caller's transaction; returns its sequence number.

    ``detail`` must never hold a clear target identifier or a secret: the log is evidence that
    gets exported, so it says *that* something was revealed, not what.
    """
    head = conn.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
    ).one()
    seq, prev = int(head.seq) + 1, str(head.hash)
    at = datetime.now(UTC)
    body = orjson.dumps(detail or {}, option=orjson.OPT_SORT_KEYS).decode()
    h = _entry_hash(prev, seq, at, actor, action, object_type, str(object_id), body)
    conn.execute(
        audit_log.insert().values(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=body,
            prev_hash=prev,
            hash=h,
        )
    )
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=h))
    conn.info["audit_head"] = (seq, h)  # Store.begin writes the anchor once this commits
    return seq


def write_anchor(path: Path, seq: int, h: str) -> None:
    """Record the head outside the database; never moves it backwards."""
    try:
        if int(path.read_text(encoding="utf-8").split()[0]) >= seq:
            return
    except (FileNotFoundError, ValueError, IndexError):
        pass
    tmp = path.with_name(f"{path.name}.{seq}.tmp")
    tmp.write_text(f"{seq} {h}\n", encoding="utf-8")
    tmp.replace(path)


@dataclass(frozen=True, slots=True)
class Verification:
    entries: int
    head_hash: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, anchor: Path | None = None) -> Verification:
    """Walk the whole chain; every broken link, edited entry, gap or rewound head is a problem."""
    problems: list[str] = []
    prev, expected_seq, n = GENESIS, 1, 0
    rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings()
    for r in rows:
        n += 1
        if r["seq"] != expected_seq:
            problems.append(f"entry {expected_seq}: missing (next entry is {r['seq']})")
        if r["prev_hash"] != prev:
            problems.append(f"entry {r['seq']}: does not link to the entry before it")
        h = _entry_hash(
            r["prev_hash"], r["seq"], r["at"], r["actor"], r["action"],
            r["object_type"], r["object_id"], r["detail"],
        )  # fmt: skip
        if h != r["hash"]:
            problems.append(f"entry {r['seq']}: content changed after it was written")
        prev, expected_seq = r["hash"], r["seq"] + 1
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
    if head.seq != expected_seq - 1 or head.hash != prev:
        problems.append(
            f"head says {head.seq} entries ending {head.hash[:12]}, the log has {expected_seq - 1} ending {prev[:12]}"
        )
    if anchor is not None and anchor.exists():
        seq_s, _, h = anchor.read_text(encoding="utf-8").strip().partition(" ")
        if int(seq_s) > head.seq:
            problems.append(
                f"{anchor}: recorded {seq_s} entries, the log has {head.seq}: entries were removed from its end"
            )
        elif int(seq_s) == head.seq and h != head.hash:
            problems.append(f"{anchor}: the last entry's hash differs from the one recorded")
    return Verification(n, prev, problems)


def entries_for(conn: Connection, object_type: str, object_ids: list[str]) -> list[dict[str, Any]]:
    """The audit trail of some objects, oldest first (for evidence bundles)."""
    if not object_ids:
        return []
    rows = conn.execute(
        select(audit_log)
        .where(audit_log.c.object_type == object_type, audit_log.c.object_id.in_(object_ids))
        .order_by(audit_log.c.seq)
    ).mappings()
    return [dict(r) for r in rows]
