"""Where the lake's Parquet datasets live: a local folder, or any fsspec URL (``s3://``, ``gs://``,
``abfs://``...) that every machine of a cluster can reach.

A :class:`LakePath` is the one handle the stages use for lake files, so the same code writes a
partition to a folder on this machine or to an object store. What each guarantees:

- a part file appears whole or not at all: locally by an fsynced temp file and ``os.replace``;
  on an object store because an upload becomes visible only when it completes;
- a derived dataset (one Parquet file) is swapped in whole: locally by renaming folders; on an
  object store by one server-side copy over the old object, which readers see as old or new.

Credentials and endpoints come from the store's usual environment (``AWS_ACCESS_KEY_ID``,
``AWS_ENDPOINT_URL``...), so none is written into the workspace or sent with tasks. Listings are
never served from fsspec's cache: another worker may have written a part since.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import WorkspaceError

if TYPE_CHECKING:
    import duckdb
    from fsspec import AbstractFileSystem


def is_url(location: str) -> bool:
    """True for ``proto://...`` other than ``file://`` (which is a local folder)."""
    head, sep, _ = location.partition("://")
    return bool(sep) and head not in ("", "file") and "/" not in head


# Every remote filesystem this process has opened, by protocol: one each, as DuckDB registers
# them by protocol.
_OPENED: dict[str, AbstractFileSystem] = {}


def filesystem(protocol: str) -> AbstractFileSystem:
    """The fsspec filesystem of one protocol, opened once per process."""
    fs = _OPENED.get(protocol)
    if fs is None:
        fs = _OPENED[protocol] = _open_filesystem(protocol)
    return fs


