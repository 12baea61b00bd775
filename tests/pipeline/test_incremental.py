"""Incremental analyze gives the datasets a full rebuild gives (issue #21, target 2).

A lake is analysed in parts (the first posts, analyze; more posts, analyze again...), each graph
dataset is read, and then the graph stages are rebuilt from scratch (``full``) over the same lake:
the two must hold the same rows. Splits by time exercise the linker resuming from its saved
state, splits that add older posts exercise re-linking, and communities without new posts reuse
their saved links. On the real fixtures, on a synthetic corpus with its pictures hashed, and over
random splits (hypothesis).
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterspell import Workspace, ingest
from counterspell.lake.writer import PostsWriter
from counterspell.models import POST_SCHEMA
from counterspell.pipeline.analyze import analyze
from counterspell.pipeline.bridges import import_communities
from counterspell.pipeline.hash_media import hash_media
from counterspell.pipeline.linking import home
from counterspell.pipeline.network import build_network
from counterspell.stages.linker import CampaignLinker, LinkRow
from counterspell.synth import generate
from tests.conftest import real

GRAPH = (
    "media_first_seen",
    "replies",
    "media_clusters",
    "cluster_sightings",
    "campaign_members",
    "inherited_flags",
    "campaigns",
    "actors",
    "bridges",
)


def graph_rows(ws: Workspace) -> dict[str, list[bytes]]:
    """Every graph dataset as sorted rows (each row as canonical JSON)."""
    out: dict[str, list[bytes]] = {}
    for name in GRAPH:
        if not ws.has_data(name):
            out[name] = []
            continue
        table = (
            duckdb.connect()
            .sql(
                f"SELECT * FROM read_parquet('{ws.dataset_glob(name)}', hive_partitioning = false)"
            )
            .to_arrow_table()
        )
        out[name] = sorted(
            orjson.dumps(r, option=orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC, default=str)
            for r in table.to_pylist()
        )
    return out


def all_posts(ws: Workspace) -> pa.Table:
    return (
        duckdb.connect()
        .sql(
            f"""SELECT * FROM read_parquet('{ws.dataset_glob("posts")}', hive_partitioning = false)
                ORDER BY platform, community, created_at, post_id"""
        )
        .to_arrow_table()
        .cast(POST_SCHEMA)
    )


def add_posts(ws: Workspace, posts: pa.Table, run: str) -> None:
    """Write posts into the lake as ingest does (one part per community and run)."""
    writer = PostsWriter(ws.dataset("posts"), run)
    keys = sorted(
        set(zip(posts["platform"].to_pylist(), posts["community"].to_pylist(), strict=True))
    )
    for platform, community in keys:
        mask = pa.array(
            [
                p == platform and c == community
                for p, c in zip(
                    posts["platform"].to_pylist(), posts["community"].to_pylist(), strict=True
                )
            ]
        )
        writer.write(platform, community, posts.filter(mask))


def analyze_in_parts(
    root: Path, posts: pa.Table, parts: list[list[int]], communities_csv: Path | None, media: bool
) -> Workspace:
    """A new workspace fed ``posts`` rows part by part, analysed after each part; then checks
    that its graph datasets equal a full rebuild of the same lake."""
    ws = Workspace.init(root)
    if communities_csv is not None:
        import_communities(ws, communities_csv)
    for k, rows in enumerate(parts):
        add_posts(ws, posts.take(pa.array(rows, type=pa.int64())), f"run{k:03d}")
        if media:
            hash_media(ws)
        analyze(ws, workers=1)
    incremental = graph_rows(ws)
    build_network(ws, workers=1, full=True)
    assert graph_rows(ws) == incremental
    return ws


def _by_time(posts: pa.Table, q: float) -> list[list[int]]:
    """Posts before the ``q`` quantile of time, then the rest."""
    ts = posts["created_at"].to_pylist()
    order = sorted(range(len(ts)), key=lambda i: (ts[i] is None, ts[i]))
    cut = int(len(order) * q)
    return [sorted(order[:cut]), sorted(order[cut:])]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, Path]:
    root = tmp_path_factory.mktemp("incr")
    generate(root / "corpus", posts=1500, seed=23)
    ws = Workspace.init(root / "src")
    ingest(ws, [str(root / "corpus")])
    return all_posts(ws), root / "corpus" / "communities.csv"


def test_synthetic_by_time_resumes_and_equals_a_full_rebuild(
    synthetic: tuple[pa.Table, Path], tmp_path: Path
) -> None:
    """The last 3% of the posts (by time) added to a lake with its pictures hashed.

    Only the graph stages are compared with a rebuild over the same lake: the text stages give a
    few posts near the cut other role scores or follow-ups when the lake is analysed in two
    parts rather than at once (context from the thread's other new posts), which is theirs."""
    posts, csv = synthetic
    analyze_in_parts(tmp_path / "ws", posts, _by_time(posts, 0.97), csv, media=True)


def test_each_path_is_taken(synthetic: tuple[pa.Table, Path], tmp_path: Path) -> None:
    """Later posts resume, older ones re-link, communities without new posts are reused."""
    posts, _ = synthetic
    first, rest = _by_time(posts, 0.9)
    comm = posts["community"].to_pylist()
    n_comm = len(set(comm))
    big = max(set(comm), key=comm.count)
    held = [i for i in first if comm[i] != big][:3]  # the earliest posts of one community
    late = [i for i in rest if comm[i] == big]
    ws = Workspace.init(tmp_path / "ws")
    add_posts(ws, posts.take(pa.array(sorted(set(first) - set(held)), type=pa.int64())), "run1")
    r1 = analyze(ws, workers=1).network
    assert r1 is not None and r1.linked == {"reuse": 0, "resume": 0, "relink": n_comm}
    add_posts(ws, posts.take(pa.array(late, type=pa.int64())), "run2")
    r2 = analyze(ws, workers=1).network
    assert r2 is not None and r2.linked == {"reuse": n_comm - 1, "resume": 1, "relink": 0}
    again = analyze(ws, workers=1)  # nothing new: no community is read, none linked
    assert again.analyzed == 0 and again.skipped == len(first) - len(held) + len(late)
    r3 = again.network
    assert r3 is not None and r3.linked == {"reuse": n_comm, "resume": 0, "relink": 0}
    add_posts(ws, posts.take(pa.array(held, type=pa.int64())), "run3")
    r4 = analyze(ws, workers=1).network
    assert r4 is not None and r4.linked["relink"] >= 1 and r4.linked["resume"] == 0
    incremental = graph_rows(ws)
    build_network(ws, workers=1, full=True)
    assert graph_rows(ws) == incremental
    assert (
        home(ws, posts["platform"][0].as_py(), posts["community"][0].as_py()) / "meta.json"
    ).exists()


def test_posts_back_in_time_relink(synthetic: tuple[pa.Table, Path], tmp_path: Path) -> None:
    """The first part is the later posts: the older ones arrive second and are linked before."""
    posts, csv = synthetic
    old, new = _by_time(posts, 0.5)
    analyze_in_parts(tmp_path / "ws", posts, [new, old], csv, media=False)


@pytest.mark.parametrize("platform", ["4chan", "telegram", "discord"])
def test_real_fixtures_in_two_parts(platform: str, tmp_path: Path) -> None:
    src = Workspace.init(tmp_path / "src")
    ingest(src, [str(real(platform))])
    posts = all_posts(src)
    analyze_in_parts(tmp_path / "ws", posts, _by_time(posts, 0.7), None, media=False)
    rng = random.Random(7)
    shuffled = list(range(posts.num_rows))
    rng.shuffle(shuffled)
    thirds = [sorted(shuffled[k::3]) for k in range(3)]
    analyze_in_parts(tmp_path / "ws3", posts, thirds, None, media=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    root = tmp_path_factory.mktemp("incr-small")
    generate(root / "corpus", posts=400, seed=5, media_files=False)
    ws = Workspace.init(root / "src")
    ingest(ws, [str(root / "corpus")])
    return all_posts(ws)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.floats(0.05, 1.0), min_size=1, max_size=2),
    shuffled=st.floats(0.0, 0.3),
    seed=st.integers(0, 2**16),
)
def test_random_splits(small: pa.Table, tmp_path_factory: pytest.TempPathFactory, cuts: list[float],
                       shuffled: float, seed: int) -> None:  # fmt: skip
    """Parts cut at random times, with a random share of posts moved to a random later part."""
    n = small.num_rows
    ts = small["created_at"].to_pylist()
    order = sorted(range(n), key=lambda i: (ts[i] is None, ts[i]))
    bounds = [0, *sorted(int(n * c) for c in cuts), n]
    parts = [order[a:b] for a, b in itertools.pairwise(bounds)]
    rng = random.Random(seed)
    for k in range(len(parts) - 1):
        moved = [i for i in parts[k] if rng.random() < shuffled]
        parts[k] = [i for i in parts[k] if i not in set(moved)]
        parts[rng.randrange(k + 1, len(parts))].extend(moved)
    parts = [sorted(p) for p in parts if p]
    analyze_in_parts(tmp_path_factory.mktemp("split"), small, parts, None, media=False)


