"""Text files in whatever encoding the collector left them: a BOM, UTF-16 from a Windows tool,
stray Latin-1 bytes (decoded rather than lost, and counted)."""

from __future__ import annotations

import codecs
import io
from typing import IO

# Files up to this size are parsed whole with orjson; larger ones are streamed.
WHOLE_FILE_LIMIT = 32 * 1024 * 1024
# One JSON value (an array element, a line) larger than this is refused rather than buffered.
MAX_VALUE_CHARS = 256 * 1024 * 1024
CHUNK_CHARS = 1 << 20

_fallback_bytes = 0  # bytes decoded by the Latin-1 fallback, across all readers (single-threaded)
_fallback_first: int | None = None


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Latin-1 instead of failing the whole file."""
    global _fallback_bytes
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    _fallback_bytes += len(bad)
    return bytes(bad).decode("latin-1"), exc.end


codecs.register_error("counterspell-latin1", _latin1_fallback)


def fallback_bytes() -> int:
    """How many bytes so far were read through the Latin-1 fallback (for per-file notices)."""
    return _fallback_bytes


def sniff_encoding(head: bytes) -> str:
    """Pick a codec from the first bytes: BOMs first, then the NUL pattern of BOM-less UTF-16."""
    if head.startswith(codecs.BOM_UTF32_LE) or head.startswith(codecs.BOM_UTF32_BE):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(head) >= 4:
        if head[0] == 0 and head[1] != 0 and head[2] == 0:
            return "utf-16-be"
        if head[0] != 0 and head[1] == 0 and head[3] == 0:
            return "utf-16-le"
    return "utf-8"


def open_text(path: str) -> tuple[IO[str], str]:
    """Open a file as text with the sniffed encoding and the Latin-1 fallback for bad bytes."""
    raw = open(path, "rb")  # noqa: SIM115 - handed to the wrapper, closed with it
    head = raw.read(4)
    raw.seek(0)
    encoding = sniff_encoding(head)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="counterspell-latin1", newline="")
    return text, encoding


def read_head(path: str, chars: int = 65536) -> str:
    """The first characters of a file, decoded, for format detection."""
    with open_text(path)[0] as f:
        return f.read(chars)
