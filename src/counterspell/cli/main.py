"""The ``counterspell`` command: a thin Typer layer over the library.

Each command parses flags, calls one library function and renders the result; errors a user can
cause arrive as :class:`~counterspell.errors.CounterspellError` and become one red line and exit
code 2 (no traceback).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..adapters import ADAPTERS
from ..errors import CounterspellError
from ..ingest import FileOutcome, ingest
from ..lake.query import EXPORT_FORMATS, export_posts, stats
from ..lake.workspace import Workspace
from ..version import __version__

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
    out.print(f"Workspace ready at [bold]{ws.root}[/bold]")
    if ws.lake_url:
        out.print(f"Lake datasets at [bold]{ws.lake_url}[/bold]")
        try:
            ws.lake.check_reachable()
        except CounterspellError as exc:  # the workspace is made; the store can be fixed later
            console.print(f"[yellow]warning:[/yellow] {exc}")
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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes mapping small files (default: one per CPU; 1: none)."
        ),
    ] = None,
    executor_name: Annotated[str, _EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, _SCHEDULER_OPTION] = None,
) -> None:
    """Read exports into the lake; safe to repeat and to resume after a crash."""
    if fmt and fmt not in ADAPTERS:
        raise CounterspellError(
            f"--format {fmt!r}: unknown; choose one of {', '.join(ADAPTERS.names())}"
        )
    ws = _ws()
    with (
        _executor(executor_name, workers, scheduler) as executor,
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
            progress=_RichProgress(progress),
            executor=executor,
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
    from ..pipeline.network import network_summary

    ws = _ws()
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
        out.print(f"from {s['first_post']} to {s['last_post']}")
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


_FORMAT_OPTION = typer.Option("--format", "-f", help="jsonl, csv or parquet.")
_OUTPUT_OPTION = typer.Option("-o", "--output", help="File to write (default: standard output).")


def _export(name: str, fmt: str, output: str | None, order: str) -> None:
    from ..lake.query import export_dataset

    n = export_dataset(_ws(), name, fmt, output, order)
    if output:
        console.print(f"wrote {n:,} {name} to {output}")


@export_app.command("campaigns")
def export_campaigns_cmd(
    fmt: Annotated[str, _FORMAT_OPTION] = "jsonl",
    output: Annotated[str | None, _OUTPUT_OPTION] = None,
) -> None:
    """One record per campaign: its request, members (uid, part, confidence) and metrics."""
    _export("campaigns", fmt, output, "requested_at, campaign_id")


@export_app.command("actors")
def export_actors_cmd(
    fmt: Annotated[str, _FORMAT_OPTION] = "jsonl",
    output: Annotated[str | None, _OUTPUT_OPTION] = None,
) -> None:
    """One record per author: requests, fulfilments, praise received and given, creator rank."""
    _export("actors", fmt, output, "creator_rank NULLS LAST, posts DESC, actor_id")


@export_app.command("bridges")
def export_bridges_cmd(
    fmt: Annotated[str, _FORMAT_OPTION] = "jsonl",
    output: Annotated[str | None, _OUTPUT_OPTION] = None,
) -> None:
    """Edges between communities: shared invites, media and handles, with first/last seen."""
    _export(
        "bridges",
        fmt,
        output,
        "kind, count DESC, src_platform, src_community, dst_platform, dst_community",
    )


@export_app.command("clusters")
def export_clusters_cmd(
    fmt: Annotated[str, _FORMAT_OPTION] = "jsonl",
    output: Annotated[str | None, _OUTPUT_OPTION] = None,
) -> None:
    """Where each picture (near-duplicate cluster) was seen: per community, first and last sighting."""
    _export("cluster_sightings", fmt, output, "cluster, first_seen, platform, community")


@export_app.command("graph")
def export_graph_cmd(
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="actors, communities or campaigns.")
    ] = "actors",
    fmt: Annotated[str, typer.Option("--format", "-f", help="gexf, graphml or json.")] = "gexf",
    output: Annotated[str | None, _OUTPUT_OPTION] = None,
) -> None:
    """A graph for Gephi or networkx (targets only as pseudonyms; Louvain groups on actors)."""
    from ..reports.graphs import export_graph

    nodes, edges = export_graph(_ws(), kind, fmt, output)
    if output:
        console.print(f"wrote the {kind} graph ({nodes:,} nodes, {edges:,} edges) to {output}")


@export_app.command("matches")
def export_matches_cmd(
    fmt: Annotated[str, _FORMAT_OPTION] = "jsonl",
    output: Annotated[str | None, _OUTPUT_OPTION] = None,
) -> None:
    """Every match of lake media with a bank: post uid, media index, bank entry, distance."""
    _export("matches", fmt, output, "bank, uid, media_index, entry_id, signal_type")


@bank_app.command("create")
def bank_create_cmd(
    name: Annotated[str, typer.Argument(help="Bank name (letters, digits, '.', '_', '-').")],
    negative: Annotated[
        bool, typer.Option("--negative", help="Known benign hashes that suppress matches.")
    ] = False,
    description: Annotated[str, typer.Option("--description", help="What the bank holds.")] = "",
    source: Annotated[str, typer.Option("--source", help="Where its hashes come from.")] = "",
    case: Annotated[str, typer.Option("--case", help="A case reference.")] = "",
    max_matches: Annotated[
        int,
        typer.Option(
            "--max-matches", help="Quarantine an entry that matches more items than this."
        ),
    ] = 1000,
) -> None:
    """Create an empty bank."""
    from ..matching.banks import create_bank

    info = create_bank(_ws(), name, negative=negative, description=description, source=source,
                       case_ref=case, max_matches=max_matches)  # fmt: skip
    out.print(f"created {info.kind} bank {info.name!r}")


@bank_app.command("list")
def bank_list_cmd() -> None:
    """Every bank with its kind, version and size."""
    from ..matching.banks import list_banks

    table = Table()
    for col in ("name", "kind", "version", "entries", "source", "case", "created"):
        table.add_column(col, justify="right" if col in ("version", "entries") else "left")
    for b in list_banks(_ws()):
        table.add_row(
            b.name, b.kind, str(b.version), f"{b.entries:,}", b.source, b.case_ref, b.created_at
        )
    out.print(table)


@bank_app.command("import")
def bank_import_cmd(
    name: Annotated[str, typer.Argument(help="The bank.")],
    file: Annotated[str, typer.Argument(help="Hashes: 'pdq <hex>' lines, or CSV with a header.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="auto, te or csv.")] = "auto",
    source: Annotated[str, typer.Option("--source", help="Where these hashes come from.")] = "",
    case: Annotated[str, typer.Option("--case", help="A case reference.")] = "",
) -> None:
    """Add hashes (validated; degenerate ones rejected with a reason; duplicates skipped)."""
    from ..matching.banks import import_hashes

    r = import_hashes(_ws(), name, file, fmt=fmt, source=source, case_ref=case)
    rejected = ", ".join(f"{n:,} {why}" for why, n in sorted(r.rejected.items())) or "none"
    out.print(
        f"added {r.added:,} hashes to {name!r} (version {r.version}); {r.duplicates:,} already there; rejected: {rejected}"
    )


@bank_app.command("export")
def bank_export_cmd(
    name: Annotated[str, typer.Argument(help="The bank.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="te ('pdq <hex>' lines) or csv.")
    ] = "te",
    output: Annotated[str | None, _OUTPUT_OPTION] = None,
) -> None:
    """Write a bank's hashes for a partner or for python-threatexchange."""
    from ..matching.banks import export_bank

    n = export_bank(_ws(), name, fmt, output)
    if output:
        console.print(f"wrote {n:,} hashes to {output}")


