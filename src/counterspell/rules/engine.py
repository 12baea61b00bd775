"""Evaluating rules over the lake: backtests over history, and shadow runs over new posts.

Every rule of a set is evaluated in one scan of the rule view (:func:`hits`): each post yields one
row per rule it satisfies, so ten rules over ten million posts cost one pass, not ten. The view
joins only the groups of fields the set refers to.

A backtest also evaluates the rule's previous version in the same scan (new and lost hits), and
compares the hits with what reviewers decided in the store: how many hits reviewers confirmed,
corrected or dismissed (an estimate of precision) and how many confirmed items the rule would miss
(recall against reviewed work). Both estimates only cover what reviewers saw, and say so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..lake.datasets import RULE_HIT_SCHEMA, relation
from ..lake.query import connect, posts_relation_sql, replace_dataset, sql_path
from ..lake.workspace import Workspace
from .fields import view_sql
from .model import Rule, RuleError

HIT_SCHEMA = RULE_HIT_SCHEMA
HARMFUL = ("request", "fulfillment", "distribution", "source_solicitation", "praise", "payment",
           "technical")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Window:
    """Which posts a run reads: made in [since, until] (dates, inclusive) and in ``scope``
    (``platform`` or ``platform/community``)."""

    since: date | None = None
    until: date | None = None
    scope: str | None = None

    def where(self) -> str:
        parts = ["true"]
        if self.since:
            parts.append(f"b.created_at >= TIMESTAMPTZ '{self.since.isoformat()} 00:00:00+00'")
        if self.until:
            end = self.until + timedelta(days=1)
            parts.append(f"b.created_at < TIMESTAMPTZ '{end.isoformat()} 00:00:00+00'")
        if self.scope:
            platform, sep, community = self.scope.partition("/")
            parts.append(f"b.platform = {sql_path(platform)}")
            if sep:
                parts.append(f"b.community = {sql_path(community)}")
        return " AND ".join(parts)

    def covers(self, platform: str, community: str, at: datetime | None) -> bool:
        if self.scope:
            p, sep, c = self.scope.partition("/")
            if platform != p or (sep and community != c):
                return False
        if at is not None:
            d = at.astimezone(UTC).date()
            if (self.since and d < self.since) or (self.until and d > self.until):
                return False
        return True


def hits(
    ws: Workspace,
    rules: Sequence[Rule],
    window: Window = Window(),
    extra_where: str = "true",
    con: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """One row per (rule index ``k``, post) the rule's condition holds for."""
    empty = pa.table(
        {
            "k": pa.array([], pa.int32()),
            "uid": pa.array([], pa.string()),
            "platform": pa.array([], pa.string()),
            "community": pa.array([], pa.string()),
            "created_at": pa.array([], pa.timestamp("us", tz="UTC")),
        }
    )
    if not rules or not ws.has_data("enrichments"):
        return empty
    con = con or connect(ws)
    columns = {"platform", "community", "created_at"}
    for r in rules:
        columns |= set(r.compiled.columns)
    cases = ", ".join(
        f"CASE WHEN coalesce(({r.compiled.sql}), false) THEN {k} END" for k, r in enumerate(rules)
    )
    sql = f"""
        SELECT k::INTEGER AS k, uid, platform, community, created_at FROM (
            SELECT uid, platform, community, created_at,
                   unnest([x FOR x IN [{cases}] IF x IS NOT NULL]) AS k
            FROM ({view_sql(ws, columns, f"({window.where()}) AND ({extra_where})")}) v)
        ORDER BY k, created_at, uid"""
    try:
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as exc:
        raise RuleError(_which_failed(ws, rules, con) or f"evaluating rules: {exc}") from None


def _which_failed(ws: Workspace, rules: Sequence[Rule], con: duckdb.DuckDBPyConnection) -> str:
    for r in rules:
        cols = set(r.compiled.columns) | {"uid"}
        try:
            con.sql(
                f"SELECT count(*) FROM ({view_sql(ws, cols)}) v WHERE {r.compiled.sql}"
            ).fetchall()
        except duckdb.Error as exc:
            return f"rule {r.name}: {str(exc).splitlines()[0]}"
    return ""


def count(ws: Workspace, rule: Rule, window: Window) -> int:
    """Posts the rule hits in ``window`` (the editor's live count)."""
    return int(hits(ws, [rule], window).num_rows)