@st.composite
def _streams(draw: st.DrawFn) -> list[LinkRow]:
    """Posts of one community in time order: roles, reply links to earlier posts, targets."""
    n = draw(st.integers(1, 60))
    rows: list[LinkRow] = []
    ts = 0.0
    for k in range(n):
        ts += draw(st.sampled_from([0.0, 30.0, 600.0, 7200.0, 4 * 86400.0]))
        parents = (
            [rows[j].uid for j in draw(st.lists(st.integers(0, k - 1), max_size=2))] if k else []
        )
        role = draw(st.sampled_from(["request", "fulfillment", "praise", "distribution",
                                     "source_solicitation", "payment", "other"]))  # fmt: skip
        follows = rows[draw(st.integers(0, k - 1))].uid if k and draw(st.booleans()) else None
        rows.append(
            LinkRow(f"u{k}", draw(st.sampled_from(["t1", "t2", "t3"])), ts, parents,
                    draw(st.sampled_from([None, "a", "b"])), role, draw(st.floats(0.1, 1.0)),
                    draw(st.lists(st.sampled_from(["x", "y"]), max_size=1)), follows)
        )  # fmt: skip
    return rows


@settings(max_examples=200, deadline=None)
@given(rows=_streams(), cut=st.floats(0.0, 1.0))
def test_linker_resumed_from_a_snapshot_equals_one_run(rows: list[LinkRow], cut: float) -> None:
    whole = CampaignLinker()
    expected = [whole.add(r) for r in rows]
    k = int(len(rows) * cut)
    first = CampaignLinker()
    got = [first.add(r) for r in rows[:k]]
    resumed = CampaignLinker.restore(orjson.loads(orjson.dumps(first.snapshot())))
    got += [resumed.add(r) for r in rows[k:]]
    assert got == expected
    assert resumed.snapshot() == whole.snapshot()