@bank_app.command("remove-hashes")
def bank_remove_cmd(
    name: Annotated[str, typer.Argument(help="The bank.")],
    file: Annotated[str, typer.Argument(help="The hashes to remove, in any import format.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")] = "",
) -> None:
    """Remove hashes from a bank and its index (e.g. at the victim's request); audited."""
    from ..matching.banks import remove_hashes

    n = remove_hashes(_ws(), name, file, reason=reason)
    out.print(
        f"removed {n:,} hashes from {name!r}; run 'counterspell match --bank {name}' to refresh its matches"
    )


@app.command("match")
def match_cmd(
    bank: Annotated[str, typer.Option("--bank", "-b", help="The bank to match against.")],
    radius: Annotated[
        int | None,
        typer.Option(
            "--radius", min=0, max=31, help="PDQ distance (default: the pdq_threshold setting)."
        ),
    ] = None,
    dihedral: Annotated[
        bool,
        typer.Option(
            "--dihedral", help="Also match rotated and mirrored copies (reads the files again)."
        ),
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes searching in parallel (default 1).")
    ] = None,
    executor_name: Annotated[str, _EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, _SCHEDULER_OPTION] = None,
) -> None:
    """Match every hashed media item of the lake against a bank; results in the lake."""
    from ..executors import LocalExecutor
    from ..matching.match import match

    ws = _ws()
    with _executor(executor_name, workers, scheduler) as executor:
        if executor is None and workers and workers > 1:
            executor = LocalExecutor(workers)
        r = match(ws, bank, radius, dihedral, executor)
    out.print(
        f"{r.matched_items:,} of {r.items:,} media items match {bank!r} ({r.matches:,} matches); "
        f"{r.suppressed:,} suppressed by negative banks"
    )
    if r.quarantined_entries:
        out.print(
            f"[bold red]{len(r.quarantined_entries)} bank entries match too many items and are quarantined for review[/]: "
            f"entry ids {', '.join(map(str, r.quarantined_entries[:20]))}"
        )
    _sync_queue_if_any(ws)


