"""Rules: backtesting ten rules over 1M and 10M posts, and what shadow rules add to ``analyze``.

    python bench/rules.py                       # 1,000,000 and 10,000,000 posts, then analyze
    python bench/rules.py --posts 200000        # one size
    python bench/rules.py --network             # build campaigns and actors first (slower)

Backtest: the lake is written directly (``bench/campaigns.py``'s ``build_lake``: five communities,
realistic role shares). Ten rules over every group of fields (roles and flags, author history,
campaigns, bank matches, media) are evaluated in one scan (``counterspell.rules.engine.hits``),
against a floor measured in the same run: DuckDB joining posts and enrichments and counting the
posts that satisfy one plain condition (what any rule evaluation must at least do). Goal: under
60 s at 10M posts on the 2-core machine.

Shadow cost: a synthetic corpus is ingested and analysed with a store and the built-in rules in
shadow; prints ``analyze`` seconds and the rules run's seconds over the same new posts. Goal:
the rules run adds under 10% to ``analyze``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.campaigns import build_lake  # noqa: E402
from counterspell import Workspace  # noqa: E402
from counterspell.lake.datasets import enriched_sql  # noqa: E402
from counterspell.lake.query import connect, posts_relation_sql  # noqa: E402
from counterspell.rules.engine import hits  # noqa: E402
from counterspell.rules.model import BUILTIN, Rule  # noqa: E402

TEN = [
    *BUILTIN,
    Rule.make("requests", "role = 'request' AND role_score >= 0.7"),
    Rule.make("repeat-requester", "role = 'request' AND author_requests_before >= 3"),
    Rule.make("fulfilled-campaign", "campaign_fulfilled AND campaign_members >= 5"),
    Rule.make("banked", "bank_matches > 0 AND bank_min_distance <= 10"),
    Rule.make("repost", "role = 'distribution' AND media_seen_before"),
    Rule.make("invites", "list_has_any(destinations, ['telegram', 'discord']) AND is_reply"),
]


def floor_seconds(ws: Workspace) -> float:
    t0 = time.perf_counter()
    connect(ws).sql(
        f"""SELECT count(*) FROM {enriched_sql(ws)} e JOIN {posts_relation_sql(ws)} p USING (uid)
            WHERE e.role = 'request' AND p.is_op IS NOT NULL"""
    ).fetchall()
    return time.perf_counter() - t0


def backtest_row(n: int, network: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="cs-bench-rules-") as tmp:
        t0 = time.perf_counter()
        ws = build_lake(Path(tmp), n)
        if network:
            from counterspell.pipeline.network import build_network

            build_network(ws)
        print(f"  (lake of {n:,} posts in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        floor = floor_seconds(ws)
        t0 = time.perf_counter()
        table = hits(ws, TEN)
        seconds = time.perf_counter() - t0
        print(
            f"{n:>12,} {len(TEN):>6} {seconds:>8.1f} {floor:>8.1f} {seconds / floor:>6.1f} "
            f"{n / seconds:>11,.0f} {table.num_rows:>10,}"
        )


def shadow_row(posts: int) -> None:
    from counterspell.ingest import ingest
    from counterspell.pipeline.analyze import analyze
    from counterspell.store import rules
    from counterspell.store.db import Store, make_engine, upgrade
    from counterspell.synth import generate

    with tempfile.TemporaryDirectory(prefix="cs-bench-shadow-") as tmp:
        root = Path(tmp)
        generate(root / "corpus", posts=posts, seed=11)
        ws = Workspace.init(root / "ws")
        url = f"sqlite:///{root / 'ws' / 'store.sqlite'}"
        upgrade(make_engine(url), ws=ws)
        store = Store(ws, url)
        rules.run(store, "manual")  # the built-ins, and the watermark before the new posts
        ingest(ws, [str(root / "corpus")])
        t0 = time.perf_counter()
        analyze(ws)
        analyze_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = rules.run(store, "analyze")
        rules_s = time.perf_counter() - t0
        store.close()
        print(
            f"shadow rules after analyze ({posts:,} new posts, {r.rules} rules, {r.hits:,} hits): "
            f"analyze {analyze_s:.1f} s, rules {rules_s:.2f} s = {rules_s / analyze_s:.1%} added"
        )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, action="append")
    ap.add_argument("--network", action="store_true")
    ap.add_argument("--shadow-posts", type=int, default=20_000)
    args = ap.parse_args()
    print(f"Rules ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs)")
    print(
        f"{'posts':>12} {'rules':>6} {'rules s':>8} {'floor s':>8} {'ratio':>6} "
        f"{'posts/s':>11} {'hits':>10}"
    )
    for n in args.posts or [1_000_000, 10_000_000]:
        backtest_row(n, args.network)
    shadow_row(args.shadow_posts)


if __name__ == "__main__":
    main()
