"""Keeping a bank in step with a source that adds, changes and deletes hashes (a hash exchange).

An import only ever adds; an exchange also deletes (a StopNCII case withdrawn, an NCMEC entry
deleted) and the deletion must reach the bank and its index as completely as
``bank remove-hashes`` does. Each call is one new version of the bank: additions and removals of
one fetched page are committed together, so a fetch interrupted between pages leaves the bank at
a page boundary.

Entries are owned by their ``source``: a removal here takes away only the entries that this
source added, never a hash that an analyst imported by hand into the same bank (it stays, with
its own provenance).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from ..lake.workspace import Workspace
from .banks import ENTRY_SCHEMA, _audit, _commit, _user, entries, get_bank
from .signals import SIGNALS


@dataclass(frozen=True)
class Incoming:
    """One hash an exchange holds, already mapped to a bank signal type and validated."""

    signal_type: str
    hash: str
    quality: int | None = None
    note: str = ""


@dataclass
class SyncResult:
    added: int = 0
    removed: int = 0
    unchanged: int = 0  # already in the bank
    rejected: Counter[str] = field(default_factory=Counter)
    version: int = 0


def sync_entries(
    ws: Workspace,
    name: str,
    add: Sequence[Incoming],
    remove: Iterable[tuple[str, str]],
    *,
    source: str,
    detail: dict[str, Any] | None = None,
) -> SyncResult:
    """Add ``add`` and remove ``remove`` (signal type, hash) from the bank in one version.

    The bank's audit log gets one ``exchange-sync`` line with counts (never hashes) when anything
    changed."""
    info = get_bank(ws, name)
    table = entries(ws, name)
    gone = set(remove)
    result = SyncResult()
    if gone and table.num_rows:
        keys = zip(
            table.column("signal_type").to_pylist(),
            table.column("hash").to_pylist(),
            table.column("source").to_pylist(),
            strict=True,
        )
        keep = np.array([not (src == source and (k, h) in gone) for k, h, src in keys], dtype=bool)
        result.removed = int((~keep).sum())
        if result.removed:
            table = table.filter(pa.array(keep))
    seen = set(
        zip(table.column("signal_type").to_pylist(), table.column("hash").to_pylist(), strict=True)
    )
    next_id = (int(max(table.column("entry_id").to_pylist())) + 1) if table.num_rows else 1
    now = datetime.now(UTC)
    new: list[dict[str, Any]] = []
    for item in add:
        reason = SIGNALS.get(item.signal_type).reject(item.hash, item.quality)
        if reason is not None:
            result.rejected[reason] += 1
            continue
        if (item.signal_type, item.hash) in seen:
            result.unchanged += 1
            continue
        seen.add((item.signal_type, item.hash))
        new.append({"entry_id": next_id, "signal_type": item.signal_type, "hash": item.hash,
                    "quality": item.quality, "note": item.note or None, "source": source,
                    "case_ref": info.case_ref or None, "added_at": now, "added_by": _user()})  # fmt: skip
        next_id += 1
    result.added = len(new)
    if new:
        table = pa.concat_tables(
            [table.cast(ENTRY_SCHEMA), pa.Table.from_pylist(new, schema=ENTRY_SCHEMA)]
        )
    if result.added or result.removed:
        _commit(ws, info, table, removal=result.removed > 0)
        _audit(ws, name, "exchange-sync", source=source, added=result.added,
               removed=result.removed, rejected=dict(result.rejected), version=info.version,
               **(detail or {}))  # fmt: skip
    result.version = info.version
    return result


def owned(ws: Workspace, name: str, source: str) -> set[tuple[str, str]]:
    """The (signal type, hash) of every entry ``source`` added to the bank."""
    table = entries(ws, name)
    return {
        (k, h)
        for k, h, s in zip(
            table.column("signal_type").to_pylist(),
            table.column("hash").to_pylist(),
            table.column("source").to_pylist(),
            strict=True,
        )
        if s == source
    }