def _sync_queue_if_any(ws: Workspace) -> None:
    """Where the workspace has an operational store, bring its review queue up to date, so that
    new flags and bank matches reach reviewers without a separate step."""
    from ..store.db import Store, has_store

    if not has_store(ws):
        return
    from ..store.queue import sync

    try:
        store = Store(ws)
        try:
            r = sync(store)
        finally:
            store.close()
    except CounterspellError as exc:  # the lake is done; say why the queue is not
        console.print(f"[yellow]review queue not synced:[/yellow] {exc}", highlight=False)
        return
    out.print(f"review queue: {r.added:,} new flagged posts ({r.seen:,} in all)")


@communities_app.command("import")
def communities_import_cmd(
    file: Annotated[str, typer.Argument(help="CSV: platform, community, name, invite.")],
) -> None:
    """Name communities and say which invite opens each (for invite bridges)."""
    from ..pipeline.bridges import import_communities

    n = import_communities(_ws(), file)
    out.print(f"registered {n:,} communities; run 'counterspell analyze' to update the bridges")


@communities_app.command("list")
def communities_list_cmd() -> None:
    """The registered communities."""
    from ..pipeline.bridges import registered

    table = Table()
    for col in ("platform", "community", "name", "invite"):
        table.add_column(col)
    for r in registered(_ws()):
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
        f"and ground truth to {summary.truth_path}"
    )


_EXECUTOR_OPTION = typer.Option(
    "--executor",
    envvar="COUNTERSPELL_EXECUTOR",
    help="local (processes here) or dask (a Dask cluster).",
)
_SCHEDULER_OPTION = typer.Option(
    "--scheduler",
    envvar="COUNTERSPELL_SCHEDULER",
    help="Dask scheduler address (tcp://host:8786); without it a LocalCluster of --workers.",
)


@contextlib.contextmanager
def _executor(name: str, workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """None for the default local processes; a started (and then closed) executor otherwise."""
    from ..executors import get_executor

    if name == "local" and not scheduler:
        yield None
        return
    executor = get_executor(name, workers=workers, scheduler=scheduler)
    try:
        yield executor
    finally:
        executor.close()


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
    executor_name: Annotated[str, _EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, _SCHEDULER_OPTION] = None,
) -> None:
    """Roles, flags, targets and invites for new posts; then campaigns, actors and bridges."""
    from ..pipeline.analyze import analyze

    ws = _ws()
    with (
        _executor(executor_name, workers, scheduler) as executor,
        console.status("analysing posts, then linking campaigns, actors and bridges"),
    ):
        result = analyze(ws, reanalyze=reanalyze, workers=workers, graph=graph, executor=executor)
    out.print(
        f"analysed {result.analyzed:,} posts in {result.partitions} communities ({result.skipped:,} already done)"
    )
    if result.analyzed:
        table = Table(title="roles and flags of the posts analysed now")
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
    _sync_queue_if_any(ws)


