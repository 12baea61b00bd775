"""How hashing, analysis, matching and the report scale with workers, locally and on Dask, and
what the coordinator holds.

    python bench/scaling.py                  # 200,000 synthetic posts (about 39,000 images)
    python bench/scaling.py --posts 1000000

One corpus (with its image files) is ingested once and a bank is made of every tenth picture.
Then, per configuration (one local process, two local processes, a Dask ``LocalCluster`` of two
workers started by each command, and one started once that every command joins), each step
runs in a fresh process on the same lake: ``hash-media`` (from scratch),
``analyze --all`` (text and graph stages) and ``match --bank``, then ``report``. Prints seconds
per step, posts/s over the first three (the issue's measure), the speed-up over one process, the
coordinator's peak memory over those three (VmHWM of the process that runs the command; workers
are separate processes), then the report's seconds, speed-up and peak memory. ``report`` is one
DuckDB pass here with the local executor (DuckDB uses every core anyway) and reads the lake one
community per task on Dask.
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


import duckdb  # noqa: E402

from counterspell import Workspace, ingest  # noqa: E402
from counterspell.executors.dask import DaskExecutor  # noqa: E402
from counterspell.matching.banks import create_bank, import_hashes  # noqa: E402
from counterspell.pipeline.hash_media import hash_media  # noqa: E402
from counterspell.synth import generate  # noqa: E402

# "dask": each command starts its own LocalCluster (what `--executor dask` alone does);
# "dask-running": one LocalCluster started here before the steps, which every command joins with
# --scheduler, as commands join a deployed cluster (its start-up is not the commands' work)
CONFIGS = [("local", 1), ("local", 2), ("dask", 2), ("dask-running", 2)]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=200_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cs-bench-scaling-") as tmp:
        summary = generate(Path(tmp) / "corpus", posts=args.posts, seed=61)
        ws = Workspace.init(Path(tmp) / "ws")
        ingest(ws, [str(Path(tmp) / "corpus")])
        hash_media(ws)  # once, to make the bank; every configuration hashes again from scratch
        pdqs = duckdb.execute(
            f"SELECT DISTINCT pdq FROM read_parquet('{ws.dataset_glob('media')}') WHERE pdq_quality >= 50 ORDER BY pdq"
        ).fetchall()[::10]
        (Path(tmp) / "bank.txt").write_text(
            "".join(f"pdq {p}\n" for (p,) in pdqs), encoding="utf-8"
        )
        create_bank(ws, "scaling")
        import_hashes(ws, "scaling", Path(tmp) / "bank.txt")
        print(
            f"hash-media + analyze --all + match on {summary.posts:,} posts, bank of {len(pdqs):,} "
            f"({time.strftime('%Y-%m-%d')})"
        )
        print(
            f"{'executor':>12} {'workers':>8} {'hash s':>7} {'analyze s':>10} {'match s':>8} {'total s':>8} "
            f"{'posts/s':>8} {'speed-up':>9} {'coord. MB':>10} {'report s':>9} {'speed-up':>9} {'report MB':>10}"
        )
        base = base_report = None
        for name, workers in CONFIGS:
            cluster = None
            executor = ["--executor", name, "--workers", str(workers)]
            if name == "dask-running":
                cluster = DaskExecutor(workers)  # its LocalCluster, as `--executor dask` makes
                executor = ["--executor", "dask", "--scheduler", cluster.cluster.scheduler_address]
            for dataset in ("media", "matches"):
                ws.dataset(dataset).rmtree()
            report = ["report", "-o", str(Path(tmp) / f"report-{name}-{workers}")]
            steps = [["hash-media"], ["analyze", "--all"], ["match", "--bank", "scaling"], report]
            times, peaks = [], []
            for step in steps:
                cmd = [sys.executable, str(ROOT / "bench" / "peak.py"), "-w", str(ws.root), *step,
                       *executor]  # fmt: skip
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
                times.append(time.perf_counter() - t0)
                if proc.returncode:
                    sys.exit(
                        f"{name} {step[0]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
                    )
                peaks.append(
                    next(
                        float(x.split()[1])
                        for x in proc.stderr.splitlines()
                        if x.startswith("PEAK_MB")
                    )
                )
            if cluster is not None:
                cluster.close()
            total = sum(times[:3])
            base = base or total
            base_report = base_report or times[3]
            print(
                f"{name:>12} {workers:>8} {times[0]:>7.1f} {times[1]:>10.1f} {times[2]:>8.1f} {total:>8.1f} "
                f"{summary.posts / total:>8,.0f} {base / total:>8.2f}x {max(peaks[:3]):>10,.0f} "
                f"{times[3]:>9.1f} {base_report / times[3]:>8.2f}x {peaks[3]:>10,.0f}"
            )


if __name__ == "__main__":
    main()
