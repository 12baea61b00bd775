"""The condition allow-list: hostile expressions are refused with the position, never run."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterspell.rules.condition import ConditionError, parse
from counterspell.rules.editor import Row, build
from counterspell.rules.fields import FIELDS
from counterspell.rules.model import BUILTIN, Rule, RuleError, dumps_toml, loads_toml

HOSTILE = [
    ("read_text('/etc/passwd') IS NOT NULL", "read_text", 1),
    ("role IN (SELECT role FROM read_csv('/etc/passwd'))", "not a query", 17),
    ("uid = (SELECT max(uid) FROM read_parquet('lake/**/*.parquet'))", "subquery", 19),
    ("EXISTS (SELECT 1 FROM duckdb_settings())", "", 1),
    ("role = 'request'; DROP TABLE posts", "one expression", 17),
    ("role = 'request' -- AND minor_risk", "comments", 18),
    ("role = 'request' /* hidden */ OR true", "comments", 18),
    ("getenv('HOME') = 'x'", "getenv", 1),
    ("posts.role = 'request'", "without a table", 1),
    ("password_hash = 'x'", "unknown field", 1),
    ("role = 'request' AND glob('/etc/*') IS NOT NULL", "glob", 22),
    ("role = 'x' UNION SELECT 1", "", 1),
    ("role = = 'x'", "does not parse", 8),
    ("role = 'unclosed", "cannot read", 1),
]


@pytest.mark.parametrize(("text", "says", "position"), HOSTILE)
def test_hostile_conditions_are_refused_with_a_position(
    text: str, says: str, position: int
) -> None:
    with pytest.raises(ConditionError) as err:
        parse(text)
    assert says in str(err.value)
    assert str(err.value).startswith("condition, position ")
    if says not in ("", "cannot read"):
        assert err.value.position + 1 == position, str(err.value)


def test_a_condition_runs_as_sql_generated_from_the_checked_tree() -> None:
    c = parse("role = 'request' and list_contains(flags, 'minor_risk') and role_score >= 0.7")
    assert c.columns == {"role", "flags", "role_score"}
    assert "AND" in c.sql and "--" not in c.sql


def test_a_condition_must_be_true_or_false() -> None:
    with pytest.raises(ConditionError, match="true or false"):
        parse("role")
    assert parse("minor_risk").columns == {"minor_risk"}


def test_every_field_can_be_named_in_a_condition() -> None:
    for f in FIELDS:
        assert f.name in parse(f"{f.name} IS NOT NULL").columns


def test_the_editor_writes_quoted_conditions_that_parse() -> None:
    text = build(
        [
            Row("role", "in", "request, fulfillment"),
            Row("target_relationship", "eq", "it's me'); DROP TABLE x; --"),
            Row("flags", "has", "minor_risk"),
            Row("role_score", "ge", "0.8"),
            Row("minor_risk", "true"),
            Row("day", "ge", "2025-01-01"),
        ],
        "all",
    )
    c = parse(text)  # the hostile value stayed a string
    assert "DROP TABLE x" in c.sql and c.sql.count("'") % 2 == 0
    with pytest.raises(ConditionError, match="not a number"):
        build([Row("role_score", "ge", "1; DROP")])
    with pytest.raises(ConditionError, match="operator"):
        build([Row("role", "gt", "x")])


def test_rules_round_trip_through_toml_and_errors_name_the_rule() -> None:
    text = dumps_toml(list(BUILTIN))
    again = loads_toml(text)
    assert [r.to_dict() for r in again] == [r.to_dict() for r in BUILTIN]
    with pytest.raises(RuleError, match=r"x.toml: rule 2 \(b\): .*actions"):
        loads_toml(
            '[[rule]]\nname="a"\ncondition="minor_risk"\n[[rule]]\nname="b"\ncondition="minor_risk"\nactions="queue"\n',
            "x.toml",
        )
    with pytest.raises(
        RuleError, match=r"x\.toml: rule 1: rule bad: condition, position 1: function read_text"
    ):
        loads_toml("[[rule]]\nname='bad'\ncondition=\"read_text('x') = ''\"\n", "x.toml")
    with pytest.raises(RuleError, match="not TOML"):
        loads_toml("[[rule]\n", "x.toml")
    with pytest.raises(RuleError, match="used twice"):
        loads_toml("[[rule]]\nname='a'\ncondition='minor_risk'\n" * 2, "x.toml")
    with pytest.raises(RuleError, match="priority must be 0-10"):
        Rule.make("a", "minor_risk", ["queue:11"])


_PIECES = st.sampled_from(
    ["role", "minor_risk", "flags", "'x'", "1", "(", ")", "AND", "OR", "NOT", "=", ">=", ",",
     "list_contains(", "read_csv(", "SELECT", "FROM", ";", "--", "/*", "*/", "'", '"', "\\",
     "[", "]", "INTERVAL", "DAY", "IN", "IS", "NULL", "\x00", "é", "\u202e"]
)  # fmt: skip


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_PIECES, max_size=30), st.text(max_size=40))
def test_any_text_is_a_condition_or_a_condition_error(pieces: list[str], noise: str) -> None:
    for text in (" ".join(pieces), noise, " ".join(pieces) + noise):
        try:
            c = parse(text)
        except ConditionError as exc:
            assert str(exc).startswith("condition, position ")
            continue
        assert c.columns <= {f.name for f in FIELDS}
        parse(c.sql)  # what runs parses again to itself's columns
        assert "read_csv" not in c.sql.lower()


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(ConditionError):
        parse("(" * 3000 + "minor_risk" + ")" * 3000)


@pytest.mark.parametrize(
    ("text", "says", "position"),
    [
        ("role = 'requst'", "role is never 'requst'", 8),
        ("'fulfilment' = role", "role is never 'fulfilment'", 1),
        ("role IN ('request', 'fulfilment')", "role is never 'fulfilment'", 21),
        ("list_contains(flags, 'minor')", "flags never holds 'minor'", 22),
        ("role <> 'Request' AND minor_risk", "role is never 'Request'", 9),
    ],
)
def test_a_value_a_field_never_takes_is_refused(text: str, says: str, position: int) -> None:
    """A misspelt role or flag made a rule that could never fire (and was saved as a draft)."""
    with pytest.raises(ConditionError) as err:
        parse(text)
    assert says in str(err.value)
    assert "request" in str(err.value) or "minor_risk" in str(err.value)  # the values there are
    assert err.value.position + 1 == position, str(err.value)
    # fields without a fixed set of values take any
    assert parse("platform = 'kik' AND role IN ('request', 'fulfillment')").columns == {
        "platform",
        "role",
    }
