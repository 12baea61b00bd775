"""``counterspell analyze``: the text stages over the lake, incrementally, into ``enrichments``.

Per community (a lake partition), posts are read in time order in batches; posts already in
``enrichments`` are skipped but still give context (their roles) to the new ones. Each batch runs
in two passes: the first judges every post alone, the second adds what the first found about its
parent and about the last hour of its thread (a reply to a request that carries media is likely a
fulfilment; "holy shit wizard" right after one is praise). Memory is bounded by the batch size and
a capped cache of recent roles, not by the size of the lake.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
import pyarrow as pa

from ..executors import Executor, LocalExecutor, results_in_order
from ..lake.datasets import ENRICHMENT_SCHEMA, FIRST_SEEN_SCHEMA
from ..lake.query import (
    arrow_batches,
    columns_of,
    communities,
    connect,
    dataset_sql,
    partition_sql,
    posts_relation_sql,
    replace_dataset,
)
from ..lake.storage import LakePath
from ..lake.workspace import Workspace
from ..lake.writer import isin_sorted, partition_dir, stored_hashes, write_atomic
from ..privacy import pseudonym
from ..stages.cues import Cues
from ..stages.roles import RoleModel, RoleResult
from ..stages.text import (
    TextSignals,
    signals_from_json,
    signals_to_json,
    text_signals,
    thread_posts,
)
from ..stages.thread import ThreadPass
from .progress import Progress, Quiet

if TYPE_CHECKING:
    from .network import NetworkResult

ANALYZER_VERSION = "1"
BATCH = 20_000


@dataclass
class AnalyzeResult:
    analyzed: int = 0
    skipped: int = 0
    partitions: int = 0
    roles: collections.Counter[str] = field(default_factory=collections.Counter)
    flags: collections.Counter[str] = field(default_factory=collections.Counter)
    prepared: int = 0  # posts whose text stages a prepass ran on another worker
    network: NetworkResult | None = None  # the graph stages' counts, when they ran

    def merge(self, other: AnalyzeResult) -> None:
        self.analyzed += other.analyzed
        self.skipped += other.skipped
        self.partitions += other.partitions
        self.prepared += other.prepared
        self.roles.update(other.roles)
        self.flags.update(other.flags)


def _relationship(role: str, cues: Cues) -> str:
    if role != "request":
        return "none"
    return cues.relationship or "unknown"


def _existing(ws: Workspace, platform: str, community: str) -> tuple[LakePath, np.ndarray]:
    d = partition_dir(ws.dataset("enrichments"), platform, community)
    return d, stored_hashes(d, "uid_hash")


WORDS = ("text", "subject", "links")  # read for new posts only


def _batches(ws: Workspace, platform: str, community: str) -> Iterator[pa.RecordBatch]:
    con = connect()
    rel = partition_sql(ws, "posts", platform, community) or posts_relation_sql(ws)
    enr = ""
    words = ", ".join(f"p.{c}" for c in WORDS)
    role_sql = "NULL::VARCHAR AS known_role, NULL::VARCHAR[] AS known_flags, NULL::VARCHAR AS known_follows"
    own = partition_sql(ws, "enrichments", platform, community)
    if own:  # only this community's finished parts: other workers may be writing theirs now
        follows = "any_value(follows_uid)" if "follows_uid" in columns_of(own) else "NULL::VARCHAR"
        enr = f"""LEFT JOIN (SELECT uid, any_value(role) AS known_role, any_value(flags) AS known_flags,
                                    {follows} AS known_follows, true AS settled
                             FROM {own} GROUP BY uid) e USING (uid)"""
        role_sql = "e.known_role, e.known_flags, e.known_follows"
        # a settled post gives context by its role only: its words are not read again
        words = ", ".join(f"CASE WHEN e.settled THEN NULL ELSE p.{c} END AS {c}" for c in WORDS)
    seen = "false AS seen_before"
    if ws.has_data(FIRST_SEEN):
        first = dataset_sql(ws, FIRST_SEEN, FIRST_SEEN_SCHEMA)
        media = partition_sql(ws, "media", platform, community)
        computed = (
            f"UNION ALL SELECT uid, created_at, lower(md5) AS md5 FROM {media} WHERE md5 IS NOT NULL"
            if media
            else ""
        )
        enr += f"""
        LEFT JOIN (SELECT s.uid, bool_or(f.first_at < s.created_at) AS seen_before
                   FROM (SELECT uid, created_at, lower(item.md5) AS md5
                         FROM (SELECT uid, created_at, unnest(media) AS item FROM {rel}
                               WHERE platform = $1 AND community = $2)
                         WHERE item.md5 IS NOT NULL {computed}) s
                   JOIN {first} f USING (md5) GROUP BY s.uid) sb USING (uid)"""
        seen = "coalesce(sb.seen_before, false) AS seen_before"
    sql = f"""
        SELECT p.uid, p.uid_hash, p.platform, p.community, p.thread_id, p.parent_uids, epoch(p.created_at) AS ts,
               {words}, len(p.media) AS n_media, p.is_op, p.kind, p.author_key,
               coalesce(list_sum([r.count for r in p.reactions]), 0) AS n_reactions, {role_sql}, {seen}
        FROM {rel} p {enr}
        WHERE p.platform = $1 AND p.community = $2
        ORDER BY p.created_at NULLS FIRST, p.thread_id, p.post_id
    """
    yield from arrow_batches(con, sql, [platform, community], BATCH)


FIRST_SEEN = "media_first_seen"


def build_first_seen(ws: Workspace) -> int:
    """When each picture seen more than once was first posted, anywhere in the lake: a later
    post of the same file is a repost (distribution), which the thread pass uses as evidence."""
    from .clusters import sightings_sql

    with connect(ws) as con:
        return replace_dataset(
            con,
            ws,
            FIRST_SEEN,
            f"""SELECT md5, min(created_at) AS first_at, count(DISTINCT uid) AS sightings
                FROM ({sightings_sql(ws)}) GROUP BY md5 HAVING count(DISTINCT uid) > 1 ORDER BY md5""",
        )


PARALLEL_MIN_POSTS = 20_000


def analyze(
    ws: Workspace,
    *,
    model: RoleModel | None = None,
    reanalyze: bool = False,
    workers: int | None = None,
    graph: bool = True,
    executor: Executor | None = None,
    progress: Progress | None = None,
    full: bool = False,
) -> AnalyzeResult:
    """Analyse every post not yet analysed (all of them with ``reanalyze``), then (``graph``)
    bring the graph stages up to date: campaigns, actors, bridges (:func:`~.network.build_network`;
    only communities that changed are linked again, all of them with ``full`` or ``reanalyze``).

    Communities are independent (context never crosses them), so with more than one worker they
    are analysed in parallel (``executor``: local processes by default, or a Dask cluster), each
    task writing its own partition; results are identical whichever runs them.
    """
    model = model or load_model(ws)
    key = ws.secret("hmac.key")
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    if reanalyze:
        ws.dataset("enrichments").rmtree()
    build_first_seen(ws)
    parts = communities(ws)
    if workers is not None:
        n_workers = workers
    else:  # by default, start processes only when there is enough work to pay for them
        n_posts = sum(n for _, _, n in parts)
        n_workers = (
            (ws.settings.workers or os.cpu_count() or 1) if n_posts >= PARALLEL_MIN_POSTS else 1
        )
    total = AnalyzeResult()
    progress = progress or Quiet()
    progress.stage("analysing posts", sum(int(n) for _, _, n in parts))
    big = _prepass_plan(parts, getattr(executor, "workers", n_workers) if executor else n_workers)
    if big is not None and partition_dir(ws.dataset("enrichments"), *parts[big[0]][:2]).has_files(
        "part-*.parquet"
    ):
        big = None  # analysed before: its new posts are few and the latest, no prepass pays
    runner = executor or LocalExecutor(n_workers if len(parts) > 1 or big else 1)
    jobs: list[_Job | _PrepassJob] = [(ws, p, c, model, key, run, None) for p, c, _ in parts]
    sizes = [int(n) for _, _, n in parts]
    if big is not None:  # the big community first, its prepass second: they start together
        i, start = big
        platform, community = parts[i][0], parts[i][1]
        first: _Job = (ws, platform, community, model, key, run, start)
        ahead: _PrepassJob = ("prepass", ws, platform, community, run, start)
        jobs = [first, ahead, *jobs[:i], *jobs[i + 1 :]]
        sizes = [sizes[i], 0, *sizes[:i], *sizes[i + 1 :]]
    try:
        for n, partial in zip(sizes, results_in_order(runner, _analyze_job, jobs), strict=True):
            total.merge(partial)
            progress.advance(n)
    finally:
        if big is not None:
            _prepass_root(ws, run).rmtree()
    if graph:
        from .network import build_network

        total.network = build_network(
            ws, workers=workers, executor=executor, progress=progress, full=full or reanalyze
        )
    return total


_Job = tuple[Workspace, str, str, RoleModel, bytes, str, int | None]
_PrepassJob = tuple[str, Workspace, str, str, str, int]

# The text stages' share of a post's analysis (normalising, links, cues: 30-35% in a profile of
# the synthetic board, 2026-12-02); the rest is the thread pass, which must stream in order.
TEXT_SHARE = 0.33
PREPASS_CHUNK = 5_000


def _prepass_plan(parts: list[tuple[str, str, int]], workers: int) -> tuple[int, int] | None:
    """Which community gets a prepass, and from which row of its stream.

    A community larger than a worker's share bounds a parallel run: its thread pass is one task.
    Its text stages are pure, though, so another worker can run them ahead for the tail of its
    stream (:func:`_prepass`) while the big task starts at the head; the big task takes what is
    ready and computes the rest itself, so results are the same whoever computes them (and
    whether the prepass is in time or not). The tail is sized so that both sides end together:
    with ``n`` workers, a community of ``b`` posts out of ``t`` hands over a share
    ``f = (n b - t) / (n b s)`` of its posts, ``s`` being :data:`TEXT_SHARE`."""
    if workers <= 1 or not parts:
        return None
    total = sum(int(n) for _, _, n in parts)
    i = max(range(len(parts)), key=lambda k: int(parts[k][2]))
    b = int(parts[i][2])
    if b < PARALLEL_MIN_POSTS:
        return None
    f = min(0.8, (workers * b - total) / (workers * b * TEXT_SHARE))
    if f * b < PREPASS_CHUNK:
        return None
    return i, int(b * (1.0 - f))


def _prepass_root(ws: Workspace, run: str) -> LakePath:
    return ws.lake / "_state" / "prepass" / run


def _prepass(ws: Workspace, platform: str, community: str, run: str, start: int) -> AnalyzeResult:
    """The text stages of a community's posts from row ``start`` of its stream on, written in
    chunks for :class:`_Prepared` (new posts only; settled ones are read for their role)."""
    home = partition_dir(_prepass_root(ws, run), platform, community)
    offset = 0
    for batch in _batches(ws, platform, community):
        n = batch.num_rows
        if offset + n > start:
            cols = batch.select(["uid", "text", "subject", "links", "known_role"]).to_pydict()
            for lo in range(max(0, start - offset), n, PREPASS_CHUNK):
                rows = [
                    i
                    for i in range(lo, min(n, lo + PREPASS_CHUNK))
                    if cols["known_role"][i] is None
                ]
                sig = [
                    text_signals(cols["text"][i] or "", cols["subject"][i], cols["links"][i])
                    for i in rows
                ]
                payload = {
                    "rows": [offset + i for i in rows],
                    "uids": [cols["uid"][i] for i in rows],
                }
                name = f"rows-{offset + lo:010d}-{offset + min(n, lo + PREPASS_CHUNK):010d}"
                (home / f"{name}.signals.json").write_bytes(signals_to_json(sig))
                (home / f"{name}.rows.json").write_bytes(orjson.dumps(payload))
        offset += n
    return AnalyzeResult()


class _Prepared:
    """What a prepass has written so far, taken batch by batch: a chunk is read once it is
    whole (its rows file is written last) and used only where the uid at each row is the same."""

    def __init__(self, ws: Workspace, platform: str, community: str, run: str, start: int) -> None:
        self.home = partition_dir(_prepass_root(ws, run), platform, community)
        self.start = start  # the prepass covers the stream from this row on
        self.done: set[str] = set()
        self.ready: dict[int, tuple[str, TextSignals]] = {}

    def take(self, lo: int, uids: list[str]) -> dict[int, TextSignals]:
        hi = lo + len(uids)
        if hi <= self.start:
            return {}
        for f in self.home.glob("rows-*.rows.json") if self.home.exists() else []:
            name = f.name.removesuffix(".rows.json")
            first, last = (int(x) for x in name.split("-")[1:3])
            if name in self.done or last <= lo or first >= hi + BATCH:
                continue
            self.done.add(name)
            meta = orjson.loads(f.read_bytes())
            sig = signals_from_json((self.home / f"{name}.signals.json").read_bytes())
            self.ready.update(zip(meta["rows"], zip(meta["uids"], sig, strict=True), strict=True))
        out: dict[int, TextSignals] = {}
        for row in range(lo, hi):
            hit = self.ready.pop(row, None)
            if hit is not None and hit[0] == uids[row - lo]:
                out[row - lo] = hit[1]
        return out


def _analyze_job(job: _Job | _PrepassJob) -> AnalyzeResult:
    if len(job) == 6:
        _, ws, platform, community, run, start = job
        return _prepass(ws, platform, community, run, start)
    ws, platform, community, model, key, run, prepass = job
    return _analyze_partition(ws, platform, community, model, key, run, prepass)


def _analyze_partition(
    ws: Workspace, platform: str, community: str, model: RoleModel, key: bytes, run: str,
    prepass: int | None = None,
) -> AnalyzeResult:  # fmt: skip
    """Analyse one community's new posts and write them to its enrichments partition (with
    ``prepass``, taking the text stages of its tail from :func:`_prepass` where they are ready)."""
    result = AnalyzeResult(partitions=1)
    directory, done = _existing(ws, platform, community)
    stored = stored_hashes(partition_dir(ws.dataset("posts"), platform, community), "uid_hash")
    if isin_sorted(stored, done).all():  # nothing new: a pass over its old posts writes nothing
        result.skipped = len(stored)
        return result
    judge = ThreadPass(model)
    prepared = _Prepared(ws, platform, community, run, prepass) if prepass is not None else None
    seq = offset = 0
    for batch in _batches(ws, platform, community):
        cols = batch.to_pydict()
        n = len(cols["uid"])
        hashes = np.asarray(cols["uid_hash"], dtype=np.int64)
        new = ~isin_sorted(hashes, done)
        result.skipped += int(n - new.sum())
        rows = np.flatnonzero(new)
        ready = prepared.take(offset, cols["uid"]) if prepared is not None else {}
        offset += n
        result.prepared += len(ready)
        # Text stages run only on new posts; settled ones give context through their role.
        signals = {
            int(i): ready.get(int(i))
            or text_signals(cols["text"][i] or "", cols["subject"][i], cols["links"][i])
            for i in rows
        }
        posts = thread_posts(cols, signals)
        judged = judge.judge(posts)
        if not len(rows):
            continue
        res = [judged[int(i)] for i in rows]
        results = [r for r in res if r is not None]
        table = _table(cols, rows, signals, results, key, platform, community, model.version)
        seq += 1
        write_atomic(table, directory, f"part-{run}-{seq:06d}.parquet")
        result.analyzed += len(rows)
        result.roles.update(r.role for r in results)
        result.flags.update(f for r in results for f in r.flags)
    return result


def _table(
    cols: dict[str, list[Any]], rows: np.ndarray, signals: dict[int, TextSignals], res: list[RoleResult],
    key: bytes, platform: str, community: str, model_version: str,
) -> pa.Table:  # fmt: skip
    now = datetime.now(UTC)
    out: dict[str, list[Any]] = {f.name: [] for f in ENRICHMENT_SCHEMA}
    for j, i in enumerate(rows):
        s, r = signals[int(i)], res[j]
        out["uid"].append(cols["uid"][i])
        out["uid_hash"].append(cols["uid_hash"][i])
        out["platform"].append(platform)
        out["community"].append(community)
        out["role"].append(r.role)
        out["role_scores"].append(r.scores)
        out["why"].append(r.why)
        out["flags"].append(r.flags)
        out["destinations"].append(s.destinations)
        out["links"].append(s.links)
        out["target_relationship"].append(_relationship(r.role, s.cues))
        ids = s.cues.identifiers if r.role in ("request", "source_solicitation") else []
        out["target_ids"].append([pseudonym(key, kind, value, community) for kind, value in ids])
        out["target_kinds"].append([kind for kind, _ in ids])
        maybe = s.cues.maybe_tools if r.role not in ("other", "counter_speech") else []
        out["tools"].append(s.cues.tools + maybe if maybe else s.cues.tools)
        out["female_ref"].append(s.cues.female_ref)
        out["follows_uid"].append(r.follows)
        out["analyzer_version"].append(ANALYZER_VERSION)
        out["model_version"].append(model_version)
        out["analyzed_at"].append(now)
    return pa.Table.from_pydict(out, schema=ENRICHMENT_SCHEMA)


def load_model(ws: Workspace | None = None) -> RoleModel:
    """The workspace's trained model if there is one, else the model shipped with Counterspell."""
    if ws is not None:
        local = ws.root / "models" / "roles_model.npz"
        if local.exists():
            return RoleModel.load(local)
    return RoleModel.load()