# ---- backtests -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reviewed:
    """The latest decision on one reviewed post."""

    action: str  # confirm | correct | escalate | dismiss
    role: str
    platform: str
    community: str
    posted_at: datetime | None

    @property
    def harmful(self) -> bool:
        return self.action in ("confirm", "escalate") or (
            self.action == "correct" and self.role in HARMFUL
        )


@dataclass
class Backtest:
    rule: Rule
    window: Window
    previous: Rule | None
    hits: int
    by_day: list[tuple[str, int]]
    by_community: list[tuple[str, int]]
    reviewed: dict[str, int]  # confirmed, corrected, escalated, dismissed, unreviewed
    precision: float | None  # harmful-confirmed share of the reviewed hits
    confirmed_total: int  # confirmed items in the window
    confirmed_missed: int
    recall: float | None
    sample: list[dict[str, Any]] = field(default_factory=list)  # masked
    missed_sample: list[str] = field(default_factory=list)  # uids of confirmed items missed
    new_hits: int = 0
    lost_hits: int = 0
    new_sample: list[str] = field(default_factory=list)
    lost_sample: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        w = self.window
        return {
            "rule": self.rule.to_dict(),
            "window": {
                "since": w.since.isoformat() if w.since else None,
                "until": w.until.isoformat() if w.until else None,
                "scope": w.scope,
            },
            "hits": self.hits,
            "by_day": [{"day": d, "hits": n} for d, n in self.by_day],
            "by_community": [{"community": c, "hits": n} for c, n in self.by_community],
            "reviewed": self.reviewed,
            "precision_estimate": self.precision,
            "recall_against_reviewed": self.recall,
            "confirmed_in_window": self.confirmed_total,
            "confirmed_missed": self.confirmed_missed,
            "missed_sample": self.missed_sample,
            "previous_version": self.previous.version if self.previous else None,
            "new_hits": self.new_hits,
            "lost_hits": self.lost_hits,
            "new_sample": self.new_sample,
            "lost_sample": self.lost_sample,
            "sample": self.sample,
        }


def backtest(
    ws: Workspace,
    rule: Rule,
    window: Window = Window(),
    *,
    previous: Rule | None = None,
    reviewed: dict[str, Reviewed] | None = None,
    mask: Callable[[str | None], str] = lambda s: s or "",
    sample: int = 10,
) -> Backtest:
    """What ``rule`` would have done over the lake's history in ``window``."""
    reviewed = reviewed or {}
    con = connect(ws)
    same = previous is not None and previous.compiled.sql == rule.compiled.sql
    rules = [rule] if previous is None or same else [rule, previous]
    table = hits(ws, rules, window, con=con)
    k = table.column("k")
    cur = table.filter(pc.equal(k, 0))
    uids = cur.column("uid").to_pylist()
    cur_set = set(uids)
    days = Counter(
        d.isoformat()
        for d in pc.cast(cur.column("created_at"), pa.timestamp("us", tz="UTC")).to_pylist()
        if d is not None
        for d in [d.astimezone(UTC).date()]
    )
    places = Counter(
        f"{p}/{c}"
        for p, c in zip(
            cur.column("platform").to_pylist(), cur.column("community").to_pylist(), strict=True
        )
    )
    counts = {"confirmed": 0, "corrected": 0, "escalated": 0, "dismissed": 0, "unreviewed": 0}
    good = 0
    for uid in uids:
        rv = reviewed.get(uid)
        if rv is None:
            counts["unreviewed"] += 1
            continue
        counts[{"confirm": "confirmed", "correct": "corrected", "escalate": "escalated",
                "dismiss": "dismissed"}[rv.action]] += 1  # fmt: skip
        good += rv.harmful
    n_reviewed = len(uids) - counts["unreviewed"]
    confirmed = [
        u for u, rv in reviewed.items()
        if rv.harmful and window.covers(rv.platform, rv.community, rv.posted_at)
    ]  # fmt: skip
    missed = sorted(u for u in confirmed if u not in cur_set)
    bt = Backtest(
        rule=rule,
        window=window,
        previous=previous,
        hits=len(uids),
        by_day=sorted(days.items()),
        by_community=places.most_common(),
        reviewed=counts,
        precision=round(good / n_reviewed, 4) if n_reviewed else None,
        confirmed_total=len(confirmed),
        confirmed_missed=len(missed),
        recall=round(1 - len(missed) / len(confirmed), 4) if confirmed else None,
        missed_sample=missed[:sample],
    )
    if previous is not None:
        prev_set = cur_set if same else set(table.filter(pc.equal(k, 1)).column("uid").to_pylist())
        new, lost = sorted(cur_set - prev_set), sorted(prev_set - cur_set)
        bt.new_hits, bt.lost_hits = len(new), len(lost)
        bt.new_sample, bt.lost_sample = new[:sample], lost[:sample]
    bt.sample = _sample(ws, con, uids, sample, mask)
    return bt


