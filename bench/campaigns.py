"""Throughput and peak memory of the graph stages (replies, media clusters, campaigns, actors,
bridges) at 1M and 10M posts.

    python bench/campaigns.py                    # 1,000,000 and 10,000,000 posts
    python bench/campaigns.py --posts 200000     # one size

The lake is written directly (posts, enrichments and media Parquet, vectorised with numpy), not
through the synthetic generator, ingest and analyze, which would take hours at 10M and measure
other stages: five communities shaped like the synthetic corpus (a 4chan board of 60-post
threads, a Telegram group and channel, Discord request and gallery channels), realistic role
shares, 40% of answers quoting, a third of 4chan posters anonymous, fulfilment pictures reposted
in other communities (some with a near PDQ instead of the same MD5), invites between them.

Each size prints posts/s and the peak memory of a fresh process running ``build_network``
(VmHWM), of its largest linker worker and of all of them at once (sampled every 0.2 s), against a
floor measured in the same run: DuckDB reading, in the linker's order, the columns the stages
read (what any implementation must at least do).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from counterspell import Workspace  # noqa: E402
from counterspell.lake.datasets import ENRICHMENT_SCHEMA, MEDIA_SCHEMA  # noqa: E402
from counterspell.lake.writer import partition_dir  # noqa: E402
from counterspell.models import POST_SCHEMA  # noqa: E402
from counterspell.stages.roles import ROLES  # noqa: E402

CHUNK = 1_000_000
START = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
SPAN = 120 * 86400.0
# community: (platform, community, share, thread size or 0 for one thread, role probabilities)
ROLE_MIX = {
    "board": {"request": 0.12, "fulfillment": 0.10, "praise": 0.18, "distribution": 0.03,
              "source_solicitation": 0.03, "other": 0.54},
    "group": {"request": 0.10, "fulfillment": 0.08, "praise": 0.14, "distribution": 0.02,
              "source_solicitation": 0.02, "other": 0.64},
    "gallery": {"distribution": 0.75, "other": 0.25},
}  # fmt: skip
COMMUNITIES = [
    ("4chan", "r", 0.55, 60, "board"),
    ("telegram", "1700000001", 0.17, 0, "group"),
    ("telegram", "1800000001", 0.08, 0, "gallery"),
    ("discord", "990000000000000001/910000000000000001", 0.10, 0, "group"),
    ("discord", "990000000000000001/910000000000000002", 0.10, 0, "gallery"),
]
MIX = [0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93]
INVITES = ["https://t.me/+BenchCode01", "https://discord.gg/benchcode", "kik:bench_drops"]


def _arr(values: object, type: pa.DataType | None = None, mask: object = None) -> pa.Array:
    """pa.array, in one chunk (large numpy string arrays otherwise come back chunked)."""
    a = pa.array(values, type, mask=mask)
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _write(
    ws: Workspace, dataset: str, platform: str, community: str, table: pa.Table, seq: int
) -> None:
    d = partition_dir(ws.dataset(dataset), platform, community).local
    d.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, d / f"part-bench-{seq:06d}.parquet", compression="zstd")


def build_lake(root: Path, posts: int, seed: int = 5) -> Workspace:
    rng = np.random.default_rng(seed)
    ws = Workspace.init(root / "ws")
    with open(root / "communities.csv", "w", encoding="utf-8") as f:
        f.write("platform,community,name,invite\n")
        f.write("telegram,1800000001,bench channel,t.me/+BenchCode01\n")
        f.write(
            "discord,990000000000000001/910000000000000002,bench gallery,discord.gg/benchcode\n"
        )
    fulfil_md5: list[np.ndarray] = []  # md5 ids of fulfilments written so far, for reposts
    for c_no, (platform, community, share, thread_size, kind) in enumerate(COMMUNITIES):
        n_total = int(posts * share)
        mix = ROLE_MIX[kind]
        names, probs = list(mix), np.array(list(mix.values()))
        for seq, lo in enumerate(range(0, n_total, CHUNK)):
            n = min(CHUNK, n_total - lo)
            idx = np.arange(lo, lo + n)
            gid = idx + c_no * 10**9  # ids unique across communities
            ts = START + SPAN * idx / max(n_total, 1) + rng.uniform(0, 30, n)
            ts.sort()
            thread = (idx // thread_size).astype(str) if thread_size else np.full(n, community)
            role = np.array(names)[rng.choice(len(names), n, p=probs / probs.sum())]
            uid = np.char.add(f"{platform}:{community}:", idx.astype(str))
            # 40% of answers quote a recent post of their thread
            answers = np.isin(
                role, ["fulfillment", "praise", "source_solicitation", "distribution"]
            )
            quote = answers & (rng.random(n) < 0.4)
            back = rng.integers(1, 20, n)
            parent_idx = idx - back
            if thread_size:
                parent_idx = np.maximum(parent_idx, (idx // thread_size) * thread_size)
            quote &= parent_idx >= 0
            quote &= parent_idx != idx
            p_uid = np.char.add(f"{platform}:{community}:", parent_idx.astype(str))
            offsets = np.zeros(n + 1, dtype=np.int32)
            offsets[1:] = np.cumsum(quote)
            parents = pa.ListArray.from_arrays(_arr(offsets), _arr(p_uid[quote]))
            anon = (rng.random(n) < 0.33) if platform == "4chan" else np.zeros(n, dtype=bool)
            authors = np.char.add("u", rng.zipf(1.6, n).clip(max=200_000).astype(str))
            author = _arr(authors, mask=anon)
            # media: fulfilments post new pictures; galleries and distribution repost earlier ones
            has_media = (role == "fulfillment") | ((role == "distribution") & (rng.random(n) < 0.9))
            md5_id = np.where(role == "fulfillment", gid, -1)
            pool = np.concatenate(fulfil_md5) if fulfil_md5 else np.empty(0, dtype=np.int64)
            repost = has_media & (role != "fulfillment")
            if len(pool):
                md5_id[repost] = pool[rng.integers(0, len(pool), int(repost.sum()))]
            else:
                has_media &= role == "fulfillment"
            fulfil_md5.append(gid[role == "fulfillment"][:50_000])
            md5 = np.char.zfill(np.char.mod("%x", np.maximum(md5_id, 0)), 32)
            m_off = np.zeros(n + 1, dtype=np.int32)
            m_off[1:] = np.cumsum(has_media)
            media_struct = pa.StructArray.from_arrays(
                [_arr(np.char.add(md5[has_media], ".png")), pa.nulls(int(has_media.sum()), pa.string()),
                 pa.nulls(int(has_media.sum()), pa.int64()), pa.nulls(int(has_media.sum()), pa.int32()),
                 pa.nulls(int(has_media.sum()), pa.int32()), _arr(md5[has_media]),
                 *[pa.nulls(int(has_media.sum()), pa.string()) for _ in range(4)]],
                fields=list(POST_SCHEMA.field("media").type.value_type),
            )  # fmt: skip
            media = pa.ListArray.from_arrays(_arr(m_off), media_struct)
            link = role == "distribution"
            l_off = np.zeros(n + 1, dtype=np.int32)
            l_off[1:] = np.cumsum(link)
            links = pa.ListArray.from_arrays(
                _arr(l_off), _arr(np.array(INVITES)[rng.integers(0, 3, int(link.sum()))])
            )
            n_hash = _arr(gid, pa.int64())
            created = _arr((ts * 1e6).astype("int64"), pa.timestamp("us", tz="UTC"))
            empty = pa.ListArray.from_arrays(
                _arr(np.zeros(n + 1, dtype=np.int32)), _arr([], pa.string())
            )
            cols = {
                "uid": _arr(uid), "platform": _arr(np.full(n, platform)),
                "community": _arr(np.full(n, community)), "thread_id": _arr(thread),
                "post_id": _arr(idx.astype(str)), "parent_uids": parents, "created_at": created,
                "author_key": author, "author_name": author, "text": pa.nulls(n, pa.string()),
                "raw_markup": pa.nulls(n, pa.string()), "links": links, "media": media,
                "is_op": _arr(np.zeros(n, dtype=bool)), "extra": pa.nulls(n, pa.string()),
                "source": pa.nulls(n, POST_SCHEMA.field("source").type), "kind": _arr(np.full(n, "post")),
                "subject": pa.nulls(n, pa.string()),
                "reactions": pa.nulls(n, POST_SCHEMA.field("reactions").type), "mentions": empty,
                "uid_hash": n_hash,
            }  # fmt: skip
            _write(ws, "posts", platform, community, pa.table(cols, schema=POST_SCHEMA), seq)
            is_req = role == "request"
            t_off = np.zeros(n + 1, dtype=np.int32)
            t_off[1:] = np.cumsum(is_req)
            targets = pa.ListArray.from_arrays(
                _arr(t_off), _arr(np.char.add("tgt_", rng.integers(0, posts // 20 + 1, int(is_req.sum())).astype(str)))
            )  # fmt: skip
            scores = pa.StructArray.from_arrays(
                [_arr((role == r).astype(np.float32) * 0.6 + 0.05) for r in ROLES],
                names=list(ROLES),
            )
            now = _arr(np.full(n, int(time.time() * 1e6)), pa.timestamp("us", tz="UTC"))
            minor = is_req & (rng.random(n) < 0.05)  # some requests name a possible minor
            f_off = np.zeros(n + 1, dtype=np.int32)
            f_off[1:] = np.cumsum(minor)
            flags = pa.ListArray.from_arrays(
                _arr(f_off), _arr(np.full(int(minor.sum()), "minor_risk"))
            )
            enr = {
                "uid": cols["uid"], "uid_hash": n_hash, "platform": cols["platform"], "community": cols["community"],
                "role": _arr(role), "role_scores": scores, "why": empty, "flags": flags,
                "destinations": empty, "links": links, "target_relationship": pa.nulls(n, pa.string()),
                "target_ids": targets, "target_kinds": empty, "tools": empty,
                "female_ref": _arr(np.zeros(n, dtype=bool)), "analyzer_version": _arr(np.full(n, "bench")),
                "model_version": _arr(np.full(n, "bench")), "analyzed_at": now,
                "follows_uid": pa.nulls(n, pa.string()),
            }  # fmt: skip
            _write(
                ws, "enrichments", platform, community, pa.table(enr, schema=ENRICHMENT_SCHEMA), seq
            )
            if platform != "4chan":  # files exist here: PDQ for a third of the items, near copies
                k = int(has_media.sum())
                mult = np.array(MIX, dtype=np.uint64)
                with np.errstate(over="ignore"):  # a multiplicative hash: wrapping is the point
                    words = md5_id[has_media, None].astype(np.uint64) * mult
                flip = rng.random(k) < 0.3
                words[flip, 0] ^= np.uint64(0b1011)  # a near copy: 3 bits differ
                pdq = np.array(["".join(f"{int(w):016x}" for w in row) for row in words])
                near_md5 = np.char.zfill(np.char.mod("%x", gid[has_media] + 2**50), 32)
                media_rows = {
                    "uid": _arr(uid[has_media]), "media_index": _arr(np.zeros(k, dtype=np.int32)),
                    "key_hash": _arr(gid[has_media], pa.int64()), "platform": _arr(np.full(k, platform)),
                    "community": _arr(np.full(k, community)), "created_at": created.filter(_arr(has_media)),
                    "name": pa.nulls(k, pa.string()), "path": pa.nulls(k, pa.string()),
                    "reported_md5": pa.nulls(k, pa.string()),
                    "md5": _arr(np.where(flip, near_md5, md5[has_media])),
                    "sha256": pa.nulls(k, pa.string()), "pdq": _arr(pdq),
                    "pdq_quality": _arr(np.full(k, 100, dtype=np.int32)), "error": pa.nulls(k, pa.string()),
                    "hashed_at": now.filter(_arr(has_media)), "provenance": pa.nulls(k, pa.string()),
                    "vpdq": pa.nulls(k, pa.string()), "skipped": pa.nulls(k, pa.string()),
                }  # fmt: skip
                _write(
                    ws, "media", platform, community, pa.table(media_rows, schema=MEDIA_SCHEMA), seq
                )
    from counterspell.pipeline.bridges import import_communities

    import_communities(ws, root / "communities.csv")
    return ws


def floor_seconds(ws: Workspace) -> float:
    """DuckDB reading what the linker reads, in its order: the least any implementation does."""
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    for row in con.execute(
        f"SELECT DISTINCT platform, community FROM read_parquet('{ws.dataset_glob('posts')}')"
    ).fetchall():
        d = partition_dir(ws.dataset("posts"), row[0], row[1])
        e = partition_dir(ws.dataset("enrichments"), row[0], row[1])
        reader = con.sql(
            f"""SELECT p.uid, p.thread_id, p.created_at, p.parent_uids, p.author_key, e.role, e.target_ids
                FROM read_parquet('{d}/*.parquet') p JOIN read_parquet('{e}/*.parquet') e USING (uid)
                ORDER BY p.created_at, p.thread_id, p.post_id"""
        ).to_arrow_reader(50_000)
        for _ in reader:
            pass
    return time.perf_counter() - t0


def child(ws_root: str) -> None:
    import threading

    import psutil

    from bench.peak import vm_hwm_mb
    from counterspell.pipeline.network import build_network

    me = psutil.Process()
    peaks = {"workers": 0.0, "total": 0.0}
    done = threading.Event()

    def sample() -> None:  # worker processes: the largest one, and the whole tree at once
        while not done.wait(0.2):
            try:
                kids = [c.memory_info().rss for c in me.children(recursive=True)]
            except psutil.Error:
                continue
            peaks["workers"] = max(peaks["workers"], max(kids, default=0) / 2**20)
            peaks["total"] = max(peaks["total"], (me.memory_info().rss + sum(kids)) / 2**20)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    t0 = time.perf_counter()
    result = build_network(Workspace.open(ws_root))
    seconds = time.perf_counter() - t0
    done.set()
    out = {"seconds": seconds, "stages": result.seconds, "peak_mb": vm_hwm_mb(),
           "worker_peak_mb": peaks["workers"], "tree_peak_mb": peaks["total"],
           "campaigns": result.campaigns, "members": result.campaign_members, "actors": result.actors,
           "bridges": result.bridges, "clusters": result.media_clusters}  # fmt: skip
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, action="append")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    print(f"Graph stages ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs)")
    print(
        f"{'posts':>12} {'build s':>8} {'floor s':>8} {'ratio':>6} {'posts/s':>9} {'peak MB':>8} {'worker MB':>10} {'all MB':>7}  stages (s)"
    )
    for n in args.posts or [1_000_000, 10_000_000]:
        with tempfile.TemporaryDirectory(prefix="cs-bench-graph-") as tmp:
            t0 = time.perf_counter()
            ws = build_lake(Path(tmp), n)
            print(
                f"  (lake of {n:,} posts written in {time.perf_counter() - t0:.0f} s)",
                file=sys.stderr,
            )
            floor = floor_seconds(ws)
            proc = subprocess.run(
                [sys.executable, str(Path(__file__)), "--child", str(ws.root)],
                capture_output=True, text=True, check=True, cwd=ROOT,
                env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"},
            )  # fmt: skip
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            stages = " ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
            print(
                f"{n:>12,} {r['seconds']:>8.1f} {floor:>8.1f} {r['seconds'] / floor:>5.1f}x "
                f"{n / r['seconds']:>9,.0f} {r['peak_mb']:>8.0f} {r['worker_peak_mb']:>10.0f} {r['tree_peak_mb']:>7.0f}  {stages}"
            )
            print(
                f"  {r['campaigns']:,} campaigns, {r['members']:,} members, {r['actors']:,} actors, "
                f"{r['bridges']:,} bridges, {r['clusters']:,} media clusters", file=sys.stderr,
            )  # fmt: skip


if __name__ == "__main__":
    main()
