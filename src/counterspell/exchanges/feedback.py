"""Reviewers' decisions on exchange matches, sent back to the exchange: queued, retried, audited.

A decision on a queue item whose post matched an exchange's bank says something about the
exchange's hash: **confirm** (the match was right) and **dismiss** (a false match). The path from
decision to exchange record is the lake's ``matches`` (uid -> bank entry), the bank's entry
(-> signal type and hash, only entries the exchange added), and the exchange's records holding
that hash (-> what the API needs: the NCMEC entry and fingerprint, the StopNCII hash).

What each API is sent (python-threatexchange 1.2.17, read 2026-12-02):
StopNCII ``SubmitFeedback`` takes ``feedbackValue`` ``Blocked`` ("match reviewed, determined to be
NCII") or ``NotBlocked`` (clients/stopncii/api.py); NCMEC takes ``affirmative`` or ``negative``
with a reason GUID on ``PUT /v2/entries/{esp}/{entry}/{fingerprint}/feedback``
(clients/ncmec/hash_api.py; https://report.cybertip.org/hashsharing/v2/documentation.pdf).

Deliveries wait and are retried like webhooks (:mod:`counterspell.store.webhooks`): after each
of its ``BACKOFF``, then given up after its ``MAX_ATTEMPTS``, each step in the audit log.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from ..lake.datasets import relation
from ..lake.query import connect
from ..matching.banks import _user, entries
from ..store import audit
from ..store.db import Store
from ..store.schema import decisions, exchange_feedback, queue_items
from ..store.webhooks import attempt_outcome
from .config import ExchangeInfo, credentials, exchange_dir, get_exchange, list_exchanges
from .kinds import build, kind
from .state import State

VERDICT = {"confirm": "positive", "dismiss": "negative"}
SENT_AS = {
    "stopncii": {"positive": "Blocked", "negative": "NotBlocked"},
    "ncmec": {"positive": "affirmative", "negative": "negative"},
}


@dataclass
class QueueResult:
    queued: int = 0
    unsupported: int = 0  # decisions on exchanges that take no feedback


def _decided(conn: Connection) -> dict[str, list[tuple[int, int, str]]]:
    """uid -> (decision id, item id, verdict) of every confirm or dismiss."""
    rows = conn.execute(
        select(decisions.c.id, decisions.c.item_id, decisions.c.action, queue_items.c.uid)
        .join(queue_items, queue_items.c.id == decisions.c.item_id)
        .where(decisions.c.action.in_(tuple(VERDICT)))
    ).all()
    out: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in rows:
        out[r.uid].append((int(r.id), int(r.item_id), VERDICT[r.action]))
    return out


def _matched(store: Store, info: ExchangeInfo, uids: list[str]) -> list[tuple[str, int]]:
    """(uid, entry id) of the lake's matches of these posts with the exchange's bank."""
    if not uids:
        return []
    con = connect(store.ws)
    con.execute("CREATE TEMP TABLE wanted (uid VARCHAR)")
    con.executemany("INSERT INTO wanted VALUES (?)", [(u,) for u in uids])
    rows = con.execute(
        f"""SELECT DISTINCT m.uid, m.entry_id FROM {relation(store.ws, "matches")} m
            JOIN wanted USING (uid) WHERE m.bank = ? ORDER BY 1, 2""",
        [info.bank],
    ).fetchall()
    return [(str(u), int(e)) for u, e in rows]


def queue_feedback(store: Store, name: str | None = None) -> QueueResult:
    """Queue one delivery per (decision, exchange record) not queued before."""
    ws = store.ws
    result = QueueResult()
    with store.engine.connect() as conn:
        decided = _decided(conn)
    for info in [get_exchange(ws, name)] if name else list_exchanges(ws):
        matched = _matched(store, info, sorted(decided))
        if not matched:
            continue
        if not kind(info.type).feedback:
            result.unsupported += sum(len(decided[u]) for u, _ in matched)
            continue
        table = entries(ws, info.bank)
        by_id = {
            e: (t, h)
            for e, t, h, s in zip(
                table.column("entry_id").to_pylist(), table.column("signal_type").to_pylist(),
                table.column("hash").to_pylist(), table.column("source").to_pylist(), strict=True,
            )
            if s == info.source
        }  # fmt: skip
        state = State(exchange_dir(ws, info.name) / "state.sqlite")
        try:
            wanted = [
                (d, i, v, *by_id[e], meta)
                for u, e in matched
                if e in by_id
                for d, i, v in decided[u]
                for meta in state.meta_for(*by_id[e])
            ]
        finally:
            state.close()
        now = datetime.now(UTC)
        with store.begin() as conn:
            have = {
                (r.decision_id, r.signal_type, r.hash, r.target)
                for r in conn.execute(
                    select(
                        exchange_feedback.c.decision_id,
                        exchange_feedback.c.signal_type,
                        exchange_feedback.c.hash,
                        exchange_feedback.c.target,
                    ).where(exchange_feedback.c.exchange == info.name)
                )
            }
            new = [w for w in dict.fromkeys(wanted) if (w[0], w[3], w[4], w[5]) not in have]
            for d, i, v, t, h, meta in new:
                conn.execute(
                    exchange_feedback.insert().values(
                        exchange=info.name, decision_id=d, item_id=i, signal_type=t, hash=h,
                        target=meta, value=v, sent_as=SENT_AS[info.type][v], status="pending",
                        attempts=0, next_at=now, last_error="", created_at=now,
                    )
                )  # fmt: skip
            if new:
                audit.record(conn, _user(), "exchange.feedback.queue", "exchange", info.name,
                             {"queued": len(new), "items": sorted({n[1] for n in new})})  # fmt: skip
        result.queued += len(new)
    return result


def _send(info: ExchangeInfo, api: Any, target: dict[str, Any], value: str) -> None:
    """One piece of feedback through the library's own client."""
    if info.type == "stopncii":
        from threatexchange.exchanges.clients.stopncii import api as sapi

        stype = {"pdq": sapi.StopNCIISignalType.ImagePDQ,
                 "video_md5": sapi.StopNCIISignalType.VideoMD5}[target["type"]]  # fmt: skip
        api.api.submit_feedback(
            stype, target["value"], sapi.StopNCIICSPFeedbackValue(SENT_AS["stopncii"][value])
        )
        return
    from threatexchange.exchanges.clients.ncmec import hash_api

    client = api.get_client(api.collab.environment)
    client.submit_feedback(
        int(target["esp_id"]), str(target["entry_id"]), hash_api.FingerprintType(target["fingerprint"]),
        hash_api.FeedbackType.upvote if value == "positive" else hash_api.FeedbackType.downvote,
        negative_reason_guid=info.settings.get("feedback_reason") or None,
    )  # fmt: skip


