"""4chan thread files read many at a time, cleaned column by column.

The bulk reader (:mod:`.fourchan_bulk`) parses a file with ``orjson`` (the floor) and then spends
about 15 times that in Python per post and building one Arrow table per file. Here a batch of
thread files is parsed with ``orjson`` as before, the posts of every file become one Arrow struct
array in a single C++ conversion, and every field is derived column-wise: HTML to text with RE2
(``pyarrow.compute``), quote links marked and split out, the thread and OP flags with numpy, the
``extra`` JSON of unmapped keys built per key layout (posts whose keys come in the same order), media
and author keys with ``if_else``. One table covers the batch; a file's rows are a slice of it.

Exactness comes first. RE2 and Python's ``re`` agree on the patterns (:mod:`.fourchan_cols`) only for ordinary input,
and ``html.unescape`` knows 2,000 entities, so any post that steps outside what is proven equal
(unusual whitespace or control characters, a tag or href longer than RE2 may bound, a dead link,
an entity beyond ``&gt; &lt; &amp; &quot; &#039; &#39; &#44;``, a possible URL, a repeated quote,
an odd type, an invalid MD5, unmapped values that are not integers, booleans, plain strings or
null) is mapped by :func:`.fourchan_bulk.ordinary_row`, the bulk reader's own per-post mapping.
A file whose posts lack integer ``no`` and ``time``, that is not whole well-formed UTF-8 JSON, or
whose numbers do not fit the columns, is not read here at all (its entry is None): the caller reads
it as before, bulk then streaming. ``tests/ingest/test_fourchan_vec.py`` proves both give the same
table on every fixture and on generated posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..models import POST_SCHEMA
from ..textio import WHOLE_FILE_LIMIT, sniff_encoding
from .columns import Columns
from .fourchan_bulk import _MAX_TIME, ordinary_row
from .fourchan_cols import (
    ODD_COM,
    ODD_SUB,
    URL_HINT,
    clean,
    extra_json,
    media_lists,
    np_bool,
    parent_uids,
    truthy,
    uid_hash,
)

__all__ = ["ThreadFile", "read_threads"]


@dataclass(slots=True)
class ThreadFile:
    """One file of a batch: its path, the board its posts belong to, its SHA-256 (for ``source``)."""

    path: str
    board: str
    sha256: str | None
    data: bytes | None = None  # its bytes, when the caller has read them already


_STRING_KEYS = ("name", "trip", "id", "com", "sub", "filename", "ext", "md5")
_INT_KEYS = ("fsize", "w", "h")
_INT32 = (-(1 << 31), (1 << 31) - 1)


class _Unreadable(Exception):
    """The batch cannot be converted as one array (mixed types across files)."""


def read_threads(
    files: Sequence[ThreadFile], run_id: str | None
) -> tuple[pa.Table, list[tuple[int, int] | None]]:
    """One table of the posts of every file read here, in file order, and per file its rows
    ``(start, count)`` in that table, or None where the file is to be read the usual way."""
    docs = [_load(f.path, f.data) for f in files]
    spans: list[tuple[int, int] | None] = [None] * len(files)
    tables: list[pa.Table] = []
    todo = [i for i, d in enumerate(docs) if d is not None]
    while todo:
        try:
            table, bad = _convert([files[i] for i in todo], [docs[i] or [] for i in todo], run_id)
        except _Unreadable:
            if len(todo) == 1:
                docs[todo[0]] = None
                break
            for i in todo:  # one file at a time: the others need not pay for an odd one
                one, span = read_threads([files[i]], run_id)
                if span[0] is None:
                    docs[i] = None
                else:
                    tables.append(one)
            break
        if bad:  # files the per-file readers take: convert the rest again without them
            for k in bad:
                docs[todo[k]] = None
            todo = [i for i in todo if docs[i] is not None]
            continue
        tables.append(table)
        break
    offset = 0
    for i, d in enumerate(docs):
        if d is not None:
            spans[i] = (offset, len(d))
            offset += len(d)
    if not tables:
        return POST_SCHEMA.empty_table(), spans
    return (tables[0] if len(tables) == 1 else pa.concat_tables(tables)), spans


def _load(path: str, data: bytes | None = None) -> list[dict[str, Any]] | None:
    """A thread file's posts, as read_thread_bulk would accept them, else None."""
    if data is None:
        try:
            with open(path, "rb") as f:
                data = f.read(WHOLE_FILE_LIMIT + 1)
        except OSError:
            return None
    if len(data) > WHOLE_FILE_LIMIT:
        return None
    if sniff_encoding(data[:4]) != "utf-8" or data[:64].lstrip()[:1] != b"{":
        return None
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or "threads" in doc:
        return None
    posts = doc.get("posts")
    if not isinstance(posts, list):  # a post that is not an object fails _convert
        return None
    return posts


