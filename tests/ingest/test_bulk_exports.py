"""Telegram and Discord exports read in bulk give exactly what the streaming reader gives.

Large exports (over ``WHOLE_FILE_LIMIT``) are read in slabs (:mod:`counterspell.adapters.slabs`);
here the limit is patched to zero and the slabs to a few KB, so every fixture takes that path
too. Damaged exports (malformed or truncated stretches, bytes that are not UTF-8, UTF-16, an
over-long message, a message without an id) must give, through ``read_items``, the same posts,
problems and places as the streaming reader alone: the bulk read gives what comes before the
damage, the streaming reader the rest, naming file and line.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import counterspell.adapters.slabs as slabs
import counterspell.textio.cursors as cursors
from counterspell.adapters import Adapter, ReadContext, detect
from counterspell.errors import Place
from counterspell.ingest.reading import read_items
from counterspell.models import Post, posts_to_table
from tests.ingest.test_bulk import _corpus, _fixtures, assert_same, bulk

CTX = ReadContext(run_id="run-1", sha256="ab" * 32)


def _exports() -> list[Path]:
    return [p for p in _fixtures() if detect(str(p)).name in ("telegram", "discord")]


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file is 'large': streamed by the reference reader, read in small slabs in bulk."""
    monkeypatch.setattr(slabs, "WHOLE_FILE_LIMIT", 0)
    monkeypatch.setattr(cursors, "WHOLE_FILE_LIMIT", 0)
    monkeypatch.setattr(slabs, "SLAB_BYTES", 3000)