def _print_network(ws: Workspace, net: object) -> None:
    from ..pipeline.actors import recognition
    from ..pipeline.network import NetworkResult

    assert isinstance(net, NetworkResult)
    out.print(
        f"{net.campaigns:,} campaigns ({net.campaign_members:,} member posts), {net.actors:,} actors, "
        f"{net.bridges:,} bridges, {net.media_clusters:,} media clusters, {net.replies:,} reply links "
        f"({net.missing_parents:,} to posts not in the lake) in {sum(net.seconds.values()):.1f}s"
    )
    rec = recognition(ws)
    if rec.get("creators"):
        out.print(
            f"recognition among {rec['creators']:,} named creators: praise Gini {rec['praise_gini']:.2f}, "
            f"top 5% receive {rec['praise_top5pct_share']:.0%} of praise"
        )


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CounterspellError(f"{flag} {value!r}: expected a date like 2026-01-31") from None


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
        str | None, typer.Option("--community", help="Only this community.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Dask workers of a LocalCluster (with --executor dask)."),
    ] = None,
    executor_name: Annotated[str, _EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, _SCHEDULER_OPTION] = None,
) -> None:
    """A self-contained HTML research report with charts, CSV tables and graph files."""
    from ..reports.data import Scope
    from ..reports.render import write_report

    scope = Scope(_date(since, "--since"), _date(until, "--until"), platform, community)
    with (
        _executor(executor_name, workers, scheduler) as executor,
        console.status("writing the report"),
    ):
        written = write_report(_ws(), output, scope, executor)
    out.print(
        f"report written to {written.path} ({written.figures} figures, {written.tables} tables, "
        f"{written.graphs} graph files)"
    )


@labels_app.command("import")
def labels_import_cmd(
    file: Annotated[str, typer.Argument(help="CSV: platform, post_id, role, flags[, community].")],
) -> None:
    """Import reviewed labels (a later label for a post replaces an earlier one)."""
    from ..evaluation.labels import import_labels

    n = import_labels(_ws(), file)
    out.print(f"imported {n:,} labels")


@labels_app.command("export")
def labels_export_cmd(
    output: Annotated[
        str, typer.Option("-o", "--output", help="CSV file to write.")
    ] = "labels.csv",
) -> None:
    """Write the workspace's labels as CSV."""
    from ..evaluation.labels import export_labels

    n = export_labels(_ws(), output)
    out.print(f"wrote {n:,} labels to {output}")


@app.command("train")
def train_cmd(
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="Model file (default: the workspace's models/roles_model.npz)."
        ),
    ] = None,
    posts: Annotated[int, typer.Option("--posts", help="Synthetic training posts.")] = 60_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the training corpus.")] = 101,
    families: Annotated[
        str,
        typer.Option(
            "--families",
            help="Grammar families that write the training corpus: 'train' (the default, never "
            "the held-out ones), 'all', or names separated by commas.",
        ),
    ] = "train",
    negatives: Annotated[
        list[str] | None,
        typer.Option(
            "--negatives",
            help="JSONL of real text that requests nothing (abusive, sexist, ordinary), as 'other'; "
            "only the training half of its rows is used. Repeatable.",
        ),
    ] = None,
    real: Annotated[
        list[str] | None,
        typer.Option(
            "--real",
            help="Folder of real ordinary exports, as 'other' (training half only). Repeatable.",
        ),
    ] = None,
    use_labels: Annotated[
        bool, typer.Option("--labels/--no-labels", help="Add the workspace's imported labels.")
    ] = True,
) -> None:
    """Train the role model: synthetic posts from the training grammar families, real negatives, imported labels and review decisions."""
    from ..evaluation.labels import resolve, stored
    from ..evaluation.train import train

    ws = _ws_or_none() if (output is None or use_labels) else None
    if output is None and ws is None:
        raise CounterspellError("no workspace to save the model in: pass -w DIR or -o FILE")
    target = Path(output) if output else ws.root / "models" / "roles_model.npz"  # type: ignore[union-attr]
    labels = (
        {uid: lb.role for uid, lb in resolve(ws, stored(ws)).items()} if (ws and use_labels) else {}
    )
    if ws and use_labels:  # decisions from the review queue are labels too (they win: newer)
        from ..store.queue import reviewed_roles

        labels.update(reviewed_roles(ws))
    with console.status(f"training on {posts:,} synthetic posts and {len(labels):,} labels") as st:
        report = train(
            target,
            posts=posts,
            seed=seed,
            families=families,
            negatives=negatives or [],
            real=real or [],
            labels_ws=ws,
            labels=labels,
            progress=lambda msg: st.update(msg),
        )
    out.print(
        f"model written to {report.path}: {report.examples:,} examples ({report.negatives:,} real "
        f"negatives, {report.labelled:,} labelled); calibration split accuracy "
        f"{report.heldout_accuracy:.3f}, temperature {report.temperature:.2f}"
    )
    out.print(
        "run 'counterspell evaluate' for held-out figures (grammar families and a seed it never saw)"
    )