def _field(arr: pa.StructArray, name: str) -> pa.Array | None:
    return arr.field(name) if arr.type.get_field_index(name) >= 0 else None


def _convert(
    files: list[ThreadFile], docs: list[list[dict[str, Any]]], run_id: str | None
) -> tuple[pa.Table, set[int]]:
    """The table of these files' posts, or the positions of files the caller must drop."""
    posts = [p for d in docs for p in d]
    counts = np.array([len(d) for d in docs], dtype=np.int64)
    n = len(posts)
    try:
        arr = pa.array(posts) if n else pa.array([], pa.struct([]))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError) as exc:
        raise _Unreadable from exc
    if not isinstance(arr, pa.StructArray):
        raise _Unreadable
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    fidx = np.repeat(np.arange(len(files)), counts)

    # no, time, resto: what makes a post ordinary for the bulk reader, else the file goes there
    no_a, time_a, resto_a = _field(arr, "no"), _field(arr, "time"), _field(arr, "resto")
    if n and (
        no_a is None or time_a is None or no_a.type != pa.int64() or time_a.type != pa.int64()
    ):
        raise _Unreadable
    if resto_a is not None and resto_a.type not in (pa.int64(), pa.null()):
        raise _Unreadable
    if n == 0:
        return POST_SCHEMA.empty_table(), set()
    assert no_a is not None and time_a is not None
    bad_row = ~np_bool(pc.is_valid(arr))  # a null post
    bad_row |= ~np_bool(pc.is_valid(no_a)) | ~np_bool(pc.is_valid(time_a))
    t = np.asarray(pc.fill_null(time_a, 0).to_numpy(), dtype=np.int64)
    bad_row |= (t < 0) | (t >= _MAX_TIME)
    for key in ("w", "h"):  # the media struct holds int32: out of range fails the per-file path too
        a = _field(arr, key)
        if a is not None and a.type == pa.int64():
            v = np.asarray(pc.fill_null(a, 0).to_numpy(), dtype=np.int64)
            bad_row |= (v < _INT32[0]) | (v > _INT32[1])
    if bad_row.any():
        return POST_SCHEMA.empty_table(), set(np.unique(fidx[bad_row]).tolist())
    no = np.asarray(no_a.to_numpy(zero_copy_only=False), dtype=np.int64)
    if resto_a is None or resto_a.type == pa.null():
        resto = np.zeros(n, dtype=np.int64)
    else:
        resto = np.asarray(pc.fill_null(resto_a, 0).to_numpy(), dtype=np.int64)
    hint = np.where(resto[starts] != 0, resto[starts], no[starts])
    hint_row = hint[fidx]
    thread = np.where(resto != 0, resto, np.where(hint_row != 0, hint_row, no))
    is_op = (resto == 0) & (hint_row == no)

    odd = np.zeros(n, dtype=bool)
    boards = pa.array([f.board for f in files], pa.string()).take(pa.array(fidx))

    def text_field(key: str) -> pa.Array:
        a = _field(arr, key)
        if a is None or a.type == pa.null():
            return pa.nulls(n, pa.string())
        if a.type != pa.string():
            odd[:] |= np_bool(pc.is_valid(a))
            return pa.nulls(n, pa.string())
        return a

    def int_field(key: str) -> pa.Array:
        a = _field(arr, key)
        if a is None or a.type == pa.null():
            return pa.nulls(n, pa.int64())
        if a.type != pa.int64():
            odd[:] |= np_bool(pc.is_valid(a))
            return pa.nulls(n, pa.int64())
        return a

    s = {k: text_field(k) for k in _STRING_KEYS}
    ints = {k: int_field(k) for k in _INT_KEYS}

    com = s["com"]
    text, com_odd = clean(com)
    odd |= com_odd
    odd |= np_bool(pc.match_substring_regex(com, ODD_COM))
    odd |= np_bool(pc.match_substring_regex(text, URL_HINT))
    sub_text, sub_odd = clean(s["sub"])
    odd |= sub_odd | np_bool(pc.match_substring_regex(s["sub"], ODD_SUB))
    subject = pc.if_else(truthy(s["sub"]), sub_text, pa.scalar(None, pa.string()))

    parents, quote_odd = parent_uids(com, boards)
    odd |= quote_odd

    media, media_odd = media_lists(s["filename"], s["ext"], s["md5"], ints)
    odd |= media_odd

    thread_s = pc.cast(pa.array(thread), pa.string())
    post_s = pc.cast(no_a, pa.string())
    null_s = pa.scalar(None, pa.string())
    name = s["name"]
    author_key = pc.if_else(
        truthy(s["trip"]),
        pc.binary_join_element_wise("trip:", s["trip"], ""),
        pc.if_else(
            truthy(s["id"]),
            pc.binary_join_element_wise("id:", thread_s, ":", s["id"], ""),
            pc.if_else(
                pc.and_kleene(truthy(name), pc.not_equal(name, "Anonymous")),
                pc.binary_join_element_wise("name:", name, ""),
                null_s,
            ),
        ),
    )
    extra, extra_odd = extra_json(arr, posts)
    odd |= extra_odd

    uid = pc.binary_join_element_wise("4chan:", boards, ":", post_s, "")
    empty_lists = pa.ListArray.from_arrays(
        np.zeros(n + 1, dtype=np.int32), pa.array([], pa.string())
    )
    records = np.arange(n, dtype=np.int64) - starts[fidx]
    file_col = pa.array([f.path for f in files], pa.string()).take(pa.array(fidx))
    sha_col = pa.array([f.sha256 for f in files], pa.string()).take(pa.array(fidx))
    run_col = pa.repeat(pa.scalar(run_id, pa.string()), n) if run_id else pa.nulls(n, pa.string())
    source = pa.StructArray.from_arrays(
        [file_col, pa.array(records), pa.nulls(n, pa.int64()), run_col, sha_col],
        fields=list(POST_SCHEMA.field("source").type),
    )
    raw = com
    text_out = pc.if_else(pc.is_valid(com), text, pa.scalar("", pa.string()))
    columns: dict[str, Any] = {
        "uid": uid,
        "platform": pa.repeat(pa.scalar("4chan", pa.string()), n),
        "community": boards,
        "thread_id": thread_s,
        "post_id": post_s,
        "parent_uids": parents,
        "created_at": pa.array(t * 1_000_000, pa.int64()).cast(
            POST_SCHEMA.field("created_at").type
        ),
        "author_key": author_key,
        "author_name": name,
        "text": text_out,
        "raw_markup": raw,
        "links": empty_lists,
        "media": media,
        "is_op": pa.array(is_op),
        "extra": extra,
        "source": source,
        "kind": pa.repeat(pa.scalar("post", pa.string()), n),
        "subject": subject,
        "reactions": pa.ListArray.from_arrays(
            np.zeros(n + 1, dtype=np.int32),
            pa.array([], POST_SCHEMA.field("reactions").type.value_type),
        ),
        "mentions": empty_lists,
        "uid_hash": None,
    }
    columns["uid_hash"] = uid_hash(uid)
    table = pa.Table.from_arrays(
        [
            c if c.type == f.type else c.cast(f.type)
            for f, c in zip(POST_SCHEMA, columns.values(), strict=True)
        ],
        schema=POST_SCHEMA,
    )
    if odd.any():
        table = _patch(table, odd, posts, files, fidx, records, no, t, hint, starts, run_id)
    return table, set()


