"""``counterspell match --bank NAME``: every media item of the lake against a bank.

PDQ hashes (quality 50 or more) match within the workspace's ``pdq_threshold`` through the bank's
index; MD5s (of the file, or as the platform reported it) match exactly. A match is suppressed
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
from ..executors import Executor, LocalExecutor
from ..lake.datasets import MATCH_SCHEMA
from ..lake.query import connect, sql_path
from ..lake.workspace import Workspace
from ..lake.writer import DerivedDataset, partition_dir_name
from . import video
from .banks import BankInfo, entries, get_bank, list_banks, load_index
from .hashing import dihedral_hashes
from .index import MultiIndex, PDQIndex, hex_to_words

CHUNK = 50_000  # items per search task
VPDQ_MATCH_PERCENT = 80.0  # python-threatexchange's default for the query side


@dataclass
class MatchResult:
    items: int = 0  # media items compared
    matched_items: int = 0
    matches: int = 0
    suppressed: int = 0  # items also matching a negative bank
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
                   CASE WHEN pdq_quality >= 50 AND length(pdq) = 64 THEN pdq END AS pdq, path, {vpdq}
            FROM {source}
            ORDER BY uid, media_index"""
    ).fetchnumpy()
    return cols


def _vpdq_hits(
    bank: BankInfo, ws: Workspace, media: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(item row, entry id, query match percent) of videos matching a bank's vPDQ entries.

    Every good frame of every bank video goes into one PDQ index; the lake's video frames are
    looked up in it, and each (video, entry) pair that shares a frame is compared both ways as
    python-threatexchange does: a match when at least ``VPDQ_MATCH_PERCENT`` of the video's good
    frames are in the entry."""
    table = entries(ws, bank.name).to_pydict()
    bank_frames = {
        int(e): video.from_te_json(h)
        for e, k, h in zip(table["entry_id"], table["signal_type"], table["hash"], strict=True)
        if k == "vpdq"
    }
    empty = (
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype=np.float32),
    )
    lake = {i: video.loads(v) for i, v in enumerate(media["vpdq"].tolist()) if v}
    if not bank_frames or not lake:
        return empty
    f_entry, f_hex = [], []
    for e, frames in bank_frames.items():
        for f in frames:
            if f.quality >= video.QUALITY_MIN:
                f_entry.append(e)
                f_hex.append(f.pdq)
    q_row, q_hex = [], []
    for i, frames in lake.items():
        for f in frames:
            if f.quality >= video.QUALITY_MIN:
                q_row.append(i)
                q_hex.append(f.pdq)
    if not f_hex or not q_hex:
        return empty
    found = PDQIndex(hex_to_words(f_hex), np.asarray(f_entry, dtype=np.int64)).search(
        hex_to_words(q_hex), video.DISTANCE
    )
    pairs = sorted(
        {
            (q_row[q], int(e))
            for q, e in zip(found.query.tolist(), found.entry.tolist(), strict=True)
        }
    )
    rows, ids, pct = [], [], []
    for i, e in pairs:
        query_pct, _ = video.match(lake[i], bank_frames[e], video.DISTANCE)
        if query_pct * 100 >= VPDQ_MATCH_PERCENT:
            rows.append(i)
            ids.append(e)
            pct.append(round(query_pct * 100, 1))
    return (
        np.asarray(rows, dtype=np.int64),
        np.asarray(ids, dtype=np.int64),
        np.asarray(pct, dtype=np.float32),
    )


def _pdq_job(
    job: tuple[
        Workspace, str, MultiIndex | None, int, bool, list[int], list[str], list[str | None]
    ],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One chunk of items against a bank's index: the one the executor sent this worker, or
    the workspace's, memory-mapped."""
    ws, bank_name, index, radius, dihedral, rows, hexes, paths = job
    query_rows, query_hex = list(rows), list(hexes)
    if dihedral:  # the seven other rotations and flips of every image whose file is at hand
        for i, path in zip(rows, paths, strict=True):
            if path:
                try:
                    variants = dihedral_hashes(str(path))
                except (OSError, ValueError):
                    continue  # unreadable now: its stored PDQ is still matched
                query_rows.extend([i] * len(variants))
                query_hex.extend(variants)
    m = (index or load_index(ws, bank_name)).search(hex_to_words(query_hex), radius)
    qrows = np.asarray(query_rows, dtype=np.int64)[m.query] if len(m.query) else m.query
    return qrows, m.entry, m.distance


def _hits(
    ws: Workspace,
    bank: BankInfo,
    media: dict[str, np.ndarray],
    radius: int,
    dihedral: bool = False,
    executor: Executor | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(item row, entry id, distance, is_pdq) of every match of the items with one bank."""
    pdq = np.asarray(media["pdq"], dtype=object)
    has = np.flatnonzero(pdq != None)  # noqa: E711 (object array)
    paths = np.asarray(media["path"], dtype=object)
    runner = executor or LocalExecutor(1)
    index = runner.share(lambda: load_index(ws, bank.name)) if len(has) else None
    jobs = [
        (ws, bank.name, index, radius, dihedral, has[k : k + CHUNK].tolist(),
         [str(h) for h in pdq[has[k : k + CHUNK]]], paths[has[k : k + CHUNK]].tolist())
        for k in range(0, len(has), CHUNK)
    ]  # fmt: skip
    found = runner.map(_pdq_job, jobs)
    empty = np.empty(0, dtype=np.int64)
    qrows = np.concatenate([f[0] for f in found]) if found else empty
    m_entry = np.concatenate([f[1] for f in found]) if found else empty
    m_distance = np.concatenate([f[2] for f in found]) if found else empty.astype(np.int32)
    # one row per (item, entry): the nearest of the item's variants
    order = np.lexsort((m_distance, m_entry, qrows))
    qrows, entry, distance = qrows[order], m_entry[order], m_distance[order]
    first = np.ones(len(qrows), dtype=bool)
    first[1:] = (qrows[1:] != qrows[:-1]) | (entry[1:] != entry[:-1])
    rows = [qrows[first]]
    ids = [entry[first]]
    dist = [distance[first].astype(np.int32)]
    kind = [np.ones(int(first.sum()), dtype=bool)]
    table = entries(ws, bank.name)
    md5s = {h: e for h, e, t in zip(table.column("hash").to_pylist(), table.column("entry_id").to_pylist(),
                                    table.column("signal_type").to_pylist(), strict=True) if t == "md5"}  # fmt: skip
    if md5s:
        hit = [(i, md5s[h]) for i, h in enumerate(media["md5"]) if h in md5s]
        if hit:
            rows.append(np.array([i for i, _ in hit], dtype=np.int64))
            ids.append(np.array([e for _, e in hit], dtype=np.int64))
            dist.append(np.zeros(len(hit), dtype=np.int32))
            kind.append(np.zeros(len(hit), dtype=bool))
    return np.concatenate(rows), np.concatenate(ids), np.concatenate(dist), np.concatenate(kind)


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
    radius = ws.settings.pdq_threshold if radius is None else radius
    media = _media(ws)
    result = MatchResult(items=len(media["uid"]))
    rows, ids, dist, is_pdq = _hits(ws, bank, media, radius, dihedral, executor)
    kind = np.where(is_pdq, "pdq", "md5").astype(object)
    percent = np.full(len(rows), np.nan, dtype=np.float32)
    vrows, vids, vpct = _vpdq_hits(bank, ws, media)
    if len(vrows):
        rows, ids = np.concatenate([rows, vrows]), np.concatenate([ids, vids])
        dist = np.concatenate([dist, np.full(len(vrows), -1, dtype=np.int32)])
        kind = np.concatenate([kind, np.full(len(vrows), "vpdq", dtype=object)])
        percent = np.concatenate([percent, vpct])
    benign = np.zeros(len(media["uid"]), dtype=bool)
    for neg in (b for b in list_banks(ws) if b.kind == "negative"):
        nrows, *_ = _hits(ws, neg, media, radius, dihedral, executor)
        benign[nrows] = True
        benign[_vpdq_hits(neg, ws, media)[0]] = True
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
    try:
        out.path().write_parquet(table)
        out.commit()
    except BaseException:
        out.abandon()
        raise
    result.matches = table.num_rows
    result.matched_items = len(np.unique(rows))
    return result
