"""Fuzzing the JSON stream cursor and line reading: whatever the bytes, records come out or
problems do, never an exception past ``InputError``; a damaged record costs only itself."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterspell.adapters import ReadContext
from counterspell.adapters.jsonl import GenericJsonl
from counterspell.errors import InputError
from counterspell.models import Post
from counterspell.testing import mutate
from counterspell.textio import Problem
from counterspell.textio.cursors import Record, StreamCursor

pytestmark = pytest.mark.fuzz

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
OPS = st.lists(
    st.tuples(
        st.sampled_from(("cut", "flip", "insert", "delete", "repeat")),
        st.integers(0, 10_000),
        st.binary(min_size=1, max_size=16),
        st.integers(1, 60),
    ),
    max_size=3,
)


def _walk(path: Path, indent: bool) -> list[Record | Problem]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    import io

    cursor = StreamCursor(io.StringIO(text), str(path), chunk=64)  # small chunks: buffer edges
    try:
        return list(cursor.iter_records(lambda v: isinstance(v, dict)))
    except InputError as exc:
        assert str(path) in str(exc) or exc.place.file == str(path)
        return []


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(st.dictionaries(st.text(max_size=6), JSON, max_size=4), max_size=8), OPS, st.booleans()
)
def test_the_stream_cursor_survives_any_damage(
    records: list[dict[str, Any]], ops: list[tuple[str, int, bytes, int]], pretty: bool
) -> None:
    data = orjson.dumps(records, option=orjson.OPT_INDENT_2 if pretty else 0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.json"
        path.write_bytes(mutate(data, ops))
        items = _walk(path, pretty)
        assert all(isinstance(i, Record | Problem) for i in items)
        if not ops:  # undamaged: exactly the records, in order
            assert [i.value for i in items if isinstance(i, Record)] == records


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.integers(0, 19), st.binary(min_size=1, max_size=40))
def test_a_damaged_jsonl_line_costs_only_itself(line: int, garbage: bytes) -> None:
    rows = [
        orjson.dumps({"platform": "board", "community": "r", "post_id": str(i),
                      "created_at": 1_767_225_600 + i, "text": f"post {i}"})
        for i in range(20)
    ]  # fmt: skip
    rows[line] = garbage.replace(b"\n", b" ").replace(b"\r", b" ")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posts.jsonl"
        path.write_bytes(b"\n".join(rows) + b"\n")
        items = list(GenericJsonl().read(str(path), ReadContext()))
    got = {i.post_id for i in items if isinstance(i, Post)}
    assert {str(i) for i in range(20) if i != line} <= got
