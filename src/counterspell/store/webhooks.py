"""Webhooks that live rules post their hits to: signed, retried with backoff, dead letters.

A delivery is signed (HMAC-SHA256 of ``timestamp.body`` with the webhook's secret, in
``X-Counterspell-Signature``), carries no post text and no clear identifier, and is retried after
each :data:`BACKOFF`; after :data:`MAX_ATTEMPTS` it moves to the dead-letter list, from which an
admin can send it again. Deliveries are queued by :func:`counterspell.store.rules.run`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update

from ..errors import Conflict, CounterspellError, NotFound
from . import audit
from .db import Store
from .schema import webhook_deliveries, webhooks

MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
TIMEOUT_S = 5.0


def add_webhook(conn: Connection, name: str, url: str, actor: str) -> str:
    """Register a webhook; returns its signing secret (shown once to the admin)."""
    from ..rules.model import parse_action

    parse_action(f"webhook:{name}")  # the same name rules use
    if not url.startswith(("https://", "http://")):
        raise CounterspellError(f"webhook {name}: the URL must start with https:// or http://")
    if conn.execute(select(webhooks.c.name).where(webhooks.c.name == name)).first():
        raise Conflict(f"webhook {name!r} exists already")
    secret = secrets.token_hex(32)
    conn.execute(
        webhooks.insert().values(
            name=name, url=url, secret=secret, created_at=datetime.now(UTC), disabled=False
        )
    )
    audit.record(conn, actor, "webhook.add", "webhook", name, {"url": url})
    return secret


def list_webhooks(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(webhooks).order_by(webhooks.c.name)).mappings()
    out = []
    for r in rows:
        counts: dict[str, int] = dict(
            conn.execute(
                select(webhook_deliveries.c.status, func.count())
                .where(webhook_deliveries.c.webhook == r["name"])
                .group_by(webhook_deliveries.c.status)
            ).all()
        )
        out.append(
            {"name": r["name"], "url": r["url"], "disabled": r["disabled"],
             "pending": counts.get("pending", 0), "delivered": counts.get("delivered", 0),
             "dead": counts.get("dead", 0)}
        )  # fmt: skip
    return out


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What a receiver recomputes: HMAC-SHA256 over ``timestamp.body``, hex, prefixed ``sha256=``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _post(url: str, secret: str, body: bytes) -> None:
    ts = str(int(datetime.now(UTC).timestamp()))
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "counterspell-webhook",
            "X-Counterspell-Timestamp": ts,
            "X-Counterspell-Signature": signature(secret, ts, body),
        },
    )
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
        if not 200 <= resp.status < 300:
            raise urllib.error.HTTPError(url, resp.status, "not 2xx", resp.headers, None)


def attempt_outcome(
    attempts_before: int, error: str, now: datetime, done: str, out: dict[str, int]
) -> dict[str, Any]:
    """The row update after one try of a queued outbound call (a webhook delivery, an exchange's
    feedback): ``done`` with its time, or a wait from :data:`BACKOFF`, or ``dead`` after
    :data:`MAX_ATTEMPTS`; counts the outcome in ``out`` (keys ``done``, ``retrying``, ``dead``).
    One retry policy for every outbound queue, so operators learn it once."""
    attempts = attempts_before + 1
    values: dict[str, Any] = {"attempts": attempts, "last_error": error}
    if not error:
        values.update(status=done, **{f"{done}_at": datetime.now(UTC)})
        out[done] += 1
    elif attempts >= MAX_ATTEMPTS:
        values["status"] = "dead"
        out["dead"] += 1
    else:
        values["next_at"] = now + BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
        out["retrying"] += 1
    return values


def deliver(store: Store, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send the deliveries that are due; failures wait (backoff) and die after MAX_ATTEMPTS."""
    now = now or datetime.now(UTC)
    out = {"delivered": 0, "retrying": 0, "dead": 0}
    with store.engine.connect() as conn:
        due = conn.execute(
            select(webhook_deliveries, webhooks.c.url, webhooks.c.secret)
            .join(webhooks, webhooks.c.name == webhook_deliveries.c.webhook)
            .where(
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_at <= now,
                webhooks.c.disabled.is_(False),
            )
            .order_by(webhook_deliveries.c.id)
            .limit(limit)
        ).all()
    for d in due:
        error = ""
        try:
            _post(d.url, d.secret, d.payload.encode())
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = str(getattr(exc, "reason", exc))[:300] or type(exc).__name__
        values = attempt_outcome(int(d.attempts), error, now, "delivered", out)
        with store.begin() as conn:
            conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id == d.id, webhook_deliveries.c.status == "pending")
                .values(**values)
            )
            if values.get("status") == "dead":
                audit.record(
                    conn, "system", "webhook.dead", "webhook_delivery", d.id,
                    {"webhook": d.webhook, "attempts": values["attempts"], "error": error},
                )  # fmt: skip
    return out


def dead_letters(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(webhook_deliveries)
        .where(webhook_deliveries.c.status == "dead")
        .order_by(webhook_deliveries.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def retry(conn: Connection, delivery_id: int, actor: str) -> None:
    """Send a dead delivery again (its attempts start over)."""
    n = conn.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.id == delivery_id, webhook_deliveries.c.status == "dead")
        .values(status="pending", attempts=0, next_at=datetime.now(UTC))
    ).rowcount
    if n != 1:
        raise NotFound(f"no dead webhook delivery {delivery_id}")
    audit.record(conn, actor, "webhook.retry", "webhook_delivery", delivery_id)


__all__ = [
    "BACKOFF",
    "MAX_ATTEMPTS",
    "add_webhook",
    "attempt_outcome",
    "dead_letters",
    "deliver",
    "list_webhooks",
    "retry",
    "signature",
]
