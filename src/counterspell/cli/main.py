"""The ``counterspell`` command: a thin Typer layer over the library.

Each command parses flags, calls one library function and renders the result; errors a user can
cause arrive as :class:`~counterspell.errors.CounterspellError` and become one red line and exit
code 2 (no traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import __version__
from ..adapters import ADAPTERS
from ..errors import CounterspellError
from ..ingest import FileOutcome, ingest
from ..lake.query import EXPORT_FORMATS, export_posts, stats
from ..lake.workspace import Workspace

app = typer.Typer(
    name="counterspell",
    help="Map and disrupt sexual-deepfake request communities: ingest exports, understand posts, link campaigns, match hashes, act, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Export lake data for other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")

console = Console(stderr=True)
out = Console()


class _State:
    workspace: str | None = None


state = _State()


def _ws() -> Workspace:
    return Workspace.open(state.workspace)


@app.callback()
def _main(
    workspace: Annotated[
        str | None,
        typer.Option(
            "-w",
            "--workspace",
            envvar="COUNTERSPELL_WORKSPACE",
            help="Workspace folder (default: current folder).",
        ),
    ] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"counterspell {__version__}")
        raise typer.Exit()
    state.workspace = workspace


@app.command()
def init(
    directory: Annotated[str, typer.Argument(help="Folder to create or complete.")] = ".",
) -> None:
    """Create a workspace: settings, a secret key for pseudonyms, and an empty lake."""
    ws = Workspace.init(directory)
    out.print(f"Workspace ready at [bold]{ws.root}[/bold]")
    out.print(f"Next: counterspell -w {directory} ingest PATH...")


class _RichProgress:
    def __init__(self, progress: Progress) -> None:
        self.p = progress
        self.files = progress.add_task("files", total=None)
        self.posts = 0

    def file_started(self, path: str, index: int, total: int) -> None:
        self.p.update(self.files, total=total, description=f"[cyan]{Path(path).name[:40]}")

    def posts_read(self, count: int) -> None:
        self.posts += count

    def file_done(self, outcome: FileOutcome) -> None:
        self.p.advance(self.files)
        self.p.update(self.files, description=f"{self.posts:,} posts read")
        if outcome.status == "error":
            console.print(f"[red]error:[/red] {outcome.error}")


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
) -> None:
    """Read exports into the lake; safe to repeat and to resume after a crash."""
    if fmt and fmt not in ADAPTERS:
        raise CounterspellError(
            f"--format {fmt!r}: unknown; choose one of {', '.join(ADAPTERS.names())}"
        )
    ws = _ws()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        result = ingest(
            ws,
            paths,
            fmt=fmt,
            strict=strict,
            community=community,
            tz=tz,
            batch_size=batch_size,
            progress=_RichProgress(progress),
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
    if result.errors:
        raise typer.Exit(code=1)


@app.command("stats")
def stats_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """What the workspace holds: posts, communities, threads, authors, media, date range."""
    s = stats(_ws())
    if as_json:
        sys.stdout.write(orjson.dumps(s, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    out.print(
        f"[bold]{s['posts']:,}[/bold] posts in {s['communities']:,} communities, {s['threads']:,} threads, "
        f"{s['authors']:,} authors, {s['media']:,} media; {s['inputs']:,} inputs; "
        f"{s['quarantined']:,} quarantined, {s['notices']:,} notices"
    )
    if s["first_post"]:
        out.print(f"from {s['first_post']} to {s['last_post']}")
    table = Table()
    for col in ("platform", "community", "posts", "threads", "authors", "media", "first", "last"):
        table.add_column(
            col, justify="right" if col in ("posts", "threads", "authors", "media") else "left"
        )
    for r in s["per_community"][:50]:
        table.add_row(
            r["platform"],
            r["community"],
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

    m = Manifest(_ws().manifest_path)
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


@export_app.command("posts")
def export_posts_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv or parquet.")] = "jsonl",
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """One record per post with every Post field."""
    if fmt not in EXPORT_FORMATS:
        raise CounterspellError(f"--format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    n = export_posts(_ws(), fmt, output)
    if output:
        console.print(f"wrote {n:,} posts to {output}")


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
) -> None:
    """Write a synthetic, fictional, non-graphic multi-platform corpus with ground truth."""
    from ..synth import generate

    summary = generate(output, posts=posts, seed=seed, media_files=media_files)
    out.print(
        f"wrote {summary.posts:,} posts ({', '.join(f'{k}: {v:,}' for k, v in sorted(summary.per_platform.items()))}) "
        f"and ground truth to {summary.truth_path}"
    )


def main() -> None:
    """Entry point: user errors become one line and exit code 2."""
    try:
        app()
    except CounterspellError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        console.print(
            "[red]interrupted[/red]: the lake holds whole files only; run the same command again to resume"
        )
        sys.exit(130)
