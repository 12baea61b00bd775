"""The planner: the removal rule on a hand-built graph, then a synthetic corpus against its truth
(precision at 10 of creators and hubs; the simulated removal of true creators against re-linking
the lake without their posts), plans against random ones, and the command."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from counterspell.evaluation.plan import (
    actor_authors,
    score_plan,
    simulation_vs_relink,
    true_creators,
    truth_authors,
)
from counterspell.lake.workspace import Workspace
from counterspell.pipeline.plan import (
    PlanOptions,
    Simulator,
    displacement,
    outcome,
    plan,
    plan_graph,
)
from counterspell.pipeline.plan_graph import PlanGraph, _build
from counterspell.synth import generate
from tests.conftest import analysed_lake


def _m(uid: str, part: str, place: str, author: str | None, anchor: str | None = None,
       reaches: tuple[str, ...] = ()) -> tuple[object, ...]:  # fmt: skip
    plat, comm = place.split(":")
    thread = "t1" if uid.startswith("a") else "t2"
    return (part, anchor, plat, comm, thread, author, None, False, [], list(reaches), uid)


def _graph() -> PlanGraph:
    """Two campaigns on a board: A (thread t1) fulfilled by wiz1 and praised, its picture
    reposted on a channel; B (thread t2) fulfilled by wiz1 and wiz2, with an invite to kik."""
    rows = []
    spec = {
        "A": [
            _m("a1", "request", "b:r", "u1"),
            _m("a2", "fulfillment", "b:r", "wiz1", "a1"),
            _m("a3", "praise", "b:r", "u2", "a2"),
            _m("a4", "distribution", "t:ch", "chan", "a2"),
        ],
        "B": [
            _m("b1", "request", "b:r", "u3"),
            _m("b2", "fulfillment", "b:r", "wiz1", "b1"),
            _m("b3", "fulfillment", "b:r", "wiz2", "b1"),
            _m("b4", "praise", "b:r", "u4", "b3", ("kik:drops",)),
        ],
    }
    for cid, members in spec.items():
        for part, anchor, plat, comm, thread, author, handle, spans, pics, reaches, uid in members:
            rows.append((cid, f"{cid.lower()}1", "b:r", f"tgt_{cid}", uid, part, anchor, plat, comm,
                         thread, author, handle, spans, pics, reaches))  # fmt: skip
    return _build(rows)


def test_removal_takes_what_is_anchored_on_it_and_no_more() -> None:
    a, b = _graph().campaigns
    assert outcome(a, frozenset()) == outcome(a, frozenset({"creator:b:wiz2"}))
    gone = outcome(a, frozenset({"creator:b:wiz1"}))
    assert (gone.alive, gone.fulfilled, gone.praise, gone.reach) == (True, False, 0, 0)
    # B keeps wiz2's fulfilment, its praise and the invite that praise carried
    kept = outcome(b, frozenset({"creator:b:wiz1"}))
    assert (kept.fulfilled, kept.praise, kept.reach) == (True, 1, 1)
    assert outcome(b, frozenset({"hub:kik:drops"})).reach == 0
    assert (
        outcome(a, frozenset({"hub:t:ch"})).reach == 0
        and outcome(a, frozenset({"hub:t:ch"})).praise == 1
    )
    assert not outcome(a, frozenset({"thread:b:r:t1"})).alive


def test_rankings_plans_and_displacement_on_the_small_graph() -> None:
    graph = _build([])  # an empty lake plans nothing and says so
    empty = plan_graph(graph, None, PlanOptions(bootstrap=5, random_draws=3))
    assert empty["campaigns"] == 0 and all(not r for r in empty["rankings"].values())
    g = _graph()
    sim = Simulator(g)
    result = plan_graph(g, None, PlanOptions(budget=1, bootstrap=20, random_draws=5))
    assert [r["name"] for r in result["rankings"]["creator"]] == ["b:wiz1", "b:wiz2"]
    assert result["rankings"]["creator"][0]["share"] == 1.0  # took part in both fulfilled
    assert result["rankings"]["creator"][0]["alone"]["fulfilled"] == 1  # B survives on wiz2
    hubs = [r["name"] for r in result["rankings"]["hub"]]
    assert set(hubs) == {"t:ch", "kik:drops"}
    one = next(p for p in result["plans"] if p["name"] == "1 creators")
    assert one["remaining"]["fulfilled"]["share"] == 0.5
    # wiz1 gone: A's request stands and wiz2 is still active on the board, so A is picked up
    assert one["displacement"]["recoverable"] == 1
    assert one["displacement"]["picked_up_by"] == [
        {"kind": "creator", "name": "b:wiz2", "campaigns": 1}
    ]
    assert [s["fulfilled"] for s in one["displacement"]["scenarios"]] == [0.5, 0.75, 1.0]
    # a budget over what there is takes all of it and says so: two creators exist, not five
    wide = plan_graph(g, None, PlanOptions(budget=5, bootstrap=5, random_draws=3))
    names = [p["name"] for p in wide["plans"]]
    assert "2 creators (all)" in names and "5 creators" not in names
    assert next(p for p in wide["plans"] if p["name"] == "2 creators (all)")["removed"]["creator"] == [
        "creator:b:wiz1", "creator:b:wiz2"
    ]  # fmt: skip
    # thread t1 gone: A's requester asks again in t2, the board's other thread
    thread = next(p for p in result["plans"] if p["name"] == "1 threads")
    assert thread["removed"] == {"thread": ["thread:b:r:t1"]}
    assert thread["displacement"]["picked_up_by"] == [
        {"kind": "thread", "name": "b:r:t2", "campaigns": 1}
    ]
    community = next(p for p in result["plans"] if p["name"] == "1 communities")
    assert community["remaining"]["fulfilled"]["share"] == 0.0
    assert community["displacement"]["recoverable"] == 0  # nowhere left to ask
    # the kik hub gone: B's material goes where the board's campaigns went too (the channel)
    hub = next(p for p in result["plans"] if p["name"] == "1 hubs")
    assert hub["removed"] == {"hub": ["hub:kik:drops"]}
    assert (hub["displacement"]["recoverable"], hub["displacement"]["rerouted"]) == (0, 1)
    assert hub["displacement"]["picked_up_by"] == [{"kind": "hub", "name": "t:ch", "campaigns": 1}]
    assert [s["reach"] for s in hub["displacement"]["scenarios"]] == [0.5, 0.75, 1.0]
    assert [s["fulfilled"] for s in hub["displacement"]["scenarios"]] == [1.0, 1.0, 1.0]
    assert sim.totals(sim.base) == {"fulfilled": 2, "praise": 2, "reach": 2, "targets": 2}


def test_a_community_taken_down_moves_its_requests_to_where_it_sent_people() -> None:
    """A board's campaign invites to a Discord server that holds requests and a creator of its
    own: with the board gone, its requesters ask there; with both gone, nowhere."""
    spec = {
        ("A", "b:r"): [
            _m("a1", "request", "b:r", "u1"),
            _m("a2", "fulfillment", "b:r", "wiz1", "a1"),
            _m("a3", "praise", "b:r", "u2", "a2", ("d:srv",)),
        ],
        ("C", "d:srv"): [
            _m("c1", "request", "d:srv", "u5"),
            _m("c2", "fulfillment", "d:srv", "wiz3", "c1"),
        ],
        ("E", "x:quiet"): [_m("e1", "request", "x:quiet", "u6")],  # no creator: never a taker
    }
    rows = []
    for (cid, cplace), members in spec.items():
        for part, anchor, plat, comm, thread, author, handle, spans, pics, reaches, uid in members:
            rows.append((cid, f"{cid.lower()}1", cplace, None, uid, part, anchor, plat, comm,
                         thread, author, handle, spans, pics, reaches))  # fmt: skip
    sim = Simulator(_build(rows))
    gone = frozenset({"community:b:r"})
    moved = displacement(sim, gone, sim.run(gone))
    assert moved["recoverable"] == 1
    assert moved["picked_up_by"] == [{"kind": "community", "name": "d:srv", "campaigns": 1}]
    assert [s["fulfilled"] for s in moved["scenarios"]] == [0.5, 0.75, 1.0]
    both = frozenset({"community:b:r", "hub:d:srv"})
    assert displacement(sim, both, sim.run(both))["recoverable"] == 0


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    root = tmp_path_factory.mktemp("plan")
    generate(root / "corpus", posts=3000, seed=7)
    return analysed_lake(root), root / "corpus" / "truth.csv"


def test_top_10_contain_the_true_creators_and_hubs(synthetic: tuple[Workspace, Path]) -> None:
    ws, truth = synthetic
    score = score_plan(ws, truth)
    assert score.creators_at_10 >= 0.8, score.planner_top_creators
    assert score.distinct_true_creators_in_top_10 >= 5 and score.people_at_10 >= 0.6
    assert score.true_top_creators[0] in {t for _, t in score.planner_top_creators[:3]}
    assert score.hubs_k >= 2 and score.hubs_at_k >= 0.66, (score.planner_hubs, score.true_hubs)


TOLERANCE = {"fulfilled": 0.05, "reach": 0.05, "targets": 0.15}


def test_simulated_removal_matches_relinking_without_their_posts(
    synthetic: tuple[Workspace, Path], tmp_path: Path
) -> None:
    """Within TOLERANCE (a share of today's total); praise is where the two differ by design:
    re-linking attaches the praise of removed work to a surviving fulfilment nearby."""
    ws, truth = synthetic
    mapping = actor_authors(ws, truth_authors(ws, truth))
    top = set(true_creators(ws, truth)[:5])
    actors = sorted(a for a, t in mapping.items() if t in top)
    assert len(actors) >= 5
    cmp = simulation_vs_relink(ws, actors, tmp_path / "relinked")
    assert cmp["fulfilled"]["simulated"] < 0.8 * cmp["fulfilled"]["before"]  # a real effect
    for measure, tol in TOLERANCE.items():
        assert abs(cmp[measure]["difference"]) <= tol, (measure, cmp[measure])
    assert cmp["praise"]["simulated"] <= cmp["praise"]["relinked"]


def test_plans_beat_random_and_combined_beats_single(synthetic: tuple[Workspace, Path]) -> None:
    ws, _ = synthetic
    result = plan(ws, None, PlanOptions(budget=3, bootstrap=50, random_draws=20))
    plans = {p["name"]: p for p in result["plans"]}
    for name in ("3 creators", "3 threads"):
        p = plans[name]
        assert p["remaining"]["fulfilled"]["share"] < p["random"]["fulfilled"]["share"], name
        lo, hi = p["remaining"]["fulfilled"]["ci"]
        assert lo <= p["remaining"]["fulfilled"]["share"] <= hi
    assert (
        plans["3 hubs"]["remaining"]["reach"]["share"] < plans["3 hubs"]["random"]["reach"]["share"]
    )
    combined = plans["combined: 3 creators + 3 threads + 3 hubs"]["remaining"]
    for single in ("3 creators", "3 threads", "3 hubs"):
        for m in ("fulfilled", "reach"):
            assert combined[m]["share"] <= plans[single]["remaining"][m]["share"]
    # full displacement gives back what removing creators took, at least in part
    scen = plans["3 creators"]["displacement"]["scenarios"]
    assert scen[0]["fulfilled"] < scen[-1]["fulfilled"]
    scoped = plan(ws, "4chan/r", PlanOptions(budget=3, bootstrap=0, random_draws=0))
    assert 0 < scoped["campaigns"] < result["campaigns"]


def test_plan_command(synthetic: tuple[Workspace, Path], tmp_path: Path) -> None:
    """In process (a subprocess per format costs seconds of imports each)."""
    from typer.testing import CliRunner as Typer

    from counterspell.cli.common import app
    from counterspell.cli.main import main as _registers  # noqa: F401
    from counterspell.errors import CounterspellError

    ws, truth = synthetic
    run = Typer().invoke
    args = ["-w", str(ws.root), "plan", "--budget", "2", "--bootstrap", "10", "--random-draws", "5"]
    proc = run(app, [*args, "--format", "json", "--combine", "creator=2,hub=1"])
    assert proc.exit_code == 0, proc.output
    result = orjson.loads(proc.stdout)
    assert result["plans"][-1]["name"] == "combined: 2 creators + 1 hubs"
    assert any("No displacement" in a for a in result["assumptions"])
    proc = run(
        app, [*args, "--format", "html", "-o", str(tmp_path / "p.html"), "--truth", str(truth)]
    )
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "What the simulation assumes" in html and "<script" not in html
    assert "creators precision at 10 1.00" in html
    proc = run(app, [*args, "--truth", str(truth)], env={"COLUMNS": "200"})
    assert proc.exit_code == 0, proc.output
    assert "No displacement" in proc.stdout and "precision@10" in proc.stdout
    nowhere = run(app, [*args, "--scope", "nowhere"])
    assert isinstance(nowhere.exception, CounterspellError) and "nowhere" in str(nowhere.exception)
    bad = run(app, [*args, "--combine", "wizard=3"])
    assert isinstance(bad.exception, CounterspellError) and "--combine" in str(bad.exception)
    # a truth file that is not there, or lacks a column, is a sentence naming it (a database
    # traceback before)
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    for path, words in (
        (tmp_path / "none.csv", "no such file"),
        (tmp_path / "other.csv", "author"),
    ):
        wrong = run(app, [*args, "--truth", str(path)])
        assert isinstance(wrong.exception, CounterspellError), wrong.exception
        assert words in str(wrong.exception) and str(path) in str(wrong.exception)
