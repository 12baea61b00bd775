"""Did a change make the service dearer? Server CPU per request, this tree against an earlier one.

    python bench/service_ab.py --before f501698          # PostgreSQL, 600 requests per endpoint
    python bench/service_ab.py --before HEAD~3 --db sqlite

Endpoints: /healthz, the queue list, the match API, and an item: its first visit (each of up to
``--requests`` items once, nothing in the service's memory; the views ``queue sync`` built are
read where the tree builds them, as its own ``bench/service.py`` prepares the store), again, and
its HTML page.

Requests per second on a shared two-core machine moved by up to 26% between two runs of the same
code (docs/benchmarks.md), enough to invent a regression. This benchmark reads what is steadier:
the CPU seconds the ``serve`` process (and PostgreSQL's backends) spend per request, from the
kernel's accounting, in ABBA order (before, after, after, before) so that a machine getting
slower or faster during the run cancels out. Each tree serves its own code (``PYTHONPATH``) on a
lake and store built by its own code, exactly as ``bench/service.py`` builds them; the baseline
is the earlier tree measured in the same run, and ratios are after / before.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside the tree under test (its own bench/service.py and src/), prints one JSON line.
_ONE = r"""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path
tree, db, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
sys.path[:0] = [str(tree / "src"), str(tree / "bench")]
import httpx, psutil
import service as S

def pg_cpu():
    t = 0.0
    for q in psutil.process_iter(["name"]):
        try:
            if (q.info["name"] or "").startswith("postgres"):
                c = q.cpu_times(); t += c.user + c.system
        except psutil.Error:
            pass
    return t

def main():
    with tempfile.TemporaryDirectory() as d:
        ws, queries = S.build(Path(d))
        url = S.postgres_url() if db == "postgresql" else f"sqlite:///{ws.root / 'store.sqlite'}"
        if url is None:
            raise SystemExit("PostgreSQL does not answer")
        tokens = S.prepare(ws, url, 4)
        port = S.free_port()
        env = {**os.environ, "COUNTERSPELL_DB": url, "PYTHONPATH": str(tree / "src")}
        server = subprocess.Popen(
            [sys.executable, "-m", "counterspell", "-w", str(ws.root), "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            proc = psutil.Process(server.pid)
            with httpx.Client(base_url=base,
                              headers={"Authorization": f"Bearer {tokens['analyst'][0]}"}) as c:
                ids = [it["id"] for it in c.get("/api/queue", params={"limit": 500}).json()["items"]]
            item = lambda c, i: c.get(f"/api/queue/{ids[i % len(ids)]}")
            cases = {
                "GET /healthz": lambda c, i: c.get("/healthz"),
                "GET /api/queue?limit=50": lambda c, i: c.get("/api/queue", params={"limit": 50}),
                "POST /api/match (1 PDQ)": lambda c, i: c.post(
                    "/api/match", json={"hashes": [f"pdq {queries[i % len(queries)]}"]}),
                "POST /api/match (10 PDQ)": lambda c, i: c.post(
                    "/api/match", json={"hashes": [f"pdq {q}" for q in queries]}),
                # each item once, nothing cached (no warm-up), then the same items again
                "GET /api/queue/{id} first": item,
                "GET /api/queue/{id} again": item,
                "GET /queue/{id} (page)": lambda c, i: c.get(f"/queue/{ids[i % len(ids)]}"),
            }
            out = {}
            for name, call in cases.items():
                first = name.endswith("first")
                if not first:
                    S.drive(base, tokens["analyst"], 40, 4, call)  # warm the caches
                m = min(n, len(ids)) if first else n
                c0, g0 = sum(proc.cpu_times()[:2]), pg_cpu()
                rps, _p50, _p99, errors = S.drive(base, tokens["analyst"], m, 4, call)
                c1, g1 = sum(proc.cpu_times()[:2]), pg_cpu()
                out[name] = {"rps": rps, "server_ms": (c1 - c0) * 1000 / m,
                             "db_ms": (g1 - g0) * 1000 / m, "errors": errors}
            print(json.dumps(out))
        finally:
            server.terminate()
            server.wait(10)
            if db == "postgresql":
                S.drop_schema(url)

if __name__ == "__main__":
    main()
"""


def measure(tree: Path, db: str, n: int, script: Path) -> dict[str, dict[str, float]]:
    done = subprocess.run(
        [sys.executable, str(script), str(tree), db, str(n)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode or not lines:
        raise SystemExit(f"{tree}: the run failed\n{done.stderr[-3000:]}")
    result: dict[str, dict[str, float]] = json.loads(lines[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--before", required=True, help="the earlier commit (any git revision)")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--requests", type=int, default=600)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(before), args.before],
            check=True,
        )
        script = Path(tmp) / "one.py"
        script.write_text(_ONE, encoding="utf-8")
        try:
            order = [("before", before), ("after", ROOT), ("after", ROOT), ("before", before)]
            runs = [(label, measure(tree, args.db, args.requests, script)) for label, tree in order]
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=False
            )
    print(
        f"{args.db}, {args.requests} requests per endpoint, 4 clients, ABBA (before {args.before})"
    )
    print(f"{'endpoint':<26} {'server ms/req before':>21} {'after':>7} {'ratio':>6} "
          f"{'db ms/req ratio':>16} {'req/s ratio':>12} {'req/s before':>13} {'after':>7} "
          f"{'vs /healthz before':>19} {'after':>6}")  # fmt: skip
    floor = {lab: statistics.fmean(r["GET /healthz"]["rps"] for la, r in runs if la == lab)
             for lab in ("before", "after")}  # fmt: skip
    for name in runs[0][1]:

        def mean(label: str, key: str, name: str = name) -> float:
            return statistics.fmean(r[name][key] for lab, r in runs if lab == label)

        sb, sa = mean("before", "server_ms"), mean("after", "server_ms")
        db_b, db_a = mean("before", "db_ms"), mean("after", "db_ms")
        db_ratio = f"{db_a / db_b:.2f}" if db_b > 0.01 else "-"
        rb, ra = mean("before", "rps"), mean("after", "rps")
        print(f"{name:<26} {sb:>21.2f} {sa:>7.2f} {sa / sb:>6.2f} {db_ratio:>16} "
              f"{ra / rb:>12.2f} {rb:>13.0f} {ra:>7.0f} {rb / floor['before']:>19.2f} "
              f"{ra / floor['after']:>6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
