"""Requests/s and latency of the service's match and queue APIs, on SQLite and on PostgreSQL.

    python bench/service.py                    # 2,000 requests per endpoint, 8 clients
    python bench/service.py --requests 500 --clients 4

A synthetic lake (3,000 posts, hashed and analysed; a bank of 100,000 random PDQ hashes plus the
lake's own) is served by ``counterspell serve`` in its own process on loopback; clients are
threads with keep-alive connections and API tokens. Each endpoint gets a bounded number of
requests. The baseline, measured in the same run against the same server, is ``GET /healthz``
(the framework and the network stack alone, no store, no lake): ratios say what each endpoint
costs on top of that floor. An item's first visit (``first``: each of up to 500 items once)
reads its view from those ``queue sync`` built ahead (the store is prepared as the CLI's sync
leaves it), else from the lake; shown again (``again``, and the HTML page of the same items) it
comes from the service's cache, until the lake changes. PostgreSQL is measured when it answers at ``$COUNTERSPELL_TEST_PG``.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
import numpy as np  # noqa: E402

from counterspell.ingest import ingest  # noqa: E402
from counterspell.lake.workspace import Workspace  # noqa: E402
from counterspell.matching.banks import create_bank, import_hashes  # noqa: E402
from counterspell.pipeline.analyze import analyze  # noqa: E402
from counterspell.pipeline.hash_media import hash_media  # noqa: E402
from counterspell.store import queue  # noqa: E402
from counterspell.store.accounts import add_user, create_token  # noqa: E402
from counterspell.store.db import Store, make_engine, upgrade  # noqa: E402
from counterspell.synth import generate  # noqa: E402
from counterspell.web import prebuilt  # noqa: E402

PG = os.environ.get("COUNTERSPELL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def build(tmp: Path) -> tuple[Workspace, list[str]]:
    generate(tmp / "corpus", posts=3000, seed=7)
    ws = Workspace.init(tmp / "ws")
    ingest(ws, [str(tmp / "corpus")])
    hash_media(ws)
    analyze(ws, workers=1)
    import duckdb

    lake_pdq = [r[0] for r in duckdb.execute(
        f"SELECT DISTINCT pdq FROM read_parquet('{ws.dataset_glob('media')}') WHERE pdq_quality >= 50"
    ).fetchall()]  # fmt: skip
    rng = np.random.default_rng(5)
    random_pdq = [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(100_000)]
    (tmp / "bank.txt").write_text(
        "".join(f"pdq {h}\n" for h in random_pdq + lake_pdq), encoding="utf-8"
    )
    create_bank(ws, "bench")
    import_hashes(ws, "bench", tmp / "bank.txt")
    queries = lake_pdq[:5] + random_pdq[:5]
    return ws, queries


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(ws: Workspace, url: str, clients: int) -> dict[str, list[str]]:
    """API tokens: one analyst shared by all clients, and a reviewer of its own for each client
    (reviewers claim items; one reviewer in eight threads would keep being handed its own item)."""
    upgrade(make_engine(url))
    store = Store(ws, url)
    names = {
        "analyst": ["bench-analyst"],
        "reviewer": [f"bench-reviewer-{k}" for k in range(clients)],
    }
    with store.begin() as conn:
        for role, users in names.items():
            for u in users:
                add_user(conn, u, role, "bench password 123")
    queue.sync(store)
    prebuilt.build(store)  # what `counterspell queue sync` does after the sync
    with store.begin() as conn:
        tokens = {r: [create_token(conn, u, "bench") for u in users] for r, users in names.items()}
    store.close()
    return tokens


def drive(
    base: str,
    tokens: list[str],
    requests: int,
    clients: int,
    call: Callable[[httpx.Client, int], httpx.Response],
) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) of ``requests`` calls spread over ``clients`` threads."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per = requests // clients

    def worker(k: int) -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        token = tokens[k % len(tokens)]
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as c:
            for i in range(per):
                t0 = time.perf_counter()
                r = call(c, k * per + i)
                mine.append(time.perf_counter() - t0)
                bad += r.status_code >= 400
        with lock:
            latencies.extend(mine)
            errors += bad

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / wall, q[49] * 1000, q[98] * 1000, errors


def run_backend(
    label: str, ws: Workspace, url: str, queries: list[str], requests: int, clients: int
) -> None:
    tokens = prepare(ws, url, clients)
    port = free_port()
    env = {**os.environ, "COUNTERSPELL_DB": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "counterspell", "-w", str(ws.root), "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit(
                f"server did not start: {server.stderr.read() if server.stderr else ''}"
            )
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {tokens['analyst'][0]}"}
        ) as c:
            ids = [it["id"] for it in c.get("/api/queue", params={"limit": 500}).json()["items"]]

        def decide(c: httpx.Client, i: int) -> httpx.Response:
            got = c.post("/api/queue/next").json()["item"]
            if got is None:
                return c.get("/healthz")
            return c.post(
                f"/api/queue/{got['id']}/decision", json={"action": "confirm", "note": "bench"}
            )

        item = lambda c, i: c.get(f"/api/queue/{ids[i % len(ids)]}")  # noqa: E731
        cases: list[tuple[str, str, Callable[[httpx.Client, int], httpx.Response]]] = [
            ("GET /healthz (baseline)", "analyst", lambda c, i: c.get("/healthz")),
            ("GET /api/queue?limit=50", "analyst", lambda c, i: c.get("/api/queue", params={"limit": 50})),
            ("GET /queue (page, 100)", "analyst", lambda c, i: c.get("/queue")),
            ("GET /api/queue/{id} first", "analyst", item),
            ("GET /api/queue/{id} again", "analyst", item),
            ("GET /queue/{id} (page)", "analyst", lambda c, i: c.get(f"/queue/{ids[i % len(ids)]}")),
            ("POST /api/match (1 PDQ)", "analyst", lambda c, i: c.post("/api/match", json={"hashes": [f"pdq {queries[i % len(queries)]}"]})),
            ("POST /api/match (10 PDQ)", "analyst", lambda c, i: c.post("/api/match", json={"hashes": [f"pdq {q}" for q in queries]})),
            ("claim next + decide", "reviewer", decide),
        ]  # fmt: skip
        floor = None
        for name, role, call in cases:
            # each item once on a first visit (what a cache cannot help), and as many decisions
            # as there are items; the other cases repeat as often as asked
            once = name in ("claim next + decide", "GET /api/queue/{id} first")
            n = min(requests, len(ids)) if once else requests
            rps, p50, p99, errors = drive(base, tokens[role], n, clients, call)
            floor = floor or rps
            print(
                f"{label:<11} {name:<26} {rps:>9,.0f} {p50:>8.1f} {p99:>8.1f} {rps / floor:>7.2f} {errors:>6}"
            )
    finally:
        server.terminate()
        server.wait(10)


def postgres_url() -> str | None:
    try:
        import psycopg

        schema = "cs_bench_" + secrets.token_hex(4)
        with psycopg.connect(
            re.sub(r"^postgresql\+psycopg", "postgresql", PG), connect_timeout=3, autocommit=True
        ) as c:
            c.execute(f"CREATE SCHEMA {schema}")
        return f"{PG}?options=-csearch_path%3D{schema}"
    except Exception as exc:
        print(f"PostgreSQL not measured: {exc}")
        return None


def drop_schema(url: str) -> None:
    import psycopg

    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(re.sub(r"^postgresql\+psycopg", "postgresql", PG), autocommit=True) as c:
        c.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cs-bench-service-") as tmp:
        ws, queries = build(Path(tmp))
        print(
            f"counterspell serve ({time.strftime('%Y-%m-%d')}), {args.requests:,} requests per endpoint, {args.clients} clients, bank of {100_000 + 5:,}+ PDQ hashes"
        )
        print(
            f"{'store':<11} {'endpoint':<26} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs floor':>7} {'errors':>6}"
        )
        run_backend(
            "sqlite", ws, f"sqlite:///{tmp}/store.sqlite", queries, args.requests, args.clients
        )
        pg = postgres_url()
        if pg:
            try:
                run_backend("postgresql", ws, pg, queries, args.requests, args.clients)
            finally:
                drop_schema(pg)


if __name__ == "__main__":
    main()