def _open_filesystem(protocol: str) -> AbstractFileSystem:
    try:
        import fsspec
    except ImportError:  # pragma: no cover - fsspec comes with Dask; a plain install may lack it
        raise WorkspaceError(
            f"a lake at {protocol}:// needs fsspec: pip install 'counterspell[s3]'"
        ) from None
    try:
        return fsspec.filesystem(protocol)
    except (ImportError, ValueError) as exc:
        raise WorkspaceError(
            f"a lake at {protocol}:// needs fsspec's {protocol} driver (e.g. s3fs, gcsfs, adlfs): {exc}"
        ) from None


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Let a DuckDB connection read and write every remote lake this process has opened."""
    for fs in _OPENED.values():
        fs.invalidate_cache()
        con.register_filesystem(fs)


class LakePath:
    """A file or folder of the lake: a local path, or a key under a remote URL."""

    __slots__ = ("_key", "_local", "_protocol")

    def __init__(self, location: str | os.PathLike[str]) -> None:
        text = os.fspath(location)
        if is_url(text):
            protocol, _, key = text.partition("://")
            self._local: Path | None = None
            self._protocol = protocol
            self._key = key.rstrip("/")
            filesystem(protocol)  # opened now, so DuckDB connections made later can read it
        else:
            self._local = Path(text.removeprefix("file://"))
            self._protocol = "file"
            self._key = ""

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (LakePath, (str(self),))

    # --- naming ------------------------------------------------------------------------------
    def __str__(self) -> str:
        """The local path, or the URL (both what DuckDB's read_parquet takes)."""
        return str(self._local) if self._local is not None else f"{self._protocol}://{self._key}"

    def __repr__(self) -> str:
        return f"LakePath({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LakePath) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __truediv__(self, name: str) -> LakePath:
        if self._local is not None:
            return LakePath(self._local / name)
        return LakePath(f"{self._protocol}://{self._key}/{name}")

    @property
    def name(self) -> str:
        return self._local.name if self._local is not None else self._key.rsplit("/", 1)[-1]

    @property
    def parent(self) -> LakePath:
        if self._local is not None:
            return LakePath(self._local.parent)
        return LakePath(f"{self._protocol}://{self._key.rsplit('/', 1)[0]}")

    @property
    def is_local(self) -> bool:
        return self._local is not None

    @property
    def local(self) -> Path:
        """The local path; for the few steps (renames, fsync) that exist only on a local disk."""
        if self._local is None:
            raise WorkspaceError(f"{self}: this step needs a local path")
        return self._local

    @property
    def fs(self) -> AbstractFileSystem:
        return filesystem(self._protocol)

    def check_reachable(self) -> None:
        """Fail now, naming the URL, when the store cannot be listed (no such bucket, refused
        credentials, no endpoint), rather than in the middle of a run's first write."""
        if self._local is not None:
            return
        bucket = self._key.split("/", 1)[0]
        try:
            self.fs.invalidate_cache()
            self.fs.ls(bucket, detail=False)
        except Exception as exc:  # every driver has its own errors; all mean the same here
            raise WorkspaceError(
                f"{self}: cannot reach the lake ({type(exc).__name__}: {exc}); check lake_url "
                "and the store's credentials and endpoint (e.g. AWS_ENDPOINT_URL)"
            ) from None

    # --- reading -----------------------------------------------------------------------------
    def exists(self) -> bool:
        if self._local is not None:
            return self._local.exists()
        self.fs.invalidate_cache(self._key)
        return bool(self.fs.exists(self._key))

    def glob(self, pattern: str) -> list[LakePath]:
        """Files under this folder matching ``pattern`` (``**`` recurses), sorted by path."""
        if self._local is not None:
            return [LakePath(p) for p in sorted(self._local.glob(pattern))]
        self.fs.invalidate_cache()
        found = self.fs.glob(f"{self._key}/{pattern}")
        return [LakePath(f"{self._protocol}://{k}") for k in sorted(found)]

    def rglob(self, pattern: str) -> list[LakePath]:
        return self.glob(f"**/{pattern}")

    def has_files(self, pattern: str) -> bool:
        """Whether :meth:`glob` would find anything (locally it stops at the first file)."""
        if self._local is not None:
            return any(self._local.glob(pattern))
        return bool(self.glob(pattern))

    def signature(self) -> str:
        """Changes whenever the file is rewritten (mtime locally, the ETag on object stores)."""
        if self._local is not None:
            return str(self._local.stat().st_mtime_ns)
        return _signature(self.fs.info(self._key))

    def signatures(self, pattern: str) -> list[tuple[str, str]]:
        """(path, signature) of the files :meth:`glob` finds, in one listing on object stores
        (not a request per file), for caches that must notice new or rewritten parts."""
        if self._local is not None:
            return [(str(p), p.signature()) for p in self.glob(pattern)]
        self.fs.invalidate_cache()
        found = self.fs.glob(f"{self._key}/{pattern}", detail=True)
        return sorted((f"{self._protocol}://{k}", _signature(v)) for k, v in found.items())

    def age_s(self) -> float | None:
        """Seconds since this file, or the newest file under this folder, was written; None if
        there is nothing there."""
        import time

        if self._local is not None:
            try:
                files = [self._local, *self._local.rglob("*")]
                newest = max(p.stat().st_mtime for p in files)
            except (FileNotFoundError, ValueError):
                return None
            return time.time() - newest
        self.fs.invalidate_cache()
        found = self.fs.find(self._key, detail=True)
        stamps = [_modified(v) for v in found.values()]
        known = [t for t in stamps if t is not None]
        return time.time() - max(known) if known else None

    def read_table(
        self,
        columns: list[str] | None = None,
        schema: pa.Schema | None = None,
        filters: list[tuple[str, str, Any]] | None = None,
    ) -> pa.Table:
        """A Parquet file, or every Parquet file under a folder, as one table."""
        if self._local is not None:
            return pq.read_table(self._local, columns=columns, schema=schema, filters=filters)
        self.fs.invalidate_cache()
        return pq.read_table(
            self._key, columns=columns, schema=schema, filters=filters, filesystem=self.fs
        )

    def read_schema(self) -> pa.Schema:
        if self._local is not None:
            return pq.read_schema(self._local)
        with self.fs.open(self._key, "rb") as f:
            return pq.read_schema(f)

    def num_rows(self) -> int:
        if self._local is not None:
            return int(pq.read_metadata(self._local).num_rows)
        with self.fs.open(self._key, "rb") as f:
            return int(pq.read_metadata(f).num_rows)

    # --- writing -----------------------------------------------------------------------------
    def mkdir(self) -> None:
        """A folder locally; nothing on an object store, where folders are key prefixes."""
        if self._local is not None:
            self._local.mkdir(parents=True, exist_ok=True)

    def write_parquet(self, table: pa.Table) -> None:
        """Write this Parquet file so that it exists whole or not at all."""
        if self._local is not None:
            write_local_atomic(table, self._local)
            return
        with self.fs.open(self._key, "wb") as f:  # visible only once the upload completes
            pq.write_table(table, f, compression="zstd")

    def write_bytes(self, data: bytes) -> None:
        """Write this file so that it exists whole or not at all (saved state, not datasets)."""
        if self._local is not None:
            self._local.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._local.parent / f".tmp-{uuid.uuid4().hex}.partial"
            tmp.write_bytes(data)
            os.replace(tmp, self._local)
            return
        with self.fs.open(self._key, "wb") as f:
            f.write(data)

    def read_bytes(self) -> bytes:
        """The file's bytes; FileNotFoundError when there is none."""
        if self._local is not None:
            return self._local.read_bytes()
        self.fs.invalidate_cache(self._key)
        with self.fs.open(self._key, "rb") as f:
            data: bytes = f.read()
        return data

    def rmtree(self) -> None:
        if self._local is not None:
            import shutil

            shutil.rmtree(self._local, ignore_errors=True)
            return
        self.fs.invalidate_cache()
        if self.fs.exists(self._key):
            self.fs.rm(self._key, recursive=True)

    def unlink(self) -> None:
        if self._local is not None:
            self._local.unlink(missing_ok=True)
        elif self.fs.exists(self._key):
            self.fs.rm(self._key)

    def copy_to(self, target: LakePath) -> None:
        """Server-side copy of one object over another: readers see the old one or the new."""
        self.fs.copy(self._key, target._key)


def _modified(info: dict[str, Any]) -> float | None:
    """An object's last-modified time as a Unix timestamp, from whichever field its driver has."""
    from datetime import datetime

    value = info.get("LastModified") or info.get("mtime") or info.get("last_modified")
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    return None


def _signature(info: dict[str, Any]) -> str:
    return str(info.get("ETag") or info.get("mtime") or info.get("LastModified") or "")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_local_atomic(table: pa.Table, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    # not "*.parquet": a reader globbing the dataset must never see a half-written file
    tmp = final.parent / f".tmp-{uuid.uuid4().hex}.partial"
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)
    fsync_dir(final.parent)