def _sample(
    ws: Workspace,
    con: duckdb.DuckDBPyConnection,
    uids: list[str],
    n: int,
    mask: Callable[[str | None], str],
) -> list[dict[str, Any]]:
    """Up to ``n`` hits spread over the run (first, last and between), masked, with ``why``."""
    if not uids or n <= 0:
        return []
    step = max(1, len(uids) // n)
    chosen = uids[::step][:n]
    con.register("_chosen", pa.table({"uid": chosen}))
    rows = con.sql(
        f"""SELECT p.uid, p.platform, p.community, p.created_at, p.text, e.role, e.flags, e.why
            FROM _chosen c JOIN {posts_relation_sql(ws)} p USING (uid)
            LEFT JOIN {relation(ws, "enrichments")} e USING (uid)
            ORDER BY p.created_at, p.uid"""
    ).fetchall()
    con.unregister("_chosen")
    return [
        {
            "uid": uid,
            "community": f"{platform}/{community}",
            "created_at": at.astimezone(UTC).isoformat() if at else None,
            "role": role,
            "flags": list(flags or []),
            "text": mask((text or "")[:400]),
            "why": [mask(w) for w in (why or [])][:8],
        }
        for uid, platform, community, at, text, role, flags, why in rows
    ]


# ---- shadow and live runs over new posts ---------------------------------------------------


def new_posts_where(ws: Workspace, after: datetime | None) -> str:
    """Posts analysed, or matched against a bank, after ``after`` (all posts when None)."""
    if after is None:
        return "true"
    ts = f"TIMESTAMPTZ '{after.astimezone(UTC).isoformat()}'"
    return (
        f"(b.analyzed_at > {ts} OR b.uid IN (SELECT uid FROM {relation(ws, 'matches')} "
        f"WHERE matched_at > {ts}))"
    )


def record_hits(
    ws: Workspace, rules: Sequence[Rule], table: pa.Table, run_at: datetime
) -> pa.Table:
    """Append hits to the ``rule_hits`` dataset and return those not recorded before (a hit of
    one rule version is kept, and acted on, once)."""
    if table.num_rows == 0:
        return HIT_SCHEMA.empty_table()
    k = table.column("k").to_pylist()
    new = pa.table(
        {
            "rule": pa.array([rules[i].name for i in k], pa.string()),
            "version": pa.array([rules[i].version for i in k], pa.int64()),
            "state": pa.array([rules[i].state for i in k], pa.string()),
            "uid": table.column("uid"),
            "platform": table.column("platform"),
            "community": table.column("community"),
            "created_at": table.column("created_at").cast(pa.timestamp("us", tz="UTC")),
            "run_at": pa.array([run_at] * len(k), pa.timestamp("us", tz="UTC")),
        },
        schema=HIT_SCHEMA,
    )
    con = connect(ws)
    con.register("_hits", new)
    old = relation(ws, "rule_hits")
    fresh = con.sql(
        f"SELECT h.* FROM _hits h ANTI JOIN {old} o USING (rule, version, uid)"
    ).to_arrow_table()
    if fresh.num_rows:
        con.register("_fresh", fresh)
        replace_dataset(con, ws, "rule_hits", f"SELECT * FROM {old} UNION ALL SELECT * FROM _fresh")
    return fresh.cast(HIT_SCHEMA)


__all__ = [
    "HIT_SCHEMA",
    "Backtest",
    "Reviewed",
    "Window",
    "backtest",
    "count",
    "hits",
    "new_posts_where",
    "record_hits",
]
