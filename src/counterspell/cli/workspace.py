"""Commands that make and fill a workspace: ``init``, ``ingest``, ``stats``, ``quarantine``."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..adapters import ADAPTERS
from ..errors import CounterspellError
from ..ingest import ingest
from ..lake.query import stats
from ..lake.workspace import Workspace
from .common import (
    EXECUTOR_OPTION,
    SCHEDULER_OPTION,
    RichProgress,
    app,
    console,
    current_ws,
    esc,
    executor_for,
    out,
)


@app.command()
def init(
    directory: Annotated[str, typer.Argument(help="Folder to create or complete.")] = ".",
    lake_url: Annotated[
        str | None,
        typer.Option(
            "--lake-url",
            help="Keep the lake's datasets at this fsspec URL (s3://bucket/prefix) instead of DIR/lake.",
        ),
    ] = None,
) -> None:
    """Create a workspace: settings, a secret key for pseudonyms, and an empty lake."""
    ws = Workspace.init(directory, lake_url=lake_url)
    out.print(f"Workspace ready at [bold]{esc(ws.root)}[/bold]")
    if ws.lake_url:
        out.print(f"Lake datasets at [bold]{esc(ws.lake_url)}[/bold]")
        try:
            ws.lake.check_reachable()
        except CounterspellError as exc:  # the workspace is made; the store can be fixed later
            console.print(f"[yellow]warning:[/yellow] {esc(exc)}", highlight=False)
    out.print(f"Next: counterspell -w {esc(directory)} ingest PATH...")


@app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs to ingest.")],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="Force a format instead of detecting it.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first record that cannot be read.")
    ] = False,
    community: Annotated[
        str | None,
        typer.Option(
            "--community", help="Community for formats that do not name one (e.g. the 4chan board)."
        ),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Time zone of local times without an offset (default UTC)."),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", help="Posts buffered per write.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes mapping small files (default: one per CPU; 1: none)."
        ),
    ] = None,
    executor_name: Annotated[str, EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, SCHEDULER_OPTION] = None,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Read files the lake already has once more (new posts are added, duplicates skipped).",
        ),
    ] = False,
) -> None:
    """Read exports into the lake; safe to repeat and to resume after a crash."""
    if fmt and fmt not in ADAPTERS:
        raise CounterspellError(
            f"--format {fmt!r}: unknown; choose one of {', '.join(ADAPTERS.names())}"
        )
    ws = current_ws()
    with (
        executor_for(executor_name, workers, scheduler) as executor,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        result = ingest(
            ws,
            paths,
            fmt=fmt,
            strict=strict,
            community=community,
            tz=tz,
            batch_size=batch_size,
            workers=workers,
            progress=RichProgress(progress),
            executor=executor,
            again=again,
        )
    table = Table(title=f"Ingest run {result.run_id}")
    for col in (
        "format",
        "files",
        "posts added",
        "duplicates skipped",
        "quarantined",
        "notices",
        "errors",
    ):
        table.add_column(col, justify="left" if col == "format" else "right")
    for name, row in sorted(result.by_format().items()):
        table.add_row(
            name,
            *(
                f"{row[k]:,}"
                for k in ("files", "added", "duplicates", "quarantined", "notices", "errors")
            ),
        )
    out.print(table)
    quarantined = sum(f.quarantined for f in result.files)
    if quarantined:
        out.print(f"{quarantined:,} records quarantined: see 'counterspell quarantine'.")
    if any(f.forced_mismatch for f in result.files):
        raise typer.Exit(code=2)  # a usage error: the --format given does not fit the file
    if result.errors:
        raise typer.Exit(code=1)


@app.command("stats")
def stats_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """What the workspace holds: posts, communities, threads, authors, media, date range."""
    from ..pipeline.network import network_summary

    ws = current_ws()
    s = stats(ws)
    s["network"] = net = network_summary(ws)
    if as_json:
        sys.stdout.write(orjson.dumps(s, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    out.print(
        f"[bold]{s['posts']:,}[/bold] posts in {s['communities']:,} communities, {s['threads']:,} threads, "
        f"{s['authors']:,} authors, {s['media']:,} media; {s['inputs']:,} inputs; "
        f"{s['quarantined']:,} quarantined, {s['notices']:,} notices"
    )
    if s["first_post"]:
        out.print(f"from {s['first_post']} to {s['last_post']}", highlight=False)
    if s["analysed"]:
        roles = ", ".join(f"{k} {v:,}" for k, v in s["roles"].items())
        flags = ", ".join(f"{k} {v:,}" for k, v in s["flags"].items()) or "none"
        out.print(f"analysed {s['analysed']:,}: {roles}; flags: {flags}")
    elif s["posts"]:
        out.print("not analysed yet: run 'counterspell analyze'")
    if net:
        median = net["median_first_fulfillment_s"]
        out.print(
            f"{net['campaigns']:,} campaigns, {net['fulfilled']:,} fulfilled"
            + (f" (median {float(median) / 3600:.1f} h to the first fulfilment)" if median else "")  # type: ignore[arg-type]
            + f", {net['cross_platform']:,} seen on more than one platform, "
            f"[bold red]{net['minor_risk']:,} with a minor_risk flag[/]; "
            f"bridges: {', '.join(f'{k} {v:,}' for k, v in net['bridges'].items()) or 'none'}"  # type: ignore[attr-defined]
        )
    table = Table()
    for col in (
        "platform",
        "community",
        "name",
        "posts",
        "threads",
        "authors",
        "media",
        "first",
        "last",
    ):
        table.add_column(
            col, justify="right" if col in ("posts", "threads", "authors", "media") else "left"
        )
    for r in s["per_community"][:50]:
        table.add_row(
            esc(r["platform"]),
            esc(r["community"]),
            esc(r["name"] or ""),
            f"{r['posts']:,}",
            f"{r['threads']:,}",
            f"{r['authors']:,}",
            f"{r['media']:,}",
            (r["first"] or "")[:10],
            (r["last"] or "")[:10],
        )
    if s["per_community"]:
        out.print(table)
    if len(s["per_community"]) > 50:
        out.print(f"... and {len(s['per_community']) - 50} more communities (use --json for all)")


@app.command("quarantine")
def quarantine_cmd(
    notices: Annotated[
        bool, typer.Option("--notices", help="Show notices instead of quarantined records.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows.")] = 50,
) -> None:
    """Records that could not be read (file, place, reason), or notices about kept ones."""
    from ..lake.manifest import Manifest

    m = Manifest(current_ws().manifest_path)
    try:
        rows = m.problems("notice" if notices else "quarantine", limit)
    finally:
        m.close()
    if not rows:
        out.print("nothing to show")
        return
    for r in rows:
        where = ", ".join(
            x
            for x in (
                f"line {r['line']}" if r["line"] else "",
                f"record {r['record']}" if r["record"] is not None else "",
            )
            if x
        )
        out.print(
            f"{r['path']}{': ' + where if where else ''}: {r['reason']}",
            markup=False,
            highlight=False,
        )
