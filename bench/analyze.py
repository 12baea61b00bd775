"""Throughput of the text stages on one core, the model's share, and pathological inputs.

    python bench/analyze.py                 # 1,000,000 synthetic posts
    python bench/analyze.py --posts 100000

Measures, in one process on one core (BLAS threads pinned to 1):

* posts/s through every text stage (normalisation, invites, flags, tools, targets, rules and the
  role model), on posts read from a lake built from the synthetic generator;
* the share of that time spent in the model (feature hashing and scoring);
* per pathological input (1 MB posts built to trip regexes), the time per post against a budget
  of 1 second; a regex with catastrophic backtracking would blow through it.

Goal: at least 20,000 posts/s per core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import duckdb  # noqa: E402

from counterspell import Workspace, ingest  # noqa: E402
from counterspell.lake.query import posts_relation_sql  # noqa: E402
from counterspell.stages import roles as R  # noqa: E402
from counterspell.stages.analyze import text_signals  # noqa: E402
from counterspell.synth import generate  # noqa: E402

PATHOLOGICAL = {
    "1 MB of one letter": "a" * 1_000_000,
    "1 MB of spaced letters": "d i s c o r d " * 71_429,
    "t dot t dot ...": "t dot " * 166_000,
    "kik kik kik ...": "kik " * 250_000,
    "digits and leet": "1a3e5s7t0o" * 100_000,
    "open brackets": "[.](" * 250_000,
    "angle brackets": "<" * 1_000_000,
    "emoji": "🔥" * 250_000,
    "she's she's ...": "she's " * 166_000,
    "urls without end": "https://" + "a." * 500_000,
    "long word": "x" * 1_000_000,
    "mixed scripts": "dіscоrd ｄｉｓｃｏｒｄ " * 40_000,
}
BUDGET_S = 1.0


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=1_000_000)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    with tempfile.TemporaryDirectory(prefix="cs-bench-analyze-") as tmp:
        t0 = time.perf_counter()
        generate(Path(tmp) / "corpus", posts=args.posts, seed=77, media_files=False)
        ws = Workspace.init(Path(tmp) / "ws")
        ingest(ws, [str(Path(tmp) / "corpus")])
        rows = duckdb.execute(
            f"SELECT text, subject, links, len(media) > 0, is_op, kind, platform, len(parent_uids) > 0 FROM {posts_relation_sql(ws)}"
        ).fetchall()
        print(f"prepared {len(rows):,} posts in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    model = R.RoleModel.load()

    t0 = time.perf_counter()
    signals = [text_signals(text or "", subject, links) for text, subject, links, *_ in rows]
    t_text = time.perf_counter() - t0
    views = [
        R.PostView(
            norm=s.norm,
            cues=s.cues,
            destinations=s.destinations,
            has_link=bool(s.links),
            is_op=bool(r[4]),
            has_media=bool(r[3]),
            platform=r[6],
            kind=r[5] or "post",
            reactions=0,
            is_reply=bool(r[7]),
        )
        for s, r in zip(signals, rows, strict=True)
    ]
    t0 = time.perf_counter()
    feats = [R.hash_tokens(R.feature_tokens(v)) for v in views]
    model.logits(feats)
    t_model = time.perf_counter() - t0
    t0 = time.perf_counter()
    for start in range(0, len(views), 20_000):
        R.classify(views[start : start + 20_000], model, explain=True)
    t_classify = time.perf_counter() - t0  # rules + model + explanation
    total = t_text + t_classify
    n = len(rows)
    print(f"\nText stages on one core, {n:,} synthetic posts ({time.strftime('%Y-%m-%d')})")
    print(
        f"  text signals (normalise, invites, flags, tools, targets): {t_text:7.1f} s  {n / t_text:>10,.0f} posts/s"
    )
    print(
        f"  roles (rules + model + why):                              {t_classify:7.1f} s  {n / t_classify:>10,.0f} posts/s"
    )
    print(
        f"  all text stages:                                          {total:7.1f} s  {n / total:>10,.0f} posts/s  (goal 20,000)"
    )
    print(f"  model's share (hashing + scoring): {t_model / total:.0%}")
    print(f"\nPathological posts (budget {BUDGET_S:.0f} s each):")
    for name, text in PATHOLOGICAL.items():
        t0 = time.perf_counter()
        s = text_signals(text)
        v = R.PostView(norm=s.norm, cues=s.cues, destinations=s.destinations, has_link=bool(s.links), is_op=False,
                       has_media=False, platform="4chan", kind="post", reactions=0, is_reply=False)  # fmt: skip
        R.classify([v], model)
        dt = time.perf_counter() - t0
        print(
            f"  {name:<24} {len(text):>9,} chars {dt * 1000:8.1f} ms  {'ok' if dt < BUDGET_S else 'OVER BUDGET'}"
        )


if __name__ == "__main__":
    main()
