"""JSON documents of any size, walked by one pull API (:class:`JsonCursor`).

:class:`ParsedCursor` walks a document that ``orjson`` parsed in one go (small files: fastest);
:class:`StreamCursor` walks a document chunk by chunk, decoding one array element at a time
(large or damaged files: bounded memory, and it resumes after a malformed element).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import IO, Any, Protocol

import orjson

from ..errors import InputError, Place
from .encoding import CHUNK_CHARS, MAX_VALUE_CHARS, WHOLE_FILE_LIMIT, open_text, sniff_encoding


class JsonCursor(Protocol):
    """Pull-style walk over one JSON document. Every yielded key or index must be followed by
    exactly one call that consumes its value (``read_value``, ``skip_value``, ``iter_object``,
    ``iter_array``) before the iterator is advanced."""

    file: str

    def peek_kind(self) -> str: ...
    def iter_object(self) -> Iterator[str]: ...
    def iter_array(self) -> Iterator[int]: ...
    def read_value(self) -> Any: ...
    def skip_value(self) -> None: ...
    def place(self) -> Place: ...
    def iter_records(
        self, looks_like: Callable[[Any], bool] | None = None
    ) -> Iterator[Record | Problem]: ...


@dataclass(slots=True)
class Record:
    """One decoded array element and where it started."""

    index: int
    place: Place
    value: Any


@dataclass(slots=True)
class Problem:
    """Part of an input that could not be decoded; ingest quarantines it and carries on."""

    place: Place
    reason: str
    snippet: str = ""


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "scalar"


class ParsedCursor:
    """The cursor API over a document already parsed in memory."""

    def __init__(self, document: Any, file: str) -> None:
        self.file = file
        self._pending: Any = document
        self._index: int | None = None

    def peek_kind(self) -> str:
        return _kind_of(self._pending)

    def _take(self) -> Any:
        value, self._pending = self._pending, None
        return value

    def read_value(self) -> Any:
        return self._take()

    def skip_value(self) -> None:
        self._take()

    def iter_object(self) -> Iterator[str]:
        value = self._take()
        if not isinstance(value, dict):
            raise InputError(self.place(), f"expected a JSON object, found {_kind_of(value)}")
        for key, item in value.items():
            self._pending = item
            yield key

    def iter_array(self) -> Iterator[int]:
        value = self._take()
        if not isinstance(value, list):
            raise InputError(self.place(), f"expected a JSON array, found {_kind_of(value)}")
        for i, item in enumerate(value):
            self._pending = item
            self._index = i
            yield i
        self._index = None

    def iter_records(
        self, looks_like: Callable[[Any], bool] | None = None
    ) -> Iterator[Record | Problem]:
        for i in self.iter_array():
            yield Record(i, Place(self.file, record=i), self._take())

    def place(self) -> Place:
        return Place(self.file, record=self._index)


_WS = re.compile(r"[ \t\r\n]*")
_NUMBER_OR_LITERAL_END = 16
_NUMBER_LOOKAHEAD = 64  # characters that must follow a number before we trust where it ends  # an error this close to the end of the buffer may be truncation


class StreamCursor:
    """The cursor API over text read in chunks; memory is bounded by the largest single value."""

    def __init__(self, text: IO[str], file: str, chunk: int = CHUNK_CHARS) -> None:
        self.file = file
        self._text = text
        self._chunk = chunk
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._base_offset = 0  # characters dropped from the front of the buffer
        self._base_line = 1  # line number at the front of the buffer
        self._mark_pos, self._mark_line = 0, 1  # a known (position, line) pair, for place()
        self._ended_reported = False  # a truncation was already reported; don't report it again
        self._decoder = json.JSONDecoder()
        self._scan = self._decoder.scan_once  # type: ignore[attr-defined]
        self._fill()
        if self._buf.startswith("\ufeff"):
            self._pos = 1

    # -- buffer management -------------------------------------------------
    def _fill(self, want: int = 0) -> bool:
        """Read at least one more chunk (or ``want`` characters). False at end of file."""
        if self._eof:
            return False
        data = self._text.read(max(self._chunk, want))
        if not data:
            self._eof = True
            return False  # the buffer is unchanged, so positions held by callers stay valid
        if self._pos > len(self._buf) // 2:
            self._base_line += self._buf.count("\n", 0, self._pos)
            self._base_offset += self._pos
            self._buf = self._buf[self._pos :]
            self._mark_pos, self._mark_line = 0, self._base_line
            self._pos = 0
        self._buf += data
        return True

    def place(self, pos: int | None = None) -> Place:
        p = self._pos if pos is None else pos
        # Count newlines incrementally from the last place asked for: records are asked in order.
        if p >= self._mark_pos:
            line = self._mark_line + self._buf.count("\n", self._mark_pos, p)
        else:
            line = self._base_line + self._buf.count("\n", 0, p)
        self._mark_pos, self._mark_line = p, line
        return Place(self.file, line=line, offset=self._base_offset + p)

    def _skip_ws(self) -> None:
        while True:
            m = _WS.match(self._buf, self._pos)
            self._pos = m.end() if m else self._pos
            if self._pos < len(self._buf) or not self._fill():
                return

    def _peek(self) -> str:
        self._skip_ws()
        return self._buf[self._pos] if self._pos < len(self._buf) else ""

    def _expect(self, ch: str) -> None:
        got = self._peek()
        if got != ch:
            found = repr(got) if got else "end of file"
            raise InputError(self.place(), f"malformed JSON: expected {ch!r}, found {found}")
        self._pos += 1

    def _grow(self) -> bool:
        """Read more for a value that did not fit; refuse values beyond the size limit."""
        if len(self._buf) - self._pos > MAX_VALUE_CHARS:
            raise InputError(
                self.place(), f"a single JSON value is larger than {MAX_VALUE_CHARS:,} characters"
            )
        return self._fill(want=len(self._buf) - self._pos)

    # -- values --------------------------------------------------------------
    def peek_kind(self) -> str:
        ch = self._peek()
        if ch == "{":
            return "object"
        if ch == "[":
            return "array"
        return "end" if not ch else "scalar"

    def read_value(self) -> Any:
        self._skip_ws()
        while True:
            start = self._pos
            try:
                value, end = self._scan(self._buf, start)
            except StopIteration as stop:
                err_pos, message = int(stop.value), "expected a JSON value"
            except json.JSONDecodeError as exc:
                err_pos, message = exc.pos, exc.msg
            else:
                # A number at the end of the buffer may continue in the next chunk ("0" | ".5").
                lookahead = (
                    _NUMBER_LOOKAHEAD
                    if isinstance(value, int | float) and not isinstance(value, bool)
                    else 1
                )
                if len(self._buf) - end >= lookahead or self._eof or not self._grow():
                    self._pos = end
                    return value
                continue
            truncated_here = message.startswith("Unterminated string") or (
                err_pos >= len(self._buf) - _NUMBER_OR_LITERAL_END
            )
            if truncated_here and self._grow():
                continue
            if truncated_here and self._eof:
                raise InputError(
                    self.place(start), "truncated JSON: the file ends inside this value"
                )
            raise InputError(self.place(err_pos), f"malformed JSON: {message}")

    def skip_value(self) -> None:
        self.read_value()

    def _read_key(self) -> str:
        self._skip_ws()
        if self._peek() != '"':
            raise InputError(self.place(), "malformed JSON: expected a quoted key")
        while True:
            try:
                key, end = scanstring(self._buf, self._pos + 1, True)
            except json.JSONDecodeError:
                if self._grow():
                    continue
                raise InputError(
                    self.place(), "truncated JSON: the file ends inside a key"
                ) from None
            self._pos = end
            return str(key)

    def iter_object(self) -> Iterator[str]:
        self._expect("{")
        if self._peek() == "}":
            self._pos += 1
            return
        while True:
            key = self._read_key()
            self._expect(":")
            yield key
            ch = self._peek()
            self._pos += 1
            if ch == ",":
                continue
            if ch == "}" or (not ch and self._ended_reported):
                return
            self._pos -= 1
            raise InputError(self.place(), "malformed JSON: expected ',' or '}' after a member")

    def iter_array(self) -> Iterator[int]:
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        i = 0
        while True:
            yield i
            i += 1
            ch = self._peek()
            self._pos += 1
            if ch == ",":
                continue
            if ch == "]" or (not ch and self._ended_reported):
                return
            self._pos -= 1
            raise InputError(self.place(), "malformed JSON: expected ',' or ']' after an element")

    # -- records with recovery ------------------------------------------------
    def iter_records(
        self, looks_like: Callable[[Any], bool] | None = None
    ) -> Iterator[Record | Problem]:
        """Yield array elements; after a malformed one, report it and resynchronise on the next
        element that starts at the same indentation (pretty-printed exports) or that decodes to
        something ``looks_like`` accepts (minified ones)."""
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        indent = self._element_indent()
        i = 0
        pending: tuple[Place, Any] | None = None  # a record found by resynchronising
        while True:
            if pending is not None:
                (place, value), pending = pending, None
            else:
                self._skip_ws()
                place = self.place()
                absolute = (
                    self._base_offset + self._pos
                )  # the buffer may be compacted while reading
                try:
                    value = self.read_value()
                except InputError as exc:
                    start = max(absolute - self._base_offset, 0)
                    yield Problem(exc.place, exc.reason, self._buf[start : start + 200])
                    if self._eof and exc.reason.startswith("truncated"):
                        self._pos = len(self._buf)
                        self._ended_reported = True
                        return
                    found = self._resync(absolute, indent, looks_like)
                    if found is None:
                        yield Problem(
                            place,
                            "could not find another complete record after this point; the rest of the file was skipped",
                        )
                        self._ended_reported = True
                        return
                    i += 1  # the malformed record had an index too
                    place, value = found
            yield Record(i, place, value)
            i += 1
            ch = self._peek()
            if ch == ",":
                self._pos += 1
                continue
            if ch == "]":
                self._pos += 1
                return
            if not ch:
                yield Problem(self.place(), "truncated JSON: the file ends after this record")
                self._ended_reported = True
                return
            absolute = self._base_offset + self._pos
            yield Problem(
                self.place(),
                f"malformed JSON: expected ',' or ']' after a record, found {ch!r}",
                self._buf[self._pos : self._pos + 200],
            )
            pending = self._resync(absolute, indent, looks_like)
            if pending is None:
                self._ended_reported = True
                return

    def _element_indent(self) -> str | None:
        line_start = self._buf.rfind("\n", 0, self._pos)
        if line_start < 0:
            return None
        between = self._buf[line_start + 1 : self._pos]
        return between if between.strip() == "" else None

    def _resync(
        self, after_abs: int, indent: str | None, looks_like: Callable[[Any], bool] | None
    ) -> tuple[Place, Any] | None:
        """Find the next element after absolute offset ``after_abs`` that decodes and is followed
        by ',' or ']'; return its place and value, leaving the cursor just after it."""
        if indent is not None:
            pattern = re.compile(r",[ \t\r]*\n" + re.escape(indent) + r"(?=[\{\[\"0-9tfn-])")
        else:
            pattern = re.compile(r"[\}\]][ \t\r\n]*,[ \t\r\n]*(?=\{)")
        search_abs = after_abs + 1
        while True:
            rel = max(search_abs - self._base_offset, 0)
            m = pattern.search(self._buf, rel)
            if m is None:
                keep = max(len(self._buf) - 64, rel)  # a match may straddle the chunk boundary
                search_abs = self._base_offset + keep
                self._pos = max(self._pos, keep)  # let the buffer drop what was scanned
                if not self._fill():
                    self._pos = len(self._buf)
                    return None
                continue
            candidate_abs = self._base_offset + m.end()
            self._pos = m.end()
            place = self.place()
            try:
                value = self.read_value()
                ok = looks_like(value) if looks_like else True
                ok = ok and self._peek() in (",", "]")
            except InputError:
                ok = False
            if ok:
                return place, value
            search_abs = candidate_abs
            self._pos = max(candidate_abs - self._base_offset, 0)


def open_json(path: str, whole_file_limit: int | None = None) -> JsonCursor:
    """A cursor over a JSON file: parsed whole when small and valid UTF-8, streamed otherwise."""
    size = os.path.getsize(path)
    if size <= (WHOLE_FILE_LIMIT if whole_file_limit is None else whole_file_limit):
        with open(path, "rb") as f:
            data = f.read()
        if sniff_encoding(data[:4]) == "utf-8":
            try:
                return ParsedCursor(orjson.loads(data), path)
            except orjson.JSONDecodeError:
                pass  # malformed, truncated or not UTF-8: the stream cursor says where, and recovers
    text, _ = open_text(path)
    return StreamCursor(text, path, CHUNK_CHARS)
