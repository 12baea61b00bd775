"""The column-wise 4chan reader gives exactly what the per-post mapping gives.

``FourchanJson.read_many`` (``adapters/fourchan_vec.py``) cleans HTML with RE2 and builds every
column in Arrow; where it cannot be sure to match Python it maps the post with the bulk reader's
per-post code, and a file it cannot read at all is left to the usual readers. Here every 4chan
fixture (hand-written, the synthetic corpus, the recorded real files when ``../shared`` is there),
read alone and all in one batch, and generated posts full of what the cleaning must get right
(quote links of every form, dead links, entities known and unknown, ``<wbr>``, spoilers, odd
whitespace and digits, URLs, odd types), must give the same table as the streaming reader, column
by column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterspell.adapters import ReadContext
from counterspell.adapters.fourchan import FourchanJson
from counterspell.adapters.fourchan_bulk import read_thread_bulk
from counterspell.adapters.fourchan_map import infer_board
from tests.conftest import REAL
from tests.ingest.test_bulk import HANDWRITTEN, _corpus, same_columns, streamed

CTX = ReadContext(run_id="run-1", sha256="ab" * 32)


def _threads() -> list[Path]:
    found = [*sorted((HANDWRITTEN / "4chan").glob("*.json"))]
    found += sorted((_corpus() / "4chan").rglob("*.json"))
    if REAL.exists():
        found += sorted((REAL / "4chan").glob("*.json"))
    return found


def _contexts(paths: list[Path]) -> list[ReadContext]:
    return [ReadContext(run_id=CTX.run_id, sha256=f"{i:064x}") for i in range(len(paths))]


def _check(paths: list[Path], ctxs: list[ReadContext]) -> int:
    """Read ``paths`` as one batch; every file read must equal its streaming read. How many were
    read column-wise."""
    table, many = FourchanJson().read_many([str(p) for p in paths], ctxs)
    read = 0
    for path, ctx, got in zip(paths, ctxs, many, strict=True):
        if got is None:
            continue
        read += 1
        tables, other = streamed(path, ctx)
        assert got.notices == other, path
        part = table.slice(got.start, got.count)
        if not tables:
            assert got.count == 0, path
            continue
        assert list(tables) == [got.key], path
        same_columns(part, tables[got.key], path)
    return read


@pytest.mark.parametrize("path", _threads(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_read_many_equals_streaming_on_every_fixture(path: Path) -> None:
    read = _check([path], [CTX])
    board = infer_board(str(path))[0] or "unknown"
    if read_thread_bulk(str(path), board, [], CTX) is not None:
        assert read == 1, f"{path}: a thread the bulk reader takes should be read column-wise"


def test_read_many_equals_streaming_on_every_fixture_in_one_batch() -> None:
    """One batch of every fixture: the types Arrow infers across files (a key null in one file,
    a string in another) must not change any file's posts."""
    paths = _threads()
    assert _check(paths, _contexts(paths)) >= len(paths) // 2


def _write(tmp: Path, name: str, posts: list[Any]) -> Path:
    path = tmp / "g" / "thread" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps({"posts": posts}))
    return path


# Pieces of 4chan comment HTML, ordinary and not.
_PIECES = [
    "plain text",
    "<br>",
    "<br/>",
    "<BR />",
    "<wbr>",
    "<WBR/>",
    "\n",
    "\r\n",
    ">\n",
    '<a href="#p123" class="quotelink">&gt;&gt;123</a>',
    '<a href="#p123" class="quotelink">&gt;&gt;123</a>',  # twice in a post: one parent
    '<a href="/g/thread/5#p77" class="quotelink">&gt;&gt;&gt;/g/77</a>',
    '<a href="//boards.4chan.org/pol/thread/9#p10" class="quotelink">&gt;&gt;&gt;/pol/10</a>',
    '<a href="//boards.4channel.org/v/res/9.html#p11" class="quotelink">x</a>',
    '<a  href="#p4">&gt;&gt;4</a>',
    '<a href="/po/catalog" class="quotelink">&gt;&gt;&gt;/po/</a>',
    '<span class="deadlink">&gt;&gt;999</span>',
    '<span class="deadlink">&gt;&gt;&gt;/a/998</span>',
    '<span class="quote">&gt;implying</span>',
    "<s>spoiler</s>",
    '<pre class="prettyprint">code &lt;b&gt;</pre>',
    "&gt;",
    "&lt;",
    "&amp;",
    "&quot;",
    "&#039;",
    "&#39;",
    "&#44;",
    "&amp;gt;",
    "&hellip;",
    "&#8217;",
    "&ampx",
    "&lt3",
    "& alone",
    "see https://Example.COM/x.",
    "www.test.org",
    "discord.gg/abc",
    '<a href="https://example.org/p" rel="nofollow">link</a>',
    "\u00a0",
    "\u2003",
    "\x0b",
    "\x1f",
    "\u0661\u0662",
    '<a href="#p\u0661\u0662">q</a>',
    "caf\u00e9 \u2019 \U0001f600",
    "<" + "x" * 1200 + ">",
    "<unclosed",
    "a > b",
    "\u017f\u212a",
]

