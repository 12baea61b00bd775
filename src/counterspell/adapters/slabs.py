"""The message array of a JSON export read fast, for the bulk readers (:mod:`.telegram_bulk`,
:mod:`.discord_bulk`), with the line numbers the streaming reader would give.

A file up to :data:`~counterspell.textio.WHOLE_FILE_LIMIT` is parsed whole by ``orjson``, as
:func:`~counterspell.textio.open_json` does (records have no line then). A larger one is what the
streaming reader walks chunk by chunk with Python's ``json``, about ten times slower than
``orjson``; here it is read in slabs of a few MB, cut where a pretty-printed export starts its next
array element (a comma, a newline, the first element's indentation, ``{``), and each element is
parsed by ``orjson`` on its own. A JSON string cannot hold a raw newline, and a piece cut anywhere
but between two elements of the array is not one valid JSON value, so every element that parses
is one the streaming reader would read. Anything else (no newline before the first element, an
element that does not parse, bytes that are not UTF-8, a duplicate top-level key, the file ending
early) raises :class:`GiveUp`: the caller hands the rest of the file to the streaming reader,
which says where the problem is and resynchronises after it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import orjson

from ..textio import WHOLE_FILE_LIMIT, sniff_encoding

__all__ = ["SLAB_BYTES", "GiveUp", "Members", "read_members"]

SLAB_BYTES = 8 * 1024 * 1024  # bytes read at a time; a slab's elements become one table
MAX_ELEMENT_BYTES = 64 * 1024 * 1024  # a longer element is left to the streaming reader
_HEAD_BYTES = 1 << 20  # the members before the array must fit in this much of the file

Members = list[tuple[str, Any]]  # top-level members in file order (keys may repeat)
Batch = list[tuple[Any, int | None]]  # array elements and their lines (None: parsed whole)


class GiveUp(Exception):
    """This file, or the rest of it, is not one the fast reader can vouch for."""


def _pairs(text: str) -> Members:
    """Top-level members of a JSON object, in order and with repeats, decoded by Python's json
    (what the streaming reader uses for header values)."""
    top: list[Members] = []

    def hook(pairs: Members) -> dict[str, Any]:
        top[:] = [pairs]
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=hook)
    except (ValueError, RecursionError):
        raise GiveUp("header or trailer is not JSON") from None
    return top[0]


def read_members(path: str, key: str) -> tuple[Members, Iterator[Batch], Members]:
    """Members before the array ``key``, its elements in batches of (value, line), and the members
    after it (complete once the batches are exhausted). Raises :class:`GiveUp` for a file the
    fast reader does not handle; batches may raise it part way."""
    size = os.path.getsize(path)
    if size <= WHOLE_FILE_LIMIT:
        return _whole(path, key)
    with open(path, "rb") as f:
        start = f.read(_HEAD_BYTES)
    if sniff_encoding(start[:4]) != "utf-8" or start.startswith(b"\xef\xbb\xbf"):
        raise GiveUp("not plain UTF-8")
    m = re.search(rb'"' + key.encode() + rb'"[ \t\r\n]*:[ \t\r\n]*\[', start)
    if m is None:
        raise GiveUp(f"no {key!r} array near the start")
    try:
        head = _pairs(start[: m.start()].decode("utf-8") + f'"{key}":[]}}')[:-1]
    except UnicodeDecodeError:
        raise GiveUp("header is not UTF-8") from None
    tail: Members = []
    return head, _slabs(path, m.end(), start.count(b"\n", 0, m.end()) + 1, key, tail), tail


def _whole(path: str, key: str) -> tuple[Members, Iterator[Batch], Members]:
    with open(path, "rb") as f:
        data = f.read()
    if sniff_encoding(data[:4]) != "utf-8":
        raise GiveUp("not UTF-8")
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise GiveUp("not well-formed") from None
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        raise GiveUp(f"not an object with a {key!r} array")
    items = list(doc.items())
    at = next(i for i, (k, _) in enumerate(items) if k == key)
    values: list[Any] = doc[key]
    step = 20_000
    batches: Iterator[Batch] = (
        [(v, None) for v in values[i : i + step]] for i in range(0, len(values), step)
    )
    return items[:at], batches, items[at + 1 :]


def _slabs(path: str, offset: int, line: int, key: str, tail: Members) -> Iterator[Batch]:
    """The array elements after byte ``offset`` (just past ``[``, on ``line``), slab by slab."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    with open(path, "rb") as f:
        f.seek(offset)
        buf = f.read(SLAB_BYTES)
        eof = not buf
        ws = re.match(rb"[ \t\r\n]*", buf)
        pos = ws.end() if ws else 0
        line += buf.count(b"\n", 0, pos)
        gap = buf[:pos]
        if pos < len(buf) and buf[pos : pos + 1] == b"]":
            _finish(buf[pos + 1 :] + f.read(), key, tail)
            return
        if b"\n" not in gap:
            raise GiveUp("the array is not pretty-printed")
        indent = gap[gap.rindex(b"\n") + 1 :]
        boundary = re.compile(rb",[ \t\r]*\n" + re.escape(indent) + rb"(?=\{)")
        while True:
            batch: Batch = []
            for m in boundary.finditer(buf, pos):
                try:
                    batch.append((loads(buf[pos : m.start()]), line))
                except decode_error:
                    raise GiveUp("an element does not parse") from None
                line += buf.count(b"\n", pos, m.end())
                pos = m.end()
            if batch:
                yield batch
            more = b"" if eof else f.read(SLAB_BYTES)
            if not more:
                break
            if len(buf) - pos > MAX_ELEMENT_BYTES:
                raise GiveUp("an element too large for the fast reader")
            buf = buf[pos:] + more
            pos = 0
        end = buf.rfind(b"]", pos)
        if end < 0:
            raise GiveUp("the file ends inside the array")
        try:
            last = loads(buf[pos:end])
        except decode_error:
            raise GiveUp("the last element does not parse") from None
        _finish(buf[end + 1 :], key, tail)
        yield [(last, line)]


def _finish(rest: bytes, key: str, tail: Members) -> None:
    """Parse what follows the array (``, "messageCount": 3 }``) into ``tail``."""
    try:
        text = rest.decode("utf-8")
    except UnicodeDecodeError:
        raise GiveUp("trailer is not UTF-8") from None
    tail.extend(_pairs(f'{{"{key}":[]' + text)[1:])
