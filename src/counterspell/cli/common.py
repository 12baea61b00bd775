"""What every command module shares: the one Typer app and its sub-apps, the consoles, the workspace option, executor options, progress and small parsers."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from ..config import store_configured
from ..errors import CounterspellError
from ..ingest import FileOutcome
from ..lake.workspace import Workspace
from ..version import __version__
from . import helptext

helptext.install()

app = typer.Typer(
    name="counterspell",
    help="Map and disrupt sexual-deepfake request communities: ingest exports, understand posts, link campaigns, match hashes, act, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


export_app = typer.Typer(help="Export lake data for other tools.", no_args_is_help=True)


app.add_typer(export_app, name="export")


labels_app = typer.Typer(help="Reviewed labels for training and evaluation.", no_args_is_help=True)


app.add_typer(labels_app, name="labels")


communities_app = typer.Typer(
    help="The registry of communities: names and the invites that open them.",
    no_args_is_help=True,
)


app.add_typer(communities_app, name="communities")


bank_app = typer.Typer(
    help="Hash banks: named, versioned PDQ and MD5 sets (victims' hashes, partner lists, benign lists).",
    no_args_is_help=True,
)


app.add_typer(bank_app, name="bank")


def esc(value: object) -> str:
    """Text from data (paths, names, error messages) made safe to print through Rich.

    Rich reads ``[...]`` as markup, so ``pip install 'counterspell[web]'`` or a file called
    ``export[1].json`` would lose its brackets; every value interpolated into a printed line
    passes through here.
    """
    return escape(str(value))


console = Console(stderr=True)


out = Console()
PIPE_WIDTH = 160


def fit_width() -> None:
    """Rich's width, decided when a command starts (not at import, when the streams may not yet
    be the command's): the terminal's, or ``COLUMNS``; 160 when output goes to a pipe or a file,
    where Rich would take 80 and cut tables' cells ("requ…", a source's file name) that a
    reader of a saved report or a script's log needs whole."""
    for con, stream in ((out, sys.stdout), (console, sys.stderr)):
        piped = not os.environ.get("COLUMNS") and not getattr(stream, "isatty", lambda: False)()
        con.width = PIPE_WIDTH if piped else None  # type: ignore[assignment]


class _State:
    workspace: str | None = None


state = _State()


def current_ws() -> Workspace:
    return Workspace.open(state.workspace)


def _print_version(value: bool) -> None:
    """Eager: runs while the options are parsed, before Click asks for a command."""
    if value:
        out.print(f"counterspell {__version__}")
        raise typer.Exit()


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
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    state.workspace = workspace


class RichProgress:
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
            console.print(f"[red]error:[/red] {esc(outcome.error or '')}", highlight=False)


FORMAT_OPTION = typer.Option("--format", "-f", help="jsonl, csv or parquet.")


OUTPUT_OPTION = typer.Option("-o", "--output", help="File to write (default: standard output).")


class StageProgress:
    """A pipeline job's stages as one bar each: counts, time spent and time left."""

    def __init__(self, progress: Progress) -> None:
        self.p = progress
        self.task: Any = None
        self.name = ""

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.p.update(self.task, visible=False)
        self.name = name
        self.task = self.p.add_task(name, total=total)

    def advance(self, n: int, note: str | None = None) -> None:
        self.p.advance(self.task, n)
        if note:
            self.p.update(self.task, description=f"{self.name}: {note}")


def sync_queue_if_any(ws: Workspace, trigger: str = "analyze") -> None:
    """Where the workspace has an operational store, bring its review queue up to date and run
    the shadow and live rules over what is new, so that new flags, bank matches and rule hits
    reach reviewers without a separate step."""
    if not store_configured(ws.root):  # checked before the store's (slow) import
        return
    from ..store import rules
    from ..store.db import Store
    from ..store.queue import sync
    from ..web import prebuilt

    try:
        store = Store(ws)
        try:
            r = sync(store)
            out.print(f"review queue: {r.added:,} new posts to review ({r.seen:,} in all)")
            run = rules.run(store, trigger)
            try:  # the item pages' views, for the lake as it is now: a speed-up only
                prebuilt.build(store)
            except Exception as exc:  # the queue is synced; pages read the lake meanwhile
                console.print(f"[yellow]item views not built:[/yellow] {esc(exc)}", highlight=False)
        finally:
            store.close()
    except CounterspellError as exc:  # the lake is done; say why the queue is not
        console.print(f"[yellow]review queue not synced:[/yellow] {esc(exc)}", highlight=False)
        return
    out.print(
        f"rules: {run.rules} shadow or live, {run.hits:,} new hits, {run.acted:,} acted on"
        + (f", {run.webhooks:,} webhook deliveries" if run.webhooks else "")
    )


EXECUTOR_OPTION = typer.Option(
    "--executor",
    envvar="COUNTERSPELL_EXECUTOR",
    help="local (processes here) or dask (a Dask cluster).",
)


SCHEDULER_OPTION = typer.Option(
    "--scheduler",
    envvar="COUNTERSPELL_SCHEDULER",
    help="Dask scheduler address (tcp://host:8786); without it a LocalCluster of --workers.",
)


@contextlib.contextmanager
def executor_for(name: str, workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """None for the default local processes; a started (and then closed) executor otherwise."""
    from ..executors import get_executor

    if name == "local" and not scheduler:  # the library's default: processes here, as needed
        yield None
        return
    executor = get_executor(name, workers=workers, scheduler=scheduler)
    try:
        yield executor
    finally:
        executor.close()


def parse_date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CounterspellError(f"{flag} {value!r}: expected a date like 2026-01-31") from None


def current_ws_or_none() -> Workspace | None:
    """The workspace if there is one (train and evaluate also work without)."""
    try:
        return Workspace.open(state.workspace)
    except CounterspellError:
        return None