def _error_line(exc: BaseException) -> str:
    """Why a delivery failed, without URLs' query strings or anything a credential is in."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return f"connection failed ({type(exc).__name__})"
    if isinstance(exc, ValueError) and "function key" in str(exc):
        return "no feedback_function_key in the credentials"
    return type(exc).__name__ + (f": {str(exc)[:200]}" if not isinstance(exc, OSError) else "")


def deliver(store: Store, name: str | None = None, now: datetime | None = None) -> dict[str, int]:
    """Send the feedback that is due; failures wait (backoff) and are given up after MAX_ATTEMPTS."""
    now = now or datetime.now(UTC)
    out = {"sent": 0, "retrying": 0, "dead": 0}
    with store.engine.connect() as conn:
        query = select(exchange_feedback).where(
            exchange_feedback.c.status == "pending", exchange_feedback.c.next_at <= now
        )
        if name:
            query = query.where(exchange_feedback.c.exchange == name)
        due = conn.execute(query.order_by(exchange_feedback.c.id)).all()
    apis: dict[str, tuple[ExchangeInfo, Any]] = {}
    for row in due:
        error = ""
        try:
            if row.exchange not in apis:
                info = get_exchange(store.ws, row.exchange)
                apis[row.exchange] = (
                    info,
                    build(info.name, info.type, info.settings, credentials(store.ws, info)),
                )
            info, api = apis[row.exchange]
            _send(info, api, json.loads(row.target), row.value)
        except Exception as exc:
            error = _error_line(exc)
        values = attempt_outcome(int(row.attempts), error, now, "sent", out)
        with store.begin() as conn:
            conn.execute(
                update(exchange_feedback)
                .where(exchange_feedback.c.id == row.id, exchange_feedback.c.status == "pending")
                .values(**values)
            )
            if values.get("status") in ("sent", "dead"):
                audit.record(
                    conn, "system", f"exchange.feedback.{values['status']}", "queue_item",
                    row.item_id, {"exchange": row.exchange, "value": row.value,
                                  "sent_as": row.sent_as, "attempts": values["attempts"], "error": error},
                )  # fmt: skip
    return out


def for_item(conn: Connection, item_id: int) -> list[dict[str, Any]]:
    """What was sent (or waits to be) to exchanges about one review item, for its page."""
    rows = conn.execute(
        select(exchange_feedback.c.exchange, exchange_feedback.c.signal_type,
               exchange_feedback.c.value, exchange_feedback.c.sent_as, exchange_feedback.c.status,
               exchange_feedback.c.attempts, exchange_feedback.c.last_error,
               exchange_feedback.c.created_at, exchange_feedback.c.sent_at)
        .where(exchange_feedback.c.item_id == item_id)
        .order_by(exchange_feedback.c.id)
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]