def _ws_or_none() -> Workspace | None:
    """The workspace if there is one (train and evaluate also work without)."""
    try:
        return Workspace.open(state.workspace)
    except CounterspellError:
        return None


@app.command("evaluate")
def evaluate_cmd(
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels", help="Score the workspace's analysed posts against this label CSV."
        ),
    ] = None,
    negatives: Annotated[
        list[str] | None,
        typer.Option(
            "--negatives",
            help="JSONL of real text that requests nothing: print the alarm rate per source "
            "(harmful role or any flag), on the half of the rows training never uses. Repeatable.",
        ),
    ] = None,
    real: Annotated[
        str | None,
        typer.Option(
            "--real", help="Folder of real exports (ordinary talk) to measure false positives on."
        ),
    ] = None,
    posts: Annotated[int, typer.Option("--posts", help="Held-out synthetic posts.")] = 20_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the held-out corpus (never used in training).")
    ] = 202,
    families: Annotated[
        str,
        typer.Option(
            "--families",
            help="Grammar families of the held-out corpus: 'heldout' (never trained on), 'train', 'all' or names.",
        ),
    ] = "heldout",
    synthetic: Annotated[
        bool,
        typer.Option("--synthetic/--no-synthetic", help="Run the held-out synthetic evaluation."),
    ] = True,
    campaigns: Annotated[
        str | None,
        typer.Option(
            "--campaigns",
            help="Score the workspace's campaigns against a CSV campaign,platform,post_id,part[,community].",
        ),
    ] = None,
    campaigns_heldout: Annotated[
        bool,
        typer.Option(
            "--campaigns-heldout",
            help="Run the whole pipeline on a held-out synthetic corpus (and one where nobody quotes) and score its campaigns.",
        ),
    ] = False,
    card: Annotated[
        str | None,
        typer.Option(
            "--card",
            help="Merge the headline figures into this model card (JSON); the shipped model's is "
            "src/counterspell/stages/roles_model.card.json.",
        ),
    ] = None,
) -> None:
    """Per-role precision, recall and F1, a confusion matrix, minor_risk recall, alarm rates on real negatives."""
    from ..evaluation import evaluate as ev

    ws = _ws_or_none()
    model = ev.load_model(ws)
    report: dict[str, object] = {"model_version": model.version, "model_info": model.info}
    if synthetic:
        with console.status(f"held-out synthetic evaluation on {posts:,} posts ({families})"):
            m = ev.heldout_synthetic(model, posts=posts, seed=seed, families=families)
        _print_metrics(f"Held-out synthetic (seed {seed}, families: {families})", m)
        report["heldout_synthetic"] = m
        report["heldout_families"] = families
    if negatives:
        with console.status("real negatives"):
            rates_by = ev.negative_rates(negatives, model)
        table = Table(title="Alarms on real text that requests nothing (evaluation half)")
        for col in ("source", "posts", "alarm rate", "harmful roles", "flags"):
            table.add_column(
                col, justify="left" if col in ("source", "harmful roles", "flags") else "right"
            )
        for source, r in sorted(rates_by.items()):
            harmful = {k: v for k, v in sorted(r.by_role.items()) if k != "counter_speech"}
            table.add_row(source, f"{r.posts:,}", f"{r.alarm_rate:.2%}", str(harmful or "-"),
                          str(dict(sorted(r.by_flag.items())) or "-"))  # fmt: skip
        out.print(table)
        report["negatives"] = {
            k: {**v.__dict__, "alarm_rate": v.alarm_rate} for k, v in rates_by.items()
        }
    if real:
        with console.status("real fixtures"):
            rates = ev.real_fixture_rates(Path(real), model, evaluation_half=True)
        if rates is None:
            raise CounterspellError(f"{real}: no 4chan, telegram or discord folder inside")
        out.print(
            f"\n[bold]Real posts[/bold] ({rates.posts:,} ordinary posts, evaluation half): "
            f"{rates.alarm_rate:.2%} alarms; {rates.role_rate:.2%} given a role other than 'other' "
            f"{dict(sorted(rates.by_role.items()))}, {rates.flag_rate:.2%} flagged {dict(sorted(rates.by_flag.items()))}"
        )
        report["real_fixtures"] = {
            **rates.__dict__,
            "role_rate": rates.role_rate,
            "flag_rate": rates.flag_rate,
            "alarm_rate": rates.alarm_rate,
        }
    if labels:
        if ws is None:
            raise CounterspellError("--labels needs a workspace (-w DIR) whose posts were analysed")
        m = ev.against_labels(ws, labels)
        _print_metrics(f"Against {labels}", m)
        report["labels"] = m
    if campaigns or campaigns_heldout:
        from ..evaluation import campaigns as ce

        if campaigns:
            if ws is None:
                raise CounterspellError("--campaigns needs a workspace (-w DIR) that was analysed")
            c = ce.score_campaigns(ws, campaigns)
            _print_campaign_scores(f"Campaigns against {campaigns}", c)
            report["campaigns"] = ce.as_dict(c)
        if campaigns_heldout:
            for label, scale in (("campaigns_heldout", 1.0), ("campaigns_heldout_no_quotes", 0.0)):
                with console.status(f"held-out campaigns (seed {seed}, quote scale {scale})"):
                    c = ce.heldout_campaigns(
                        posts=min(posts, 8_000), seed=seed, quote_scale=scale, families=families
                    )
                title = "nobody quotes" if scale == 0 else "as generated"
                _print_campaign_scores(f"Held-out campaigns, seed {seed}, {title}", c)
                report[label] = ce.as_dict(c)
    saved = ev.save(ws, report)
    if saved:
        console.print(f"saved to {saved}")
    if card:
        name = Path(labels).resolve().parent.name if labels else None
        ev.write_card(Path(card), model, ev.card_entries(report, name))
        console.print(f"model card updated: {card}")


