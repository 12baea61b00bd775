"""One contract for every executor: the same corpus gives the same lake, whichever runs it."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

from counterspell import Workspace, analyze, ingest
from counterspell.errors import CounterspellError
from counterspell.executors import LocalExecutor, get_executor
from counterspell.lake.query import connect
from counterspell.matching import banks as B
from counterspell.matching.match import match
from counterspell.pipeline.hash_media import hash_media
from counterspell.reports.data import Report, build_report
from counterspell.rules.engine import hits as rule_hits
from counterspell.rules.model import BUILTIN, Rule
from counterspell.synth import generate

_EVERY_GROUP = Rule.make(
    "every-group",
    "role <> 'other' AND (campaign_members > 1 OR author_posts_before > 0 OR bank_matches > 0"
    " OR media_seen_before OR links_to_media_destination)",
)


def _square(x: int) -> int:
    return x * x


def _without(row: dict[str, Any], column: str) -> dict[str, Any]:
    return {c: v for c, v in row.items() if c != column}


def _results(ws: Workspace, report: Report) -> dict[str, Any]:
    def rows(name: str, exclude: str = "") -> list[Any]:
        cols = f"* EXCLUDE ({exclude})" if exclude else "*"
        sql = (
            f"SELECT {cols} FROM read_parquet('{ws.dataset_glob(name)}', hive_partitioning = false)"
        )
        return sorted(connect().execute(sql).fetchall(), key=repr)  # reads s3:// lakes too

    return {
        "posts": rows("posts", "source"),  # source names the ingest run
        "media": rows("media", "hashed_at"),
        "enrichments": rows("enrichments", "analyzed_at"),
        "members": rows("campaign_members"),
        "clusters": rows("media_clusters"),
        "matches": rows("matches", "matched_at"),
        # the built-in rules and one over every group of fields hit the same posts
        "rule_hits": sorted(
            (r["k"], r["uid"]) for r in rule_hits(ws, [*BUILTIN, _EVERY_GROUP]).to_pylist()
        ),
        # every table and fact of the report, but when each input was ingested
        "report": (
            {k: [_without(r, "ingested_at") for r in rows] for k, rows in report.tables().items()},
            {k: f.text for k, f in report.facts().items()},
        ),
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("contract")
    generate(root / "corpus", posts=1200, seed=41)
    return root / "corpus"


# one pseudonym key for every workspace (each would otherwise make its own), inherited by workers
_KEY = "contract-test-key"


@pytest.fixture(scope="module")
def one(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The corpus run by one local process: what every other executor must give."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COUNTERSPELL_SECRET_HMAC_KEY", _KEY)
        return _run(corpus, tmp_path_factory.mktemp("one"), LocalExecutor(1))


def _run(corpus: Path, root: Path, executor: Any, lake_url: str | None = None) -> dict[str, Any]:
    ws = Workspace.init(root, lake_url=lake_url)
    try:
        ingest(ws, [str(corpus)], executor=executor)
        hash_media(ws, executor=executor)
        analyze(ws, executor=executor, workers=2)
        # a bank of every tenth picture, matched across the lake
        pdqs = (
            connect()
            .execute(
                f"SELECT DISTINCT pdq FROM read_parquet('{ws.dataset_glob('media')}') WHERE pdq_quality >= 50 ORDER BY pdq"
            )
            .fetchall()[::10]
        )
        hashes = root / "bank.txt"
        hashes.write_text("".join(f"pdq {p}\n" for (p,) in pdqs), encoding="utf-8")
        B.create_bank(ws, "contract")
        B.import_hashes(ws, "contract", hashes)
        match(ws, "contract", executor=executor)
        # the first run's report is the one DuckDB pass; the others read one community per task
        single = isinstance(executor, LocalExecutor) and executor.workers == 1
        report = build_report(ws, executor=None if single else executor)
    finally:
        executor.close()
    return _results(ws, report)


def _dask() -> Any:
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("dask[distributed] is not installed (pip install 'counterspell[dask]')")
    return get_executor("dask", workers=2)


def test_every_executor_gives_the_same_lake(
    corpus: Path, one: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTERSPELL_SECRET_HMAC_KEY", _KEY)
    assert one["enrichments"] and one["members"] and one["matches"] and one["rule_hits"]
    assert any(r[11] for r in one["media"])  # PDQs
    assert _run(corpus, tmp_path / "local2", LocalExecutor(2)) == one
    assert _run(corpus, tmp_path / "dask", _dask()) == one


def _watch_opens(root: str) -> None:
    """In a worker: remember every file Python opens under ``root`` (audit hooks stay for the
    worker's life, which ends with the test's cluster)."""
    import builtins
    import sys

    seen: list[str] = []
    builtins._counterspell_opened = seen  # type: ignore[attr-defined]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and isinstance(args[0], str) and args[0].startswith(root):
            seen.append(args[0])

    sys.addaudithook(hook)


def _opened(clear: bool = False) -> list[str]:
    import builtins

    seen: list[str] = getattr(builtins, "_counterspell_opened", [])
    found = list(seen)
    if clear:
        seen.clear()
    return found


def _read(path: str) -> int:
    with open(path, "rb") as f:
        return len(f.read())


def test_dask_workers_need_only_the_lake_url(
    corpus: Path,
    one: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3_endpoint: str,
) -> None:
    """The lake on an object store: workers read and write partitions there and get the rest
    (settings, key, model, the bank's index) from the coordinator, never from its folder."""
    monkeypatch.setenv("COUNTERSPELL_SECRET_HMAC_KEY", _KEY)
    one = copy.deepcopy(one)  # its configuration is edited below
    executor = _dask()
    assert executor.workers == 2  # what hash-media's shards and ingest's batches are cut for
    root = tmp_path / "remote"
    client = executor.client
    client.run(_watch_opens, str(root))
    probe = root / "probe.txt"  # the watch itself works: a worker reading here is seen
    root.mkdir()
    probe.write_text("x", encoding="utf-8")
    client.run(_read, str(probe))
    assert all(v == [str(probe)] for v in client.run(_opened, True).values())
    probe.unlink()
    opened: dict[str, list[str]] = {}
    close = executor.close

    def close_after_reading() -> None:  # _run closes the executor; read the workers first
        opened.update(client.run(_opened))
        close()

    executor.close = close_after_reading
    remote = _run(corpus, root, executor, lake_url=f"{s3_endpoint}/contract")
    config = remote["report"][0]["configuration"]
    assert {"setting": "lake_url", "value": f"{s3_endpoint}/contract"} in config
    config[:] = [r for r in config if r["setting"] != "lake_url"]
    one["report"][0]["configuration"][:] = [
        r for r in one["report"][0]["configuration"] if r["setting"] != "lake_url"
    ]
    assert one["posts"] and one["matches"] and remote == one
    assert not (root / "lake" / "posts").exists()  # the datasets went to the store
    assert (root / "lake" / "_state" / "manifest.sqlite").exists()  # the manifest stays here
    assert opened and not any(opened.values()), opened


def test_executors_map_in_order() -> None:
    for ex in (LocalExecutor(1), LocalExecutor(2)):
        assert ex.map(_square, list(range(7))) == [x * x for x in range(7)]


def test_unknown_executor_is_a_user_error() -> None:
    with pytest.raises(CounterspellError, match="--executor 'spark': choose one of local, dask"):
        get_executor("spark")


@pytest.mark.parametrize("lake", ["folder", "s3"])
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    lake: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Parts are written whole (a local rename, or an upload that completes) and a retried
    community skips what its dead worker committed."""
    import signal
    import threading
    import time

    monkeypatch.setenv("COUNTERSPELL_SECRET_HMAC_KEY", "kill-test-key")
    generate(tmp_path / "corpus", posts=6000, seed=43, media_files=False)
    url = f"{request.getfixturevalue('s3_endpoint')}/kill" if lake == "s3" else None
    ws = Workspace.init(tmp_path / "ws", lake_url=url)
    ingest(ws, [str(tmp_path / "corpus")])
    executor = _dask()
    client = executor.client
    pids = client.run(os.getpid)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            analyze(ws, executor=executor, workers=2, graph=False)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        ws.dataset("enrichments").rglob("part-*.parquet")
    ):
        time.sleep(0.02)
    busy: list[str] = []
    while time.monotonic() < deadline and not busy:  # a worker that is running a community now
        busy = [w for w, keys in client.processing().items() if keys]
        time.sleep(0.01)
    assert busy, "every community finished before a worker could be killed; make the corpus larger"
    os.kill(pids[busy[0]], signal.SIGKILL)  # mid-task: its community is retried elsewhere
    thread.join(timeout=300)
    executor.close()
    assert not thread.is_alive() and errors == []
    n_posts, n_rows, n_uids = (
        connect()
        .execute(
            f"""SELECT (SELECT count(*) FROM read_parquet('{ws.dataset_glob("posts")}', hive_partitioning = false)),
                   count(*), count(DISTINCT uid)
            FROM read_parquet('{ws.dataset_glob("enrichments")}', hive_partitioning = false)"""
        )
        .fetchall()[0]
    )
    assert n_rows == n_uids == n_posts


def test_the_run_resumes_after_the_coordinator_is_killed(tmp_path: Path) -> None:
    """SIGKILL the whole ``analyze --executor dask`` process group mid-run, run it again: the
    lake ends as one uninterrupted run leaves it, with nothing missing and nothing twice."""
    import signal
    import subprocess
    import sys
    import time

    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("dask[distributed] is not installed (pip install 'counterspell[dask]')")
    generate(tmp_path / "corpus", posts=6000, seed=44, media_files=False)
    env = {**os.environ, "COUNTERSPELL_SECRET_HMAC_KEY": "resume-test-key"}
    roots = {}
    for name in ("killed", "clean"):
        ws = Workspace.init(tmp_path / name)
        ingest(ws, [str(tmp_path / "corpus")])
        roots[name] = ws
    cmd = [sys.executable, "-m", "counterspell", "-w", str(roots["killed"].root), "analyze",
           "--executor", "dask", "--workers", "2", "--no-graph"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    parts = roots["killed"].dataset("enrichments")
    deadline = time.monotonic() + 120
    while (
        time.monotonic() < deadline
        and proc.poll() is None
        and not any(parts.rglob("part-*.parquet"))
    ):
        time.sleep(0.02)
    assert proc.poll() is None, "analyze finished before it could be killed; make the corpus larger"
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its LocalCluster, at once
    proc.wait(30)
    written = len(list(parts.rglob("part-*.parquet")))
    assert written >= 1
    # the killed run again on Dask; the clean one on local processes (every executor gives the
    # same lake: test_every_executor_gives_the_same_lake), which saves starting a third cluster
    on_local = [*cmd[:7], "local", *cmd[8:]]
    on_local[4] = str(roots["clean"].root)
    for again in (cmd, on_local):
        done = subprocess.run(again, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    sql = "SELECT * EXCLUDE (analyzed_at) FROM read_parquet('{}', hive_partitioning = false)"
    killed = sorted(
        duckdb.execute(sql.format(roots["killed"].dataset_glob("enrichments"))).fetchall(), key=repr
    )
    clean = sorted(
        duckdb.execute(sql.format(roots["clean"].dataset_glob("enrichments"))).fetchall(), key=repr
    )
    assert len({r[0] for r in killed}) == len(killed) == len(clean)  # no post twice, none missing
    assert killed == clean
