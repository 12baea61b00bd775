"""``counterspell match --bank NAME``: every media item of the lake against a bank.

PDQ hashes (quality 50 or more) match within the bank's own ``pdq_threshold`` (when it has one)
or the workspace's through the bank's index; MD5s (of the file, or as the platform reported it) match exactly. A match is suppressed
when the same item also matches a negative bank. A bank entry that matches more distinct items
than the bank's ``max_matches`` is marked ``quarantined_entry`` on its rows, for review: a meme or
a blank image in a partner's list would otherwise flood the queue.

Results replace ``lake/matches/bank=<name>/`` whole: one row per (media item, bank entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from ..errors import CounterspellError
from ..executors import Executor
from ..lake.datasets import MATCH_SCHEMA
from ..lake.query import connect, sql_path
from ..lake.workspace import Workspace
from ..lake.writer import DerivedDataset, partition_dir_name
from .banks import get_bank, list_banks
from .signals import SIGNALS, MatchContext


@dataclass
class MatchResult:
    items: int = 0  # media items compared
    matched_items: int = 0
    matches: int = 0
    suppressed: int = 0  # items also matching a negative bank
    # items whose picture has a PDQ of quality under 50 (ThreatExchange's cut-off: flat or tiny
    # images match unrelated ones), left out of PDQ matching; said, so a user knows why
    low_quality_pdq: int = 0
    quarantined_entries: list[int] = field(default_factory=list)


def _media(ws: Workspace) -> dict[str, np.ndarray]:
    if not ws.has_data("media"):
        raise CounterspellError("no media hashes yet: run 'counterspell hash-media' first")
    con = connect()
    source = f"read_parquet({sql_path(ws.dataset_glob('media'))}, union_by_name = true)"
    columns = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    vpdq = "vpdq" if "vpdq" in columns else "NULL::VARCHAR AS vpdq"  # lakes hashed before vPDQ
    cols: dict[str, np.ndarray] = con.execute(
        f"""SELECT uid, media_index, platform, community, lower(coalesce(md5, reported_md5)) AS md5,
                   CASE WHEN pdq_quality >= 50 AND length(pdq) = 64 THEN pdq END AS pdq, path, {vpdq},
                   pdq IS NOT NULL AND pdq_quality < 50 AS low_quality_pdq
            FROM {source}
            ORDER BY uid, media_index"""
    ).fetchnumpy()
    # DuckDB gives a masked array for a column with NULLs, whose masked items are unhashable
    # constants: every signal type reads plain arrays, None where the lake has no value
    return {k: _plain(v) for k, v in cols.items()}


def _plain(column: np.ndarray) -> np.ndarray:
    """A fetched column as a plain array, None where it was masked (NULL)."""
    if not isinstance(column, np.ma.MaskedArray):
        return column
    out = np.ma.getdata(column).astype(object)
    out[np.ma.getmaskarray(column)] = None
    return out


def _hits(ctx: MatchContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(item row, entry id, distance, match percent, signal type) of every match of the items
    with one bank, over every registered signal type."""
    found = [(signal.name, signal.find(ctx)) for signal in SIGNALS]
    return (
        np.concatenate([h.rows for _, h in found]),
        np.concatenate([h.entries for _, h in found]),
        np.concatenate([h.distance for _, h in found]),
        np.concatenate([h.percent for _, h in found]),
        np.concatenate([np.full(len(h.rows), name, dtype=object) for name, h in found]),
    )


def match(
    ws: Workspace,
    bank_name: str,
    radius: int | None = None,
    dihedral: bool = False,
    executor: Executor | None = None,
) -> MatchResult:
    """Match every hashed media item against a bank; ``dihedral`` also tries the rotations and
    flips of each image whose file the export contains (slower: the files are read again).

    The search runs in chunks of CHUNK items, on ``executor`` when given (local processes or a
    Dask cluster; each worker memory-maps the bank's index from the workspace)."""
    bank = get_bank(ws, bank_name)
    if bank.kind == "negative":
        raise CounterspellError(
            f"bank {bank_name!r} is a negative bank: it suppresses matches, match against a positive one"
        )
    if radius is None:
        radius = ws.settings.pdq_threshold if bank.pdq_threshold is None else bank.pdq_threshold
    media = _media(ws)
    result = MatchResult(items=len(media["uid"]))
    result.low_quality_pdq = int(np.count_nonzero(media["low_quality_pdq"] == True))  # noqa: E712
    rows, ids, dist, percent, kind = _hits(
        MatchContext(ws, bank, media, radius, dihedral, executor)
    )
    benign = np.zeros(len(media["uid"]), dtype=bool)
    for neg in (b for b in list_banks(ws) if b.kind == "negative"):
        benign[_hits(MatchContext(ws, neg, media, radius, dihedral, executor))[0]] = True
    suppressed = benign[rows]
    result.suppressed = len(np.unique(rows[suppressed]))
    rows, ids, dist, kind, percent = (
        rows[~suppressed],
        ids[~suppressed],
        dist[~suppressed],
        kind[~suppressed],
        percent[~suppressed],
    )
    # over-matching entries: more distinct items than the bank allows
    uniq = (
        np.unique(np.stack([ids, rows]), axis=1) if len(ids) else np.empty((2, 0), dtype=np.int64)
    )
    entry_ids, counts = np.unique(uniq[0], return_counts=True)
    flood = set(entry_ids[counts > bank.max_matches].tolist())
    result.quarantined_entries = sorted(int(e) for e in flood)
    now = datetime.now(UTC)
    table = pa.table(
        {
            "uid": pa.array(np.asarray(media["uid"], dtype=object)[rows].tolist(), pa.string()),
            "media_index": pa.array(np.asarray(media["media_index"])[rows], pa.int32()),
            "platform": pa.array(
                np.asarray(media["platform"], dtype=object)[rows].tolist(), pa.string()
            ),
            "community": pa.array(
                np.asarray(media["community"], dtype=object)[rows].tolist(), pa.string()
            ),
            "bank": pa.array([bank.name] * len(rows), pa.string()),
            "bank_version": pa.array([bank.version] * len(rows), pa.int64()),
            "entry_id": pa.array(ids, pa.int64()),
            "signal_type": pa.array(kind.tolist(), pa.string()),
            "distance": pa.array(dist, pa.int32(), mask=dist < 0),  # none for a whole video
            "quarantined_entry": pa.array([int(e) in flood for e in ids], pa.bool_()),
            "matched_at": pa.array([now] * len(rows), pa.timestamp("us", tz="UTC")),
            "match_percent": pa.array(percent, pa.float32(), mask=np.isnan(percent)),
        },
        schema=MATCH_SCHEMA,
    ).sort_by(
        [
            ("uid", "ascending"),
            ("media_index", "ascending"),
            ("entry_id", "ascending"),
            ("signal_type", "ascending"),
        ]
    )
    for stale in ws.dataset("matches").glob(".build-*") + ws.dataset("matches").glob(".old-*"):
        stale.rmtree()  # left inside the dataset by a run killed before builds moved out of it
    out = DerivedDataset(ws.dataset("matches") / partition_dir_name("bank", bank.name), ws.lake)
    out.replace_with(table)
    result.matches = table.num_rows
    result.matched_items = len(np.unique(rows))
    return result
