"""Incremental analyze: 1% new posts added to an analysed lake, against a full run (issue #21, target 2).

    python bench/incremental.py                  # 200,000 synthetic posts
    python bench/incremental.py --posts 1000000

One synthetic corpus is ingested and its text stages run once over every post (timed: the text
part of a full run). Then, per scenario, a workspace holds 99% of the posts with their
enrichments and saved graph (the state a previous analyze leaves), the other 1% is added, and:

* ``analyze`` runs as a user would after an ingest (text stages on the new posts, then the graph
  stages, incrementally): the incremental time, and the graph stages' share of it;
* the graph stages run again from scratch (``full``): the graph part of a full run; their
  datasets must equal the incremental ones (an order-independent digest of every row).

Scenarios for the 1%: the latest posts of every community (the usual case: new posts arrive
after the old ones, so each community resumes from the linker's saved state); the latest posts
of the smaller communities only (the board and the largest chats are reused as they are); and
posts drawn at random over the whole period (a backfill: every community that gets one is
linked again from its first post). Prints seconds and ratios; one process, so times compare.

``--direct N`` measures the graph stages alone on the lake ``bench/campaigns.py`` writes directly
(posts, enrichments and hashed media, no text stages: sizes where analysing would take hours):
the latest 1% of every dataset's rows (by post time) is held back, the graph built, the 1%
added, and the incremental graph run timed against a full one.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402

from counterspell import Workspace, ingest  # noqa: E402
from counterspell.lake.datasets import ENRICHMENT_SCHEMA  # noqa: E402
from counterspell.lake.writer import PostsWriter, partition_dir, write_atomic  # noqa: E402
from counterspell.models import POST_SCHEMA  # noqa: E402
from counterspell.pipeline.analyze import analyze  # noqa: E402
from counterspell.pipeline.bridges import import_communities  # noqa: E402
from counterspell.pipeline.network import build_network  # noqa: E402
from counterspell.synth import generate  # noqa: E402

GRAPH = ("replies", "media_clusters", "cluster_sightings", "campaign_members", "inherited_flags",
         "campaigns", "actors", "bridges")  # fmt: skip


def _read(ws: Workspace, name: str, order: str = "uid") -> pa.Table:
    sql = f"SELECT * FROM read_parquet('{ws.dataset_glob(name)}', hive_partitioning = false) ORDER BY {order}"
    return duckdb.connect().sql(sql).to_arrow_table()


def _write(ws: Workspace, name: str, table: pa.Table, run: str) -> None:
    """Rows into a partitioned dataset, one part per community (as ingest and analyze write)."""
    keys = table.select(["platform", "community"]).group_by(["platform", "community"]).aggregate([])
    writer = PostsWriter(ws.dataset("posts"), run) if name == "posts" else None
    for platform, community in zip(
        keys["platform"].to_pylist(), keys["community"].to_pylist(), strict=True
    ):
        part = table.filter(
            pa.compute.and_(
                pa.compute.equal(table["platform"], platform),
                pa.compute.equal(table["community"], community),
            )
        )
        if writer is not None:
            writer.write(platform, community, part.cast(POST_SCHEMA))
        else:
            d = partition_dir(ws.dataset(name), platform, community)
            write_atomic(part.cast(ENRICHMENT_SCHEMA), d, f"part-{run}.parquet")


def digest(ws: Workspace) -> dict[str, tuple[int, int]]:
    con = duckdb.connect()
    out = {}
    for name in GRAPH:
        if ws.has_data(name):
            rel = f"read_parquet('{ws.dataset_glob(name)}', hive_partitioning = false) d"
            n, h = con.execute(f"SELECT count(*), coalesce(sum(hash(d)), 0) FROM {rel}").fetchall()[
                0
            ]
            out[name] = (int(n), int(h))
    return out


def scenarios(posts: pa.Table, share: float, seed: int) -> dict[str, list[int]]:
    """Row numbers of the new posts, per scenario."""
    n_new = max(1, int(posts.num_rows * share))
    comm = [
        f"{p}:{c}"
        for p, c in zip(posts["platform"].to_pylist(), posts["community"].to_pylist(), strict=True)
    ]
    ts = posts["created_at"].to_pylist()
    by_time = sorted(range(posts.num_rows), key=lambda i: ts[i])
    sizes = {c: comm.count(c) for c in set(comm)}
    small = set(sorted(sizes, key=lambda c: sizes[c])[: max(1, len(sizes) // 2)])
    latest_small = [i for i in reversed(by_time) if comm[i] in small][:n_new]
    rng = random.Random(seed)
    return {
        "latest posts, every community (resume)": by_time[-n_new:],
        f"latest posts of the {len(small)} smallest communities": latest_small,
        "random posts over the whole period (relink)": rng.sample(range(posts.num_rows), n_new),
    }


def direct(posts: int, share: float) -> None:
    """Graph stages only, on a lake written directly (see the module's docstring)."""
    import pyarrow.parquet as pq

    from bench.campaigns import build_lake

    with tempfile.TemporaryDirectory(prefix="cs-bench-incr-direct-") as tmp:
        ws = build_lake(Path(tmp), posts)
        con = duckdb.connect()
        glob = ws.dataset_glob("posts")
        late_uids = con.sql(
            f"""SELECT uid FROM read_parquet('{glob}', hive_partitioning = false)
                WHERE created_at > (SELECT quantile_disc(created_at, {1 - share})
                                    FROM read_parquet('{glob}', hive_partitioning = false))"""
        ).to_arrow_table()["uid"]
        held = Path(tmp) / "held"
        for name in ("posts", "enrichments", "media"):
            for f in sorted(ws.dataset(name).local.rglob("part-*.parquet")):
                table = pq.read_table(f)
                late = pa.compute.is_in(table["uid"], value_set=late_uids)
                rel = f.relative_to(ws.dataset(name).local)
                (held / name / rel.parent).mkdir(parents=True, exist_ok=True)
                pq.write_table(table.filter(late), held / name / rel.parent / f"part-new-{f.name}")
                pq.write_table(table.filter(pa.compute.invert(late)), f)
        n_new = len(late_uids)
        t0 = time.perf_counter()
        first = build_network(ws, workers=1)
        t_base = time.perf_counter() - t0
        for f in held.rglob("part-new-*.parquet"):
            name, rel = (
                f.relative_to(held).parts[0],
                f.relative_to(held / f.relative_to(held).parts[0]),
            )
            f.replace(ws.dataset(name).local / rel)
        t0 = time.perf_counter()
        result = build_network(ws, workers=1)
        g_incr = time.perf_counter() - t0
        before = digest(ws)
        t0 = time.perf_counter()
        full = build_network(ws, workers=1, full=True)
        g_full = time.perf_counter() - t0
        equal = digest(ws) == before
        print(f"\n{posts:,} posts written directly, {n_new:,} new (the latest {share:.0%}), graph stages only "
              f"({time.strftime('%Y-%m-%d')}, one process): first run on the rest {t_base:.1f} s")  # fmt: skip
        print(f"  incremental {g_incr:.1f} s against full {g_full:.1f} s: {g_incr / g_full:.0%}; linked "
              f"(reuse/resume/relink) {result.linked}; equal to the full rebuild: {'yes' if equal else 'NO'}")  # fmt: skip
        for label, r in (("incremental", result), ("full", full), ("first", first)):
            print(f"    {label}: " + ", ".join(f"{s} {v:.2f}" for s, v in r.seconds.items()))
        if not equal:
            after = digest(ws)
            differ = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
            build_network(ws, workers=1, full=True)
            again = digest(ws)
            unstable = [k for k in sorted(after) if after.get(k) != again.get(k)]
            raise SystemExit(
                f"incremental datasets differ from the full rebuild: {differ}; "
                f"two full rebuilds differ in: {unstable}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--share", type=float, default=0.01, help="new posts, as a share of the lake")
    ap.add_argument("--direct", type=int, help="graph stages only, on a lake of this many posts")
    args = ap.parse_args()
    if args.direct:
        direct(args.direct, args.share)
        return
    with tempfile.TemporaryDirectory(prefix="cs-bench-incr-") as tmp:
        root = Path(tmp)
        generate(root / "corpus", posts=args.posts, seed=41, media_files=False)
        csv = root / "corpus" / "communities.csv"
        master = Workspace.init(root / "master")
        ingest(master, [str(root / "corpus")])
        import_communities(master, csv)
        t0 = time.perf_counter()
        analyze(master, workers=1, graph=False)
        t_text = time.perf_counter() - t0
        posts = _read(master, "posts", "platform, community, created_at, post_id")
        enr = _read(master, "enrichments")
        print(f"\n{posts.num_rows:,} synthetic posts; text stages over all of them: {t_text:.1f} s "
              f"({time.strftime('%Y-%m-%d')}, one process)")  # fmt: skip
        print(f"{'new posts':<48} {'n':>6} {'incr s':>7} {'graph s':>7} {'full graph s':>12} "
              f"{'full run s':>10} {'graph ratio':>11} {'run ratio':>9}  linked / equal")  # fmt: skip
        for k, (label, new) in enumerate(scenarios(posts, args.share, 5).items()):
            ws = Workspace.init(root / f"ws{k}")
            import_communities(ws, csv)
            is_new = pa.array([False] * posts.num_rows).to_pylist()
            for i in new:
                is_new[i] = True
            mask = pa.array(is_new)
            base = posts.filter(pa.compute.invert(mask))
            _write(ws, "posts", base, "base")
            uids = pa.compute.is_in(enr["uid"], value_set=base["uid"])
            _write(ws, "enrichments", enr.filter(uids), "base")
            build_network(ws, workers=1)  # the saved graph of the previous run
            _write(ws, "posts", posts.filter(mask), "new")
            t0 = time.perf_counter()
            result = analyze(ws, workers=1)
            t_incr = time.perf_counter() - t0
            assert result.network is not None
            g_incr = sum(result.network.seconds.values())
            before = digest(ws)
            t0 = time.perf_counter()
            build_network(ws, workers=1, full=True)
            g_full = time.perf_counter() - t0
            equal = digest(ws) == before
            full_run = t_text + g_full
            linked = result.network.linked
            print(f"{label:<48} {len(new):>6,} {t_incr:>7.2f} {g_incr:>7.2f} {g_full:>12.2f} {full_run:>10.1f} "
                  f"{g_incr / g_full:>10.0%} {t_incr / full_run:>9.1%}  "
                  f"{linked['reuse']}/{linked['resume']}/{linked['relink']} {'yes' if equal else 'NO'}")  # fmt: skip
            print(
                "    incremental graph stages: "
                + ", ".join(f"{s} {v:.2f}" for s, v in result.network.seconds.items())
            )
            if not equal:
                after = digest(ws)
                differ = [
                    k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)
                ]
                raise SystemExit(f"incremental datasets differ from the full rebuild: {differ}")


if __name__ == "__main__":
    main()