@pytest.mark.parametrize("path", _exports(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bulk_equals_streaming_on_every_export(path: Path) -> None:
    assert assert_same(path) is not None, f"{path}: a well-formed export should be read in bulk"


@pytest.mark.parametrize("path", _exports(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bulk_equals_streaming_on_every_large_export(path: Path, large: None) -> None:
    got = assert_same(path)
    assert got is not None, f"{path}: a well-formed export should be read in bulk"


Row = dict[str, Any]
Problem = tuple[str, Place, str, str | None]


def _read(path: Path, cls: type[Adapter]) -> tuple[list[Row], list[Problem], int]:
    """Rows in the order ``read_items`` routes them, its problems, and how many came as tables."""
    rows: list[Row] = []
    problems: list[Problem] = []
    from_tables = [0]

    def add_post(post: Post) -> None:
        rows.extend(posts_to_table([post]).to_pylist())

    def add_table(_key: tuple[str, str], table: pa.Table, _chars: int) -> None:
        rows.extend(table.to_pylist())
        from_tables[0] += table.num_rows

    read_items(str(path), cls, CTX, False, add_post, lambda *a: problems.append(a), add_table)
    return rows, problems, from_tables[0]


def _streaming_only(cls: type[Adapter]) -> type[Adapter]:
    return type(f"Streaming{cls.__name__}", (cls,), {"read_bulk": lambda self, path, ctx: None})


def _source(fmt: str) -> Path:
    if fmt == "telegram":
        return sorted((_corpus() / "telegram").glob("*/result.json"))[0]
    return max((_corpus() / "discord").glob("*.json"), key=lambda p: p.stat().st_size)


def _damage(data: bytes, how: str, fmt: str) -> bytes:
    # the id of a message two thirds in (it comes just before the message's "type")
    at = data.rindex(b'"id"', 0, data.index(b'"type"', len(data) * 2 // 3))
    if how == "malformed":
        return data[:at] + b"oops " + data[at:]
    if how == "truncated":
        return data[: len(data) * 3 // 4]
    if how == "latin1":
        return data[:at] + b'"x\xe9": 1, ' + data[at:]
    if how == "utf16":
        return codecs.BOM_UTF16_LE + data.decode("utf-8").encode("utf-16-le")
    if how == "bom":
        return codecs.BOM_UTF8 + data
    if how == "huge":
        return data[:at] + b'"padding": "' + b"x" * 20_000 + b'", ' + data[at:]
    if how == "no-id":
        return data[:at] + b'"idx"' + data[at + 4 :]
    raise AssertionError(how)


DAMAGE = ["malformed", "truncated", "latin1", "utf16", "bom", "huge", "no-id"]


@pytest.mark.parametrize("fmt", ["telegram", "discord"])
@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("size", ["small", "large"])
def test_damaged_exports_give_what_the_streaming_reader_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, how: str, size: str
) -> None:
    if size == "large":
        monkeypatch.setattr(slabs, "WHOLE_FILE_LIMIT", 0)
        monkeypatch.setattr(cursors, "WHOLE_FILE_LIMIT", 0)
        monkeypatch.setattr(slabs, "SLAB_BYTES", 3000)
        monkeypatch.setattr(cursors, "CHUNK_CHARS", 2000)  # so the over-long value is refused
    monkeypatch.setattr(slabs, "MAX_ELEMENT_BYTES", 10_000)
    monkeypatch.setattr(cursors, "MAX_VALUE_CHARS", 10_000)
    path = tmp_path / ("result.json" if fmt == "telegram" else "export.json")
    path.write_bytes(_damage(_source(fmt).read_bytes(), how, fmt))
    cls = detect(str(path))
    assert cls.name == fmt
    rows, problems, from_tables = _read(path, cls)
    want_rows, want_problems, _ = _read(path, _streaming_only(cls))
    assert problems == want_problems
    assert len(rows) == len(want_rows) > 0
    assert rows == want_rows
    assert all(p[1].file == str(path) for p in problems)
    if how in ("malformed", "truncated", "no-id") or (how, size) == ("huge", "large"):
        assert any(p[0] == "quarantine" for p in problems)
    if how == "latin1":
        assert any("Latin-1" in p[2] for p in problems)
    if size == "large" and how in ("malformed", "truncated", "huge", "no-id", "latin1"):
        # the bulk read gave what precedes the damage (all of it, when the file is cut short)
        assert 0 < from_tables <= len(rows) and (from_tables < len(rows) or how == "truncated")
        assert all(p[1].line for p in problems if p[0] == "quarantine")  # and the place
    if how == "utf16":
        assert bulk(path) is None


def test_a_second_chat_after_the_messages_is_left_to_the_streaming_reader(
    tmp_path: Path, large: None
) -> None:
    """Keys the bulk reader does not read (more chats after the first) end the bulk read
    after its tables; the streaming reader then gives the rest, and nothing is lost."""
    data = _source("telegram").read_bytes().rstrip()
    assert data.endswith(b"}")
    chat = b'{"id": 9, "name": "b", "messages": [{"id": 1, "type": "message", "text": "hi"}]}'
    extra = b', "chats": {"list": [' + chat + b"]}}"
    path = tmp_path / "result.json"
    path.write_bytes(data[:-1] + extra)
    cls = detect(str(path))
    rows, problems, from_tables = _read(path, cls)
    want_rows, want_problems, _ = _read(path, _streaming_only(cls))
    assert (rows, problems) == (want_rows, want_problems)
    assert rows[-1]["community"] == "9" and 0 < from_tables < len(rows)


LINK_TEXTS = [
    "see https://Example.COM/x.",
    "HTTP://EXAMPLE.COM/A",
    "ftp://example.com/f and www.example.com/y",
    "WWW.EXAMPLE.COM",
    "join T.ME/+abc or telegram.me/abc",
    "discord.gg/abc, discordapp.com/invite/x",
    "chat.whatsapp.com/AbC",
    "http://localhost.x/",
    "no link. none at all.",
    "t[.]me/obfuscated",
    "ｗｗｗ.example.com (full width)",
    "ſee https://example.com",
    "",
    "a.b",
]


def test_deferred_links_equal_extract_urls() -> None:
    """The vectorised pre-check only skips texts the URL regex would find nothing in."""
    from counterspell.adapters.columns import Columns
    from counterspell.textutil import extract_urls

    cols = Columns("discord", "g/c")
    for i, text in enumerate(LINK_TEXTS):
        cols.defer_links(text)
        cols.rows.append(tuple([f"u{i}", *[None] * 8, [], *[None] * 9]))
    cols.find_links()
    assert [r[9] for r in cols.rows] == [extract_urls(t) for t in LINK_TEXTS]
    assert sum(bool(r[9]) for r in cols.rows) >= 9


def test_a_forced_format_counts_the_posts_a_bulk_read_gave(tmp_path: Path) -> None:
    """``--format telegram`` on an export detection does not recognise: the posts the bulk
    reader gives as tables count, so the file is ingested, not reported as holding none."""
    from counterspell import Workspace, ingest

    doc = (
        b'{"id": 5, "name": "x", "guild": 1, "messages": [{"id": 1, "type": "message", '
        b'"date_unixtime": "1700000000", "from_id": "user1", "text": "hi"}]}'
    )
    path = tmp_path / "odd.json"
    path.write_bytes(doc)
    ws = Workspace.init(tmp_path / "ws")
    result = ingest(ws, [str(path)], fmt="telegram", workers=1).files[0]
    assert (result.status, result.added, result.error) == ("ingested", 1, None)
