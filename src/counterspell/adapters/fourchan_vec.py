"""4chan thread files read many at a time, cleaned column by column.

The bulk reader (:mod:`.fourchan_bulk`) parses a file with ``orjson`` (the floor) and then spends
about 15 times that in Python per post and building one Arrow table per file. Here a batch of
thread files is parsed with ``orjson`` as before, the posts of every file become one Arrow struct
array in a single C++ conversion, and every field is derived column-wise: HTML to text with RE2
(``pyarrow.compute``), quote links marked and split out, the thread and OP flags with numpy, the
``extra`` JSON of unmapped keys built per key layout (posts whose keys come in the same order), media
and author keys with ``if_else``. One table covers the batch; a file's rows are a slice of it.

Exactness comes first. RE2 and Python's ``re`` agree on the patterns below only for ordinary input,
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

import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..models import MEDIA_TYPE, POST_SCHEMA
from ..textio import WHOLE_FILE_LIMIT, sniff_encoding
from .base import md5_hex
from .columns import Columns
from .fourchan_bulk import _MAX_TIME, ordinary_row
from .fourchan_map import _MAPPED

__all__ = ["ThreadFile", "read_threads"]


@dataclass(slots=True)
class ThreadFile:
    """One file of a batch: its path, the board its posts belong to, its SHA-256 (for ``source``)."""

    path: str
    board: str
    sha256: str | None
    data: bytes | None = None  # its bytes, when the caller has read them already


# Characters where Python's ``\s``/``\d``/case folding and RE2's differ, or that the markers
# below use: a post holding one is mapped in Python.
_ODD_CHARS = "[\\x00-\\x08\\x0b\\x0e-\\x1f\\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{17f}\\x{212a}]"
_ODD_COM = "|".join(
    [
        _ODD_CHARS,
        "deadlink",  # dead links are quoted after the live ones: left to Python
        "<[^<>]{1000}",  # Python's tag pattern stops at 2,000 characters; RE2 bounds at 1,000
        'href="[^"]*[^\\x00-\\x7f]',  # \d in Python is any Unicode digit
        'href="http',  # a hyperlink: its URL goes to ``links``
    ]
)
_ODD_SUB = _ODD_CHARS + "|<[^<>]{1000}"
# textutil._QUOTELINK with [0-9] for \d (href values are ASCII here) and groups board, thread, post
_QUOTELINK = (
    '<a\\s+href="(?:(?://boards\\.4chan(?:nel)?\\.org)?/([a-z0-9]+)/(?:thread|res)/)?'
    '([0-9]+)?(?:\\.html)?#p([0-9]+)"[^>]*>'
)
_ENTITIES = [("&gt;", ">"), ("&lt;", "<"), ("&quot;", '"'), ("&#039;", "'"), ("&#39;", "'")]
_ENTITIES += [("&#44;", ","), ("&amp;", "&")]  # &amp; last: "&amp;gt;" is "&gt;"
_KNOWN_ENTITY = "&(?:gt|lt|quot|#039|#39|#44|amp);"
_URL_HINT = "(?i)://|www\\.|\\.me|\\.gg|\\.com/"  # as Columns.find_links: extract_urls needs one
_JSON_ESCAPED = '["\\\\\\x00-\\x1f]'  # characters orjson escapes in a string

_STRING_KEYS = ("name", "trip", "id", "com", "sub", "filename", "ext", "md5")
_INT_KEYS = ("fsize", "w", "h")
_IMAGE = pa.array([".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"])
_VIDEO = pa.array([".webm", ".mp4"])
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
            if len(todo) > 1:  # one file at a time: the others need not pay for an odd one
                parts = [read_threads([files[i]], run_id) for i in todo]
                for i, (one, span) in zip(todo, parts, strict=True):
                    if span[0] is not None:
                        tables.append(one)
                        docs[i] = docs[i]  # read: its span is set below
                    else:
                        docs[i] = None
                todo = [i for i in todo if docs[i] is not None]
                break
            docs[todo[0]] = None
            todo = []
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


def _np_bool(a: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(a, False).to_numpy(zero_copy_only=False), dtype=bool)


def _truthy(a: pa.Array) -> pa.Array:
    return pc.and_kleene(pc.is_valid(a), pc.greater(pc.utf8_length(pc.fill_null(a, "")), 0))


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
    bad_row = ~_np_bool(pc.is_valid(arr))  # a null post
    bad_row |= ~_np_bool(pc.is_valid(no_a)) | ~_np_bool(pc.is_valid(time_a))
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
            odd[:] |= _np_bool(pc.is_valid(a))
            return pa.nulls(n, pa.string())
        return a

    def int_field(key: str) -> pa.Array:
        a = _field(arr, key)
        if a is None or a.type == pa.null():
            return pa.nulls(n, pa.int64())
        if a.type != pa.int64():
            odd[:] |= _np_bool(pc.is_valid(a))
            return pa.nulls(n, pa.int64())
        return a

    s = {k: text_field(k) for k in _STRING_KEYS}
    ints = {k: int_field(k) for k in _INT_KEYS}

    com = s["com"]
    text, com_odd = _clean(com)
    odd |= com_odd
    odd |= _np_bool(pc.match_substring_regex(com, _ODD_COM))
    odd |= _np_bool(pc.match_substring_regex(text, _URL_HINT))
    sub_text, sub_odd = _clean(s["sub"])
    odd |= sub_odd | _np_bool(pc.match_substring_regex(s["sub"], _ODD_SUB))
    subject = pc.if_else(_truthy(s["sub"]), sub_text, pa.scalar(None, pa.string()))

    parents, quote_odd = _parents(com, boards)
    odd |= quote_odd

    media, media_odd = _media(s["filename"], s["ext"], s["md5"], ints)
    odd |= media_odd

    thread_s = pc.cast(pa.array(thread), pa.string())
    post_s = pc.cast(no_a, pa.string())
    null_s = pa.scalar(None, pa.string())
    name = s["name"]
    author_key = pc.if_else(
        _truthy(s["trip"]),
        pc.binary_join_element_wise("trip:", s["trip"], ""),
        pc.if_else(
            _truthy(s["id"]),
            pc.binary_join_element_wise("id:", thread_s, ":", s["id"], ""),
            pc.if_else(
                pc.and_kleene(_truthy(name), pc.not_equal(name, "Anonymous")),
                pc.binary_join_element_wise("name:", name, ""),
                null_s,
            ),
        ),
    )
    extra, extra_odd = _extra(arr, posts)
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
    columns["uid_hash"] = _uid_hash(uid)
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


def _uid_hash(uid: pa.Array) -> pa.Array:
    """``models.uid_hash`` of every uid: the blake2b digests joined and read as int64."""
    blake2b = hashlib.blake2b
    return pa.array(
        np.frombuffer(
            b"".join(
                [blake2b(u, digest_size=8).digest() for u in uid.cast(pa.binary()).to_pylist()]
            ),
            dtype="<i8",
        ),
        pa.int64(),
    )


def _clean(markup: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """``fourchan_html_to_text(...)[0]`` of every value, and where it may differ from it. Only
    values holding ``<`` or ``&`` change (as in Python, which returns the others as they are)."""
    n = len(markup)
    odd = np.zeros(n, dtype=bool)
    needs = _np_bool(pc.or_kleene(pc.match_substring(markup, "<"), pc.match_substring(markup, "&")))
    idx = np.flatnonzero(needs)
    if not len(idx):
        return markup, odd
    rx = pc.replace_substring_regex
    t = rx(markup.take(pa.array(idx)), "(?i)<wbr\\s*/?>", "")
    has_nl = pc.match_substring(t, "\n")
    flat = pc.replace_substring(
        pc.replace_substring(pc.replace_substring(t, "\r", ""), ">\n", ">"), "\n", " "
    )
    t = pc.if_else(has_nl, flat, t)
    t = rx(rx(t, "(?i)<br\\s*/?>", "\n"), "<[^<>]*>", "")
    odd[idx] = _np_bool(pc.match_substring(rx(t, _KNOWN_ENTITY, ""), "&"))
    for entity, char in _ENTITIES:
        t = pc.replace_substring(t, entity, char)
    return pc.replace_with_mask(markup, pa.array(needs), t), odd


def _parents(com: pa.Array, boards: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The uids a comment quotes, in order (quote links only: dead links make a post odd), and
    the posts that quote one post twice (their list is deduplicated in Python)."""
    n = len(com)
    odd = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(_np_bool(pc.match_substring(com, 'href="')))
    lengths = np.zeros(n, dtype=np.int32)
    if not len(idx):
        return _lists(lengths, pa.array([], pa.string())), odd
    taken = pa.array(idx)
    marked = pc.replace_substring_regex(com.take(taken), _QUOTELINK, "\x01\\1\x02\\3\x01")
    quotes = pc.list_slice(pc.split_pattern(marked, "\x01"), 1, None, 2)
    flat = pc.list_flatten(quotes)
    rows = pc.list_parent_indices(quotes)
    pair = pc.split_pattern(flat, "\x02")
    qboard = pc.list_element(pair, 0)
    qpost = pc.list_element(pair, 1)
    board = pc.if_else(pc.equal(qboard, ""), boards.take(taken).take(rows), qboard)
    uids = pc.binary_join_element_wise("4chan:", board, ":", qpost, "")
    sub_lengths = np.asarray(pc.list_value_length(quotes).to_numpy(), dtype=np.int32)
    lengths[idx] = sub_lengths
    offsets = np.concatenate([[0], np.cumsum(sub_lengths)])
    for k in np.flatnonzero(sub_lengths > 1).tolist():
        got = uids[offsets[k] : offsets[k + 1]].to_pylist()
        if len(set(got)) != len(got):
            odd[idx[k]] = True
    return _lists(lengths, uids), odd


