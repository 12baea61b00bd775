"""The research report: every section, numbers that agree, determinism, empty and real data,
and what a reader's browser shows."""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from counterspell import Workspace, analyze, ingest
from counterspell.pipeline.hash_media import hash_media
from counterspell.reports.data import Scope, median_ci
from counterspell.reports.render import write_report
from counterspell.synth import generate
from tests.conftest import REAL, analysed_lake, real

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
SECTIONS = ("Data", "Activity over time", "Requests and fulfilment", "Rewards", "Targets",
            "Possible minors", "Distribution", "Tools", "Where to act", "Methods and limits")  # fmt: skip


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("report")
    generate(root / "corpus", posts=2500, seed=21)
    return analysed_lake(root)


@pytest.fixture(scope="module")
def report(workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(workspace, tmp_path_factory.mktemp("out") / "report").path.parent


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_section_table_and_figure(report: Path) -> None:
    html = (report / "report.html").read_text(encoding="utf-8")
    for i, title in enumerate(SECTIONS, start=1):
        assert f"{i}. {title}</h2>" in html
    assert 'class="empty"' not in html  # the synthetic corpus has data for every section
    figures = sorted(p.stem for p in (report / "figures").glob("*.svg"))
    assert figures == sorted(["activity_by_role", "requests_fulfilments", "time_to_fulfilment", "lorenz",
                              "top_creators", "relationships", "destinations", "community_map", "tools"])  # fmt: skip
    assert html.count('<img src="data:image/svg+xml;base64,') == len(figures)
    for name in ("communities", "inputs", "posts_per_week_by_role", "fulfilment", "creators", "lorenz",
                 "relationships", "minor_risk_by_community", "bridges", "tools", "evaluation", "facts",
                 "plan_effects", "plan_top_creators", "plan_top_hubs", "plan_top_communities"):  # fmt: skip
        assert (report / "tables" / f"{name}.csv").exists(), name
    assert (report / "graphs" / "communities.gexf").exists() and (
        report / "graphs" / "actors.gexf"
    ).exists()
    assert "tgt_" not in html or "creator_" in html  # pseudonyms only
    assert (
        "http://" not in html.replace("http://www.w3.org", "") and "<script" not in html
    )  # self-contained


def test_numbers_in_text_and_tables_agree(report: Path) -> None:
    html = (report / "report.html").read_text(encoding="utf-8")
    facts = {r["fact"]: r for r in _csv(report / "tables" / "facts.csv")}
    for name, f in facts.items():
        assert f["text"].replace("&", "&amp;") in html, (
            f"{name}: {f['text']!r} is not in the report"
        )
    ful = _csv(report / "tables" / "fulfilment.csv")[0]
    assert facts["fulfilment.requests"]["value"] == ful["requests"]
    assert facts["fulfilment.fulfilled"]["value"] == ful["fulfilled"]
    assert float(facts["fulfilment.fulfilment_rate"]["value"]) == pytest.approx(
        int(ful["fulfilled"]) / int(ful["requests"])
    )
    weekly = _csv(report / "tables" / "requests_per_week.csv")
    assert sum(int(r["requests"]) for r in weekly) == int(ful["requests"])
    by_role = _csv(report / "tables" / "posts_per_week_by_role.csv")
    assert sum(int(r["posts"]) for r in by_role) == int(facts["data.posts"]["value"])
    communities = _csv(report / "tables" / "communities.csv")
    assert len(communities) == int(facts["data.communities"]["value"])
    creators = _csv(report / "tables" / "creators.csv")
    assert len(creators) == int(facts["rewards.creators"]["value"])
    assert all(r["creator"].startswith("creator_") for r in creators)
    effects = {r["plan"]: r for r in _csv(report / "tables" / "plan_effects.csv")}
    combined = effects["combined: " + facts["plan.combined_plan"]["value"]]
    assert combined["fulfilled_left"] == facts["plan.combined_fulfilled_left"]["value"]
    assert float(combined["fulfilled_left"]) < float(facts["plan.random_fulfilled_left"]["value"])
    assert all(
        r["creator"].startswith("creator_")
        for r in _csv(report / "tables" / "plan_top_creators.csv")
    )
    minors = _csv(report / "tables" / "minor_risk_by_community.csv")
    assert sum(int(r["posts"]) for r in minors) == int(facts["minors.posts_minor_risk"]["value"])


def test_same_workspace_same_report(workspace: Workspace, report: Path, tmp_path: Path) -> None:
    again = write_report(workspace, tmp_path / "again").path.parent
    for sub in ("tables", "figures"):
        for p in sorted((report / sub).iterdir()):
            assert p.read_bytes() == (again / sub / p.name).read_bytes(), p.name
    assert (report / "report.html").read_bytes() == (again / "report.html").read_bytes()


def test_scope_filters_every_table(workspace: Workspace, tmp_path: Path) -> None:
    out = write_report(workspace, tmp_path / "tg", Scope(platform="telegram")).path.parent
    assert {r["platform"] for r in _csv(out / "tables" / "communities.csv")} == {"telegram"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "platform telegram" in html


def test_the_report_replaces_only_an_earlier_report(tmp_path: Path, cli: CliRunner) -> None:
    """The report replaces its folder whole; a folder with anything else in it, a file, or the
    workspace itself is refused before any work and left as it was (it was emptied before)."""
    from counterspell.errors import CounterspellError

    ws = Workspace.init(tmp_path / "ws")
    out = tmp_path / "r"
    write_report(ws, out)
    write_report(ws, out)  # an earlier report: replaced
    assert (out / "report.html").exists() and (out / ".counterspell-report").exists()
    (tmp_path / "empty").mkdir()
    write_report(ws, tmp_path / "empty")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("keep", encoding="utf-8")
    (tmp_path / "labels.csv").write_text("uid,role\n", encoding="utf-8")
    for target in (notes, ws.root, tmp_path / "labels.csv"):
        with pytest.raises(CounterspellError, match=r"new or empty folder|not a folder"):
            write_report(ws, target)
    assert (notes / "notes.txt").read_text(encoding="utf-8") == "keep"
    assert (ws.root / "counterspell.toml").exists()
    assert (tmp_path / "labels.csv").read_text(encoding="utf-8") == "uid,role\n"
    run = cli("-w", str(ws.root), "report", "-o", str(ws.root))
    assert (
        run.returncode == 2 and "counterspell.toml" in run.stderr and "Traceback" not in run.stderr
    )
    assert Workspace.open(str(ws.root)).root == ws.root


def test_empty_workspace_says_so(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    out = write_report(ws, tmp_path / "r").path
    html = out.read_text(encoding="utf-8")
    assert "holds no posts in this scope" in html
    assert all(f"{i}. {t}</h2>" in html for i, t in enumerate(SECTIONS, start=1))


def test_real_fixtures_report(tmp_path: Path) -> None:
    real("4chan")
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(REAL / d) for d in ("4chan", "telegram", "discord")])
    analyze(ws, workers=1)
    out = write_report(ws, tmp_path / "r").path
    html = out.read_text(encoding="utf-8")
    assert "1. Data</h2>" in html and "No fulfilments in this scope." in html
    # no "would leave 100% of today's 0 fulfilled campaigns": ordinary talk has no campaign
    # (since 2026-12-02 not even an unfulfilled one), and the plan says there is nothing to take
    assert "of today's 0 fulfilled" not in html
    assert "No campaigns in this scope." in html or "nothing for a plan to take" in html
    # links between ordinary communities are not "no links"
    assert "No invites, links out or shared media from the abuse in this scope." in html


def test_median_ci() -> None:
    assert median_ci([]) == (None, None, None)
    med, lo, hi = median_ci([float(x) for x in range(1, 101)])
    assert med == 50.5 and lo is not None and hi is not None and lo < med < hi


def test_report_command(workspace: Workspace, cli: CliRunner, tmp_path: Path) -> None:
    proc = cli(
        "-w",
        str(workspace.root),
        "report",
        "-o",
        str(tmp_path / "r"),
        "--since",
        "2026-01-01",
        check=True,
    )
    assert "report.html" in proc.stdout
    bad = cli("-w", str(workspace.root), "report", "--since", "January")
    assert bad.returncode == 2 and "--since 'January'" in bad.stderr
    # a community as plan --scope writes it; a wrong one is told which communities there are
    one = cli(
        "-w", str(workspace.root), "report", "--community", "4chan/r", "-o", str(tmp_path / "c")
    )
    assert one.returncode == 0, one.stderr
    wrong = cli(
        "-w", str(workspace.root), "report", "--community", "nope", "-o", str(tmp_path / "n")
    )
    assert wrong.returncode == 2 and "the lake has the communities 4chan/r" in wrong.stderr


def test_report_renders_in_a_browser(report: Path, browser: Any) -> None:
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((report / "report.html").as_uri())
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all(
        "figure img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])"
    )
    assert len(images) == len(list((report / "figures").glob("*.svg")))
    assert all(done and w > 0 and h > 0 for done, w, h in images), images
    assert page.locator("h2").count() == len(SECTIONS)
    assert errors == []


def test_provenance_signals_are_counted(tmp_path: Path) -> None:
    """Media whose files carry generator metadata show up in the tools section."""
    import orjson
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters", "abstract shapes, Steps: 20, Sampler: Euler a, Model: example-model"
    )
    img = tmp_path / "export" / "a.png"
    img.parent.mkdir()
    Image.new("RGB", (64, 64), (90, 140, 200)).save(img, pnginfo=info)
    src = tmp_path / "export" / "posts.jsonl"
    src.write_bytes(orjson.dumps({"community": "c", "post_id": "1", "created_at": 1_767_225_600,
                                  "text": "made with inpainting", "media": [{"name": "a.png", "path": str(img)}]}) + b"\n")  # fmt: skip
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(src)], fmt="jsonl")
    hash_media(ws)
    analyze(ws, workers=1)
    out = write_report(ws, tmp_path / "r").path.parent
    rows = _csv(out / "tables" / "provenance.csv")
    assert rows and rows[0]["signal"] == "generator_parameters" and int(rows[0]["files"]) == 1
    facts = {r["fact"]: r for r in _csv(out / "tables" / "facts.csv")}
    assert facts["tools.files_with_provenance"]["value"] == "1"


