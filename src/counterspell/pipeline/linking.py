"""Per-community campaign linking, kept between runs so that analyze re-links only what changed.

The linker (:class:`~counterspell.stages.linker.CampaignLinker`) reads one community's posts in
time order (time, thread, post id), and what it says of a post depends only on the posts before
it. So each community's memberships are saved in the lake (``_graph/link/<partition>/``, hidden
from readers like every underscore folder) with the linker's state after its last post and the
parts of ``posts`` and ``enrichments`` they were computed from. The next run, per community:

- **reuse**: the parts are the ones saved: the saved memberships are used as they are;
- **resume**: every saved part is still there unchanged, the new parts hold only posts later
  than every post linked so far (strictly later in time), and no older post got an enrichment
  since. The stream is then the old stream followed by the new posts, so the saved linker fed
  the new posts gives what a run over the whole stream gives;
- **relink**: anything else (posts backfilled into the past, a reanalysis, another version of
  the linker): the community is linked again from its first post.

``full`` ignores what was saved. Tests compare the three paths with full rebuilds.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from ..executors import Executor, LocalExecutor
from ..lake.datasets import MEMBER_SCHEMA
from ..lake.query import arrow_batches, connect, sql_path
from ..lake.storage import LakePath
from ..lake.workspace import Workspace
from ..lake.writer import partition_dir
from ..stages import linker as linker_module
from ..stages.linker import CampaignLinker, LinkRow, Member
from ..stages.roles import ROLES

FLUSH_ROWS = 200_000
PARALLEL_MIN_POSTS = 200_000
FORMAT = "2"  # of what is saved; bump when it changes


def _role_p_sql() -> str:
    whens = " ".join(f"WHEN '{r}' THEN e.role_scores.{r}" for r in ROLES)
    return f"coalesce(CASE e.role {whens} END, 1.0)"


@functools.cache
def _version() -> str:
    """Saved links are valid for this linker's code and query only (any edit re-links)."""
    h = hashlib.blake2b(digest_size=8)
    h.update(Path(linker_module.__file__).read_bytes())
    h.update(f"{FORMAT}\0{_role_p_sql()}\0{_stream_sql('P', 'E', 'F')}".encode())
    return h.hexdigest()


def _stream_sql(posts: str, enr: str, follows: str) -> str:
    return f"""
        SELECT p.uid, p.thread_id, epoch(p.created_at) AS ts, p.parent_uids, p.author_key,
               coalesce(e.role, 'other') AS role, {_role_p_sql()} AS role_p, e.target_ids,
               {follows} AS follows_uid
        FROM {posts} p LEFT JOIN {enr} e USING (uid)
        ORDER BY p.created_at NULLS FIRST, p.thread_id, p.post_id"""


Parts = dict[str, list[list[str]]]  # dataset -> [[file name, signature], ...], sorted


@dataclass(frozen=True, slots=True)
class Plan:
    """What one community needs: ``reuse`` (nothing), ``resume`` or ``relink``."""

    platform: str
    community: str
    action: str
    parts: Parts
    work: int  # posts to stream through the linker
    saved: dict[str, Any] | None = None
    new_posts: tuple[str, ...] = ()  # resume: the posts files added since the saved run


def home(ws: Workspace, platform: str, community: str) -> LakePath:
    return partition_dir(ws.lake / "_graph" / "link", platform, community)


def _parts(ws: Workspace, platform: str, community: str) -> Parts:
    out: Parts = {}
    for name in ("posts", "enrichments"):
        d = partition_dir(ws.dataset(name), platform, community)
        out[name] = sorted([p.rsplit("/", 1)[-1], sig] for p, sig in d.signatures("part-*.parquet"))
    return out


def _read(ws: Workspace, dataset: str, platform: str, community: str, names: list[str]) -> str:
    d = partition_dir(ws.dataset(dataset), platform, community)
    files = ", ".join(sql_path(d / n) for n in names)
    return f"read_parquet([{files}], union_by_name = true)"


def _load_meta(ws: Workspace, platform: str, community: str) -> dict[str, Any] | None:
    try:
        meta: dict[str, Any] = orjson.loads(
            (home(ws, platform, community) / "meta.json").read_bytes()
        )
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    return meta


