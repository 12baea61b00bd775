"""Throughput of the text stages on one core, the model's share, and pathological inputs.

    python bench/analyze.py                 # 1,000,000 synthetic posts
    python bench/analyze.py --posts 100000

Measures, in one process on one core (BLAS threads pinned to 1):

* posts/s through every text stage (normalisation, invites, flags, tools, targets, rules and the
  role model), on posts read from a lake built from the synthetic generator;
* the share of that time spent in the model (feature hashing and scoring);
* per pathological input (1 MB posts built to trip regexes), the time per post against a budget
  of 1 second; a regex with catastrophic backtracking would blow through it.

Goal: at least 10,000 posts/s per core (issue #14), whatever the model becomes.
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

from counterspell import Workspace, ingest  # noqa: E402
from counterspell.lake.query import communities  # noqa: E402
from counterspell.pipeline.analyze import _batches  # noqa: E402
from counterspell.stages import roles as R  # noqa: E402
from counterspell.stages.normalize import normalise  # noqa: E402
from counterspell.stages.text import text_signals, thread_posts  # noqa: E402
from counterspell.stages.thread import ThreadPass, ThreadPost  # noqa: E402
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
        batches = [batch.to_pydict() for p, c, _ in communities(ws) for batch in _batches(ws, p, c)]
        print(
            f"prepared {sum(len(b['uid']) for b in batches):,} posts in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
        )
    model = R.RoleModel.load()
    # the floor: normalisation alone, measured in the same run
    t0 = time.perf_counter()
    for cols in batches:
        for text in cols["text"]:
            normalise(text or "")
    t_floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    signals = [
        {
            i: text_signals(cols["text"][i] or "", cols["subject"][i], cols["links"][i])
            for i in range(len(cols["uid"]))
        }
        for cols in batches
    ]
    t_text = time.perf_counter() - t0
    posts = [thread_posts(cols, sig) for cols, sig in zip(batches, signals, strict=True)]
    t0 = time.perf_counter()
    feats = [R.text_tokens(p.view) for batch in posts for p in batch if p.view is not None]
    model.text_logits(feats)
    t_model = time.perf_counter() - t0
    t0 = time.perf_counter()
    judge = ThreadPass(model)  # one community's state is enough for timing
    for batch in posts:
        judge.judge(batch, explain=True)
    t_classify = time.perf_counter() - t0  # text model + thread waves + context model + why
    total = t_text + t_classify
    n = sum(len(b) for b in posts)
    print(
        f"\nText stages on one core, {n:,} synthetic posts ({time.strftime('%Y-%m-%d')}, model {model.version})"
    )
    print(
        f"  normalisation alone (the floor):                          {t_floor:7.1f} s  {n / t_floor:>10,.0f} posts/s"
    )
    print(
        f"  text signals (normalise, invites, flags, tools, targets): {t_text:7.1f} s  {n / t_text:>10,.0f} posts/s"
    )
    print(
        f"  roles (text model, thread waves, context model, why):     {t_classify:7.1f} s  {n / t_classify:>10,.0f} posts/s"
    )
    print(
        f"  all text stages:                                          {total:7.1f} s  {n / total:>10,.0f} posts/s  (goal 10,000; {total / t_floor:.1f}x the floor)"
    )
    print(f"  text model's share (features, scoring): {t_model / total:.0%}")
    print(f"\nPathological posts (budget {BUDGET_S:.0f} s each):")
    for name, text in PATHOLOGICAL.items():
        t0 = time.perf_counter()
        s = text_signals(text)
        v = R.PostView(norm=s.norm, cues=s.cues, destinations=s.destinations, has_link=bool(s.links), is_op=False,
                       has_media=False, platform="4chan", kind="post", reactions=0, is_reply=False)  # fmt: skip
        ThreadPass(model).judge([ThreadPost("x", "t", 0.0, [], None, v)])
        dt = time.perf_counter() - t0
        print(
            f"  {name:<24} {len(text):>9,} chars {dt * 1000:8.1f} ms  {'ok' if dt < BUDGET_S else 'OVER BUDGET'}"
        )


if __name__ == "__main__":
    main()