def _lists(lengths: np.ndarray, values: pa.Array) -> pa.ListArray:
    """A list array whose row i holds the next ``lengths[i]`` values."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _md5_hex(md5: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """``md5_hex`` of every value (non-empty strings), and where it is None (an invalid MD5).
    The usual form (22 base64 characters and ``==``, the last one with no stray bits) is decoded
    in one ``a2b_base64`` call over all of them; the rest one by one."""
    k = len(md5)
    usual = _np_bool(pc.match_substring_regex(md5, "^[A-Za-z0-9+/]{21}[AQgw]==$"))
    out = pa.nulls(k, pa.string())
    idx = np.flatnonzero(usual)
    if len(idx):
        joined = pc.binary_join_element_wise(md5.take(pa.array(idx)), "")
        data = "".join(joined.to_pylist()).replace("==", "AA")
        raw = np.frombuffer(binascii.a2b_base64(data), dtype=np.uint8).reshape(-1, 18)[:, :16]
        hexed = raw.tobytes().hex().encode("ascii")
        offsets = (np.arange(len(idx) + 1, dtype=np.int32) * 32).tobytes()
        hexes = pa.StringArray.from_buffers(len(idx), pa.py_buffer(offsets), pa.py_buffer(hexed))
        out = pc.replace_with_mask(out, pa.array(usual), hexes)
    invalid = np.zeros(k, dtype=bool)
    rest = np.flatnonzero(~usual)
    if len(rest):
        others = [md5_hex(v) for v in md5.take(pa.array(rest)).to_pylist()]
        invalid[rest] = [h is None for h in others]
        out = pc.replace_with_mask(out, pa.array(~usual), pa.array(others, pa.string()))
    return out, invalid


def _media(
    filename: pa.Array, ext: pa.Array, md5: pa.Array, ints: dict[str, pa.Array]
) -> tuple[pa.Array, np.ndarray]:
    """The media list of every post (one file or none), as ``media_fields`` gives it."""
    has_md5 = _truthy(md5)
    present = _np_bool(pc.or_kleene(pc.or_kleene(_truthy(ext), has_md5), _truthy(filename)))
    odd = _np_bool(pc.invert(pc.string_is_ascii(pc.fill_null(ext, ""))))
    idx = np.flatnonzero(present)
    offsets = np.concatenate([[0], np.cumsum(present)]).astype(np.int32)
    if len(idx) == 0:
        return pa.ListArray.from_arrays(pa.array(offsets), pa.array([], MEDIA_TYPE)), odd
    take = pa.array(idx)
    e = ext.take(take)
    name = pc.binary_join_element_wise(
        pc.fill_null(filename.take(take), ""), pc.fill_null(e, ""), ""
    )
    name = pc.if_else(pc.equal(name, ""), pa.scalar(None, pa.string()), name)
    m = md5.take(take)
    m_set = _np_bool(_truthy(m))
    hexes = pa.nulls(len(idx), pa.string())
    if m_set.any():
        got, invalid = _md5_hex(m.filter(pa.array(m_set)))
        odd[idx[np.flatnonzero(m_set)[invalid]]] = True  # kept in extra as md5_invalid: Python
        hexes = pc.replace_with_mask(hexes, pa.array(m_set), got)
    lower = pc.utf8_lower(pc.fill_null(e, ""))
    kind = pc.if_else(
        pc.is_in(lower, _IMAGE), "image", pc.if_else(pc.is_in(lower, _VIDEO), "video", "file")
    )
    k = len(idx)
    nulls = pa.nulls(k, pa.string())
    values = pa.StructArray.from_arrays(
        [
            name,
            e,
            ints["fsize"].take(take),
            ints["w"].take(take).cast(pa.int32()),
            ints["h"].take(take).cast(pa.int32()),
            hexes,
            nulls,
            kind,
            nulls,
            nulls,
        ],
        fields=list(MEDIA_TYPE),
    )
    return pa.ListArray.from_arrays(pa.array(offsets), values), odd


def _extra(arr: pa.StructArray, posts: list[dict[str, Any]]) -> tuple[pa.Array, np.ndarray]:
    """The ``extra`` JSON of every post: its unmapped keys in its own order, as orjson writes
    them. Posts are grouped by their key order, so each group's JSON is joined column-wise."""
    n = len(posts)
    odd = np.zeros(n, dtype=bool)
    index: dict[tuple[str, ...], int] = {}
    ids = np.array([index.setdefault(sig, len(index)) for sig in map(tuple, posts)], np.int64)
    order = np.argsort(ids, kind="stable")  # rows of each key order, in file order
    counts = np.bincount(ids, minlength=len(index))
    ends = np.cumsum(counts)
    groups = {sig: order[ends[g] - counts[g] : ends[g]] for sig, g in index.items()}
    parts_idx: list[np.ndarray] = []
    parts_val: list[pa.Array] = []
    for sig, rows in groups.items():
        keys = [k for k in sig if k not in _MAPPED]
        if "filename" in sig:  # present but null: media_fields names the file "None"
            fn = arr.field("filename")
            if fn.type == pa.null() or fn.take(pa.array(rows)).null_count:
                odd[rows] = True
        if not keys:
            continue
        take = pa.array(rows)
        pieces: list[Any] = []
        usable = True
        for j, key in enumerate(keys):
            pieces.append(("{" if j == 0 else ",") + orjson.dumps(key).decode("utf-8") + ":")
            col = arr.field(key).take(take)
            ty = col.type
            if ty == pa.int64():
                v = pc.cast(col, pa.string())
            elif ty == pa.bool_():
                v = pc.if_else(col, "true", "false")
            elif ty == pa.string():
                odd[np.asarray(rows)[_np_bool(pc.match_substring_regex(col, _JSON_ESCAPED))]] = True
                v = pc.binary_join_element_wise('"', col, '"', "")
            elif ty == pa.null():
                v = pa.nulls(len(rows), pa.string())
            else:
                usable = False
                break
            pieces.append(pc.fill_null(v, "null"))
        if not usable:
            odd[rows] = True
            continue
        pieces.append("}")
        parts_idx.append(np.asarray(rows, dtype=np.int64))
        parts_val.append(pc.binary_join_element_wise(*pieces, ""))
    if not parts_idx:
        return pa.nulls(n, pa.string()), odd
    pos = np.full(n, -1, dtype=np.int64)
    order = np.concatenate(parts_idx)
    pos[order] = np.arange(len(order))
    vals = pa.concat_arrays([*parts_val, pa.nulls(1, pa.string())])
    pos[pos < 0] = len(order)
    return vals.take(pa.array(pos)), odd


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