_text = st.lists(st.sampled_from(_PIECES) | st.text(max_size=12), max_size=8).map("".join)
_scalar = st.one_of(
    st.integers(-5, 10**12),
    st.text(max_size=8),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["a", "no"]), st.integers(0, 3), max_size=2),
)
_md5 = st.sampled_from(
    ["uZUeZeB14FVR+Mc2ScHvVA==", "uZUeZeB14FVR+Mc2ScHvVB==", "nothex", "", "AAAA"]
)


@st.composite
def _post(draw: st.DrawFn, no: int, op: int) -> dict[str, Any]:
    p: dict[str, Any] = {"no": no, "resto": 0 if no == op else op, "time": 1_700_000_000 + no}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "com": _text | st.none() | st.integers(0, 9),
        "sub": _text | st.none(),
        "name": st.sampled_from(["Anonymous", "bob", "", "\u00e9"])
        | st.none()
        | st.integers(-5, 5),
        "trip": st.sampled_from(["!abc", ""]) | st.none(),
        "id": st.sampled_from(["Xy12", ""]) | st.none(),
        "filename": st.sampled_from(["img", "", "caf\u00e9"]) | st.none(),
        "ext": st.sampled_from([".jpg", ".PNG", ".webm", ".pdf", "", ".G\u0130F"]) | st.none(),
        "md5": _md5 | st.none(),
        "fsize": st.integers(0, 10**7) | st.none() | st.just("12"),
        "w": st.integers(0, 5000) | st.none(),
        "h": st.integers(0, 5000) | st.none(),
        "now": st.just("11/14/23(Tue)17:13:20"),
        "tim": st.integers(0, 10**13),
        "sticky": st.sampled_from([0, 1]),
        "country": st.sampled_from(["US", 'a"b', "t\\s", "x\ny"]),
        "odd": _scalar,
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=9)):
        p[key] = draw(optional[key])
    if draw(st.booleans()):  # key order is the file's: extra keeps it
        items = list(p.items())
        p = dict(draw(st.permutations(items)))
    return p


@st.composite
def _thread(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 6))
    op = 1000
    return [draw(_post(op + i, op)) for i in range(n)]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(threads=st.lists(_thread(), min_size=1, max_size=3))
def test_read_many_equals_streaming_on_generated_posts(
    tmp_path_factory: pytest.TempPathFactory, threads: list[list[dict[str, Any]]]
) -> None:
    tmp = tmp_path_factory.mktemp("vec")
    paths = [_write(tmp, f"{i}.json", posts) for i, posts in enumerate(threads)]
    _check(paths, _contexts(paths))


def test_read_many_leaves_odd_files_to_the_usual_readers(tmp_path: Path) -> None:
    """Broken JSON, another encoding, a post without an integer ``no``, a float time, a size
    too big for the media struct, a post that is not an object: None for that file, the others
    still read."""
    good = [{"no": 1, "resto": 0, "time": 1_700_000_000, "com": "hi &gt;&gt;2"}]
    paths = [
        _write(tmp_path, "1.json", good),
        _write(tmp_path, "2.json", [{"no": "2", "resto": 0, "time": 1_700_000_000}]),
        _write(tmp_path, "3.json", [{"no": 3, "resto": 0, "time": 1.5}]),
        _write(tmp_path, "4.json", [{"no": 4, "time": 1_700_000_000, "w": 1 << 40}]),
        _write(tmp_path, "5.json", good),
    ]
    broken = tmp_path / "g" / "thread" / "6.json"
    broken.write_bytes(b'{"posts": [{"no": 6, "time": 1')
    paths.append(broken)
    utf16 = tmp_path / "g" / "thread" / "7.json"
    utf16.write_bytes(b"\xff\xfe" + orjson.dumps({"posts": good}).decode().encode("utf-16-le"))
    paths.append(utf16)
    paths.append(_write(tmp_path, "8.json", [None, *good]))
    paths.append(_write(tmp_path, "9.json", [*good, 5]))
    paths.append(_write(tmp_path, "10.json", [[1]]))
    table, many = FourchanJson().read_many([str(p) for p in paths], _contexts(paths))
    assert [m is not None for m in many] == [True, False, False, False, True, *[False] * 5]
    assert table.num_rows == 2
    assert _check(paths, _contexts(paths)) == 2


