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
import pyarrow as pa

from ..executors import Executor, LocalExecutor
from ..lake.query import arrow_batches, communities, connect, partition_sql, posts_relation_sql
from ..lake.storage import LakePath
from ..lake.workspace import Workspace
from ..lake.writer import isin_sorted, partition_dir, stored_hashes, write_atomic
from .cues import Cues, find_cues, pseudonym
from .links import find_links
from .normalize import clean, normalise
from .roles import ROLES, PostView, RoleModel, RoleResult, classify

if TYPE_CHECKING:
    from .network import NetworkResult

ANALYZER_VERSION = "1"
BATCH = 20_000
PARENT_CACHE = 1_000_000
THREAD_WINDOW_S = 3600.0

ROLE_SCORES_TYPE = pa.struct([(r, pa.float32()) for r in ROLES])
ENRICHMENT_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("uid_hash", pa.int64()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("role", pa.string()),
        ("role_scores", ROLE_SCORES_TYPE),
        ("why", pa.list_(pa.string())),
        ("flags", pa.list_(pa.string())),
        ("destinations", pa.list_(pa.string())),
        ("links", pa.list_(pa.string())),
        ("target_relationship", pa.string()),
        ("target_ids", pa.list_(pa.string())),
        ("target_kinds", pa.list_(pa.string())),
        ("tools", pa.list_(pa.string())),
        ("female_ref", pa.bool_()),
        ("analyzer_version", pa.string()),
        ("model_version", pa.string()),
        ("analyzed_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass(slots=True)
class TextSignals:
    """What the text stages found in one post, before the role is known."""

    norm: str
    cues: Cues
    links: list[str]
    destinations: list[str]


def text_signals(
    text: str, subject: str | None = None, known_links: list[str] | None = None
) -> TextSignals:
    """Normalisation, links and invites, flags, tools and targets for one text (pure)."""
    full = f"{subject}\n{text}" if subject else text
    if len(full) > 200_000:
        full = full[:200_000]  # a megabyte post is judged on its first 200k characters
    cleaned = clean(full)
    norm = normalise(full)
    links, dests = find_links(cleaned, norm, known_links)
    return TextSignals(norm, find_cues(norm, cleaned), links, dests)


def post_view(cols: dict[str, list[Any]], i: int, s: TextSignals) -> PostView:
    """The role stage's view of row ``i`` of a batch from :func:`_batches`."""
    return PostView(
        norm=s.norm,
        cues=s.cues,
        destinations=s.destinations,
        has_link=bool(s.links),
        is_op=bool(cols["is_op"][i]),
        has_media=bool(cols["n_media"][i]),
        platform=cols["platform"][i],
        kind=cols["kind"][i] or "post",
        reactions=int(cols["n_reactions"][i] or 0),
        is_reply=bool(cols["parent_uids"][i]),
        author_is_channel=str(cols["author_key"][i] or "").startswith("channel"),
    )


@dataclass
class AnalyzeResult:
    analyzed: int = 0
    skipped: int = 0
    partitions: int = 0
    roles: collections.Counter[str] = field(default_factory=collections.Counter)
    flags: collections.Counter[str] = field(default_factory=collections.Counter)
    network: NetworkResult | None = None  # the graph stages' counts, when they ran

    def merge(self, other: AnalyzeResult) -> None:
        self.analyzed += other.analyzed
        self.skipped += other.skipped
        self.partitions += other.partitions
        self.roles.update(other.roles)
        self.flags.update(other.flags)


def _relationship(role: str, cues: Cues) -> str:
    if role != "request":
        return "none"
    return cues.relationship or "unknown"


def _existing(ws: Workspace, platform: str, community: str) -> tuple[LakePath, np.ndarray]:
    d = partition_dir(ws.dataset("enrichments"), platform, community)
    return d, stored_hashes(d, "uid_hash")


def _batches(ws: Workspace, platform: str, community: str) -> Iterator[pa.RecordBatch]:
    con = connect()
    rel = partition_sql(ws, "posts", platform, community) or posts_relation_sql(ws)
    enr = ""
    role_sql = "NULL::VARCHAR AS known_role"
    own = partition_sql(ws, "enrichments", platform, community)
    if own:  # only this community's finished parts: other workers may be writing theirs now
        enr = f"LEFT JOIN (SELECT uid, any_value(role) AS known_role FROM {own} GROUP BY uid) e USING (uid)"
        role_sql = "e.known_role"
    sql = f"""
        SELECT p.uid, p.uid_hash, p.platform, p.community, p.thread_id, p.parent_uids, epoch(p.created_at) AS ts,
               p.text, p.subject, p.links, len(p.media) AS n_media, p.is_op, p.kind, p.author_key,
               coalesce(list_sum([r.count for r in p.reactions]), 0) AS n_reactions, {role_sql}
        FROM {rel} p {enr}
        WHERE p.platform = $1 AND p.community = $2
        ORDER BY p.created_at NULLS FIRST, p.thread_id, p.post_id
    """
    yield from arrow_batches(con, sql, [platform, community], BATCH)


class _Context:
    """Roles of recent posts: by uid (for parents) and by thread (for the last hour).

    An overlay (``parent`` set) holds one batch's tentative roles on top of the settled roles of
    earlier batches, so each wave of classification can be recomputed without copying the cache.
    """

    def __init__(self, parent: _Context | None = None) -> None:
        self.parent = parent
        self.by_uid: collections.OrderedDict[str, tuple[str, float]] = collections.OrderedDict()
        self.by_thread: dict[str, collections.deque[tuple[float, str]]] = {}

    def remember(self, uid: str, thread: str, ts: float, role: str) -> None:
        self.by_uid[uid] = (role, ts)
        if len(self.by_uid) > PARENT_CACHE:
            self.by_uid.popitem(last=False)
        dq = self.by_thread.setdefault(thread, collections.deque(maxlen=8))
        dq.append((ts, role))

    def parent_of(self, parent_uids: list[str]) -> tuple[str | None, float | None]:
        for p in parent_uids:
            hit = self.by_uid.get(p)
            if hit is None and self.parent is not None:
                hit = self.parent.by_uid.get(p)
            if hit:
                return hit
        return None, None

    def recent(self, thread: str, ts: float) -> list[str]:
        items: list[tuple[float, str]] = []
        if self.parent is not None and thread in self.parent.by_thread:
            items.extend(self.parent.by_thread[thread])
        items.extend(self.by_thread.get(thread, ()))
        return [r for t, r in items[-8:] if 0 <= ts - t <= THREAD_WINDOW_S]


PARALLEL_MIN_POSTS = 20_000
WAVES = 2  # context passes after the first: request -> fulfilment -> praise chains need two


def analyze(
    ws: Workspace,
    *,
    model: RoleModel | None = None,
    reanalyze: bool = False,
    workers: int | None = None,
    graph: bool = True,
    executor: Executor | None = None,
) -> AnalyzeResult:
    """Analyse every post not yet analysed (all of them with ``reanalyze``), then (``graph``)
    rebuild the graph stages: campaigns, actors, bridges (:func:`~.network.build_network`).

    Communities are independent (context never crosses them), so with more than one worker they
    are analysed in parallel (``executor``: local processes by default, or a Dask cluster), each
    task writing its own partition; results are identical whichever runs them.
    """
    model = model or load_model(ws)
    key = ws.secret("hmac.key")
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    if reanalyze:
        ws.dataset("enrichments").rmtree()
    parts = communities(ws)
    if workers is not None:
        n_workers = workers
    else:  # by default, start processes only when there is enough work to pay for them
        n_posts = sum(n for _, _, n in parts)
        n_workers = (
            (ws.settings.workers or os.cpu_count() or 1) if n_posts >= PARALLEL_MIN_POSTS else 1
        )
    total = AnalyzeResult()
    runner = executor or LocalExecutor(n_workers if len(parts) > 1 else 1)
    for partial in runner.map(_analyze_job, [(ws, p, c, model, key, run) for p, c, _ in parts]):
        total.merge(partial)
    if graph:
        from .network import build_network

        total.network = build_network(ws, workers=workers, executor=executor)
    return total


def _analyze_job(job: tuple[Workspace, str, str, RoleModel, bytes, str]) -> AnalyzeResult:
    ws, platform, community, model, key, run = job
    return _analyze_partition(ws, platform, community, model, key, run)


def _analyze_partition(
    ws: Workspace, platform: str, community: str, model: RoleModel, key: bytes, run: str
) -> AnalyzeResult:
    """Analyse one community's new posts and write them to its enrichments partition."""
    result = AnalyzeResult(partitions=1)
    directory, done = _existing(ws, platform, community)
    ctx = _Context()
    seq = 0
    for batch in _batches(ws, platform, community):
        cols = batch.to_pydict()
        n = len(cols["uid"])
        hashes = np.asarray(cols["uid_hash"], dtype=np.int64)
        new = ~isin_sorted(hashes, done)
        result.skipped += int(n - new.sum())
        rows = np.flatnonzero(new)
        # Text stages run only on new posts; settled ones give context through their role.
        signals = {
            int(i): text_signals(cols["text"][i] or "", cols["subject"][i], cols["links"][i])
            for i in rows
        }
        views = {i: post_view(cols, i, s) for i, s in signals.items()}
        known = cols["known_role"]
        roles = [known[i] if (known[i] and not new[i]) else "other" for i in range(n)]
        first = classify([views[int(i)] for i in rows], model, explain=False)
        for j, i in enumerate(rows):
            roles[i] = first[j].role
        # Context waves: every post is judged again once with its thread's context (and
        # explained); later waves re-judge only the posts whose context changed.
        results: dict[int, RoleResult] = {}
        signature: dict[int, tuple[str | None, tuple[str, ...]]] = {}
        for _wave in range(WAVES):
            overlay = _Context(parent=ctx)
            changed: list[int] = []
            for k in range(n):
                ts = float(cols["ts"][k] or 0.0)
                v = views.get(k)
                if v is not None:
                    v.parent_role, t0 = overlay.parent_of(cols["parent_uids"][k] or [])
                    v.parent_gap_s = (ts - t0) if t0 is not None else None
                    v.recent_roles = overlay.recent(cols["thread_id"][k], ts)
                    sig = (v.parent_role, tuple(v.recent_roles))
                    if signature.get(k) != sig or k not in results:
                        signature[k] = sig
                        changed.append(k)
                overlay.remember(cols["uid"][k], cols["thread_id"][k], ts, roles[k])
            if not changed:
                break
            for k, res in zip(
                changed, classify([views[k] for k in changed], model, explain=True), strict=True
            ):
                results[k] = res
                roles[k] = res.role
        second = [results[int(i)] for i in rows]
        for k in range(n):
            ctx.remember(
                cols["uid"][k], cols["thread_id"][k], float(cols["ts"][k] or 0.0), roles[k]
            )
        if not len(rows):
            continue
        table = _table(cols, rows, signals, second, key, platform, community, model.version)
        seq += 1
        write_atomic(table, directory, f"part-{run}-{seq:06d}.parquet")
        result.analyzed += len(rows)
        result.roles.update(r.role for r in second)
        result.flags.update(f for i in rows for f in signals[int(i)].cues.flags)
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
        out["flags"].append(s.cues.flags)
        out["destinations"].append(s.destinations)
        out["links"].append(s.links)
        out["target_relationship"].append(_relationship(r.role, s.cues))
        ids = s.cues.identifiers if r.role in ("request", "source_solicitation") else []
        out["target_ids"].append([pseudonym(key, kind, value, community) for kind, value in ids])
        out["target_kinds"].append([kind for kind, _ in ids])
        out["tools"].append(s.cues.tools)
        out["female_ref"].append(s.cues.female_ref)
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
