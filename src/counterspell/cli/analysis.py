"""Commands that analyse and describe the lake: ``analyze``, ``communities ...``, ``report``, ``synth``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..errors import CounterspellError
from ..lake.workspace import Workspace
from .common import (
    EXECUTOR_OPTION,
    SCHEDULER_OPTION,
    StageProgress,
    app,
    communities_app,
    console,
    current_ws,
    esc,
    executor_for,
    out,
    parse_date,
    sync_queue_if_any,
)


@communities_app.command("import")
def communities_import_cmd(
    file: Annotated[str, typer.Argument(help="CSV: platform, community, name, invite.")],
) -> None:
    """Name communities and say which invite opens each (for invite bridges)."""
    from ..pipeline.bridges import import_communities

    n = import_communities(current_ws(), file)
    out.print(f"registered {n:,} communities; run 'counterspell analyze' to update the bridges")


@communities_app.command("list")
def communities_list_cmd() -> None:
    """The registered communities."""
    from ..lake.registry import registered

    table = Table()
    for col in ("platform", "community", "name", "invite"):
        table.add_column(col)
    for r in registered(current_ws()):
        table.add_row(*(str(r[c] or "") for c in ("platform", "community", "name", "invite")))
    out.print(table)


@app.command()
def synth(
    output: Annotated[str, typer.Option("-o", "--output", help="Folder to write the corpus into.")],
    posts: Annotated[int, typer.Option("--posts", help="Approximate number of posts.")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same corpus.")] = 1,
    media_files: Annotated[
        bool,
        typer.Option(
            "--media-files/--no-media-files",
            help="Draw abstract stand-in images (off for huge benchmark corpora).",
        ),
    ] = True,
    quote_scale: Annotated[
        float,
        typer.Option(
            "--quote-scale",
            min=0.0,
            help="Multiply how often posters quote what they answer (0: nobody quotes).",
        ),
    ] = 1.0,
    families: Annotated[
        str,
        typer.Option(
            "--families",
            help="Grammar families that write the text: 'all', 'train', 'heldout' or names separated by commas.",
        ),
    ] = "all",
) -> None:
    """Write a synthetic, fictional, non-graphic multi-platform corpus with ground truth."""
    from ..synth import generate

    try:
        summary = generate(
            output, posts=posts, seed=seed, media_files=media_files, quote_scale=quote_scale,
            families=families,
        )  # fmt: skip
    except ValueError as exc:
        raise CounterspellError(f"--families {families!r}: {exc}") from None
    out.print(
        f"wrote {summary.posts:,} posts ({', '.join(f'{k}: {v:,}' for k, v in sorted(summary.per_platform.items()))}) "
        f"and ground truth to {esc(summary.truth_path)}"
    )


@app.command("analyze")
def analyze_cmd(
    reanalyze: Annotated[
        bool, typer.Option("--all", help="Analyse every post again, not only new ones.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes analysing communities in parallel (default: one per CPU)."
        ),
    ] = None,
    graph: Annotated[
        bool,
        typer.Option(
            "--graph/--no-graph",
            help="Then rebuild replies, media clusters, campaigns, actors and bridges.",
        ),
    ] = True,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Link every community's campaigns again, not only communities with new posts.",
        ),
    ] = False,
    executor_name: Annotated[str, EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, SCHEDULER_OPTION] = None,
) -> None:
    """Roles, flags, targets and invites for new posts; then campaigns, actors and bridges."""
    from ..pipeline.analyze import analyze

    ws = current_ws()
    with (
        executor_for(executor_name, workers, scheduler) as executor,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        result = analyze(
            ws,
            reanalyze=reanalyze,
            workers=workers,
            graph=graph,
            executor=executor,
            progress=StageProgress(bar),
            full=full,
        )
    out.print(
        f"analysed {result.analyzed:,} posts in {result.partitions} communities ({result.skipped:,} already done)"
    )
    if result.analyzed:
        table = Table(
            title="roles and flags of the posts analysed now",
            caption="flags as the posts raised them; `stats` counts them after they spread along each campaign",
        )
        table.add_column("role")
        table.add_column("posts", justify="right")
        for role, n in result.roles.most_common():
            table.add_row(role, f"{n:,}")
        for flag, n in result.flags.most_common():
            table.add_row(
                f"[bold red]flag: {flag}[/]" if flag == "minor_risk" else f"flag: {flag}", f"{n:,}"
            )
        out.print(table)
    if result.network is not None:
        _print_network(ws, result.network)
    sync_queue_if_any(ws)


def _print_network(ws: Workspace, net: object) -> None:
    from ..pipeline.actors import recognition
    from ..pipeline.network import NetworkResult

    assert isinstance(net, NetworkResult)
    out.print(
        f"{net.campaigns:,} campaigns ({net.campaign_members:,} member posts), {net.actors:,} actors, "
        f"{net.bridges:,} bridges, {net.media_clusters:,} media clusters, {net.replies:,} reply links "
        f"({net.missing_parents:,} to posts not in the lake) in {sum(net.seconds.values()):.1f}s"
    )
    if net.linked:
        out.print(
            f"campaign linking: {net.linked['relink']:,} communities linked from their first post, "
            f"{net.linked['resume']:,} resumed on their new posts, {net.linked['reuse']:,} unchanged"
        )
    rec = recognition(ws)
    if rec.get("creators"):
        out.print(
            f"recognition among {rec['creators']:,} named creators: praise Gini {rec['praise_gini']:.2f}, "
            f"top 5% receive {rec['praise_top5pct_share']:.0%} of praise"
        )


@app.command("report")
def report_cmd(
    output: Annotated[str, typer.Option("-o", "--output", help="Folder to write.")] = "report",
    since: Annotated[
        str | None, typer.Option("--since", help="First day to include (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="First day to leave out (YYYY-MM-DD).")
    ] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Only this platform.")] = None,
    community: Annotated[
        str | None,
        typer.Option(
            "--community",
            help="Only this community: its id, or platform/id as plan --scope writes it (4chan/r).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Dask workers of a LocalCluster (with --executor dask)."),
    ] = None,
    executor_name: Annotated[str, EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, SCHEDULER_OPTION] = None,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty", help="Write the report even when no post is in scope (exit 0)."
        ),
    ] = False,
) -> None:
    """A self-contained HTML research report with charts, CSV tables and graph files."""
    from ..lake.query import communities
    from ..reports.data import Scope
    from ..reports.render import write_report

    if community and "/" in community and platform is None:
        # platform/id, as `plan --scope` and the backtests write it; a Discord id holds a / too
        first, _, rest = community.partition("/")
        if first in {str(p) for p, _, _ in communities(current_ws())}:
            platform, community = first, rest
    scope = Scope(parse_date(since, "--since"), parse_date(until, "--until"), platform, community)
    with (
        executor_for(executor_name, workers, scheduler) as executor,
        console.status("writing the report"),
    ):
        written = write_report(current_ws(), output, scope, executor, allow_empty=allow_empty)
    out.print(
        f"report written to {esc(written.path)} ({written.figures} figures, {written.tables} tables, "
        f"{written.graphs} graph files)"
    )
