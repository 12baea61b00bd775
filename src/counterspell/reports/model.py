"""What a report is made of: sections with facts, tables and charts, and the small helpers
every section uses to turn DuckDB rows into them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    pass

Row = dict[str, Any]


NOT_PUBLIC = ("coworker", "classmate", "ex", "family", "acquaintance", "stranger")


TOP_CREATORS = 15


@dataclass(frozen=True, slots=True)
class Scope:
    since: date | None = None
    until: date | None = None  # exclusive
    platform: str | None = None
    community: str | None = None

    def describe(self) -> str:
        parts = []
        if self.platform:
            parts.append(f"platform {self.platform}")
        if self.community:
            parts.append(f"community {self.community}")
        if self.since:
            parts.append(f"from {self.since.isoformat()}")
        if self.until:
            parts.append(f"before {self.until.isoformat()}")
        return ", ".join(parts) or "the whole workspace"


@dataclass
class Fact:
    value: Any
    text: str


@dataclass
class Chart:
    name: str  # figures/<name>.svg
    kind: str  # stacked_bars, lines, histogram, lorenz, barh, network
    title: str
    xlabel: str
    ylabel: str
    table: str  # the table it draws
    takeaway: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    facts: dict[str, Fact] = field(default_factory=dict)
    tables: dict[str, list[Row]] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: str | None = None  # why there is nothing to show

    def fact(self, name: str, value: Any, text: str | None = None) -> Fact:
        f = Fact(value, text if text is not None else fmt(value))
        self.facts[name] = f
        return f


@dataclass
class Report:
    scope: Scope
    generated_for: str
    sections: list[Section]

    def tables(self) -> dict[str, list[Row]]:
        return {name: rows for s in self.sections for name, rows in s.tables.items()}

    def facts(self) -> dict[str, Fact]:
        return {f"{s.key}.{k}": f for s in self.sections for k, f in s.facts.items()}


def plural(n: int | float | None, singular: str, many: str | None = None) -> str:
    """``1 request``, ``2 requests``, ``1,204 posts``: every count the report writes in words."""
    count = 0 if n is None else n
    text = f"{count:,}" if isinstance(count, int) else f"{count:,.1f}"
    return f"{text} {singular if count == 1 else (many or singular + 's')}"


def fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Row]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    out = []
    for r in cur.fetchall():
        row = {}
        for k, v in zip(names, r, strict=True):
            if isinstance(v, datetime):
                v = v.date().isoformat() if k == "week" else v.isoformat()
            elif isinstance(v, date):
                v = v.isoformat()
            elif isinstance(v, float):
                v = round(v, 6)
            row[k] = v
        out.append(row)
    return out


def one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def sum_by(rows: list[Row], key: str, value: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r[key]] = out.get(r[key], 0) + int(r[value])
    return out


def median_ci(
    values: list[float], z: float = 1.96
) -> tuple[float | None, float | None, float | None]:
    """The median of sorted ``values`` and a distribution-free 95% interval (order statistics).

    The ranks come from the normal approximation to the binomial, so the interval needs no
    resampling and is the same on every run.
    """
    n = len(values)
    if n == 0:
        return None, None, None
    mid = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    lo_rank = max(math.floor(n / 2 - z * math.sqrt(n) / 2), 0)
    hi_rank = min(math.ceil(n / 2 + z * math.sqrt(n) / 2), n - 1)
    return round(mid, 6), round(values[lo_rank], 6), round(values[hi_rank], 6)
