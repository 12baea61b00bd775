"""python-threatexchange's file exchange into a bank: additions, deletions, skipped types, the
single-hash file of its issue #1318, per-bank thresholds and negative banks; the CLI as a user
runs it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from counterspell import Workspace, ingest
from counterspell.errors import CounterspellError
from counterspell.exchanges.config import add_exchange, get_exchange, remove_exchange
from counterspell.exchanges.fetch import fetch
from counterspell.matching import banks as B
from counterspell.matching.index import hex_to_words
from counterspell.matching.match import match
from counterspell.pipeline.hash_media import hash_media
from counterspell.synth import generate
from tests.exchanges.fakes import bank_pairs, pdq_for

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def test_file_exchange_adds_updates_and_deletes(ws: Workspace, tmp_path: Path) -> None:
    f = tmp_path / "partner.txt"
    md5 = "ab" * 16
    f.write_text(
        f"pdq {pdq_for(1)}\npdq {pdq_for(2)}\npdq {pdq_for(3)}\nvideo_md5 {md5}\nurl https://example.org/x\n"
        f"pdq 1234\npdq {'0' * 64}\n",
        encoding="utf-8",
    )
    add_exchange(ws, "partner", "file", settings={"file": str(f)})
    # a hash the analyst imported by hand is not the exchange's to remove
    manual = tmp_path / "manual.txt"
    manual.write_text(f"pdq {pdq_for(2)}\npdq {pdq_for(9)}\n", encoding="utf-8")
    B.import_hashes(ws, "partner", manual)
    r = fetch(ws, "partner")
    assert (r.pages, r.added, r.removed, r.complete) == (1, 3, 0, True)
    assert dict(r.skipped) == {"url": 1} and dict(r.invalid) == {"pdq": 1}
    assert dict(r.rejected) == {"all-zero PDQ": 1}
    assert bank_pairs(ws, "partner") == {("pdq", pdq_for(i)) for i in (1, 2, 3, 9)} | {("md5", md5)}
    version = B.get_bank(ws, "partner").version
    # nothing changed upstream: no new bank version
    assert fetch(ws, "partner").added == 0
    assert B.get_bank(ws, "partner").version == version
    # the partner drops two hashes (one the analyst also holds) and adds one
    f.write_text(f"pdq {pdq_for(1)}\npdq {pdq_for(4)}\nvideo_md5 {md5}\n", encoding="utf-8")
    r = fetch(ws, "partner")
    assert (r.added, r.removed, r.swept) == (1, 1, True)
    assert bank_pairs(ws, "partner") == {("pdq", pdq_for(i)) for i in (1, 2, 4, 9)} | {("md5", md5)}
    index = B.load_index(ws, "partner")
    assert not len(index.search(hex_to_words([pdq_for(3)]), 0).entry)  # gone from the index too
    assert len(index.search(hex_to_words([pdq_for(4)]), 0).entry) == 1
    audit = [
        json.loads(x)
        for x in (ws.root / "banks" / "partner" / "audit.jsonl").read_text().splitlines()
    ]
    syncs = [a for a in audit if a["action"] == "exchange-sync"]
    assert [(a["added"], a["removed"]) for a in syncs] == [
        (3, 0),
        (1, 0),
        (0, 1),
    ]  # page, then sweep
    assert pdq_for(3) not in json.dumps(audit)  # counts, never the hashes
    info = get_exchange(ws, "partner")
    assert info.last_fetch["held_signals"] == 3 and info.last_fetch["complete"]
    # removing the exchange takes its hashes and leaves the analyst's
    assert remove_exchange(ws, "partner") == 3
    assert bank_pairs(ws, "partner") == {("pdq", pdq_for(2)), ("pdq", pdq_for(9))}
    with pytest.raises(CounterspellError, match="no exchange named 'partner'"):
        fetch(ws, "partner")


def test_bad_settings_name_the_problem(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(CounterspellError, match=r"missing\.txt: no such file"):
        add_exchange(ws, "x", "file", settings={"file": str(tmp_path / "missing.txt")})
    with pytest.raises(CounterspellError, match="exchange type 'nope'"):
        add_exchange(ws, "x", "nope")
    with pytest.raises(CounterspellError, match="needs --file"):
        add_exchange(ws, "x", "file")
    with pytest.raises(CounterspellError, match="needs --credentials"):
        add_exchange(ws, "x", "stopncii")
    with pytest.raises(CounterspellError, match="--environment 'Nowhere'"):
        add_exchange(ws, "x", "ncmec", settings={"environment": "Nowhere"},
                     creds={"user": "u", "password": "p"})  # fmt: skip
    with pytest.raises(CounterspellError, match="no setting 'environment'"):
        add_exchange(ws, "x", "stopncii", settings={"environment": "NGO"})
    with pytest.raises(CounterspellError, match="need fetch_function_key, subscription_key"):
        add_exchange(ws, "x", "stopncii", creds={"fetch_function_key": "k"})
    assert (
        not (ws.root / "exchanges" / "x").exists()
        or not (ws.root / "exchanges" / "x" / "exchange.json").exists()
    )


def test_a_file_with_one_hash_matches(tmp_path: Path) -> None:
    """threatexchange issue #1318: a local file with a single hash gave no matches
    (https://github.com/facebook/ThreatExchange/issues/1318, open when read 2026-12-02). Here the
    one hash is fetched into a bank with its own threshold and matches the lake's copies; a
    negative exchange bank with the same hash suppresses them."""
    generate(tmp_path / "corpus", posts=500, seed=14)
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(tmp_path / "corpus")])
    hash_media(ws)
    ((pdq, n),) = duckdb.execute(
        f"SELECT pdq, count(*) FROM read_parquet('{ws.dataset_glob('media')}') WHERE pdq_quality >= 50 "
        "GROUP BY pdq ORDER BY count(*) DESC, pdq LIMIT 1"
    ).fetchall()
    one = tmp_path / "one.txt"
    one.write_text(f"pdq {pdq}\n", encoding="utf-8")
    add_exchange(
        ws,
        "single",
        "file",
        settings={"file": str(one)},
        pdq_threshold=0,
    )
    assert fetch(ws, "single").added == 1
    r = match(ws, "single")
    assert r.matched_items >= n and r.matches >= n
    assert B.get_bank(ws, "single").pdq_threshold == 0
    flipped = f"{int(pdq, 16) ^ 0b111:064x}"  # 3 bits away: outside this bank's threshold of 0
    one.write_text(f"pdq {flipped}\n", encoding="utf-8")
    fetch(ws, "single")
    # the withdrawn hash's matches left the lake with it, before any new `match` (they stayed,
    # and kept raising queue items' priority, until one was run by hand)
    left = duckdb.execute(
        f"SELECT count(*) FROM read_parquet('{ws.dataset_glob('matches')}', hive_partitioning = true) "
        "WHERE bank = 'single'"
    ).fetchall()[0][0]
    assert left == 0
    assert match(ws, "single").matches == 0 and match(ws, "single", radius=3).matched_items >= n
    one.write_text(f"pdq {pdq}\n", encoding="utf-8")
    fetch(ws, "single")
    add_exchange(ws, "benign", "file", settings={"file": str(one)}, negative=True)
    fetch(ws, "benign")
    r = match(ws, "single")
    assert r.matches == 0 and r.suppressed >= n


def test_the_cli_adds_lists_fetches_and_removes(tmp_path: Path, cli: CliRunner) -> None:
    ws = Workspace.init(tmp_path / "ws")
    w = ["-w", str(ws.root)]
    f = tmp_path / "list.txt"
    f.write_text(f"pdq {pdq_for(1)}\nraw_text hello\n", encoding="utf-8")
    add = ("exchange", "add", "p1", "--type", "file", "--file", str(f), "--bank", "partners")
    cli(*w, *add, "--pdq-threshold", "20", check=True)
    proc = cli(*w, "exchange", "fetch", check=True)
    assert "p1: 1 pages, 2 records; bank +1 -0" in proc.stdout
    assert "skipped (type not held by banks): raw_text 1" in proc.stderr
    listing = cli(*w, "exchange", "list", check=True).stdout
    assert "p1" in listing and "partners" in listing and "+1 -0" in listing
    creds = tmp_path / "c.json"
    creds.write_text('{"fetch_function_key": "fk-secret", "subscription_key": "sk-secret"}')
    cli(*w, "exchange", "add", "sn", "--type", "stopncii", "--credentials", str(creds),
        "--base-url", "http://127.0.0.1:9", check=True)  # fmt: skip
    secret = ws.root / ".secrets" / "exchange-sn.json"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert "sk-secret" not in (ws.root / "exchanges" / "sn" / "exchange.json").read_text()
    assert "sk-secret" not in (ws.root / "exchanges" / "sn" / "audit.jsonl").read_text()
    bad = cli(*w, "exchange", "fetch", "sn")
    assert bad.returncode == 2 and "the connection failed" in bad.stderr
    assert "secret" not in bad.stderr
    creds.write_text("{not json")
    bad = cli(*w, "exchange", "add", "sn2", "--type", "stopncii", "--credentials", str(creds))
    assert bad.returncode == 2 and "c.json, line 1: not a JSON object" in bad.stderr
    proc = cli(*w, "exchange", "remove", "p1", check=True)
    assert "1 of its hashes" in proc.stdout
    (row,) = [
        ln for ln in cli(*w, "bank", "list", check=True).stdout.splitlines() if "partners" in ln
    ]
    assert " 20 " in row  # the bank made for the exchange keeps its own threshold


def test_the_sample_exchange_is_stable(ws: Workspace) -> None:
    """python-threatexchange's built-in samples: a whole list every time, nothing changes twice."""
    add_exchange(ws, "demo", "sample")
    first = fetch(ws, "demo")
    kinds = {k for k, _ in bank_pairs(ws, "demo")}
    assert first.added > 0 and kinds == {"pdq", "md5"}
    again = fetch(ws, "demo")
    assert (again.added, again.removed, again.swept) == (0, 0, True)