def _print_campaign_scores(title: str, c: object) -> None:
    from ..evaluation.campaigns import CampaignScores

    assert isinstance(c, CampaignScores)
    out.print(
        f"\n[bold]{title}[/bold]: {c.posts:,} posts ({c.missing:,} of the file not in the lake), "
        f"{c.true_campaigns:,} true and {c.predicted_campaigns:,} predicted campaigns"
    )
    out.print(
        f"pairwise precision {c.precision:.3f}, recall {c.recall:.3f}, F1 {c.f1:.3f}; "
        f"requests found {c.requests_found:.3f}; at confidence >= 0.5: precision "
        f"{c.confident_precision:.3f}, recall {c.confident_recall:.3f}"
    )
    table = Table(title="members placed with their request")
    table.add_column("members")
    table.add_column("recall", justify="right")
    for k, v in c.member_recall.items():
        table.add_row(k, f"{v:.3f}")
    out.print(table)


def _print_metrics(title: str, m: object) -> None:
    from ..evaluation.evaluate import Metrics
    from ..stages.roles import ROLES

    assert isinstance(m, Metrics)
    table = Table(title=f"{title}: {m.n:,} posts, accuracy {m.accuracy:.3f}")
    for col in ("role", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "role" else "right")
    for role, v in m.per_role.items():
        table.add_row(
            role,
            f"{v['precision']:.3f}",
            f"{v['recall']:.3f}",
            f"{v['f1']:.3f}",
            f"{int(v['support']):,}",
        )
    macro = sum(v["f1"] for v in m.per_role.values()) / max(len(m.per_role), 1)
    out.print(table)
    out.print(f"macro-F1 {macro:.3f}")
    conf = Table(title="confusion (rows: truth, columns: predicted)")
    conf.add_column("")
    short = [r[:6] for r in ROLES]
    for r in short:
        conf.add_column(r, justify="right")
    for role, row in zip(ROLES, m.confusion, strict=True):
        conf.add_row(role[:12], *(str(x) for x in row))
    out.print(conf)
    flags = ", ".join(
        f"{k} P {v['precision']:.3f} R {v['recall']:.3f} (n={int(v['support'])})"
        for k, v in m.flags.items()
    )
    out.print(f"flags: {flags}")
    if m.minor_risk_recall is not None:
        out.print(
            f"[bold]minor_risk recall: {m.minor_risk_recall:.3f}[/bold] of {m.minor_risk_support:,}"
        )


