"""Writing a condition from form rows (field, operator, value) for people who do not write SQL.

The rows are turned into the same SQL text a person would type, and that text then goes through
the one parser and allow-list (:func:`counterspell.rules.condition.parse`); the editor has no
second way in. Values are quoted here, so a value can never become SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .condition import ConditionError
from .fields import BY_NAME

# operator -> label, per kind of field
OPERATORS: dict[str, dict[str, str]] = {
    "text": {"eq": "is", "ne": "is not", "in": "is one of", "contains": "contains"},
    "number": {"eq": "=", "ne": "≠", "gt": ">", "ge": "≥", "lt": "<", "le": "≤"},
    "bool": {"true": "is true", "false": "is false"},
    "list": {
        "has": "has",
        "has_any": "has any of",
        "empty": "is empty",
        "not_empty": "is not empty",
    },
    "time": {"ge": "on or after", "lt": "before"},
}
_CMP = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}


@dataclass(frozen=True, slots=True)
class Row:
    field: str
    op: str
    value: str = ""


def _text(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def _values(v: str) -> list[str]:
    return [x.strip() for x in v.split(",") if x.strip()]


def row_sql(row: Row) -> str:
    f = BY_NAME.get(row.field)
    if f is None:
        raise ConditionError(f"unknown field {row.field!r}", 0)
    ops = OPERATORS[f.kind]
    if row.op not in ops:
        raise ConditionError(f"{row.field}: operator {row.op!r} is not one of {', '.join(ops)}", 0)
    v = row.value.strip()
    if f.kind == "bool":
        return f.name if row.op == "true" else f"NOT {f.name}"
    if f.kind == "list":
        if row.op == "empty":
            return f"len({f.name}) = 0"
        if row.op == "not_empty":
            return f"len({f.name}) > 0"
        if not v:
            raise ConditionError(f"{row.field}: give a value", 0)
        if row.op == "has":
            return f"list_contains({f.name}, {_text(v)})"
        return f"list_has_any({f.name}, [{', '.join(_text(x) for x in _values(v))}])"
    if not v:
        raise ConditionError(f"{row.field}: give a value", 0)
    if f.kind == "number":
        try:
            number = float(v)
        except ValueError:
            raise ConditionError(f"{row.field}: {v!r} is not a number", 0) from None
        return f"{f.name} {_CMP[row.op]} {number:g}"
    if f.kind == "time":
        try:
            day = date.fromisoformat(v)
        except ValueError:
            raise ConditionError(f"{row.field}: {v!r} is not a date (YYYY-MM-DD)", 0) from None
        return f"{f.name} {_CMP[row.op]} DATE '{day.isoformat()}'"
    if row.op == "in":
        return f"{f.name} IN ({', '.join(_text(x) for x in _values(v))})"
    if row.op == "contains":
        return f"contains(lower({f.name}), {_text(v.lower())})"
    return f"{f.name} {_CMP[row.op]} {_text(v)}"


def build(rows: Iterable[Row], combine: str = "all") -> str:
    """The condition the rows say: every row (``all``) or any row (``any``) true."""
    parts = [row_sql(r) for r in rows if r.field]
    if not parts:
        raise ConditionError("add at least one row", 0)
    joiner = " AND " if combine == "all" else " OR "
    return joiner.join(f"({p})" if len(parts) > 1 and " " in p else p for p in parts)


__all__ = ["OPERATORS", "Row", "build", "row_sql"]
