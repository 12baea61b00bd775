"""Parsing a rule's condition and proving it can only read the rule view.

A condition is a boolean SQL expression, because that is what trust-and-safety analysts already
write and DuckDB evaluates it vectorised over the whole lake. It is never pasted into a query: it
is parsed with sqlglot, every node is checked against an allow-list (columns of the view,
comparison and boolean operators, literals, a short list of pure functions), and the SQL that runs
is generated again from the checked tree. So a condition cannot read files (``read_csv``,
``read_text``), call table functions, hold a subquery over another table, smuggle a second
statement or hide text in a comment: each of those is refused with the position where it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.tokens import Tokenizer

from ..errors import CounterspellError
from .fields import BY_NAME

MAX_LENGTH = 4_000

# Node types a condition may contain besides the functions below.
_STRUCTURE: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren,
    exp.And, exp.Or, exp.Not, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is,
    exp.In, exp.Between, exp.Like, exp.ILike, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod,
    exp.Neg, exp.Interval, exp.Var, exp.Array, exp.Cast, exp.DataType,
)  # fmt: skip

# Pure functions, by sqlglot's node type; the name is what the docs and errors call them.
_FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.ArrayContains: "list_contains",
    exp.ArrayOverlaps: "list_has_any",
    exp.ArrayContainsAll: "list_has_all",
    exp.Length: "len",
    exp.ArraySize: "len",
    exp.Lower: "lower",
    exp.Upper: "upper",
    exp.Contains: "contains",
    exp.StartsWith: "starts_with",
    exp.Coalesce: "coalesce",
    exp.Abs: "abs",
    exp.Least: "least",
    exp.Greatest: "greatest",
    exp.RegexpLike: "regexp_matches",
    exp.DateTrunc: "date_trunc",
    exp.TimestampTrunc: "date_trunc",
}
_CAST_TYPES = {
    exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ,
    exp.DataType.Type.TIMESTAMPNTZ, exp.DataType.Type.INT, exp.DataType.Type.BIGINT,
    exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT, exp.DataType.Type.VARCHAR,
    exp.DataType.Type.TEXT, exp.DataType.Type.BOOLEAN,
}  # fmt: skip
FUNCTION_NAMES = tuple(sorted(set(_FUNCTIONS.values())))


class ConditionError(CounterspellError):
    """A condition that does not parse or reaches outside the view; ``position`` is 0-based."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"condition, position {position + 1}: {message}")
        self.reason = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Condition:
    text: str  # as the author wrote it
    sql: str  # generated again from the checked tree: what runs
    columns: frozenset[str]


def _position(node: Any, text: str) -> int:
    starts = [n.meta["start"] for n in node.walk() if n.meta and "start" in n.meta]
    if starts:
        return int(min(starts))
    found = text.lower().find(node.sql(dialect="duckdb").lower()[:20])
    return max(found, 0)


def _check_tokens(text: str) -> None:
    try:
        tokens = Tokenizer().tokenize(text)
    except (TokenError, ValueError) as exc:
        raise ConditionError(
            f"cannot read it ({str(exc).splitlines()[0]})", len(text) - 1
        ) from None
    for t in tokens:
        if t.comments:
            found = [i for i in (text.find("--", t.start), text.find("/*", t.start)) if i >= 0]
            raise ConditionError("comments are not allowed", min(found, default=t.start))
        if t.token_type == TokenType.SEMICOLON:
            raise ConditionError("one expression only (no ';')", t.start)


