"""The bulk readers give exactly what the streaming readers give.

For every fixture (hand-written, synthetic, recorded real) the table a bulk read builds must equal,
field for field, the table built from the posts ``read`` yields, with the same notices; and a file
the bulk reader cannot read whole (malformed, truncated, another encoding, a post to quarantine)
must fall back to the streaming reader, losing nothing that was valid.
"""

from __future__ import annotations

import codecs
import tempfile
from functools import cache
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pytest

from counterspell import Workspace, ingest
from counterspell.adapters import Adapter, Notice, ReadContext, detect
from counterspell.adapters.base import BulkRead
from counterspell.errors import Place
from counterspell.ingest.reading import read_items
from counterspell.lake.query import posts_relation_sql
from counterspell.models import Post, posts_to_table
from counterspell.synth import generate
from tests.conftest import REAL, REPO

HANDWRITTEN = REPO / "tests" / "fixtures" / "handwritten"
CTX = ReadContext(run_id="run-1", sha256="ab" * 32)


@cache
def _corpus() -> Path:
    root = Path(tempfile.mkdtemp(prefix="cs-bulk-"))
    generate(root, posts=2500, seed=5, media_files=False)
    return root


def _fixtures() -> list[Path]:
    found = [*sorted(HANDWRITTEN.rglob("*.json")), *sorted(_corpus().rglob("*.json"))]
    if REAL.exists():
        found += sorted(
            p for d in ("4chan", "telegram", "discord") for p in (REAL / d).glob("*.json")
        )
    return found


def streamed(
    path: Path, ctx: ReadContext = CTX
) -> tuple[dict[tuple[str, str], pa.Table], list[object]]:
    """Tables per partition from the posts ``read`` yields, and everything else it yields."""
    cls = detect(str(path))
    by_key: dict[tuple[str, str], list[Post]] = {}
    other: list[object] = []
    for item in cls().read(str(path), ctx):
        if isinstance(item, Post):
            by_key.setdefault((item.platform, item.community), []).append(item)
        else:
            other.append(item)
    return {k: posts_to_table(v) for k, v in by_key.items()}, other


def bulk(path: Path, ctx: ReadContext = CTX) -> BulkRead | None:
    return detect(str(path))().read_bulk(str(path), ctx)


def assert_same(path: Path, ctx: ReadContext = CTX) -> BulkRead | None:
    got = bulk(path, ctx)
    if got is None:
        return None
    got_tables: dict[tuple[str, str], list[pa.Table]] = {}
    for key, table in got.tables:  # consumed first: a lazy read completes its notices at the end
        got_tables.setdefault(key, []).append(table)
    tables, other = streamed(path, ctx)
    assert all(isinstance(o, Notice) for o in other), f"{path}: a bulk read of a file with problems"
    assert got.notices == other
    assert list(got_tables) == list(tables)
    for key, expected in tables.items():
        same_columns(pa.concat_tables(got_tables[key]), expected, path)
    return got


def same_columns(table: pa.Table, expected: pa.Table, where: object) -> None:
    """Equal schemas and values, compared column by column to name the one that differs."""
    assert table.schema == expected.schema, where
    for name in expected.column_names:
        assert table.column(name).to_pylist() == expected.column(name).to_pylist(), (where, name)


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bulk_equals_streaming_on_every_fixture(path: Path) -> None:
    got = assert_same(path)
    if detect(str(path)).name == "4chan" and path.read_bytes().lstrip().startswith(b'{"posts"'):
        assert got is not None, f"{path}: a well-formed thread should be read in bulk"


def test_bulk_equals_streaming_with_an_unknown_board_and_odd_posts(tmp_path: Path) -> None:
    """Posts the bulk loop leaves to the per-post mapping (string numbers, ``now`` instead of
    ``time``, an invalid MD5) come out the same, and so does the board notice."""
    posts = [
        {"no": 5, "resto": 0, "time": 1700000000, "com": "op &gt;&gt;x <br>line", "sub": "S&amp;"},
        {
            "no": "6",
            "resto": 5,
            "now": "11/14/23(Tue)17:13:20",
            "com": '<a href="#p5" class="quotelink">&gt;&gt;5</a>',
        },
        {"no": 7, "resto": 5, "time": 1700000100, "md5": "nothex", "ext": ".png", "filename": "a"},
        {"no": 8, "resto": 5, "time": 1700000200, "id": "abc", "trip": "", "name": 3, "x": [1]},
        {"no": 9, "resto": 5, "time": True, "com": "see https://Example.COM/x."},
    ]
    path = tmp_path / "dump.json"
    path.write_bytes(orjson.dumps({"posts": posts}))
    got = assert_same(path)
    assert got is not None and len(got.notices) == 1  # board 'unknown'


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / "r" / "thread" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _items(
    path: Path,
) -> tuple[list[Post], list[tuple[str, Place, str, str | None]], list[pa.Table]]:
    posts: list[Post] = []
    problems: list[tuple[str, Place, str, str | None]] = []
    tables: list[pa.Table] = []
    read_items(
        str(path),
        detect(str(path)),
        CTX,
        False,
        posts.append,
        lambda *a: problems.append(a),
        lambda _key, table, _chars: tables.append(table),
    )
    return posts, problems, tables


