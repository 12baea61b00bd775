"""Ingest throughput and peak memory, against the time orjson alone needs to parse the same bytes.

    python bench/ingest.py                 # 1,000,000 posts per format
    python bench/ingest.py --posts 50000   # quick look

For each format (4chan thread JSON, Telegram Desktop export, DiscordChatExporter export) it
writes N posts by tiling messages from a synthetic corpus, then measures in the same run:

* the floor: reading every file and ``orjson.loads`` on it (no mapping, no writing);
* ``counterspell ingest`` in a fresh workspace, as a subprocess (wall time and peak RSS).

It prints posts/s, the ratio ingest/floor (goal: <= 3x) and peak memory (goal: < 1 GB). On a
shared machine wall time depends on the neighbours, so it also prints the ratio of CPU seconds
(user + system, the ingest process and its workers against the floor's process).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from counterspell.synth import generate  # noqa: E402


def _template(tmp: Path) -> Path:
    corpus = tmp / "template"
    generate(corpus, posts=6000, seed=11, media_files=False)
    return corpus


def write_4chan(corpus: Path, out: Path, n: int) -> None:
    threads = [
        orjson.loads(p.read_bytes())["posts"]
        for p in sorted((corpus / "4chan" / "r" / "thread").glob("*.json"))
    ]
    posts_per = 150
    next_no = 100_000_000
    written = 0
    (out / "r" / "thread").mkdir(parents=True)
    i = 0
    while written < n:
        src = threads[i % len(threads)]
        i += 1
        k = min(posts_per, n - written)
        posts = []
        op = next_no
        for j in range(k):
            p = dict(src[j % len(src)])
            p["no"] = next_no
            p["resto"] = 0 if j == 0 else op
            next_no += 1
            posts.append(p)
        (out / "r" / "thread" / f"{op}.json").write_bytes(orjson.dumps({"posts": posts}))
        written += k


def write_telegram(corpus: Path, out: Path, n: int) -> None:
    src_path = next((corpus / "telegram").glob("ChatExport_17*/result.json"))
    doc = orjson.loads(src_path.read_bytes())
    msgs = [m for m in doc["messages"] if "photo" not in m]
    out.mkdir(parents=True)
    with open(out / "result.json", "w", encoding="utf-8") as f:
        f.write(
            '{\n "name": "Bench group",\n "type": "private_supergroup",\n "id": 4242,\n "messages": ['
        )
        for i in range(n):
            m = dict(msgs[i % len(msgs)])
            m["id"] = i + 1
            m.pop("reply_to_message_id", None)
            f.write(("\n" if i == 0 else ",\n") + json.dumps(m, ensure_ascii=False, indent=1))
        f.write("\n ]\n}\n")


def write_discord(corpus: Path, out: Path, n: int) -> None:
    src_path = next((corpus / "discord").glob("*requests*.json"))
    doc = orjson.loads(src_path.read_bytes())
    msgs = doc["messages"]
    out.mkdir(parents=True)
    with open(out / "bench.json", "w", encoding="utf-8") as f:
        head = {"guild": doc["guild"], "channel": doc["channel"], "dateRange": doc["dateRange"]}
        f.write(orjson.dumps(head, option=orjson.OPT_INDENT_2).decode()[:-2] + ',\n  "messages": [')
        for i in range(n):
            m = copy.deepcopy(msgs[i % len(msgs)])
            m["id"] = str(10**18 + i)
            m.pop("reference", None)
            f.write(
                ("\n" if i == 0 else ",\n") + orjson.dumps(m, option=orjson.OPT_INDENT_2).decode()
            )
        f.write(f'\n  ],\n  "messageCount": {n}\n}}\n')


_FLOOR = """
import sys, time, orjson, pathlib
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.json"))
t0, c0 = time.perf_counter(), time.process_time()
for p in files:
    orjson.loads(p.read_bytes())
print(time.perf_counter() - t0, time.process_time() - c0)
"""


def orjson_floor(folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds orjson needs to read and parse every file, in its own process:
    parsing a huge file in this process would leave it bloated, and measured children inherit
    that state."""
    out = subprocess.run(
        [sys.executable, "-c", _FLOOR, str(folder)], capture_output=True, text=True, check=True
    )
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def run_ingest(folder: Path, ws: Path) -> tuple[float, float, float, str]:
    exe = [sys.executable, "-m", "counterspell"]
    subprocess.run([*exe, "init", str(ws)], check=True, capture_output=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*exe, "-w", str(ws), "ingest", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    out = proc.stdout.read().decode() if proc.stdout else ""
    if status != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"ingest failed: {err}")
    cpu = usage.ru_utime + usage.ru_stime  # wait4: the process and the workers it reaped
    return elapsed, cpu, usage.ru_maxrss / 1024, out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=1_000_000, help="posts per format")
    ap.add_argument("--formats", default="4chan,telegram,discord")
    args = ap.parse_args()
    writers = {"4chan": write_4chan, "telegram": write_telegram, "discord": write_discord}
    rows = []
    with tempfile.TemporaryDirectory(prefix="cs-bench-") as tmpdir:
        tmp = Path(tmpdir)
        corpus = _template(tmp)
        for fmt in args.formats.split(","):
            data = tmp / f"data-{fmt}"
            writers[fmt](corpus, data, args.posts)
            size = sum(p.stat().st_size for p in data.rglob("*.json"))
            elapsed, cpu, peak_mb, _ = run_ingest(data, tmp / f"ws-{fmt}")
            floor, floor_cpu = orjson_floor(data)
            rows.append((fmt, args.posts, size / 1e6, floor, elapsed, peak_mb, cpu / floor_cpu))
            print(f"{fmt}: done", file=sys.stderr, flush=True)
    print(
        f"\nIngest benchmark, {args.posts:,} posts per format ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs)"
    )
    print(
        f"{'format':<10}{'MB':>9}{'orjson s':>10}{'ingest s':>10}{'ratio':>8}{'cpu ratio':>10}{'posts/s':>11}{'peak MB':>9}"
    )
    for fmt, n, mb, floor, elapsed, peak, cpu_ratio in rows:
        print(
            f"{fmt:<10}{mb:>9.0f}{floor:>10.2f}{elapsed:>10.2f}{elapsed / floor:>7.1f}x{cpu_ratio:>9.1f}x{n / elapsed:>11,.0f}{peak:>9.0f}"
        )
    print(
        "goal: ratio <= 3x (orjson parse is the practical floor), peak memory < 1024 MB at any size"
    )


if __name__ == "__main__":
    main()