def test_a_scope_that_matches_nothing_is_an_error_unless_allowed(
    workspace: Workspace, cli: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "empty"
    proc = cli("-w", str(workspace.root), "report", "-o", str(out), "--platform", "myspace")
    err = " ".join(proc.stderr.split())
    assert proc.returncode == 2 and "no posts in platform myspace" in err
    assert "4chan" in err and "--allow-empty" in err and not out.exists()
    ok = cli(
        "-w",
        str(workspace.root),
        "report",
        "-o",
        str(out),
        "--platform",
        "myspace",
        "--allow-empty",
    )
    assert ok.returncode == 0 and (out / "report.html").exists()


def test_words_agree_with_their_numbers_and_notes_show_code(report: Path) -> None:
    import re

    html = (report / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(
        r"(?<![\d,.])1 (requests|posts|targets|weeks|bridges|campaigns|links)\b", text
    )
    assert "`" not in text  # notes' commands are <code>, not literal backticks
    assert "<code>counterspell queue list --status escalated</code>" in html
    assert "median of n/a" not in text and "was n/a" not in text


def test_community_names_from_the_registry_are_shown(report: Path, workspace: Workspace) -> None:
    from counterspell.lake.registry import registered

    names = {str(r["name"]) for r in registered(workspace) if r["name"]}
    assert names
    rows = _csv(report / "tables" / "communities.csv")
    assert names & {r["name"] for r in rows}
    bridges = _csv(report / "tables" / "bridges.csv")
    assert any(r["src_name"] or r["dst_name"] for r in bridges)
    html = (report / "report.html").read_text(encoding="utf-8")
    assert any(n in html for n in names)


def test_plural_and_count_phrases() -> None:
    from counterspell.reports.model import Fact, plural
    from counterspell.reports.render import count_phrase

    assert plural(1, "request") == "1 request" and plural(2, "request") == "2 requests"
    assert plural(1204, "post") == "1,204 posts" and plural(0, "week") == "0 weeks"
    assert count_phrase(Fact(1, "1"), "target was", "targets were") == "1 target was"
    assert count_phrase(Fact(3, "3"), "community", "communities") == "3 communities"


def test_weekly_charts_use_a_time_axis_and_whole_counts() -> None:
    import re
    from datetime import date

    from counterspell.reports.figures import render
    from counterspell.reports.model import Chart

    rows = [
        {"week": date(2012, 9, 3), "role": "request", "posts": 1},
        {"week": date(2017, 5, 8), "role": "request", "posts": 2},
    ]
    chart = Chart(
        "t",
        "stacked_bars",
        "t",
        "week",
        "posts",
        "t",
        "",
        {"x": "week", "stack": "role", "y": "posts"},
    )
    svg = render(chart, rows)
    labels = re.findall(r">([^<>]+)</text>", svg)
    years = {label for label in labels if re.fullmatch(r"(19|20)\d\d", label.strip())}
    assert {
        "2013",
        "2014",
        "2015",
    } <= years  # the years between are on the axis: time, not categories
    assert not any(re.fullmatch(r"\d+\.\d+", label.strip()) for label in labels)  # no 0.5 of a post
