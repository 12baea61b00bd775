"""Rules in the store: versions, states, runs after analyze and match, actions, webhooks.

Every edit of a rule is a new version (the old ones stay, so a backtest can compare and a hit
names the version that made it); every edit and state change is audited. Authoring (draft and
shadow) is an analyst's; making a rule ``live`` is an admin's, because live rules act.

After each ``analyze`` and ``match`` (:func:`run`), shadow and live rules are evaluated over the
posts analysed or matched since the previous run; every hit is recorded in the lake's
``rule_hits`` dataset, and only live rules act: a queue item with the rule as its reason, a tag,
an escalation, a webhook delivery. A hit of one rule version is recorded and acted on once.

Webhook deliveries are queued here and sent by :mod:`.webhooks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa
from sqlalchemy import Connection, func, select, update

from ..errors import CounterspellError, NotFound
from ..lake.datasets import enriched_sql
from ..lake.query import connect, posts_relation_sql
from ..rules.engine import Reviewed, hits, new_posts_where, record_hits
from ..rules.model import BUILTIN, STATES, Rule, RuleError
from ..stages.roles import ROLES
from . import audit
from .db import Store
from .priority import priority as queue_priority
from .schema import (
    decisions,
    queue_items,
    rule_runs,
    rule_versions,
    rules,
    webhook_deliveries,
    webhooks,
)


def _rule(row: Any, version: Any) -> Rule:
    return Rule.make(
        row.name,
        version.condition,
        orjson.loads(version.actions),
        row.state,
        version.description,
        int(version.version),
    )


def ensure_builtin(conn: Connection) -> int:
    """Add the built-in rules this store does not have yet (in shadow); returns how many.

    Called where the store is written anyway (``db upgrade``, ``serve``'s start, ``rules run``),
    never by a listing: a viewer's page or ``rules list`` must not write (a read-only database
    role would fail, and the audit log would record a reader as adding rules)."""
    have = set(conn.execute(select(rules.c.name)).scalars())
    added = 0
    for r in BUILTIN:
        if r.name not in have:
            save(conn, r, actor="counterspell", may_go_live=False)
            added += 1
    return added


def save(conn: Connection, rule: Rule, actor: str, *, may_go_live: bool) -> Rule:
    """Store ``rule`` as its next version (nothing when it equals the current one)."""
    now = datetime.now(UTC)
    current = conn.execute(select(rules).where(rules.c.name == rule.name)).first()
    if current is None and rule.state == "live" and not may_go_live:
        raise CounterspellError(f"rule {rule.name}: only an admin makes a rule live")
    actions = orjson.dumps(rule.action_strings).decode()
    if current is not None:
        v = _version(conn, rule.name, int(current.version))
        same = (v.condition, v.actions, v.description) == (
            rule.condition,
            actions,
            rule.description,
        )
        if same:
            if rule.state != current.state:
                set_state(conn, rule.name, rule.state, actor, may_go_live=may_go_live)
            return get(conn, rule.name)
        if current.state == "live" and not may_go_live:
            raise CounterspellError(
                f"rule {rule.name} is live: only an admin changes it (or set it to shadow first)"
            )
        version = int(current.version) + 1
        state = rule.state if rule.state != current.state else current.state
        if state == "live" and current.state != "live" and not may_go_live:
            raise CounterspellError(f"rule {rule.name}: only an admin makes a rule live")
        conn.execute(
            update(rules)
            .where(rules.c.name == rule.name)
            .values(version=version, state=state, updated_at=now)
        )
    else:
        version, state = 1, rule.state
        conn.execute(
            rules.insert().values(
                name=rule.name, state=state, version=1, created_at=now, updated_at=now
            )
        )
    conn.execute(
        rule_versions.insert().values(
            rule=rule.name,
            version=version,
            condition=rule.condition,
            actions=actions,
            description=rule.description,
            author=actor,
            created_at=now,
        )
    )
    audit.record(
        conn, actor, "rule.save", "rule", rule.name,
        {"version": version, "state": state, "condition": rule.condition, "actions": rule.action_strings},
    )  # fmt: skip
    return get(conn, rule.name)


def _version(conn: Connection, name: str, version: int) -> Any:
    row = conn.execute(
        select(rule_versions).where(
            rule_versions.c.rule == name, rule_versions.c.version == version
        )
    ).first()
    if row is None:
        raise NotFound(f"rule {name} has no version {version}")
    return row


def set_state(conn: Connection, name: str, state: str, actor: str, *, may_go_live: bool) -> Rule:
    """Move a rule to ``state``; going live (a promotion) is an admin's action."""
    if state not in STATES:
        raise RuleError(f"state {state!r} is not one of {', '.join(STATES)}")
    row = conn.execute(select(rules).where(rules.c.name == name)).first()
    if row is None:
        raise NotFound(f"no rule {name!r}")
    if (state == "live" or row.state == "live") and state != row.state and not may_go_live:
        raise CounterspellError(f"rule {name}: only an admin moves a rule into or out of live")
    if state != row.state:
        conn.execute(
            update(rules)
            .where(rules.c.name == name)
            .values(state=state, updated_at=datetime.now(UTC))
        )
        action = "rule.promote" if state == "live" else "rule.state"
        audit.record(
            conn, actor, action, "rule", name,
            {"from": row.state, "to": state, "version": int(row.version)},
        )  # fmt: skip
    return get(conn, name)


