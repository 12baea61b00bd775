"""Reading input files safely: encodings, JSON documents of any size, JSON lines.

Exports arrive in whatever state the collector left them: with a BOM, as UTF-16 from a Windows
tool, with stray Latin-1 bytes, truncated by a full disk, or several gigabytes in one JSON array.
This module turns all of that into values plus exact places, so adapters never see raw bytes and
never hold a whole large file in memory.

Two cursors share one pull API (:class:`JsonCursor`): :class:`ParsedCursor` walks a document
that ``orjson`` parsed in one go (small files: fastest), :class:`StreamCursor` walks a document
chunk by chunk, decoding one array element at a time (large or damaged files: bounded memory,
and it can resume after a malformed element).
"""

from .cursors import JsonCursor, ParsedCursor, Problem, Record, StreamCursor, open_json
from .encoding import (
    CHUNK_CHARS,
    MAX_VALUE_CHARS,
    WHOLE_FILE_LIMIT,
    fallback_bytes,
    open_text,
    read_head,
    sniff_encoding,
)
from .lines import Line, iter_lines

__all__ = [
    "CHUNK_CHARS",
    "MAX_VALUE_CHARS",
    "WHOLE_FILE_LIMIT",
    "JsonCursor",
    "Line",
    "ParsedCursor",
    "Problem",
    "Record",
    "StreamCursor",
    "fallback_bytes",
    "iter_lines",
    "open_json",
    "open_text",
    "read_head",
    "sniff_encoding",
]
