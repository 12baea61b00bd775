"""The append-only, signed, hash-chained audit log.

Each entry carries the MAC of the one before it, so editing or deleting an entry breaks the chain
at that point and ``counterspell audit verify`` names where. The MAC is keyed (HMAC-SHA256 with
``.secrets/audit.key``, which lives outside the database): whoever can write the database but not
read the workspace's secrets cannot recompute a chain after rewriting it. Entries are written in
the same transaction as the action they record (a decision without its audit entry cannot be
committed), and the head row (``audit_head``) is locked while an entry is chained so that two
writers can never both link to the same predecessor.

Removing entries from the end and rewinding the head together cannot be seen from inside the
database. So after every transaction that wrote entries, the head's sequence number and MAC are
appended to an **anchor** file in the workspace (``lake/_state/audit/<store id>.anchor``), which
only grows: ``verify`` checks that every anchored entry is still in the log with the same MAC,
that the anchor is there at all once the log has entries, and that it reaches the log's head. An
operator can copy the anchor elsewhere (or sign it) as often as they need, which also makes a
rollback of the whole workspace visible.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from .schema import audit_head, audit_log

GENESIS = "0" * 64


def _entry_hash(
    key: bytes,
    prev: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    otype: str,
    oid: str,
    detail: str,
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
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _key(conn: Connection) -> bytes:
    """The audit key the store put on its connections (see ``Store``)."""
    key = conn.info.get("audit_key")
    if not key:
        raise RuntimeError("audit entries are written through a Store, which holds the audit key")
    return bytes(key)


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
    h = _entry_hash(_key(conn), prev, seq, at, actor, action, object_type, str(object_id), body)
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
    """Append the head to the anchor outside the database (a line ``seq mac``); it only grows.

    Opened for appending with O_APPEND, so concurrent writers (several ``serve`` processes) each
    add whole lines; the file is created 0600.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(f"{seq} {h}\n")
        f.flush()
        os.fsync(f.fileno())


def read_anchor(path: Path) -> list[tuple[int, str]]:
    """The anchored (sequence, MAC) pairs, in the order written; a torn last line is ignored."""
    out: list[tuple[int, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        seq_s, _, mac = line.strip().partition(" ")
        if seq_s.isdigit() and len(mac) == 64:
            out.append((int(seq_s), mac))
    return out


@dataclass(frozen=True, slots=True)
class Verification:
    entries: int
    head_hash: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, anchor: Path | None = None) -> Verification:
    """Walk the whole chain and the anchor; every broken link, edited or unsigned entry, gap,
    rewound head, missing or cut anchor, or anchored entry rewritten is a problem."""
    problems: list[str] = []
    key = _key(conn)
    prev, expected_seq, n = GENESIS, 1, 0
    macs: dict[int, str] = {}
    rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings()
    for r in rows:
        n += 1
        if r["seq"] != expected_seq:
            problems.append(f"entry {expected_seq}: missing (next entry is {r['seq']})")
        if r["prev_hash"] != prev:
            problems.append(f"entry {r['seq']}: does not link to the entry before it")
        h = _entry_hash(
            key, r["prev_hash"], r["seq"], r["at"], r["actor"], r["action"],
            r["object_type"], r["object_id"], r["detail"],
        )  # fmt: skip
        if not hmac.compare_digest(h, r["hash"]):
            problems.append(
                f"entry {r['seq']}: content changed after it was written, or not signed with "
                "this workspace's audit key"
            )
        macs[int(r["seq"])] = str(r["hash"])
        prev, expected_seq = r["hash"], r["seq"] + 1
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
    if head.seq != expected_seq - 1 or head.hash != prev:
        problems.append(
            f"head says {head.seq} entries ending {head.hash[:12]}, the log has {expected_seq - 1} ending {prev[:12]}"
        )
    if anchor is not None:
        problems.extend(_check_anchor(anchor, macs, int(head.seq)))
    return Verification(n, prev, problems)


def _check_anchor(anchor: Path, macs: dict[int, str], head: int) -> list[str]:
    if not anchor.exists():  # written when the store is made, then after every entry
        return [
            f"{anchor}: missing (the log has {head} entries): the anchor was deleted, or the "
            "store was not made by 'counterspell db upgrade' in this workspace"
        ]
    anchored = read_anchor(anchor)
    problems: list[str] = []
    top = 0
    for seq, mac in anchored:
        top = max(top, seq)
        if seq == 0:
            continue
        if seq not in macs:
            problems.append(
                f"{anchor}: entry {seq} was recorded, the log no longer has it: entries were removed"
            )
        elif not hmac.compare_digest(macs[seq], mac):
            problems.append(
                f"{anchor}: entry {seq} differs from the one recorded: it was rewritten"
            )
    if top < head:
        problems.append(
            f"{anchor}: reaches entry {top}, the log has {head}: the anchor was cut short "
            "(or replaced)"
        )
    return problems


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