def get(conn: Connection, name: str, version: int | None = None) -> Rule:
    row = conn.execute(select(rules).where(rules.c.name == name)).first()
    if row is None:
        raise NotFound(f"no rule {name!r}")
    return _rule(row, _version(conn, name, version or int(row.version)))


def history(conn: Connection, name: str) -> list[dict[str, Any]]:
    """Every version of a rule, newest first, with who wrote it and when."""
    get(conn, name)
    rows = conn.execute(
        select(rule_versions)
        .where(rule_versions.c.rule == name)
        .order_by(rule_versions.c.version.desc())
    ).mappings()
    return [{**dict(r), "actions": orjson.loads(r["actions"])} for r in rows]


def all_rules(conn: Connection, states: tuple[str, ...] = STATES) -> list[Rule]:
    rows = conn.execute(
        select(rules, rule_versions)
        .join(
            rule_versions,
            (rule_versions.c.rule == rules.c.name) & (rule_versions.c.version == rules.c.version),
        )
        .where(rules.c.state.in_(states))
        .order_by(rules.c.name)
    ).all()
    return [_rule(r, r) for r in rows]


def reviewed(conn: Connection) -> dict[str, Reviewed]:
    """uid -> the latest decision on it: what a backtest compares its hits with."""
    latest = (
        select(decisions.c.item_id, func.max(decisions.c.id).label("did"))
        .group_by(decisions.c.item_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            queue_items.c.uid,
            queue_items.c.platform,
            queue_items.c.community,
            queue_items.c.posted_at,
            decisions.c.action,
            decisions.c.role,
        )
        .join(latest, latest.c.item_id == queue_items.c.id)
        .join(decisions, decisions.c.id == latest.c.did)
    ).all()
    return {
        uid: Reviewed(action, role, platform, community, at)
        for uid, platform, community, at, action, role in rows
    }


# ---- runs after analyze and match ------------------------------------------------------------


@dataclass
class RunResult:
    rules: int = 0
    hits: int = 0  # new hits recorded (shadow and live)
    acted: int = 0  # live hits acted on
    webhooks: int = 0  # deliveries queued


def run(store: Store, trigger: str = "manual", *, all_posts: bool = False) -> RunResult:
    """Evaluate shadow and live rules over what is new since the last run; act on live hits."""
    ws = store.ws
    result = RunResult()
    started = datetime.now(UTC)
    with store.begin() as conn:
        ensure_builtin(conn)
        active = all_rules(conn, ("shadow", "live"))
        last = conn.execute(select(func.max(rule_runs.c.started_at))).scalar()
    result.rules = len(active)
    if active and ws.has_data("enrichments"):
        after = None if all_posts or last is None else last
        table = hits(ws, active, extra_where=new_posts_where(ws, after))
        new = record_hits(ws, active, table, started)
        result.hits = new.num_rows
        live = [i for i, r in enumerate(active) if r.state == "live"]
        if live and new.num_rows:
            acted, queued = _act(store, active, new)
            result.acted, result.webhooks = acted, queued
    with store.begin() as conn:
        conn.execute(
            rule_runs.insert().values(
                started_at=started, trigger=trigger, rules=result.rules, hits=result.hits,
                acted=result.acted,
            )
        )  # fmt: skip
        audit.record(
            conn, "system", "rules.run", "rules", trigger,
            {"rules": result.rules, "hits": result.hits, "acted": result.acted},
        )  # fmt: skip
    if result.webhooks:
        from .webhooks import deliver

        deliver(store)
    return result


def _lake_rows(store: Store, uids: list[str]) -> dict[str, dict[str, Any]]:
    ws = store.ws
    con = connect(ws)
    con.register("_uids", pa.table({"uid": uids}))
    rows = (
        con.sql(
            f"""SELECT e.uid, e.platform, e.community, p.thread_id, p.created_at, e.role, e.role_scores,
                   e.flags, e.target_ids
            FROM _uids u JOIN {enriched_sql(ws)} e USING (uid) JOIN {posts_relation_sql(ws)} p USING (uid)"""
        )
        .to_arrow_table()
        .to_pylist()
    )
    return {r["uid"]: r for r in rows}