def parse(text: str) -> Condition:
    """Check ``text`` and return what will run; :class:`ConditionError` names the position."""
    if not text or not text.strip():
        raise ConditionError("empty condition", 0)
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"longer than {MAX_LENGTH:,} characters", MAX_LENGTH)
    if "\x00" in text:
        raise ConditionError("NUL character", text.index("\x00"))
    _check_tokens(text)
    try:
        trees = sqlglot.parse(text, dialect="duckdb")
    except ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        col, line = int(err.get("col") or 1), int(err.get("line") or 1)
        pos = sum(len(s) + 1 for s in text.split("\n")[: line - 1]) + col - 1
        desc = str(err.get("description") or exc).splitlines()[0]
        raise ConditionError(f"does not parse: {desc}", max(pos, 0)) from None
    except (SqlglotError, RecursionError, ValueError) as exc:  # nesting too deep, odd input
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise ConditionError(f"does not parse: {first}", 0) from None
    found = [t for t in trees if t is not None]
    if len(found) != 1:
        raise ConditionError("one expression only", 0)
    tree: Any = found[0]
    columns: set[str] = set()
    for node in tree.walk():
        if isinstance(node, exp.Column):
            if node.table or node.args.get("db") or node.args.get("catalog"):
                raise ConditionError(
                    f"{node.sql()}: name a field without a table", _position(node, text)
                )
            name = node.name.lower()
            if name not in BY_NAME:
                raise ConditionError(f"unknown field {node.name!r}", _position(node, text))
            columns.add(name)
            continue
        if isinstance(node, exp.Identifier):
            if not isinstance(node.parent, exp.Column):
                raise ConditionError(f"{node.name!r} is not allowed here", _position(node, text))
            continue
        if isinstance(node, exp.In) and (node.args.get("query") or node.args.get("unnest")):
            inner = node.args.get("query") or node.args.get("unnest")
            raise ConditionError("IN takes a list of values, not a query", _position(inner, text))
        if isinstance(node, exp.Cast):
            to = node.args.get("to")
            if not isinstance(to, exp.DataType) or to.this not in _CAST_TYPES:
                raise ConditionError("cast to a plain type only", _position(node, text))
        if type(node) in _FUNCTIONS or isinstance(node, _STRUCTURE):
            continue
        if isinstance(node, exp.Func):
            name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            raise ConditionError(
                f"function {name.lower()}() is not allowed (allowed: {', '.join(FUNCTION_NAMES)})",
                _position(node, text),
            )
        raise ConditionError(
            f"{type(node).__name__.lower()} is not allowed in a condition", _position(node, text)
        )
    if isinstance(tree, (exp.Column, exp.Literal)) and not _is_bool_field(tree):
        raise ConditionError("a condition must be true or false for each post", 0)
    _check_values(tree, text)
    sql = tree.sql(dialect="duckdb")
    return Condition(text=text, sql=sql, columns=frozenset(columns))


def _check_values(tree: Any, text: str) -> None:
    """A value compared with a field of known values (role, flags, target kinds...) must be one
    of them: ``role = 'requst'`` is a rule that can never fire, and saying so is kinder than a
    backtest with no hits."""
    for node in tree.walk():
        pairs: list[tuple[Any, list[Any]]] = []
        if isinstance(node, (exp.EQ, exp.NEQ)):
            a, b = node.this, node.expression
            pairs = [(a, [b]), (b, [a])]
        elif isinstance(node, exp.In):
            pairs = [(node.this, list(node.expressions))]
        elif isinstance(node, exp.ArrayContains):  # list_contains(flags, 'x'), list_has
            pairs = [(node.this, [node.expression])]
        elif isinstance(node, exp.ArrayOverlaps) and isinstance(node.expression, exp.Array):
            pairs = [(node.this, list(node.expression.expressions))]  # list_has_any(flags, [...])
        for column, values in pairs:
            if not isinstance(column, exp.Column):
                continue
            field = BY_NAME.get(column.name.lower())
            if field is None or not field.choices:
                continue
            for v in values:
                if isinstance(v, exp.Literal) and v.is_string and v.this not in field.choices:
                    raise ConditionError(
                        f"{field.name} {'never holds' if field.kind == 'list' else 'is never'} "
                        f"{v.this!r} (its values: {', '.join(field.choices)})",
                        _position(v, text),
                    )


def _is_bool_field(tree: exp.Expression) -> bool:
    return isinstance(tree, exp.Column) and BY_NAME[tree.name.lower()].kind == "bool"


__all__ = ["FUNCTION_NAMES", "Condition", "ConditionError", "parse"]
