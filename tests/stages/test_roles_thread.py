"""Roles decided with the thread (issue #14): the four failure classes, in words written for
these tests only (not from the generator's families, labelled-dev or the handwritten set).

1. requester follow-ups are part of the request (a bare bump, a bump naming her, one more picture
   with a word on where it is from, "that's all she has public", insisting after an objection);
2. fulfilments in few, new words (an image with a remark on the result or the tool, an image with
   no text at all) and reposts of older results for latecomers (distribution);
3. ordinary sexist or abusive talk about a woman stays ``other`` and unflagged;
4. minor-risk needs deepfake context: "young lady", a relative's age, one's own childhood photo,
   anime words in game talk do not fire; every member of a minor-risk campaign carries it.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from counterspell import Workspace, ingest
from counterspell.lake.datasets import enriched_sql
from counterspell.pipeline.analyze import analyze
from counterspell.stages.roles import Context, gate

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
T0 = 1_772_000_000  # 2026-02-25


def _md5(tag: str) -> str:
    return base64.b64encode(hashlib.md5(tag.encode()).digest()).decode()


def _thread(op: int, posts: list[tuple[int, str, int | None, str | None]]) -> dict[str, Any]:
    """A 4chan API thread: (number, text, quoted number, image tag or None)."""
    out = []
    for i, (no, text, quote, image) in enumerate(posts):
        body = text.replace("\n", "<br>")
        if quote is not None:
            body = f'<a href="#p{quote}" class="quotelink">&gt;&gt;{quote}</a><br>{body}'
        p: dict[str, Any] = {"no": no, "now": "02/25/26(Wed)10:00:00", "name": "Anonymous",
                             "time": T0 + 300 * i, "resto": 0 if no == op else op}  # fmt: skip
        if body:
            p["com"] = body
        if no == op:
            p["sub"] = "edits"
        if image is not None:
            p.update(filename=f"IMG_{no % 1000}", ext=".jpg", w=800, h=1000, tn_w=200, tn_h=250,
                     tim=(T0 + 300 * i) * 1000, md5=_md5(image), fsize=120_000)  # fmt: skip
        out.append(p)
    return {"posts": out}


FOLLOW_UPS = [
    (9100000, "flatmate's girlfriend, Corinne. thinks she's above everyone. undress her pls", None, "src1"),
    (9100003, "bump", None, None),
    (9100007, "got one where the hat isn't covering half her face?", 9100000, None),
    (9100010, "from her sister's birthday, only other one i have", 9100007, "src2"),
    (9100014, "corinne still", None, None),
    (9100020, "quick pass, the lighting is a bit off", 9100000, "res1"),
    (9100022, "cheers, spot on", 9100020, None),
    (9100026, "", 9100000, "res2"),
    (9100030, "bit grim this. she never agreed to any of it", 9100000, None),
    (9100033, "it's a fake picture, calm down. still want a better one", 9100030, None),
]  # fmt: skip
REPOSTS = [
    (9200000, "for everyone who missed the last few threads, best ones again", None, "res1"),
    (9200004, "", None, "res2"),
    (9200009, "absolute classics", 9200000, None),
]
ORDINARY = [
    (9300000, "which of the girls at your office would you date", None, "cat"),
    (9300004, "the new receptionist, easily. way out of my league though", None, None),
    (9300008, "women only care about height and money, cope", None, None),
    (9300011, "bet she has an onlyfans, they all do", 9300004, None),
    (9300015, "would pay to see what's under that uniform ngl", None, None),
    (9300019, "my sister's 14 and already taller than me lol", None, None),
    (9300024, "this thread is peak incel", None, None),
    (9300027, "the young lady at the bakery gave me free bread, faith restored", None, None),
    (9300031, "posted a photo of me at 9 in my school uniform to the family group, mortifying", None, None),
    (9300036, "whoever designed the year 8 raid in that gacha game hates us. the loli healer is useless", None, None),
    (9300040, "could someone fix the red eye on my nan's birthday pic", None, "nan"),
]  # fmt: skip
MINOR = [
    (9400000, "girl from my little brother's class, she's 15. make her lewd", None, "src9"),
    (9400005, "that's a kid. reported", 9400000, None),
    (9400009, "bump", None, None),
    (9400013, "", 9400000, "res9"),
    (9400016, "nice", 9400013, None),
]  # fmt: skip


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, list[str]]]:
    root = tmp_path_factory.mktemp("thread-roles")
    folder = root / "4chan" / "r" / "thread"
    folder.mkdir(parents=True)
    for posts in (FOLLOW_UPS, REPOSTS, ORDINARY, MINOR):
        op = posts[0][0]
        (folder / f"{op}.json").write_bytes(orjson.dumps(_thread(op, posts)))
    # the repost thread comes days later than the thread whose results it repeats
    doc = orjson.loads((folder / "9200000.json").read_bytes())
    for p in doc["posts"]:
        p["time"] += 5 * 86400
    (folder / "9200000.json").write_bytes(orjson.dumps(doc))
    ws = Workspace.init(root / "ws")
    ingest(ws, [str(root / "4chan")])
    analyze(ws, workers=1)
    rows = duckdb.execute(
        f"SELECT split_part(uid, ':', 3) AS post_id, role, flags FROM {enriched_sql(ws)}"
    ).fetchall()
    members = duckdb.execute(
        f"SELECT uid, campaign_id FROM read_parquet('{ws.dataset_glob('campaign_members')}')"
    ).fetchall()
    campaign = {uid.rsplit(":", 1)[1]: cid for uid, cid in members}
    return {str(pid): (role, list(flags or [])) for pid, role, flags in rows} | {
        f"campaign:{k}": (v, []) for k, v in campaign.items()
    }


def _role(lake: dict[str, tuple[str, list[str]]], no: int) -> str:
    return lake[str(no)][0]


def _campaign(lake: dict[str, tuple[str, list[str]]], no: int) -> str | None:
    hit = lake.get(f"campaign:{no}")
    return hit[0] if hit else None


def test_requester_follow_ups_are_the_request(lake: dict[str, tuple[str, list[str]]]) -> None:
    assert _role(lake, 9100000) == "request"
    follow_ups = [
        9100003,
        9100010,
        9100014,
        9100033,
    ]  # bump, one more picture, naming her, insisting
    roles = {no: _role(lake, no) for no in follow_ups}
    assert sum(r == "request" for r in roles.values()) >= 3, roles
    assert roles[9100003] == "request"  # a bare bump right after a request
    # and they belong to the request's campaign, not to campaigns of their own
    op = _campaign(lake, 9100000)
    assert op is not None
    assert all(_campaign(lake, no) == op for no, r in roles.items() if r == "request"), roles


def test_fulfilments_in_few_words_and_reposts(lake: dict[str, tuple[str, list[str]]]) -> None:
    assert _role(lake, 9100020) == "fulfillment"  # an image and a remark on the lighting
    assert _role(lake, 9100026) == "fulfillment"  # an image quoting the request, no text
    assert _role(lake, 9100022) == "praise"
    assert _campaign(lake, 9100020) == _campaign(lake, 9100000) == _campaign(lake, 9100022)
    # a repost of an older result, days later in another thread, distributes it
    assert _role(lake, 9200000) == "distribution"
    assert _role(lake, 9200004) == "distribution"
    assert _campaign(lake, 9200004) == _campaign(lake, 9100000)


def test_ordinary_sexist_talk_is_other_and_unflagged(
    lake: dict[str, tuple[str, list[str]]],
) -> None:
    for no, text, *_ in ORDINARY:
        role, flags = lake[str(no)]
        assert role in ("other", "counter_speech"), (text, role)
        assert not flags, (text, flags)


def test_minor_risk_needs_context_and_reaches_the_whole_campaign(
    lake: dict[str, tuple[str, list[str]]],
) -> None:
    role, flags = lake["9400000"]
    assert role == "request" and "minor_risk" in flags
    assert "minor_risk" in lake["9400005"][1]  # the objection to it
    # every post of its campaign carries it (the result, its praise), whatever its own words
    cid = _campaign(lake, 9400000)
    members = [no for no, *_ in MINOR if _campaign(lake, no) == cid]
    assert 9400013 in members
    for no in members:
        assert "minor_risk" in lake[str(no)][1], no
    # ages, school and anime words in ordinary talk raise nothing
    for no in (9300019, 9300027, 9300031, 9300036):
        assert "minor_risk" not in lake[str(no)][1]


def test_the_domain_gate_needs_deepfake_context() -> None:
    none = Context(domain=False, thread_request=False, after_result=False, invites=False,
                   mentions_platform=False, media=False, seen_before=False, channel_media=False)  # fmt: skip
    assert gate("request", none) is not None
    assert gate("fulfillment", none) is not None
    assert gate("praise", none) is not None
    assert gate("other", none) is None and gate("counter_speech", none) is None
    assert gate("request", replace(none, domain=True)) is None
    in_thread = Context(domain=False, thread_request=True, after_result=False, invites=False,
                        mentions_platform=False, media=True, seen_before=False, channel_media=False)  # fmt: skip
    assert gate("request", in_thread) is None and gate("fulfillment", in_thread) is None
    # an image in an ordinary thread is not a fulfilment
    assert gate("fulfillment", replace(in_thread, thread_request=False)) is not None


# a hobby channel: photos with reactions, thanks, "again", "my old photos": words that can read
# as a result or a repost, with no woman, no request and no invite anywhere
HOBBY = [
    ("a", "finally finished the shelf build", None, True, 3),
    ("b", "looks clean, what wood is that?", 1, False, 0),
    ("a", "oak offcuts from the yard, sanded twice", 2, False, 0),
    ("c", "Have a look at this lathe I found at the flea market", None, True, 2),
    ("b", "nice find!", 4, False, 0),
    ("c", "thanks!", 5, False, 0),
    ("d", "joined the channel", None, False, 0),
    ("c", "My bench right now", None, True, 4),
    ("a", "anyone got the link to the plans again?", None, False, 0),
    ("b", "pinned in the other channel", 9, False, 0),
    ("a", "got it, thanks", 10, False, 1),
    ("d", "", None, True, 2),
    ("c", "that joint is so tidy, well done", 12, False, 0),
    ("d", "took me three tries lol", 13, False, 0),
    ("b", "Read the wiki before asking about finishes please", None, False, 0),
    ("a", "Here's the varnish I used", None, True, 1),
    ("c", "again?? you always post the same tin", 16, False, 0),
    ("d", "my old photos are all on the other drive", None, False, 0),
]


def test_no_role_stands_on_a_result_the_waves_undid(tmp_path: Path) -> None:
    """The settling sweep gates every role again with the context it computes in time order:
    here the waves once read a photo as a result, then undid it, and a later post kept
    'distribution' on the strength of it (before the sweep gated again)."""
    lines = []
    for i, (author, text, parent, media, reactions) in enumerate(HOBBY, 1):
        row: dict[str, Any] = {"platform": "discord", "community": "woodshop/general",
                               "post_id": str(i), "created_at": T0 + 240 * i,
                               "author_key": f"discord:{author}", "text": text}  # fmt: skip
        if parent:
            row["parent_ids"] = [str(parent)]
        if media:
            row["media"] = [{"name": f"IMG_{i}.jpg", "ext": ".jpg", "size": 50_000 + i,
                             "md5": f"{i:032x}"}]  # fmt: skip
        if reactions:
            row["reactions"] = [{"emoji": "+1", "count": reactions}]
        lines.append(orjson.dumps(row).decode())
    (tmp_path / "hobby.jsonl").write_text("\n".join(lines) + "\n")
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(tmp_path / "hobby.jsonl")])
    analyze(ws)
    roles = (
        duckdb.connect()
        .execute(f"SELECT uid, role, why FROM ({enriched_sql(ws)}) WHERE role <> 'other'")
        .fetchall()
    )
    assert roles == []


NEGATIVE_LINES = [
    "women belong in the kitchen and you know it",
    "she's a 10 but she knows it, insufferable",
    "i bet she sends pics to half the gym",
    "would kill to see her without the dress honestly",
    "my ex is a nightmare, glad that's over",
    "imagine being this bitter about a girl who said no",
    "feminists ruined dating apps",
    "my niece is 11 and already has a phone, kids these days",
    "that young lady at the desk was so helpful today",
    "the school uniform skin in the new season is actually fire",
    "send nudes lol jk",
    "girls at my uni are all the same",
]


def test_evaluate_negatives_prints_the_alarm_rate_per_source(
    tmp_path: Path, cli: CliRunner
) -> None:
    lines = [
        orjson.dumps({"platform": "forum", "community": "banter", "post_id": str(i),
                      "created_at": T0 + i * 60, "text": text}).decode()
        for i, text in enumerate(NEGATIVE_LINES * 4)
    ]  # fmt: skip
    (tmp_path / "banter.jsonl").write_text("\n".join(lines) + "\n")
    run = cli(
        "evaluate", "--no-synthetic", "--negatives", str(tmp_path / "banter.jsonl"), check=True
    )
    assert "banter.jsonl" in run.stdout and "alarm rate" in run.stdout
    row = next(line for line in run.stdout.splitlines() if "banter.jsonl" in line)
    assert "0.00%" in row, row


def test_handwritten_corpus_holds(tmp_path: Path) -> None:
    """A regression guard on text nobody on the project's generator wrote: 240 hand-labelled
    posts in the real export formats (tests/fixtures/handwritten, see its README). The floors are
    a little under the measured figures in docs/detection.md."""
    from counterspell.evaluation.campaigns import score_campaigns
    from counterspell.evaluation.evaluate import against_labels
    from tests.conftest import REPO

    corpus = REPO / "tests" / "fixtures" / "handwritten"
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(corpus)])
    analyze(ws, workers=1)
    m = against_labels(ws, str(corpus / "labels.csv"))
    assert m.n == 240
    macro = sum(v["f1"] for v in m.per_role.values()) / len(m.per_role)
    assert macro >= 0.75, m.per_role
    assert m.per_role["request"]["f1"] >= 0.8 and m.per_role["fulfillment"]["f1"] >= 0.85
    assert m.minor_risk_recall is not None and m.minor_risk_recall >= 0.9
    c = score_campaigns(ws, corpus / "campaigns.csv")
    assert c.f1 >= 0.75 and c.precision >= 0.85, c