def _act(store: Store, active: list[Rule], new: pa.Table) -> tuple[int, int]:
    """Apply live rules' actions to their new hits; returns (hits acted on, webhooks queued)."""
    by_name = {r.name: r for r in active}
    live_hits = [(by_name[h["rule"]], h) for h in new.to_pylist() if h["state"] == "live"]
    if not live_hits:
        return 0, 0
    facts = _lake_rows(store, sorted({h["uid"] for _r, h in live_hits}))
    now = datetime.now(UTC)
    acted = queued = 0
    with store.begin() as conn:
        hooks = {
            name: url
            for name, url in conn.execute(
                select(webhooks.c.name, webhooks.c.url).where(webhooks.c.disabled.is_(False))
            )
        }
        for rule, h in live_hits:
            f = facts.get(h["uid"])
            if f is None:
                continue
            acted += 1
            reason = f"rule:{rule.name}@{rule.version}"
            kinds = {a.kind for a in rule.actions}
            if kinds & {"queue", "tag", "escalate"}:
                _queue(conn, rule, f, reason, now)
            for a in rule.actions:
                if a.kind != "webhook":
                    continue
                if a.value not in hooks:
                    audit.record(
                        conn, "system", "rule.webhook_missing", "rule", rule.name,
                        {"webhook": a.value, "uid": h["uid"]},
                    )  # fmt: skip
                    continue
                payload = {
                    "rule": rule.name, "version": rule.version, "uid": h["uid"],
                    "platform": f["platform"], "community": f["community"],
                    "posted_at": f["created_at"].isoformat() if f["created_at"] else None,
                    "role": f["role"], "flags": list(f["flags"] or []),
                    "targets": list(f["target_ids"] or []), "hit_at": now.isoformat(),
                }  # fmt: skip
                conn.execute(
                    webhook_deliveries.insert().values(
                        webhook=a.value, rule=rule.name, version=rule.version, uid=h["uid"],
                        payload=orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode(),
                        status="pending", attempts=0, next_at=now, last_error="",
                        created_at=now,
                    )
                )  # fmt: skip
                queued += 1
    return acted, queued


def _join(old: str, new: list[str]) -> str:
    have = [x for x in old.split(";") if x]
    return ";".join(have + [x for x in new if x not in have])


def _queue(conn: Connection, rule: Rule, f: dict[str, Any], reason: str, now: datetime) -> None:
    prio = max((a.priority for a in rule.actions if a.kind == "queue"), default=None)
    tags = [a.value for a in rule.actions if a.kind == "tag"]
    escalate = any(a.kind == "escalate" for a in rule.actions)
    row = conn.execute(select(queue_items).where(queue_items.c.uid == f["uid"])).first()
    if row is None:
        role = f["role"] if f["role"] in ROLES else "other"
        confidence = float((f["role_scores"] or {}).get(role) or 0.0)
        flags = list(f["flags"] or [])
        targets = list(f["target_ids"] or [])
        base = queue_priority(role, confidence, flags, 0, bool(targets))
        p = max(base, prio or base)
        conn.execute(
            queue_items.insert().values(
                uid=f["uid"], platform=f["platform"], community=f["community"],
                thread_id=f["thread_id"], posted_at=f["created_at"], role=role,
                confidence=round(confidence, 4), flags=";".join(flags), targets=";".join(targets),
                bank_matches=0, priority=p, status="escalated" if escalate else "open",
                synced_at=now, reasons=reason, tags=";".join(tags), rule_priority=prio,
            )
        )  # fmt: skip
        item_id = conn.execute(
            select(queue_items.c.id).where(queue_items.c.uid == f["uid"])
        ).scalar()
    else:
        values: dict[str, Any] = {
            "reasons": _join(row.reasons or "", [reason]),
            "tags": _join(row.tags or "", tags),
        }
        if prio is not None:
            values["rule_priority"] = max(prio, row.rule_priority or 0.0)
            values["priority"] = max(prio, row.priority)
        if escalate and row.status == "open":
            values["status"] = "escalated"
            values["priority"] = max(values.get("priority", row.priority), 8.9)
        conn.execute(update(queue_items).where(queue_items.c.id == row.id).values(**values))
        item_id = row.id
    audit.record(
        conn, "system", "rule.act", "queue_item", int(item_id or 0),
        {"rule": rule.name, "version": rule.version, "uid": f["uid"], "escalate": escalate},
    )  # fmt: skip


__all__ = [
    "RunResult",
    "all_rules",
    "ensure_builtin",
    "get",
    "history",
    "reviewed",
    "run",
    "save",
    "set_state",
]
