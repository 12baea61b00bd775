"""The per-community campaign linker, post by post."""

from __future__ import annotations

import pytest

from counterspell.stages import linker as L
from counterspell.stages.linker import CampaignLinker, LinkRow, campaign_id


def row(uid: str, minute: float, role: str, **kw: object) -> LinkRow:
    return LinkRow(
        uid=uid,
        thread=str(kw.get("thread", "t")),
        ts=minute * 60.0,
        parents=list(kw.get("parents", [])),  # type: ignore[call-overload]
        author=kw.get("author"),  # type: ignore[arg-type]
        role=role,
        role_p=float(kw.get("p", 1.0)),  # type: ignore[arg-type]
        targets=list(kw.get("targets", [])),  # type: ignore[call-overload]
    )


def test_reply_beats_time() -> None:
    lk = CampaignLinker()
    lk.add(row("r1", 0, "request"))
    lk.add(row("r2", 50, "request"))
    m = lk.add(row("f", 55, "fulfillment", parents=["r1"]))
    assert m is not None and (m.campaign_id, m.method, m.anchor_uid) == (
        campaign_id("r1"),
        "reply",
        "r1",
    )
    assert m.confidence == L.REPLY_CONFIDENCE


def test_unquoted_answers_go_to_the_likeliest_open_campaign() -> None:
    lk = CampaignLinker()
    lk.add(row("r1", 0, "request"))
    lk.add(row("r2", 10, "request"))
    f = lk.add(row("f", 40, "fulfillment"))
    assert f is not None and f.campaign_id == campaign_id("r2") and f.method == "thread"
    assert 0 < f.confidence < L.HEURISTIC_CONFIDENCE  # two plausible requests: not sure
    p = lk.add(row("p", 45, "praise"))
    assert p is not None and p.campaign_id == campaign_id("r2") and p.anchor_uid == "f"
    # the next unquoted fulfilment prefers the request nobody has answered yet
    f2 = lk.add(row("f2", 50, "fulfillment"))
    assert f2 is not None and f2.campaign_id == campaign_id("r1")


def test_a_known_parent_outside_any_campaign_is_not_overridden() -> None:
    lk = CampaignLinker()
    lk.add(row("r1", 0, "request"))
    lk.remember("chat", "other")
    assert lk.add(row("p", 5, "praise", parents=["chat"])) is None
    # a parent the linker never saw (not in the lake) does not block the thread heuristics
    lk.add(row("f", 6, "fulfillment", parents=["missing"]))
    assert lk.add(row("p2", 7, "praise", parents=["missing"])) is not None


def test_source_requests_follow_the_target_and_other_threads_stay_apart() -> None:
    lk = CampaignLinker()
    lk.add(row("r1", 0, "request", targets=["tgt_a"]))
    lk.add(row("r2", 20, "request", targets=["tgt_b"]))
    lk.add(row("r3", 21, "request", thread="other", targets=["tgt_a"]))
    s = lk.add(row("s", 25, "source_solicitation", targets=["tgt_a"]))
    assert s is not None and s.campaign_id == campaign_id("r1") and s.method == "target"


def test_distribution_by_the_creator_and_after_a_fulfilment() -> None:
    lk = CampaignLinker()
    lk.add(row("r1", 0, "request"))
    lk.add(row("f", 30, "fulfillment", author="wiz", parents=["r1"]))
    lk.add(row("r2", 40, "request"))
    d = lk.add(row("d", 60, "distribution", author="wiz"))
    assert d is not None and (d.campaign_id, d.method, d.anchor_uid) == (
        campaign_id("r1"),
        "author",
        "f",
    )
    anon = lk.add(row("d2", 70, "distribution"))
    assert anon is not None and anon.method == "thread" and anon.confidence < d.confidence
    assert lk.add(row("d3", 60 * 24, "distribution")) is None  # a day later: no longer tied


def test_praise_of_praise_credits_the_fulfilment_and_old_requests_close() -> None:
    lk = CampaignLinker()
    lk.add(row("r1", 0, "request"))
    lk.add(row("f", 10, "fulfillment", parents=["r1"]))
    lk.add(row("p1", 12, "praise", parents=["f"]))
    p2 = lk.add(row("p2", 13, "praise", parents=["p1"]))
    assert p2 is not None and p2.anchor_uid == "f"
    late = lk.add(row("f2", L.HORIZON_S / 60 + 20, "fulfillment"))
    assert late is None  # three days on, the request is no longer open


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(L, "RECENT_POSTS", 1000)
    monkeypatch.setattr(L, "MAX_THREADS", 50)
    lk = CampaignLinker()
    for i in range(5000):
        lk.add(row(f"r{i}", i, "request", thread=f"t{i}"))
        lk.remember(f"o{i}", "other")
    assert len(lk._posts) <= 1000 and len(lk._threads) <= 50
