"""The JSON and encoding layer under every adapter: damaged input in, exact places out."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterspell.errors import InputError
from counterspell.textio import (
    Problem,
    Record,
    StreamCursor,
    iter_lines,
    open_json,
    open_text,
    sniff_encoding,
)


def _records(
    text: str, chunk: int = 5, required: tuple[str, ...] = ("id",)
) -> list[Record | Problem]:
    cur = StreamCursor(io.StringIO(text), "t.json", chunk=chunk)
    out: list[Record | Problem] = []
    for key in cur.iter_object():
        if key == "messages":
            out.extend(
                cur.iter_records(lambda v: isinstance(v, dict) and all(k in v for k in required))
            )
        else:
            cur.skip_value()
    return out


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(json_values, max_size=8),
    chunk=st.integers(1, 40),
    indent=st.sampled_from([None, 1, 2]),
)
def test_stream_cursor_matches_json_at_any_chunk_size(
    values: list[object], chunk: int, indent: int | None
) -> None:
    text = json.dumps(
        {"head": {"x": [1, 2]}, "messages": values, "tail": "end"},
        indent=indent,
        ensure_ascii=False,
    )
    got = [r.value for r in _records(text, chunk) if isinstance(r, Record)]
    assert got == values


def test_truncated_file_keeps_everything_before_the_cut() -> None:
    full = json.dumps({"messages": [{"id": i, "text": "x" * 30} for i in range(10)]}, indent=2)
    cut = full[: full.index('"id": 7')]  # the file ends inside record 7
    recs = _records(cut)
    assert [r.value["id"] for r in recs if isinstance(r, Record)] == list(range(7))
    [problem] = [r for r in recs if isinstance(r, Problem)]
    assert "truncated" in problem.reason and problem.place.line is not None


def test_malformed_record_in_the_middle_is_skipped_and_reading_resumes() -> None:
    good = [{"id": i, "text": f"message {i}", "nested": {"a": [1, 2, {"b": 3}]}} for i in range(6)]
    text = json.dumps({"messages": good}, indent=1)
    broken = text.replace('"text": "message 2"', '"text": "message 2" oops', 1)
    recs = _records(broken, chunk=64)
    assert [r.value["id"] for r in recs if isinstance(r, Record)] == [0, 1, 3, 4, 5]
    [problem] = [r for r in recs if isinstance(r, Problem)]
    assert problem.place.line == broken[: broken.index("oops")].count("\n") + 1


def test_malformed_record_in_minified_json_resyncs_on_a_plausible_record() -> None:
    good = [{"id": i, "author": {"id": 1}, "attachments": [{"x": 1}, {"y": 2}]} for i in range(5)]
    text = json.dumps({"messages": good}, separators=(",", ":"))
    broken = text.replace('{"id":1,', '{"id":1,,', 1)
    recs = _records(broken, chunk=16, required=("id", "author"))
    assert [r.value["id"] for r in recs if isinstance(r, Record)] == [0, 2, 3, 4]


def test_garbage_after_a_record_ends_reading_with_a_problem() -> None:
    recs = _records('{"messages": [{"id": 1} {"id": 2}]}')
    assert isinstance(recs[0], Record)
    assert any(isinstance(r, Problem) for r in recs)


def test_read_value_names_the_place_of_an_error() -> None:
    cur = StreamCursor(io.StringIO('{\n"a": [1, 2,, 3]}'), "f.json", chunk=3)
    with pytest.raises(InputError) as err:
        for _ in cur.iter_object():
            cur.read_value()
    assert err.value.place.line == 2 and "f.json" in str(err.value)


def test_number_split_across_chunks_is_not_cut_short() -> None:
    cur = StreamCursor(io.StringIO('{"id": 1234567890123, "z": true}'), "f.json", chunk=1)
    values = {}
    for key in cur.iter_object():
        values[key] = cur.read_value()
    assert values == {"id": 1234567890123, "z": True}


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
    ],
)
def test_encodings_are_sniffed(tmp_path: Path, encoding: str, bom: bytes) -> None:
    doc = {"messages": [{"id": 1, "text": "Zoë 👀 ünïcode"}]}
    f = tmp_path / "e.json"
    f.write_bytes(bom + json.dumps(doc, ensure_ascii=False).encode(encoding))
    cur = open_json(str(f))
    got = None
    for key in cur.iter_object():
        if key == "messages":
            got = cur.read_value()
        else:
            cur.skip_value()
    assert got == doc["messages"]


def test_latin1_bytes_are_decoded_not_lost(tmp_path: Path) -> None:
    f = tmp_path / "l.json"
    f.write_bytes('{"messages": [{"id": 1, "text": "caf\xe9 cr\xe8me"}]}'.encode("latin-1"))
    assert sniff_encoding(f.read_bytes()[:4]) == "utf-8"
    cur = open_json(str(f))
    for _key in cur.iter_object():
        assert cur.read_value()[0]["text"] == "café crème"
    text, _ = open_text(str(f))
    assert "café" in text.read()


def test_iter_lines_handles_bom_blank_lines_and_overlong_lines(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"a": 1}\n\n' + b"x" * 5000 + b'\n{"b": 2}\n')
    out = list(iter_lines(str(f), max_chars=1000))
    assert next(getattr(o, "text", None) for o in out) == '{"a": 1}\n'
    assert isinstance(out[1], Problem) and out[1].place.line == 3
    assert out[2].text == '{"b": 2}\n' and out[2].number == 4  # type: ignore[union-attr]