def test_batches_of_settled_posts_take_the_short_way(
    small: pa.Table, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread pass skips its settling sweep on a batch without new posts: same results and
    same state as the long way (training mode, ``rows`` set, always takes the long way)."""
    import numpy as np

    from counterspell.lake.query import communities
    from counterspell.lake.writer import isin_sorted
    from counterspell.pipeline import analyze as analyze_module
    from counterspell.stages.roles import RoleModel
    from counterspell.stages.text import text_signals, thread_posts
    from counterspell.stages.thread import ThreadPass

    first, rest = _by_time(small, 0.8)
    ws = Workspace.init(tmp_path / "ws")
    add_posts(ws, small.take(pa.array(first, type=pa.int64())), "run1")
    analyze(ws, workers=1, graph=False)
    add_posts(ws, small.take(pa.array(rest, type=pa.int64())), "run2")
    monkeypatch.setattr(analyze_module, "BATCH", 37)
    model = RoleModel.load()
    shortcuts = 0
    for platform, community, _ in communities(ws):
        _, done = analyze_module._existing(ws, platform, community)
        short, long = ThreadPass(model), ThreadPass(model)
        long.rows = []
        for batch in analyze_module._batches(ws, platform, community):
            cols = batch.to_pydict()
            new = ~isin_sorted(np.asarray(cols["uid_hash"], dtype=np.int64), done)
            signals = {
                int(i): text_signals(cols["text"][i] or "", cols["subject"][i], cols["links"][i])
                for i in np.flatnonzero(new)
            }
            shortcuts += not new.any()
            assert short.judge(thread_posts(cols, signals)) == long.judge(
                thread_posts(cols, signals)
            )
            assert (short._posts, short._threads, short._requests) == (
                long._posts, long._threads, long._requests,
            )  # fmt: skip
    assert shortcuts > 3


def test_saved_links_cleaned_by_hand_are_linked_again(small: pa.Table, tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    add_posts(ws, small, "run1")
    analyze(ws, workers=1)
    expected = graph_rows(ws)
    platform, community = small["platform"][0].as_py(), small["community"][0].as_py()
    for f in home(ws, platform, community).glob("members-*.parquet"):
        f.unlink()
    result = build_network(ws, workers=1)
    assert result.linked["relink"] == 1 and graph_rows(ws) == expected
