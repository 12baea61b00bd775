"""The column builders of the column-wise 4chan reader (:mod:`.fourchan_vec`).

Each takes Arrow arrays of a batch's posts and gives a column of the table, plus a mask of the
posts where it cannot be sure to match the per-post mapping (:func:`.fourchan_bulk.ordinary_row`):
those are mapped in Python instead. The RE2 patterns here are Python's (``textutil``) restricted to
where both engines agree; the comments say why each check exists.
"""

from __future__ import annotations

import binascii
import hashlib
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..models import MEDIA_TYPE
from .base import md5_hex
from .fourchan_map import _MAPPED

__all__ = [
    "ODD_COM",
    "ODD_SUB",
    "URL_HINT",
    "clean",
    "extra_json",
    "media_lists",
    "np_bool",
    "parent_uids",
    "truthy",
    "uid_hash",
]

# Characters where Python's ``\s``/``\d``/case folding and RE2's differ, or that the markers
# below use: a post holding one is mapped in Python.
_ODD_CHARS = "[\\x00-\\x08\\x0b\\x0e-\\x1f\\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{17f}\\x{212a}]"
ODD_COM = "|".join(
    [
        _ODD_CHARS,
        "deadlink",  # dead links are quoted after the live ones: left to Python
        "<[^<>]{1000}",  # Python's tag pattern stops at 2,000 characters; RE2 bounds at 1,000
        'href="[^"]*[^\\x00-\\x7f]',  # \d in Python is any Unicode digit
        'href="http',  # a hyperlink: its URL goes to ``links``
    ]
)
ODD_SUB = _ODD_CHARS + "|<[^<>]{1000}"
# textutil._QUOTELINK with [0-9] for \d (href values are ASCII here) and groups board, thread, post
_QUOTELINK = (
    '<a\\s+href="(?:(?://boards\\.4chan(?:nel)?\\.org)?/([a-z0-9]+)/(?:thread|res)/)?'
    '([0-9]+)?(?:\\.html)?#p([0-9]+)"[^>]*>'
)
_ENTITIES = [("&gt;", ">"), ("&lt;", "<"), ("&quot;", '"'), ("&#039;", "'"), ("&#39;", "'")]
_ENTITIES += [("&#44;", ","), ("&amp;", "&")]  # &amp; last: "&amp;gt;" is "&gt;"
_KNOWN_ENTITY = "&(?:gt|lt|quot|#039|#39|#44|amp);"
URL_HINT = "(?i)://|www\\.|\\.me|\\.gg|\\.com/"  # as Columns.find_links: extract_urls needs one
_JSON_ESCAPED = '["\\\\\\x00-\\x1f]'  # characters orjson escapes in a string

_IMAGE = pa.array([".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"])
_VIDEO = pa.array([".webm", ".mp4"])


def np_bool(a: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(a, False).to_numpy(zero_copy_only=False), dtype=bool)


def truthy(a: pa.Array) -> pa.Array:
    return pc.and_kleene(pc.is_valid(a), pc.greater(pc.utf8_length(pc.fill_null(a, "")), 0))


def uid_hash(uid: pa.Array) -> pa.Array:
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


def clean(markup: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """``fourchan_html_to_text(...)[0]`` of every value, and where it may differ from it. Only
    values holding ``<`` or ``&`` change (as in Python, which returns the others as they are)."""
    n = len(markup)
    odd = np.zeros(n, dtype=bool)
    needs = np_bool(pc.or_kleene(pc.match_substring(markup, "<"), pc.match_substring(markup, "&")))
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
    odd[idx] = np_bool(pc.match_substring(rx(t, _KNOWN_ENTITY, ""), "&"))
    for entity, char in _ENTITIES:
        t = pc.replace_substring(t, entity, char)
    return pc.replace_with_mask(markup, pa.array(needs), t), odd


def parent_uids(com: pa.Array, boards: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The uids a comment quotes, in order (quote links only: dead links make a post odd), and
    the posts that quote one post twice (their list is deduplicated in Python)."""
    n = len(com)
    odd = np.zeros(n, dtype=bool)
    linked = np_bool(pc.match_substring(com, 'href="'))
    # the markers below are \x01 and \x02: a comment holding one is mapped in Python
    marker = np_bool(pc.match_substring_regex(com, "[\\x01\\x02]"))
    odd[linked & marker] = True
    idx = np.flatnonzero(linked & ~marker)
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
    usual = np_bool(pc.match_substring_regex(md5, "^[A-Za-z0-9+/]{21}[AQgw]==$"))
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


def media_lists(
    filename: pa.Array, ext: pa.Array, md5: pa.Array, ints: dict[str, pa.Array]
) -> tuple[pa.Array, np.ndarray]:
    """The media list of every post (one file or none), as ``media_fields`` gives it."""
    has_md5 = truthy(md5)
    present = np_bool(pc.or_kleene(pc.or_kleene(truthy(ext), has_md5), truthy(filename)))
    odd = np_bool(pc.invert(pc.string_is_ascii(pc.fill_null(ext, ""))))
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
    m_set = np_bool(truthy(m))
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


def extra_json(arr: pa.StructArray, posts: list[dict[str, Any]]) -> tuple[pa.Array, np.ndarray]:
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
                odd[np.asarray(rows)[np_bool(pc.match_substring_regex(col, _JSON_ESCAPED))]] = True
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
