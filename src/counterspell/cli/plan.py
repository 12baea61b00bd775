"""``counterspell plan``: where to act, and what acting there would leave."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..errors import CounterspellError
from .common import app, esc, out

FORMATS = ("table", "json", "html")


def parse_combine(text: str | None, kinds: tuple[str, ...]) -> dict[str, int] | None:
    """``creator=5,hub=3`` -> {"creator": 5, "hub": 3}."""
    if not text:
        return None
    sizes: dict[str, int] = {}
    for part in text.split(","):
        kind, _, n = part.strip().partition("=")
        if kind not in kinds or not n.strip().isdigit() or int(n) < 1:
            raise CounterspellError(
                f"--combine {part.strip()!r}: expected KIND=N with KIND one of {', '.join(kinds)}"
            )
        sizes[kind] = int(n)
    return sizes


@app.command("plan")
def plan_cmd(
    scope: Annotated[
        str | None,
        typer.Option(help="Campaigns requested in a platform, or platform/community."),
    ] = None,
    budget: Annotated[
        int, typer.Option("--budget", "-k", min=1, help="Points of each kind a plan acts on.")
    ] = 5,
    combine: Annotated[
        str | None,
        typer.Option(
            help="The combined plan, e.g. creator=5,hub=3 (default: K creators, threads, hubs)."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or html.")] = "table",
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Ranked points shown per kind.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap and the random baseline.")] = 7,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples over campaigns.")
    ] = 200,
    random_draws: Annotated[
        int, typer.Option(min=0, help="Random plans drawn for the baseline.")
    ] = 50,
    truth: Annotated[
        str | None,
        typer.Option(help="A synthetic truth.csv: add precision at 10 of creators and hubs."),
    ] = None,
) -> None:
    """Rank intervention points (creators, request threads and communities, hubs, handles
    across platforms, media clusters) and simulate acting on the top K of each kind."""
    from ..pipeline.plan import PlanOptions, plan
    from ..pipeline.plan_graph import KINDS
    from .common import current_ws

    if fmt not in FORMATS:
        raise CounterspellError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    ws = current_ws()
    if not ws.has_data("campaign_members"):
        raise CounterspellError("no campaigns in this workspace: run 'counterspell analyze' first")
    options = PlanOptions(
        budget=budget,
        combine=parse_combine(combine, KINDS),
        bootstrap=bootstrap,
        random_draws=random_draws,
        seed=seed,
        top=top,
    )
    result = plan(ws, scope, options)
    if not result["campaigns"]:
        raise CounterspellError(
            f"no campaign was requested in {scope!r} (a platform, or platform/community)"
        )
    if truth:
        from dataclasses import asdict

        from ..evaluation.plan import score_plan

        result["truth"] = asdict(score_plan(ws, truth))
    if fmt == "table":
        _print_tables(result)
        return
    if fmt == "json":
        text = json.dumps(result, indent=2, default=str) + "\n"
    else:
        from ..reports.plan_page import plan_html

        text = plan_html(result)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        out.print(f"wrote {esc(output)}")
    else:
        print(text, end="")


def _pct(v: float | None, ci: list[float] | None = None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.1%}" + (f" ({ci[0]:.0%}-{ci[1]:.0%})" if ci else "")


def _print_tables(result: dict[str, Any]) -> None:
    from ..pipeline.plan import MEASURES
    from ..reports.plan_page import ranking_rows

    t = result["totals"]
    out.print(
        f"[bold]Plan[/bold] for {esc(result['scope'])}: {result['campaigns']:,} campaigns, "
        f"{t['fulfilled']:,} fulfilled, {t['praise']:,} praise, reach {t['reach']:,}, "
        f"{t['targets']:,} targets exposed"
    )
    out.print("[bold]Assumptions[/bold]")
    for a in result["assumptions"]:
        out.print(f"  - {esc(a)}")
    plans = Table(title="What each plan leaves (share of today; 95% bootstrap interval)")
    for col in (
        "plan",
        *MEASURES,
        "random: fulfilled / reach",
        "displaced 0/50/100%: fulfilled; reach",
    ):
        plans.add_column(col)
    for p in result["plans"]:
        rem, rnd = p["remaining"], p["random"]
        scen = "; ".join(
            " / ".join(f"{s[m]:.0%}" for s in p["displacement"]["scenarios"])
            for m in ("fulfilled", "reach")
        )
        plans.add_row(
            esc(p["name"]),
            *(_pct(rem[m]["share"], rem[m]["ci"]) for m in MEASURES),
            " / ".join(_pct(rnd.get(m, {}).get("share")) for m in ("fulfilled", "reach")),
            scen,
        )
    out.print(plans)
    for kind, rows in result["rankings"].items():
        table = Table(title=f"{result['kinds'][kind]} ({result['candidates'][kind]:,} candidates)")
        for col in ("rank", kind, "share", "figures", "removed alone"):
            table.add_column(col)
        for r in ranking_rows(kind, rows):
            table.add_row(*(esc(_strip(c)) for c in r))
        out.print(table)
    if "truth" in result:
        tr = result["truth"]
        out.print(
            f"against truth: creators precision@10 {tr['creators_at_10']:.2f} "
            f"({tr['distinct_true_creators_in_top_10']} distinct true creators; read as people "
            f"{tr['people_at_10']:.2f}), "
            f"hubs precision@{tr['hubs_k']} {tr['hubs_at_k']:.2f}"
        )


def _strip(cell: str) -> str:
    """The HTML cells as plain text (code tags off, entities back)."""
    from html import unescape

    return unescape(cell.replace("<code>", "").replace("</code>", ""))