def test_batches_give_the_same_lake_as_one_file_at_a_time(tmp_path: Path) -> None:
    """An ingest with workers (small files read in batches) and with one process (each file
    on its own) store the same posts."""
    import duckdb

    from counterspell import Workspace, ingest
    from counterspell.lake.query import posts_relation_sql

    src = sorted((_corpus() / "4chan" / "r" / "thread").glob("*.json"))[:6]
    folder = tmp_path / "in" / "r" / "thread"
    folder.mkdir(parents=True)
    for p in src:
        (folder / p.name).write_bytes(p.read_bytes())
    rows = []
    for workers in (1, 2):
        ws = Workspace.init(tmp_path / f"ws{workers}")
        result = ingest(ws, [str(tmp_path / "in")], workers=workers)
        assert sum(o.added for o in result.files) > 0
        rel = posts_relation_sql(ws)
        rows.append(
            duckdb.execute(
                f"SELECT * EXCLUDE (source), source.file, source.record FROM {rel} ORDER BY uid"
            ).fetchall()
        )
    assert rows[0] == rows[1]


def test_the_batch_worker_detects_from_the_head_detection_reads(tmp_path: Path) -> None:
    """The batch worker reads each file once and hands detection the head: where it does, the
    head is exactly what ``read_head`` gives (a character cut at 256 KiB, a file ending in a
    broken sequence, a BOM, UTF-16)."""
    from counterspell.ingest.reading import _utf8_head
    from counterspell.textio import read_head

    cases = {
        "cut.json": b'{"posts": [' + "\u00e9".encode() * 140_000 + b"]}",
        "broken-end.json": b'{"posts": []}\xc3',
        "bom.json": b"\xef\xbb\xbf{}",
        "utf16.json": "{}".encode("utf-16"),
        "plain.json": b'{"posts": [{"no": 1}]}\r\n',
    }
    paths = [*_threads()[:5]]
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        paths.append(tmp_path / name)
    for path in paths:
        data, head = _utf8_head(str(path))
        if head is not None:
            assert data == path.read_bytes()
            assert head == read_head(str(path)), path
    assert _utf8_head(str(tmp_path / "cut.json"))[1] is not None
    assert _utf8_head(str(tmp_path / "broken-end.json"))[1] is None


def test_a_batch_pickles_to_about_its_size(tmp_path: Path) -> None:
    """A worker sends its batch pickled: with odd posts patched in, the table must be one chunk,
    since a pickled slice carries its parent's whole buffers (hundreds of times the table)."""
    import pickle

    from counterspell.ingest.reading import _read_batch_in_worker

    odd = {"com": "see https://example.org/x"}  # a URL: mapped in Python
    paths = [
        _write(
            tmp_path,
            f"{t}.json",
            [
                {
                    "no": t * 100 + i,
                    "resto": 0 if i == 0 else t * 100,
                    "time": 1_700_000_000,
                    "com": "x" * 2000,
                    **(odd if i % 3 == 0 else {}),
                }
                for i in range(30)
            ],
        )
        for t in range(1, 21)
    ]
    read = _read_batch_in_worker([(str(p), None, CTX, False) for p in paths])
    assert read.table is not None and read.table.num_rows == 600
    assert all(r.span is not None for r in read.reads)
    assert len(pickle.dumps(read)) < 2 * read.table.nbytes + 100_000


def test_marker_characters_in_a_comment_go_to_python(tmp_path: Path) -> None:
    """Quote links are cut out with \\x01 and \\x02 as markers: a comment holding one (found by
    hypothesis) is mapped in Python, the rest of the batch still column-wise."""
    quote = '<a href="#p5" class="quotelink">&gt;&gt;5</a>'
    posts = [
        {"no": 5, "resto": 0, "time": 1_700_000_000, "com": "op"},
        {"no": 6, "resto": 5, "time": 1_700_000_001, "com": f"a\x01{quote}\x02b"},
        {"no": 7, "resto": 5, "time": 1_700_000_002, "com": quote},
    ]
    paths = [_write(tmp_path, "5.json", posts)]
    assert _check(paths, _contexts(paths)) == 1