def plan(
    ws: Workspace,
    platform: str,
    community: str,
    n_posts: int,
    full: bool,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Plan:
    """Decide, reading only the listing, the saved summary and the new parts, what to redo."""
    parts = _parts(ws, platform, community)
    saved = None if full else _load_meta(ws, platform, community)
    if (
        saved is None
        or saved.get("version") != _version()
        or not _complete(ws, platform, community, saved)
    ):
        return Plan(platform, community, "relink", parts, n_posts)
    if saved["parts"] == parts:
        return Plan(platform, community, "reuse", parts, 0, saved)
    new: dict[str, list[str]] = {}
    for name, files in parts.items():
        have = {f: s for f, s in files}
        old = dict(saved["parts"][name])
        if any(have.get(f) != s for f, s in old.items()):  # a part went or was rewritten
            return Plan(platform, community, "relink", parts, n_posts)
        new[name] = [f for f in have if f not in old]
    last = saved.get("last_us")
    if not new["posts"] or last is None:
        return Plan(platform, community, "relink", parts, n_posts)
    con = con or connect()
    delta = _read(ws, "posts", platform, community, new["posts"])
    late, n_new = con.execute(
        f"""SELECT count(*) FILTER (WHERE created_at IS NOT NULL AND epoch_us(created_at) > {int(last)}),
                   count(*) FROM {delta}"""
    ).fetchall()[0]
    if late != n_new:
        return Plan(platform, community, "relink", parts, n_posts)
    if new["enrichments"]:
        enr = _read(ws, "enrichments", platform, community, new["enrichments"])
        (older,) = con.execute(
            f"SELECT count(*) FROM (SELECT uid FROM {enr}) ANTI JOIN (SELECT uid FROM {delta}) USING (uid)"
        ).fetchall()[0]
        if older:  # an older post analysed since: its role may place it, and what follows
            return Plan(platform, community, "relink", parts, n_posts)
    return Plan(platform, community, "resume", parts, int(n_new), saved, tuple(new["posts"]))


def _complete(ws: Workspace, platform: str, community: str, saved: dict[str, Any]) -> bool:
    """Whether every file the summary names is there (a folder cleaned by hand is re-linked)."""
    have = {f.name for f in home(ws, platform, community).glob("*")}
    return all(f in have for f in [*saved["files"], saved.get("linker") or "meta.json"])


def link_local(
    ws: Workspace,
    communities: list[tuple[str, str, int]],
    workers: int = 1,
    executor: Executor | None = None,
    full: bool = False,
) -> tuple[list[str], dict[str, int]]:
    """Bring every community's saved links up to date; returns their membership files and how
    many communities were reused, resumed and relinked.

    Communities are independent here, so they are linked in parallel when there are enough posts
    to pay for starting processes (or always, on an ``executor`` given by the caller); the
    result does not depend on how.
    """
    con = connect()
    plans = [plan(ws, p, c, n, full, con) for p, c, n in communities]
    todo = [k for k, pl in enumerate(plans) if pl.action != "reuse"]
    counts = {a: sum(pl.action == a for pl in plans) for a in ("reuse", "resume", "relink")}
    work = sum(plans[k].work for k in todo)
    if executor is None:
        parallel = workers > 1 and len(todo) > 1 and work >= PARALLEL_MIN_POSTS
        executor = LocalExecutor(min(workers, len(todo)) if parallel else 1)
        shared = min(workers, len(todo)) if parallel else 1
    else:
        shared = max(len(todo), 1)
    # the workspace's DuckDB memory limit is shared by the processes that may run at once
    limit = _share(ws.settings.memory_limit, shared)
    order = sorted(todo, key=lambda k: -plans[k].work)  # biggest first
    done = dict(
        zip(order, executor.map(_link_job, [(ws, plans[k], limit) for k in order]), strict=True)
    )
    files: list[str] = []
    for k, pl in enumerate(plans):
        meta = done.get(k, pl.saved)
        if meta is not None:
            d = home(ws, pl.platform, pl.community)
            files.extend(str(d / f) for f in meta["files"])
    return files, counts


def _share(limit: str, parts: int) -> str:
    """``4GB`` shared by 2 processes is ``2048MB`` each (DuckDB's units: KB, MB, GB, TB)."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]i?B)\s*", limit, flags=re.IGNORECASE)
    if m is None or parts <= 1:
        return limit
    unit = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}[m.group(2)[0].upper()]
    return f"{max(int(float(m.group(1)) * unit / parts), 64)}MB"


def _link_job(job: tuple[Workspace, Plan, str]) -> dict[str, Any]:
    return link_community(*job)


def link_community(ws: Workspace, pl: Plan, memory_limit: str) -> dict[str, Any]:
    """Link one community (from its first post, or on from the saved state), save the result;
    returns the saved summary (``files``: its membership files, ``placed``: their rows)."""
    platform, community = pl.platform, pl.community
    d = home(ws, platform, community)
    token = uuid.uuid4().hex[:12]
    posts_names = [f for f, _ in pl.parts["posts"]]
    enr_names = [f for f, _ in pl.parts["enrichments"]]
    meta: dict[str, Any] = {"version": _version(), "parts": pl.parts, "files": [], "placed": 0}
    if not posts_names or not enr_names:  # not analysed yet: no roles to link
        meta["last_us"] = None
        _commit(d, meta, None)
        return meta
    con = connect(ws, memory_limit)
    enr = _read(ws, "enrichments", platform, community, enr_names)
    if pl.action == "resume" and pl.saved is not None:
        linker = CampaignLinker.restore(orjson.loads((d / pl.saved["linker"]).read_bytes()))
        posts = _read(ws, "posts", platform, community, list(pl.new_posts))
        meta["files"], meta["placed"] = list(pl.saved["files"]), int(pl.saved["placed"])
    else:
        linker = CampaignLinker()
        posts = _read(ws, "posts", platform, community, posts_names)
    buffer: list[Member] = []

    def flush() -> None:
        if not buffer:
            return
        cols = {
            "uid": [m.uid for m in buffer],
            "platform": [platform] * len(buffer),
            "community": [community] * len(buffer),
            "campaign_id": [m.campaign_id for m in buffer],
            "part": [m.part for m in buffer],
            "confidence": [m.confidence for m in buffer],
            "method": [m.method for m in buffer],
            "anchor_uid": [m.anchor_uid for m in buffer],
        }
        name = f"members-{token}-{len(meta['files']):06d}.parquet"
        (d / name).write_parquet(pa.table(cols, schema=MEMBER_SCHEMA))
        meta["files"].append(name)
        meta["placed"] += len(buffer)
        buffer.clear()

    columns = {str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM {enr}").fetchall()}
    follows = "e.follows_uid" if "follows_uid" in columns else "NULL::VARCHAR"
    for batch in arrow_batches(con, _stream_sql(posts, enr, follows), [], 50_000):
        c = batch.to_pydict()
        uids, roles, parents = c["uid"], c["role"], c["parent_uids"]
        for i in range(len(uids)):
            role = roles[i]
            if role == "other" and not parents[i]:
                linker.remember(uids[i], role)  # the cheap path, for most posts
                continue
            m = linker.add(
                LinkRow(
                    uids[i],
                    c["thread_id"][i] or "",
                    float(c["ts"][i] or 0.0),
                    parents[i] or [],
                    c["author_key"][i],
                    role,
                    float(c["role_p"][i]),
                    c["target_ids"][i] or [],
                    c["follows_uid"][i],
                )
            )
            if m is not None:
                buffer.append(m)
        if len(buffer) >= FLUSH_ROWS:
            flush()
    flush()
    # the latest post linked (a resume reads only the new posts: the saved latest is older)
    (last,) = con.execute(f"SELECT max(epoch_us(created_at)) FROM {posts}").fetchall()[0]
    meta["last_us"] = None if last is None else int(last)
    _commit(d, meta, linker)
    return meta


def _commit(d: LakePath, meta: dict[str, Any], linker: CampaignLinker | None) -> None:
    """The linker's state, then the summary naming it (the commit), then what nothing names."""
    d.mkdir()
    if linker is not None:
        meta["linker"] = f"linker-{uuid.uuid4().hex[:12]}.json"
        (d / meta["linker"]).write_bytes(orjson.dumps(linker.snapshot()))
    (d / "meta.json").write_bytes(orjson.dumps(meta))
    keep = {"meta.json", *meta["files"], meta.get("linker")}
    for f in d.glob("*"):
        if f.name not in keep:
            f.unlink()
