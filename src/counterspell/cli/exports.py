"""``counterspell export ...``: lake data for other tools (JSON lines, CSV, Parquet, graphs)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import CounterspellError
from ..lake.query import EXPORT_FORMATS, export_posts
from .common import FORMAT_OPTION, OUTPUT_OPTION, console, current_ws, esc, export_app


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
    n = export_posts(current_ws(), fmt, output)
    if output:
        console.print(f"wrote {n:,} posts to {esc(output)}")


# Derived datasets exported as they are: command, dataset, row order, and the command's help.
DATASET_EXPORTS: tuple[tuple[str, str, str, str], ...] = (
    ("campaigns", "campaigns", "requested_at, campaign_id",
     "One record per campaign: its request, members (uid, part, confidence) and metrics."),
    ("actors", "actors", "creator_rank NULLS LAST, posts DESC, actor_id",
     "One record per author: requests, fulfilments, praise received and given, creator rank."),
    ("bridges", "bridges", "kind, count DESC, src_platform, src_community, dst_platform, dst_community",
     "Edges between communities: shared invites, media and handles, with first/last seen."),
    ("clusters", "cluster_sightings", "cluster, first_seen, platform, community",
     "Where each picture (near-duplicate cluster) was seen: per community, first and last sighting."),
    ("media", "media", "platform, community, created_at, uid, media_index",
     "Every attachment: its file, MD5, SHA-256, PDQ, vPDQ, and why a file could not be hashed (error)."),
    ("matches", "matches", "bank, uid, media_index, entry_id, signal_type",
     "Every match of lake media with a bank: post uid, media index, bank entry, distance."),
)  # fmt: skip


def _register(command: str, dataset: str, order: str, doc: str) -> None:
    def export_cmd(
        fmt: Annotated[str, FORMAT_OPTION] = "jsonl",
        output: Annotated[str | None, OUTPUT_OPTION] = None,
    ) -> None:
        from ..lake.query import export_dataset

        n = export_dataset(current_ws(), dataset, fmt, output, order)
        if output:
            console.print(f"wrote {n:,} {dataset} to {esc(output)}")

    export_cmd.__doc__ = doc
    export_cmd.__name__ = f"export_{command}_cmd"
    export_app.command(command)(export_cmd)


for _spec in DATASET_EXPORTS:
    _register(*_spec)


@export_app.command("graph")
def export_graph_cmd(
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="actors, communities or campaigns.")
    ] = "actors",
    fmt: Annotated[str, typer.Option("--format", "-f", help="gexf, graphml or json.")] = "gexf",
    output: Annotated[str | None, OUTPUT_OPTION] = None,
) -> None:
    """A graph for Gephi or networkx (targets only as pseudonyms; Louvain groups on actors)."""
    from ..reports.graphs import export_graph

    nodes, edges = export_graph(current_ws(), kind, fmt, output)
    if output:
        console.print(f"wrote the {kind} graph ({nodes:,} nodes, {edges:,} edges) to {esc(output)}")
