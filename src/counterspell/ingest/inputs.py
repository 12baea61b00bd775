"""What to ingest: input files from paths, folders and globs, their checksums, the lake's ingest lock, time zones."""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import CounterspellError
from ..lake.workspace import Workspace

if TYPE_CHECKING:
    pass


INPUT_EXTENSIONS = (".json", ".jsonl", ".ndjson")


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def expand_inputs(paths: list[str]) -> list[str]:
    """Files named, files under folders named (JSON kinds only), and glob matches, in order."""
    out: list[str] = []
    for p in paths:
        if any(ch in p for ch in "*?[") and not os.path.exists(p):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                raise CounterspellError(f"{p}: no files match this pattern")
            out.extend(m for m in matches if os.path.isfile(m))
        elif os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(
                    os.path.join(root, f)
                    for f in sorted(files)
                    if f.lower().endswith(INPUT_EXTENSIONS) and not f.startswith(".")
                )
        elif os.path.isfile(p):
            out.append(p)
        else:
            raise CounterspellError(f"{p}: no such file or folder")
    return list(dict.fromkeys(os.path.abspath(p) for p in out))


def file_sha256(path: str) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


@contextmanager
def ingest_lock(ws: Workspace) -> Iterator[None]:
    """One writer at a time per workspace; a killed writer's lock dies with its process."""
    ws.state.mkdir(parents=True, exist_ok=True)
    with open(ws.state / "ingest.lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CounterspellError(
                f"{ws.root}: another ingest is running in this workspace"
            ) from None
        yield


def resolve_tz(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CounterspellError(
            f"--tz {name!r}: unknown time zone (use an IANA name such as Europe/Berlin)"
        ) from None