GOOD = [
    {"no": 100 + i, "resto": 0 if i == 0 else 100, "time": 1700000000 + i, "com": f"post {i}"}
    for i in range(5)
]


@pytest.mark.parametrize(
    "damage",
    ["malformed", "truncated", "utf16", "latin1", "bom", "bad-post"],
)
def test_hostile_input_falls_back_and_keeps_every_valid_post(tmp_path: Path, damage: str) -> None:
    text = orjson.dumps({"posts": GOOD}, option=orjson.OPT_INDENT_2)
    if damage == "malformed":
        data = text.replace(b'"post 2"', b'"post 2" oops')
    elif damage == "truncated":
        data = text[: text.index(b'"post 4"')]
    elif damage == "utf16":
        data = codecs.BOM_UTF16_LE + text.decode().encode("utf-16-le")
    elif damage == "latin1":
        data = text.replace(b"post 3", b"post \xe9 3")
    elif damage == "bom":
        data = codecs.BOM_UTF8 + text
    else:
        data = orjson.dumps(
            {"posts": [*GOOD[:2], {"resto": 100}, *GOOD[2:]]}, option=orjson.OPT_INDENT_2
        )
    path = _write(tmp_path, "100.json", data)
    assert bulk(path) is None
    posts, problems, tables = _items(path)
    assert not tables
    expected = {"malformed": 4, "truncated": 4}.get(damage, 5)
    assert len(posts) == expected
    kinds = [p[0] for p in problems]
    if damage in ("malformed", "truncated", "bad-post"):
        assert "quarantine" in kinds
    if damage == "latin1":
        assert "notice" in kinds


def _lake(ws: Workspace) -> list[tuple[object, ...]]:
    rel = posts_relation_sql(ws)
    return duckdb.execute(
        f"SELECT * EXCLUDE (source), source.file, source.record, source.line FROM {rel} ORDER BY uid"
    ).fetchall()


def test_ingest_gives_the_same_lake_with_and_without_bulk_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Overlapping files (a thread and a later snapshot), some read in bulk and some streamed,
    give the same lake and counts: the first copy of a post wins either way."""
    folder = tmp_path / "in"
    threads = sorted((_corpus() / "4chan" / "r" / "thread").glob("*.json"))[:3]
    for i, src in enumerate(threads):
        _write(folder, src.name, src.read_bytes())
        doc = orjson.loads(src.read_bytes())
        doc["posts"][1]["com"] = "edited in the snapshot"
        _write(folder, f"{src.stem}-snapshot-{i}.json", orjson.dumps(doc))
    broken = orjson.dumps({"posts": GOOD}, option=orjson.OPT_INDENT_2)
    _write(folder, "100.json", broken.replace(b'"post 2"', b'"post 2" oops'))
    _write(folder, "101.json", orjson.dumps({"posts": GOOD}))

    def run(name: str) -> tuple[list[tuple[object, ...]], list[tuple[int, int, int, int]]]:
        ws = Workspace.init(tmp_path / name)
        result = ingest(ws, [str(folder / "r")], workers=1, community="r")
        counts = [(o.added, o.duplicates, o.quarantined, o.notices) for o in result.files]
        return _lake(ws), counts

    fast = run("fast")
    monkeypatch.setattr(Adapter, "read_bulk", lambda self, path, ctx: None)
    for cls in {detect(str(p)) for p in (folder / "r" / "thread").glob("*.json")}:
        monkeypatch.setattr(cls, "read_bulk", lambda self, path, ctx: None)
    slow = run("slow")
    assert fast[1] == slow[1]
    assert len(fast[0]) == len(slow[0]) > 0
    assert fast[0] == slow[0]


def test_a_bulk_reader_that_fails_falls_back_to_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "100.json", orjson.dumps({"posts": GOOD}))

    def boom(self: Adapter, path: str, ctx: ReadContext) -> BulkRead | None:
        raise ValueError("unexpected")

    monkeypatch.setattr(detect(str(path)), "read_bulk", boom)
    posts, problems, tables = _items(path)
    assert len(posts) == 5 and not tables and not problems
