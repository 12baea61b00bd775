"""How ``analyze`` scales with workers, locally and on Dask, and what the coordinator holds.

    python bench/scaling.py                  # 200,000 synthetic posts
    python bench/scaling.py --posts 1000000

One corpus is ingested once; then ``counterspell analyze --all`` (text stages and graph stages)
runs in a fresh process per configuration: one local process, two local processes, and a Dask
``LocalCluster`` of two workers. Prints seconds, posts/s, the speed-up over one process, and the
coordinator's peak memory (VmHWM of the process that runs the command; workers are separate).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from counterspell import Workspace, ingest  # noqa: E402
from counterspell.synth import generate  # noqa: E402

CONFIGS = [("local", 1), ("local", 2), ("dask", 2)]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=200_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cs-bench-scaling-") as tmp:
        summary = generate(Path(tmp) / "corpus", posts=args.posts, seed=61, media_files=False)
        ws = Workspace.init(Path(tmp) / "ws")
        ingest(ws, [str(Path(tmp) / "corpus")])
        print(f"analyze --all on {summary.posts:,} posts ({time.strftime('%Y-%m-%d')})")
        print(
            f"{'executor':>9} {'workers':>8} {'s':>8} {'posts/s':>9} {'speed-up':>9} {'coordinator MB':>15}"
        )
        base = None
        for name, workers in CONFIGS:
            cmd = [sys.executable, str(ROOT / "bench" / "peak.py"), "-w", str(ws.root), "analyze", "--all",
                   "--executor", name, "--workers", str(workers)]  # fmt: skip
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            seconds = time.perf_counter() - t0
            if proc.returncode:
                sys.exit(f"{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
            peak = next(
                float(x.split()[1]) for x in proc.stderr.splitlines() if x.startswith("PEAK_MB")
            )
            base = base or seconds
            print(
                f"{name:>9} {workers:>8} {seconds:>8.1f} {summary.posts / seconds:>9,.0f} {base / seconds:>8.2f}x {peak:>15,.0f}"
            )


if __name__ == "__main__":
    main()
