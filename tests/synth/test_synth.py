"""The synthetic corpus: deterministic, faithful to the real formats, fictional, and labelled."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

import duckdb

from counterspell import Workspace, ingest
from counterspell.adapters import detect
from counterspell.lake.query import posts_relation_sql
from counterspell.stages.roles import ROLES
from counterspell.synth import TRUTH_COLUMNS, generate


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, posts=1500, seed=5)
    generate(b, posts=1500, seed=5)
    generate(c, posts=1500, seed=6)
    assert _digest(a) == _digest(b)
    assert (a / "truth.csv").read_bytes() != (c / "truth.csv").read_bytes()


def test_corpus_ingests_completely_and_matches_its_ground_truth(tmp_path: Path) -> None:
    summary = generate(tmp_path / "corpus", posts=4000, seed=9)
    formats = {detect(str(p)).name for p in (tmp_path / "corpus").rglob("*.json")}
    assert formats == {"4chan", "foolfuuka", "telegram", "discord"}
    ws = Workspace.init(tmp_path / "ws")
    result = ingest(ws, [str(tmp_path / "corpus")])
    assert not result.errors and all(f.quarantined == 0 for f in result.files)
    with open(summary.truth_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == TRUTH_COLUMNS
    truth = {f"{r['platform']}:{r['community']}:{r['post_id']}" for r in rows}
    lake = {r[0] for r in duckdb.execute(f"SELECT uid FROM {posts_relation_sql(ws)}").fetchall()}
    assert truth == lake and len(rows) == len(truth) == summary.posts

    roles = Counter(r["role"] for r in rows)
    for role in ROLES:
        assert roles[role] > 0, role
    flags = Counter(f for r in rows for f in r["flags"].split(";") if f)
    assert set(flags) == {"minor_risk", "non_consent", "doxxing", "payment"}
    assert len({r["template"] for r in rows if r["role"] == "request"}) >= 5
    assert len({r["lang"] for r in rows}) >= 3
    # every campaign opens with one request (its follow-ups are request posts too, written as
    # bumps, more pictures, insisting), and fulfilments exist for many of them
    parts = Counter((r["campaign"], r["part"]) for r in rows if r["campaign"])
    campaigns = {c for c, _ in parts}
    opens = Counter(
        r["campaign"]
        for r in rows
        if r["campaign"]
        and r["part"] == "request"
        and r["template"].split("/")[1].startswith(("request.open", "request.repeat"))
    )
    assert all(opens[c] == 1 for c in campaigns if parts[(c, "request")])
    kinds = {r["template"].split("/")[1] for r in rows if r["role"] == "request"}
    assert {"request.bump", "request.more_pic", "request.insist"} <= kinds
    assert sum(1 for c in campaigns if parts[(c, "fulfillment")]) > len(campaigns) * 0.3
    # reposts: the 4chan MD5s (from the JSON) are the MD5s of image files in the Telegram/Discord exports
    chan_md5 = {
        r[0]
        for r in duckdb.execute(
            f"SELECT DISTINCT unnest(media).md5 FROM {posts_relation_sql(ws)} WHERE platform = '4chan'"
        ).fetchall()
    }
    disk_md5 = {
        hashlib.md5(p.read_bytes()).hexdigest() for p in (tmp_path / "corpus").rglob("*.png")
    }
    assert len(chan_md5 & disk_md5) > 10


def test_corpus_is_fictional_and_uses_reserved_domains(tmp_path: Path) -> None:
    generate(tmp_path / "c", posts=3000, seed=4)
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "c").rglob("*.json"))
    hosts = set(re.findall(r"https?://([a-z0-9.-]+)", text))
    allowed = {"example.com", "cdn.example.com", "t.me"}
    assert hosts <= allowed, hosts - allowed


def test_media_cache_stays_bounded_and_correct() -> None:
    from counterspell.synth.writers.common import MediaFiles

    m = MediaFiles(files=False)
    first = m.md5(1)
    for seed in range(2, 50_010):
        m.md5(seed)
    assert len(m._md5) <= 50_000
    assert m.md5(1) == first  # recomputed after eviction, identical


def test_every_grammar_family_is_complete_and_expands() -> None:
    import random

    from counterspell.synth.families import all_families
    from counterspell.synth.grammar import check

    fams = all_families()
    assert len(fams) >= 6
    for name, fam in fams.items():
        assert check(fam, random.Random(7)) == [], name
        assert fam.description, f"{name} says what register it writes"


def test_held_out_families_never_write_training_corpora(tmp_path: Path) -> None:
    import inspect

    from counterspell.evaluation.train import train
    from counterspell.synth.families import HELDOUT, NAMES, TRAIN

    assert not set(TRAIN) & set(HELDOUT) and set(TRAIN) | set(HELDOUT) == set(NAMES)
    assert inspect.signature(train).parameters["families"].default == "train"
    summary = generate(tmp_path / "c", posts=1500, seed=12, families="heldout", media_files=False)
    with open(summary.truth_path, newline="", encoding="utf-8") as f:
        writers = {r["template"].split("/")[0] for r in csv.DictReader(f)}
    assert writers - {"none"} <= set(HELDOUT) and writers & set(HELDOUT)


def test_grammar_template_language() -> None:
    import random

    from counterspell.synth.grammar import Family

    fam = Family("t", {"a": ["{x|y} <_b> $name, $20"], "_b": ["{one|two}"]})
    seen = {fam.expand(random.Random(i), "a", {"name": "Maya"}) for i in range(40)}
    assert all(s.endswith("Maya, $20") for s in seen)
    assert {s.split()[0] for s in seen} == {"x", "y"}
    assert {s.split()[1] for s in seen} == {"one", "two", "Maya,"} - {"Maya,"}


def test_truth_names_each_posts_author(tmp_path: Path) -> None:
    """What `plan --truth` checks creators against: the generator's actor behind every post (the
    Telegram channel's own notices have none), fulfilments always by a creator."""
    generate(tmp_path / "c", posts=600, seed=5)
    with open(tmp_path / "c" / "truth.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(r["author"].startswith("creator") for r in rows if r["part"] == "fulfillment")
    assert all(r["author"].startswith("user") for r in rows if r["part"] == "request")
    assert sum(1 for r in rows if r["author"]) > 0.9 * len(rows)