def _patch(
    table: pa.Table,
    odd: np.ndarray,
    posts: list[dict[str, Any]],
    files: list[ThreadFile],
    fidx: np.ndarray,
    records: np.ndarray,
    no: np.ndarray,
    t: np.ndarray,
    hint: np.ndarray,
    starts: np.ndarray,
    run_id: str | None,
) -> pa.Table:
    """The table with its odd rows mapped by the bulk reader's per-post mapping instead."""
    rows = np.flatnonzero(odd)
    cols = Columns("4chan", "")
    first = np.zeros(len(odd), dtype=bool)
    first[starts] = True
    for i in rows.tolist():
        f = int(fidx[i])
        cols.rows.append(
            ordinary_row(
                posts[i],
                files[f].board,
                int(no[i]),
                int(t[i]),
                int(records[i]),
                None if first[i] else int(hint[f]),
            )
        )
    fixed = cols.to_table("", run_id, None)
    taken = pa.array(rows)
    fixed = fixed.set_column(
        POST_SCHEMA.get_field_index("community"), "community", table.column("community").take(taken)
    )
    fixed = fixed.set_column(
        POST_SCHEMA.get_field_index("source"), "source", table.column("source").take(taken)
    )
    pieces: list[pa.Table] = []
    prev = 0
    for j, i in enumerate(rows.tolist()):  # runs of ordinary rows between the odd ones
        if i > prev:
            pieces.append(table.slice(prev, i - prev))
        pieces.append(fixed.slice(j, 1))
        prev = i + 1
    if prev < table.num_rows:
        pieces.append(table.slice(prev))
    # One chunk: the table goes back to ingest pickled, and a pickled slice carries its whole
    # buffers (a batch of 256 threads with 160 odd posts pickled to 2.6 GB instead of 16 MB).
    return pa.concat_tables(pieces).combine_chunks()