@app.command("hash-media")
def hash_media_cmd(
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes hashing communities in parallel (default: one per CPU)."
        ),
    ] = None,
    executor_name: Annotated[str, _EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, _SCHEDULER_OPTION] = None,
) -> None:
    """Hash every attachment in the lake whose file the export contains (MD5, SHA-256, PDQ)."""
    from ..pipeline.hash_media import hash_media

    ws = _ws()
    with _executor(executor_name, workers, scheduler) as executor, console.status("hashing media"):
        r = hash_media(ws, workers=workers, executor=executor)
    out.print(
        f"{r.items:,} attachments recorded, {r.files_hashed:,} files hashed, {r.errors:,} errors, "
        f"{r.skipped:,} already done"
    )


@app.command("hash")
def hash_cmd(
    files: Annotated[
        list[str], typer.Argument(help="Media files to hash (nothing leaves this machine).")
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, jsonl or csv.")] = "text",
    dihedral: Annotated[
        bool, typer.Option("--dihedral", help="Also print the PDQ of all 8 rotations and flips.")
    ] = False,
) -> None:
    """MD5, SHA-256 and PDQ (with quality) of files, vPDQ of videos, offline: what a victim or helpline runs."""
    import csv as csv_mod

    from ..matching.hashing import dihedral_hashes, hash_file

    if fmt not in ("text", "jsonl", "csv"):
        raise CounterspellError(f"--format {fmt!r}: choose one of text, jsonl, csv")
    writer = csv_mod.writer(sys.stdout) if fmt == "csv" else None
    if writer:
        writer.writerow(
            [
                "path",
                "md5",
                "sha256",
                "pdq",
                "pdq_quality",
                "error",
                "provenance",
                "vpdq",
                "skipped",
            ]
        )
    failed = False
    for path in files:
        h = hash_file(path)
        failed |= h.error is not None
        row = h.as_dict()
        if dihedral and h.pdq:
            row["pdq_dihedral"] = dihedral_hashes(path)
        if fmt == "jsonl":
            sys.stdout.write(orjson.dumps(row).decode() + "\n")
        elif writer:
            writer.writerow(
                [
                    h.path,
                    h.md5 or "",
                    h.sha256 or "",
                    h.pdq or "",
                    "" if h.pdq_quality is None else h.pdq_quality,
                    h.error or "",
                    orjson.dumps(h.provenance).decode() if h.provenance else "",
                    h.vpdq or "",
                    h.skipped or "",
                ]
            )
        else:
            if h.error:
                console.print(f"[red]error:[/red] {path}: {h.error}", highlight=False)
            if h.md5:
                pdq = f"pdq {h.pdq} q{h.pdq_quality}" if h.pdq else "pdq -"
                sys.stdout.write(f"{path}\tmd5 {h.md5}\tsha256 {h.sha256}\t{pdq}\n")
            for i, d in enumerate(row.get("pdq_dihedral", [])):
                sys.stdout.write(f"{path}\tdihedral {i} {d}\n")
            if h.vpdq:
                for line in h.vpdq.splitlines():
                    sys.stdout.write(f"{path}\tvpdq {line}\n")
            if h.skipped:
                console.print(f"[yellow]note:[/yellow] {path}: {h.skipped}", highlight=False)
    if failed:
        raise typer.Exit(code=1)


from . import casework  # noqa: E402,F401 - registers db, user, queue, audit, takedown, serve


def main() -> None:
    """Entry point: user errors become one line and exit code 2."""
    try:
        app()
    except BrokenPipeError:
        sys.exit(0)  # the reader went away (`| head`): not an error
    except CounterspellError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(2)
    except OSError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        console.print(
            "[red]interrupted[/red]: the lake holds whole files only; run the same command again to resume"
        )
        sys.exit(130)
