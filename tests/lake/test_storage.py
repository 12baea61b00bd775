"""The lake on an object store (``lake_url``): parts, derived-dataset swaps, and every command."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from counterspell import Workspace
from counterspell.errors import WorkspaceError
from counterspell.lake.query import connect, sql_path
from counterspell.lake.storage import LakePath, is_url
from counterspell.lake.writer import DerivedDataset, stored_hashes, write_atomic
from counterspell.synth import generate


def _table(values: list[int]) -> pa.Table:
    return pa.table({"uid_hash": pa.array(values, type=pa.int64())})


def test_urls_and_local_paths() -> None:
    assert is_url("s3://bucket/x") and is_url("gs://b")
    assert not is_url("/tmp/lake") and not is_url("file:///tmp/lake") and not is_url("lake")
    local = LakePath("file:///tmp/lake") / "posts"
    assert local.is_local and str(local) == "/tmp/lake/posts" and local.name == "posts"
    assert pickle.loads(pickle.dumps(local)) == local
    with pytest.raises(WorkspaceError, match=r"a lake at nosuch:// needs fsspec's nosuch driver"):
        LakePath("nosuch://bucket/lake")


def test_parts_and_derived_swaps_on_s3(s3_endpoint: str) -> None:
    lake = LakePath(f"{s3_endpoint}/unit")
    assert not lake.is_local and str(lake.parent) == s3_endpoint
    part = lake / "posts" / "platform=x" / "community=y"
    assert not part.exists() and part.glob("*.parquet") == []
    write_atomic(_table([3, 1]), part, "part-a.parquet")
    write_atomic(_table([2, 3]), part, "part-b.parquet")
    assert [p.name for p in part.glob("*.parquet")] == ["part-a.parquet", "part-b.parquet"]
    assert stored_hashes(part, "uid_hash").tolist() == [1, 2, 3]
    listed = part.signatures("*.parquet")
    assert [p for p, _ in listed] == [str(part / "part-a.parquet"), str(part / "part-b.parquet")]
    assert listed[0][1] == (part / "part-a.parquet").signature() != ""
    con = connect()  # DuckDB reads the store through the registered filesystem
    glob = sql_path(lake / "posts" / "**" / "*.parquet")
    assert con.execute(f"SELECT sum(uid_hash) FROM read_parquet({glob})").fetchall() == [(9,)]

    # a derived dataset is one object, replaced whole; a stray object from an old build goes
    derived = lake / "campaigns"
    write_atomic(_table([1]), derived, "part-000000.parquet")
    write_atomic(_table([99]), derived / "old-layout", "part-000000.parquet")
    sig = (derived / "part-000000.parquet").signature()
    out = DerivedDataset(derived)
    out.path().write_parquet(_table([7, 8]))
    assert derived.read_table().num_rows == 2  # not swapped yet: readers still see the old build
    out.commit()
    assert [p.name for p in derived.rglob("*.parquet")] == ["part-000000.parquet"]
    assert derived.read_table().column(0).to_pylist() == [7, 8]
    assert (derived / "part-000000.parquet").signature() != sig
    assert not lake.glob(".build-*/*")  # staging removed

    failed = DerivedDataset(derived)
    failed.path().write_parquet(_table([0]))
    failed.abandon()  # a build that failed leaves the last good one
    assert derived.read_table().column(0).to_pylist() == [7, 8]
    derived.rmtree()
    assert not derived.exists()


def test_a_workspace_sent_to_a_worker_carries_its_lake_and_settings(
    tmp_path: Path, s3_endpoint: str
) -> None:
    ws = Workspace.init(tmp_path / "ws", lake_url=f"{s3_endpoint}/pickled")
    assert Workspace.open(ws.root).lake_url == f"{s3_endpoint}/pickled"
    assert str(ws.dataset("posts")) == f"{s3_endpoint}/pickled/posts"
    assert ws.state == ws.root / "lake" / "_state"  # manifest and locks stay on this machine
    (ws.root / "counterspell.toml").write_text(
        (ws.root / "counterspell.toml")
        .read_text()
        .replace("pdq_threshold = 31", "pdq_threshold = 20")
    )
    sent = pickle.loads(pickle.dumps(ws))
    (ws.root / "counterspell.toml").unlink()  # a worker does not have the folder
    assert sent.lake == ws.lake and sent.settings.pdq_threshold == 20
    missing = tmp_path / "missing"
    Workspace.init(missing, lake_url="s3://counterspell-no-such-bucket/lake")
    with pytest.raises(
        WorkspaceError, match=r"s3://counterspell-no-such-bucket/lake: cannot reach"
    ):
        Workspace.open(missing)
    with pytest.raises(WorkspaceError, match="another lake"):
        Workspace.init(tmp_path / "other", lake_url="s3://a/b").init(
            tmp_path / "other", lake_url="s3://c/d"
        )


def test_every_command_on_a_lake_in_s3(
    tmp_path: Path,
    s3_endpoint: str,
    cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    """The commands a user runs, end to end, with the datasets in the store."""
    generate(tmp_path / "corpus", posts=600, seed=7)
    url = f"{s3_endpoint}/cli"
    w = str(tmp_path / "ws")
    assert "Lake datasets at" in cli("init", w, "--lake-url", url, check=True).stdout
    cli("-w", w, "ingest", str(tmp_path / "corpus"), check=True)
    cli("-w", w, "hash-media", check=True)
    cli("-w", w, "analyze", "--executor", "dask", "--workers", "2", check=True)
    # the report on Dask equals the local one on a lake in a store: tests/executors/test_contract.py
    cli("-w", w, "report", "-o", str(tmp_path / "report"), check=True)
    assert "<html" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    for table in ("facts.csv", "posts_per_week_by_role.csv", "top_creators.csv"):
        assert (tmp_path / "report" / "tables" / table).stat().st_size > 0, table
    exported = cli("-w", w, "export", "posts", "--format", "jsonl", check=True).stdout
    n_posts = len(exported.splitlines())
    assert n_posts >= 600
    camps = cli("-w", w, "export", "campaigns", "--format", "csv", check=True)
    assert len(camps.stdout.splitlines()) > 1
    graph = cli("-w", w, "export", "graph", "--kind", "campaigns", check=True)
    assert "<gexf" in graph.stdout
    cli("-w", w, "db", "upgrade", check=True)  # the case store stays in the folder
    synced = cli("-w", w, "queue", "sync", check=True).stdout
    assert re.search(r"review queue: [1-9][0-9]* posts to review", synced), synced
    listed = cli("-w", w, "queue", "list", check=True).stdout
    assert "4chan" in listed or "telegram" in listed or "discord" in listed, listed
    ws = Workspace.open(w)
    assert not (ws.root / "lake" / "posts").exists()
    for name in ("posts", "media", "enrichments", "campaigns", "actors", "replies"):
        assert ws.has_data(name), name
    uids = (
        connect()
        .execute(
            f"SELECT count(DISTINCT uid) FROM read_parquet({sql_path(ws.dataset_glob('enrichments'))})"
        )
        .fetchall()[0][0]
    )
    assert uids == n_posts
    again = cli("-w", w, "ingest", str(tmp_path / "corpus"), check=True)  # the manifest knows
    assert again.returncode == 0
    assert (
        np.asarray(
            connect()
            .execute(f"SELECT count(*) FROM read_parquet({sql_path(ws.dataset_glob('posts'))})")
            .fetchall()
        ).item()
        == n_posts
    )


@pytest.mark.parametrize("where", ["folder", "s3"])
def test_a_build_in_progress_or_abandoned_by_a_crash_is_never_read(
    where: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """One bank's matches are a dataset inside ``matches``: its build must not sit in there."""
    base = request.getfixturevalue("s3_endpoint") + "/nested" if where == "s3" else str(tmp_path)
    lake = LakePath(base)
    bank = lake / "matches" / "bank=a"
    write_atomic(_table([1]), bank, "part-000000.parquet")
    glob = sql_path(lake / "matches" / "**" / "*.parquet")

    def read() -> list[int]:
        rows = connect().execute(f"SELECT uid_hash FROM read_parquet({glob}) ORDER BY 1")
        return [r[0] for r in rows.fetchall()]

    crashed = DerivedDataset(bank, lake)  # never committed nor abandoned: the process died
    crashed.path().write_parquet(_table([5]))
    building = DerivedDataset(bank, lake)
    building.path().write_parquet(_table([2, 3]))
    assert read() == [1]
    building.commit()
    assert read() == [2, 3]
    first = DerivedDataset(lake / "matches" / "bank=b", lake)  # a bank's first build
    first.path().write_parquet(_table([4]))
    first.commit()
    assert read() == [2, 3, 4]


@pytest.mark.parametrize("where", ["folder", "s3"])
def test_leftovers_of_a_killed_build_go_once_a_day_old(
    where: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counterspell.lake import writer

    base = request.getfixturevalue("s3_endpoint") + "/leftovers" if where == "s3" else str(tmp_path)
    lake = LakePath(base)
    left = lake / ".build-campaigns-dead0000"
    (left / "part-000000.parquet").write_parquet(_table([1]))
    other = lake / ".build-actors-dead0000"  # another dataset's: not this build's to judge
    (other / "part-000000.parquet").write_parquet(_table([1]))
    age = left.age_s()
    assert age is not None and 0 <= age < 600
    DerivedDataset(lake / "campaigns").abandon()
    assert left.exists()  # young: it could be another run's build in progress
    if where == "folder":  # a day old by its files' times
        old = time.time() - 2 * 86_400
        for p in (left.local, left.local / "part-000000.parquet"):
            os.utime(p, (old, old))
    else:  # object stores keep their own times: make "a day" shorter instead
        monkeypatch.setattr(writer, "LEFTOVER_AGE_S", -1.0)
    DerivedDataset(lake / "campaigns").abandon()
    assert not left.exists() and other.exists()
    assert (lake / ".build-nothing").age_s() is None
