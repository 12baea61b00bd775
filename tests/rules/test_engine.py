"""Rules over the lake: the view's fields agree with the datasets, backtests count right."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, date
from pathlib import Path

import pytest

from counterspell.lake.datasets import enriched_sql, relation
from counterspell.lake.query import connect
from counterspell.lake.workspace import Workspace
from counterspell.reports.backtest_page import chart_svg, html_page
from counterspell.rules.engine import (
    Reviewed,
    Window,
    backtest,
    hits,
    record_hits,
)
from counterspell.rules.model import BUILTIN, Rule
from tests.store.conftest import lake  # noqa: F401  (the shared analysed lake)


@pytest.fixture
def own_lake(lake: Workspace, tmp_path: Path) -> Workspace:  # noqa: F811
    shutil.copytree(lake.root, tmp_path / "ws")
    return Workspace.open(tmp_path / "ws")


def _uids(ws: Workspace, rule: Rule, window: Window | None = None) -> set[str]:
    return set(hits(ws, [rule], window or Window()).column("uid").to_pylist())


def test_role_and_flag_fields_agree_with_the_enrichments(lake: Workspace) -> None:  # noqa: F811
    con = connect(lake)
    want = {
        u for (u,) in con.sql(
            f"SELECT uid FROM {enriched_sql(lake)} WHERE role = 'request' AND list_contains(flags, 'minor_risk')"
        ).fetchall()
    }  # fmt: skip
    assert want, "the synthetic lake has minor-risk requests"
    assert _uids(lake, BUILTIN[0]) == want


def test_campaign_and_author_fields(lake: Workspace) -> None:  # noqa: F811
    con = connect(lake)
    members = {
        u for (u,) in con.sql(f"SELECT uid FROM {relation(lake, 'campaign_members')}").fetchall()
    }
    assert _uids(lake, Rule.make("c", "campaign_members > 0")) == members
    # author history counts only what came before: an author's first post has nothing before it
    firsts = _uids(lake, Rule.make("f", "author_posts_before = 0 AND NOT is_op AND NOT is_op"))
    later = _uids(lake, Rule.make("l", "author_posts_before > 0"))
    assert firsts and later and not firsts & later


def test_one_scan_gives_each_rule_its_own_hits(lake: Workspace) -> None:  # noqa: F811
    rules = [*BUILTIN, Rule.make("req", "role = 'request'")]
    together = hits(lake, rules)
    for k, r in enumerate(rules):
        alone = _uids(lake, r)
        assert {
            u
            for kk, u in zip(
                together.column("k").to_pylist(), together.column("uid").to_pylist(), strict=True
            )
            if kk == k
        } == alone


def test_backtest_window_decisions_and_versions(lake: Workspace) -> None:  # noqa: F811
    rule = Rule.make("req", "role = 'request' AND role_score >= 0.95", version=2)
    prev = Rule.make("req", "role = 'request'", version=1)
    all_hits = sorted(_uids(lake, rule))
    confirmed, dismissed = all_hits[0], all_hits[1]
    missed = sorted(_uids(lake, prev) - set(all_hits))[0]

    def place(uid: str) -> tuple[str, str]:
        platform, community, _ = uid.split(":", 2)
        return platform, community

    reviewed = {
        confirmed: Reviewed("confirm", "request", *place(confirmed), None),
        dismissed: Reviewed("dismiss", "other", *place(dismissed), None),
        missed: Reviewed("correct", "request", *place(missed), None),
    }
    bt = backtest(lake, rule, previous=prev, reviewed=reviewed, mask=lambda s: (s or "").upper())
    assert bt.hits == len(all_hits)
    assert bt.reviewed["confirmed"] == 1 and bt.reviewed["dismissed"] == 1
    assert bt.precision == 0.5
    assert bt.confirmed_total == 2 and bt.confirmed_missed == 1 and bt.recall == 0.5
    assert bt.missed_sample == [missed]
    assert bt.lost_hits == len(_uids(lake, prev)) - bt.hits and bt.new_hits == 0
    assert sum(n for _, n in bt.by_day) == bt.hits == sum(n for _, n in bt.by_community)
    assert bt.sample and all(s["text"] == s["text"].upper() for s in bt.sample)  # masked
    page = html_page(bt)
    assert "<svg" in page and "<script" not in page
    # the chart: the same bytes each time; days on a time axis (years apart are not neighbours)
    far = dataclasses.replace(bt, by_day=[("2012-09-03", 2), ("2017-05-08", 3)])
    assert chart_svg(far) == chart_svg(far) and ">2013<" in chart_svg(far).replace("\n", "")
    assert "<svg" in chart_svg(dataclasses.replace(bt, by_day=[]))
    # a window restricts by day and scope
    first = date.fromisoformat(bt.by_day[0][0])
    one_day = backtest(lake, rule, Window(first, first))
    assert one_day.hits == bt.by_day[0][1]
    busiest = bt.by_community[0][0]
    assert backtest(lake, rule, Window(scope=busiest)).hits == bt.by_community[0][1]


def test_hits_are_recorded_once_per_rule_version(own_lake: Workspace) -> None:
    from datetime import datetime

    rules = [Rule.make("req", "role = 'request'", state="shadow", version=1)]
    table = hits(own_lake, rules)
    first = record_hits(own_lake, rules, table, datetime.now(UTC))
    assert first.num_rows == table.num_rows > 0
    assert record_hits(own_lake, rules, table, datetime.now(UTC)).num_rows == 0
    v2 = [Rule.make("req", "role = 'request'", state="shadow", version=2)]
    assert record_hits(own_lake, v2, table, datetime.now(UTC)).num_rows == table.num_rows
    n = connect(own_lake).sql(f"SELECT count(*) FROM {relation(own_lake, 'rule_hits')}").fetchall()
    assert n[0][0] == 2 * table.num_rows


def test_a_rule_that_fails_at_run_time_is_named(lake: Workspace) -> None:  # noqa: F811
    from counterspell.rules.model import RuleError

    bad = Rule.make("bad-regex", "regexp_matches(role, '(')")
    with pytest.raises(RuleError, match="rule bad-regex: "):
        hits(lake, [BUILTIN[0], bad])
