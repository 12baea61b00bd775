"""Ingest into the lake: counts, idempotency, crash safety, and what users see on bad input."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow.parquet as pq
import pytest

from counterspell import Workspace, ingest
from counterspell.errors import CounterspellError
from counterspell.ingest import ingest_lock
from counterspell.lake.manifest import Manifest
from counterspell.lake.query import export_posts, posts_relation_sql, stats
from counterspell.models import POST_SCHEMA
from counterspell.synth import generate
from tests.conftest import REAL, real

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def lake_uids(ws: Workspace) -> list[str]:
    rel = posts_relation_sql(ws)
    return [r[0] for r in duckdb.execute(f"SELECT uid FROM {rel} ORDER BY uid").fetchall()]


def test_real_fixtures_ingest_with_expected_counts_and_reingest_adds_nothing(ws: Workspace) -> None:
    real("4chan")
    dirs = [str(REAL / d) for d in ("4chan", "discord", "telegram")]
    result = ingest(ws, dirs)
    assert not result.errors
    s = stats(ws)
    per = {(c["platform"], c["community"]): c["posts"] for c in s["per_community"]}
    assert per[("4chan", "ck")] == 38
    assert per[("4chan", "vg")] == 596
    assert per[("4chan", "po")] == 19  # thread (3) + catalog, overlapping posts kept once
    assert per[("telegram", "1111111111")] == 5475
    assert per[("telegram", "700000000")] == 8
    assert per[("discord", "748545324524575035/1012224565567721552")] == 40  # general + its thread
    assert per[("discord", "253601524398293010/253601524398293010")] == 4  # duplicate id kept once
    uids = lake_uids(ws)
    assert len(uids) == len(set(uids)) == s["posts"]
    # the duplicate Discord id is reported once, as a notice naming the file
    m = Manifest(ws.manifest_path)
    notices = [p["reason"] for p in m.problems("notice")]
    m.close()
    assert sum("459136077417021488" in n for n in notices) == 1
    again = ingest(ws, dirs)
    assert again.added == 0 and all(f.status == "already" for f in again.files)
    assert lake_uids(ws) == uids


def test_same_posts_in_a_different_file_are_skipped_as_duplicates(
    ws: Workspace, tmp_path: Path
) -> None:
    src = real("4chan/go4chanapi-thread-ck-2012.json")
    copy = tmp_path / "ck" / "thread" / "3856791.json"
    copy.parent.mkdir(parents=True)
    doc = json.loads(src.read_text())
    doc["posts"].append({"no": 3999999, "resto": 3856791, "time": 1346999999, "com": "a new reply"})
    copy.write_text(json.dumps(doc))
    ingest(ws, [str(src)])
    second = ingest(ws, [str(copy)])
    assert (second.files[0].added, second.files[0].duplicates) == (1, 38)


def test_export_posts_has_every_field_in_every_format(ws: Workspace, tmp_path: Path) -> None:
    ingest(
        ws,
        [
            str(real("discord/dce-example-guild-general.json")),
            str(real("telegram/chatanalytics-DM_2A_7M.json")),
        ],
    )
    fields = [f.name for f in POST_SCHEMA if f.name != "uid_hash"]
    n = export_posts(ws, "jsonl", str(tmp_path / "p.jsonl"))
    rows = [orjson.loads(line) for line in (tmp_path / "p.jsonl").read_bytes().splitlines()]
    assert (
        n == len(rows) == 43 and list(rows[0])[: len(fields)] == fields and rows[0]["role"] is None
    )
    reply = next(r for r in rows if r["post_id"] == "1060926346089476176")
    assert reply["parent_uids"] and reply["reactions"] == [{"emoji": "👀", "count": 1}]
    assert reply["created_at"].endswith("Z") and isinstance(reply["extra"], dict)
    export_posts(ws, "csv", str(tmp_path / "p.csv"))
    with open(tmp_path / "p.csv", newline="", encoding="utf-8") as f:
        csv_rows = list(csv.DictReader(f))
    assert len(csv_rows) == 43 and list(csv_rows[0])[: len(fields)] == fields
    assert json.loads(
        next(r for r in csv_rows if r["post_id"] == "1060926346089476176")["parent_uids"]
    )
    export_posts(ws, "parquet", str(tmp_path / "p.parquet"))
    assert pq.read_table(tmp_path / "p.parquet").num_rows == 43


def test_empty_workspace_stats_and_export(ws: Workspace, tmp_path: Path) -> None:
    assert stats(ws)["posts"] == 0
    assert export_posts(ws, "jsonl", str(tmp_path / "e.jsonl")) == 0


def test_stale_temp_files_are_removed_and_a_second_writer_is_refused(ws: Workspace) -> None:
    part = ws.dataset("posts").local / "platform=x" / "community=y"
    part.mkdir(parents=True)
    (part / ".tmp-deadbeef.parquet").write_bytes(b"half a file")
    ingest(ws, [str(real("telegram/chatanalytics-DM_2A_7M.json"))])
    assert not list(part.glob(".tmp-*"))
    with ingest_lock(ws), pytest.raises(CounterspellError, match="another ingest"):
        ingest(ws, [str(real("telegram/chatanalytics-DM_2A_7M.json"))])


def _corpus(tmp_path: Path, posts: int, seed: int) -> Path:
    out = tmp_path / f"corpus-{seed}"
    generate(out, posts=posts, seed=seed)
    return out


def test_sigkill_mid_ingest_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 12_000, 3)
    clean = Workspace.init(tmp_path / "clean")
    ingest(clean, [str(corpus)])
    expected = lake_uids(clean)

    crashed = Workspace.init(tmp_path / "crashed")
    cmd = [
        sys.executable,
        "-m",
        "counterspell",
        "-w",
        str(crashed.root),
        "ingest",
        "--batch-size",
        "300",
        str(corpus),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    posts_dir = crashed.dataset("posts")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if posts_dir.exists() and sum(1 for _ in posts_dir.rglob("part-*.parquet")) >= 4:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = lake_uids(crashed)
    assert 0 < len(partial) < len(expected)

    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert lake_uids(crashed) == expected


def test_bad_inputs_get_one_line_errors_and_lose_nothing_valid(
    tmp_path: Path, cli: CliRunner
) -> None:
    d = tmp_path / "mixed"
    d.mkdir()
    good = {
        "posts": [
            {"no": 1, "resto": 0, "time": 1700000000, "com": "op"},
            {"no": 2, "resto": 1, "time": 1700000001, "com": "reply"},
        ]
    }
    (d / "r-thread-good.json").write_text(json.dumps(good))
    (d / "empty.json").write_bytes(b"")
    (d / "unknown.json").write_text('{"hello": "world"}')
    (d / "bom.json").write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps({"posts": [{"no": 3, "resto": 0, "time": 1700000002}]}).encode()
    )
    tg: dict[str, Any] = {
        "name": "G",
        "type": "private_group",
        "id": 42,
        "messages": [
            {
                "id": i,
                "type": "message",
                "date_unixtime": str(1700000000 + i),
                "from": "A",
                "from_id": "user1",
                "text": f"m{i} é",
            }
            for i in range(1, 6)
        ],
    }
    (d / "utf16.json").write_bytes(json.dumps(tg, indent=1, ensure_ascii=False).encode("utf-16"))
    latin = (
        json.dumps({**tg, "id": 43}, indent=1, ensure_ascii=False)
        .encode("utf-8")
        .replace("é".encode(), b"\xe9")
    )
    (d / "latin1.json").write_bytes(latin)
    truncated = json.dumps({**tg, "id": 44}, indent=1)
    (d / "truncated.json").write_text(truncated[: truncated.index('"id": 4,')])
    malformed = json.dumps({**tg, "id": 45}, indent=1).replace('"text": "m2', '"text": oops "m2')
    (d / "malformed.json").write_text(malformed)
    missing = {
        **tg,
        "id": 46,
        "messages": [{"type": "message", "text": "no id"}, tg["messages"][0]],
    }
    (d / "missing.json").write_text(json.dumps(missing, indent=1))
    huge = {**tg, "id": 47, "messages": [{**tg["messages"][0], "text": "x" * 5_000_000}]}
    (d / "huge-field.json").write_text(json.dumps(huge))

    ws = tmp_path / "ws"
    cli("init", str(ws), check=True)
    proc = cli("-w", str(ws), "ingest", str(d))
    assert proc.returncode == 1  # some files could not be read at all
    assert "Traceback" not in proc.stderr + proc.stdout
    err_lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert any("empty.json" in ln and "empty" in ln for ln in err_lines)
    assert any("unknown.json" in ln and "unrecognised format" in ln for ln in err_lines)

    w = Workspace.open(ws)
    uids = set(lake_uids(w))
    assert {"4chan:unknown:1", "4chan:unknown:2", "4chan:unknown:3"} <= uids or {
        "4chan:r:1",
        "4chan:r:2",
    } <= uids
    assert {f"telegram:42:{i}" for i in range(1, 6)} <= uids  # UTF-16
    assert {f"telegram:43:{i}" for i in range(1, 6)} <= uids  # Latin-1 bytes read, not lost
    assert {
        f"telegram:44:{i}" for i in range(1, 4)
    } <= uids and "telegram:44:4" not in uids  # truncated
    assert {f"telegram:45:{i}" for i in (1, 3, 4, 5)} <= uids  # malformed record 2 skipped only
    assert "telegram:46:1" in uids and "telegram:47:1" in uids
    [text] = duckdb.execute(
        f"SELECT text FROM {posts_relation_sql(w)} WHERE uid = 'telegram:43:1'"
    ).fetchall()
    assert text[0] == "m1 é"

    q = cli("-w", str(ws), "quarantine").stdout
    assert "truncated.json: line" in q and "truncated" in q
    assert "malformed.json: line" in q and "malformed JSON" in q
    assert "missing.json" in q and "'id'" in q
    notices = cli("-w", str(ws), "quarantine", "--notices").stdout
    assert "latin1.json" in notices and "Latin-1" in notices

    cli("init", str(tmp_path / "ws-strict"), check=True)
    strict = cli("-w", str(tmp_path / "ws-strict"), "ingest", "--strict", str(d / "malformed.json"))
    assert strict.returncode == 2 and "Traceback" not in strict.stderr
    assert "malformed.json" in strict.stderr and "line" in strict.stderr


def test_user_errors_are_one_line(tmp_path: Path, cli: CliRunner) -> None:
    nows = cli("-w", str(tmp_path / "nope"), "stats")
    assert (
        nows.returncode == 2
        and "not a Counterspell workspace" in nows.stderr
        and "Traceback" not in nows.stderr
    )
    cli("init", str(tmp_path / "ws"), check=True)
    for args, needle in [
        (["ingest", str(tmp_path / "missing.json")], "no such file"),
        (["ingest", "--format", "myspace", str(tmp_path)], "unknown"),
        (["ingest", "--tz", "Mars/Olympus", str(tmp_path)], "unknown time zone"),
        (["ingest", str(tmp_path / "*.nothing")], "no files match"),
        (["export", "posts", "--format", "xml"], "choose one of"),
    ]:
        proc = cli("-w", str(tmp_path / "ws"), *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert needle in proc.stderr and "Traceback" not in proc.stderr
        assert (
            len([ln for ln in proc.stderr.strip().splitlines() if ln.strip()]) <= 2
        )  # one line (maybe wrapped)


def test_worker_processes_give_the_same_lake_as_one_process(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 2500, 8)
    tables = []
    for workers in (1, 2):
        ws = Workspace.init(tmp_path / f"ws{workers}")
        result = ingest(ws, [str(corpus)], workers=workers)
        assert not result.errors
        rows = duckdb.execute(
            f"SELECT uid, text, parent_uids, created_at, source.file, source.record, media FROM {posts_relation_sql(ws)} ORDER BY uid"
        ).fetchall()
        tables.append((rows, {(f.path, f.added, f.duplicates) for f in result.files}))
    assert tables[0] == tables[1]


def test_exports_name_their_communities_and_an_analysts_name_wins(ws: Workspace) -> None:
    """DiscordChatExporter names its server and channel, Telegram its chat: the registry gets
    those names where it has none; a name from `communities import` is never replaced."""
    from counterspell.lake.registry import registered
    from counterspell.pipeline.bridges import import_communities

    here = Path(__file__).parents[1] / "fixtures" / "handwritten"
    ingest(ws, [str(here / "discord")], workers=1)
    names = {(r["platform"], r["community"]): r["name"] for r in registered(ws)}
    discord = ("discord", "1087432907264495616/1148829347715076178")
    assert names == {discord: "afterhours / requests"}
    table = ws.root / "communities.csv"
    table.write_text(
        f"platform,community,name,invite\ndiscord,{discord[1]},Requests channel,\n",
        encoding="utf-8",
    )
    import_communities(ws, table)
    ingest(ws, [str(here / "telegram"), str(here / "discord")], workers=1, again=True)
    names = {(r["platform"], r["community"]): r["name"] for r in registered(ws)}
    assert names == {discord: "Requests channel", ("telegram", "1786204513"): "After Dark Edits 🌙"}
    assert "afterhours / requests" not in str(stats(ws))  # stats show the analyst's name
    assert "Requests channel" in str(stats(ws))
