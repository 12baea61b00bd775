"""Time and peak memory of ``counterspell report`` at 100k and 1M posts.

    python bench/report.py                   # 100,000 and 1,000,000 posts
    python bench/report.py --posts 300000

The lake is the one ``bench/campaigns.py`` writes (posts, enrichments, media), with the graph
stages run on it, so every section of the report has data. The report runs in a fresh process;
its VmHWM is the peak memory. Goal: 1M posts in under a minute and 2 GB. The baseline, measured
in the same run, is DuckDB scanning the columns the report reads once (the least any report over
the lake must do).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.campaigns import build_lake  # noqa: E402
from counterspell.pipeline.network import build_network  # noqa: E402


def scan_seconds(ws_root: Path) -> float:
    import duckdb

    t0 = time.perf_counter()
    duckdb.execute(
        f"""SELECT count(*), sum(len(p.media)), count(DISTINCT p.author_key), count(e.role), sum(len(e.links))
            FROM read_parquet('{ws_root}/lake/posts/**/*.parquet') p
            JOIN read_parquet('{ws_root}/lake/enrichments/**/*.parquet') e USING (uid)"""
    ).fetchall()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, action="append")
    args = ap.parse_args()
    print(f"counterspell report ({time.strftime('%Y-%m-%d')})")
    print(
        f"{'posts':>12} {'report s':>9} {'scan s':>7} {'ratio':>6} {'peak MB':>8}  (goal: 1M posts < 60 s, < 2,048 MB)"
    )
    for n in args.posts or [100_000, 1_000_000]:
        with tempfile.TemporaryDirectory(prefix="cs-bench-report-") as tmp:
            ws = build_lake(Path(tmp), n)
            build_network(ws)
            scan = scan_seconds(ws.root)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, str(ROOT / "bench" / "peak.py"), "-w", str(ws.root), "report", "-o", f"{tmp}/out"],
                capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            seconds = time.perf_counter() - t0
            if proc.returncode:
                sys.exit(f"report failed:\n{proc.stdout}\n{proc.stderr}")
            peak = next(
                float(line.split()[1])
                for line in proc.stderr.splitlines()
                if line.startswith("PEAK_MB")
            )
            print(f"{n:>12,} {seconds:>9.1f} {scan:>7.2f} {seconds / scan:>5.0f}x {peak:>8.0f}")


if __name__ == "__main__":
    main()
