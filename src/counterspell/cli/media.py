"""Commands for media: ``hash``, ``hash-media``, ``bank ...``, ``match``."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.table import Table

from .. import csvsafe
from ..errors import CounterspellError
from .common import (
    EXECUTOR_OPTION,
    OUTPUT_OPTION,
    SCHEDULER_OPTION,
    app,
    bank_app,
    console,
    current_ws,
    esc,
    executor_for,
    out,
    sync_queue_if_any,
)


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
    pdq_threshold: Annotated[
        int | None,
        typer.Option(
            "--pdq-threshold", help="This bank's PDQ distance (default: the pdq_threshold setting)."
        ),
    ] = None,
) -> None:
    """Create an empty bank."""
    from ..matching.banks import create_bank

    info = create_bank(current_ws(), name, negative=negative, description=description, source=source,
                       case_ref=case, max_matches=max_matches, pdq_threshold=pdq_threshold)  # fmt: skip
    out.print(f"created {info.kind} bank {esc(repr(info.name))}")


@bank_app.command("list")
def bank_list_cmd() -> None:
    """Every bank with its kind, version and size."""
    from ..matching.banks import list_banks

    table = Table()
    for col in ("name", "kind", "version", "entries", "pdq threshold", "source", "case", "created"):
        table.add_column(col, justify="right" if col in ("version", "entries") else "left")
    for b in list_banks(current_ws()):
        threshold = "setting" if b.pdq_threshold is None else str(b.pdq_threshold)
        table.add_row(b.name, b.kind, str(b.version), f"{b.entries:,}", threshold, b.source,
                      b.case_ref, b.created_at)  # fmt: skip
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

    r = import_hashes(current_ws(), name, file, fmt=fmt, source=source, case_ref=case)
    rejected = ", ".join(f"{n:,} {why}" for why, n in sorted(r.rejected.items())) or "none"
    out.print(
        f"added {r.added:,} hashes to {esc(repr(name))} (version {r.version}); {r.duplicates:,} already there; rejected: {esc(rejected)}"
    )


@bank_app.command("export")
def bank_export_cmd(
    name: Annotated[str, typer.Argument(help="The bank.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="te ('pdq <hex>' lines) or csv.")
    ] = "te",
    output: Annotated[str | None, OUTPUT_OPTION] = None,
) -> None:
    """Write a bank's hashes for a partner or for python-threatexchange."""
    from ..matching.banks import export_bank

    n = export_bank(current_ws(), name, fmt, output)
    if output:
        console.print(f"wrote {n:,} hashes to {esc(output)}")


@bank_app.command("remove-hashes")
def bank_remove_cmd(
    name: Annotated[str, typer.Argument(help="The bank.")],
    file: Annotated[str, typer.Argument(help="The hashes to remove, in any import format.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")] = "",
) -> None:
    """Remove hashes from a bank and its index (e.g. at the victim's request); audited."""
    from ..matching.banks import remove_hashes

    n = remove_hashes(current_ws(), name, file, reason=reason)
    out.print(
        f"removed {n:,} hashes from {esc(repr(name))}; run 'counterspell match --bank {esc(name)}' to refresh its matches"
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
    executor_name: Annotated[str, EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, SCHEDULER_OPTION] = None,
) -> None:
    """Match every hashed media item of the lake against a bank; results in the lake."""
    from ..executors import LocalExecutor
    from ..matching.match import match

    ws = current_ws()
    with executor_for(executor_name, workers, scheduler) as executor:
        if executor is None and workers and workers > 1:
            executor = LocalExecutor(workers)
        r = match(ws, bank, radius, dihedral, executor)
    out.print(
        f"{r.matched_items:,} of {r.items:,} media items match {bank!r} ({r.matches:,} matches); "
        f"{r.suppressed:,} suppressed by negative banks"
    )
    if r.low_quality_pdq:
        out.print(
            f"{r.low_quality_pdq:,} media items have a PDQ of quality under 50 (flat or tiny "
            "pictures) and were compared by MD5 only"
        )
    if r.quarantined_entries:
        out.print(
            f"[bold red]{len(r.quarantined_entries)} bank entries match too many items and are quarantined for review[/]: "
            f"entry ids {', '.join(map(str, r.quarantined_entries[:20]))}"
        )
    sync_queue_if_any(ws, "match")


@app.command("hash-media")
def hash_media_cmd(
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes hashing communities in parallel (default: one per CPU)."
        ),
    ] = None,
    executor_name: Annotated[str, EXECUTOR_OPTION] = "local",
    scheduler: Annotated[str | None, SCHEDULER_OPTION] = None,
) -> None:
    """Hash every attachment in the lake whose file the export contains (MD5, SHA-256, PDQ)."""
    from ..pipeline.hash_media import hash_media

    ws = current_ws()
    with (
        executor_for(executor_name, workers, scheduler) as executor,
        console.status("hashing media"),
    ):
        r = hash_media(ws, workers=workers, executor=executor)
    out.print(
        f"{r.items:,} attachments recorded, {r.files_hashed:,} files hashed, {r.errors:,} errors, "
        f"{r.skipped:,} already done"
    )
    for path, reason in r.error_examples:
        console.print(f"[red]cannot hash[/red] {esc(path)}: {esc(reason)}", highlight=False)
    if r.errors > len(r.error_examples):
        console.print(
            f"... {r.errors - len(r.error_examples):,} more: every reason is in the 'error' column "
            "of 'counterspell export media'",
            highlight=False,
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

    from ..matching.hashing import dihedral_hashes, hash_file

    if fmt not in ("text", "jsonl", "csv"):
        raise CounterspellError(f"--format {fmt!r}: choose one of text, jsonl, csv")
    writer = csvsafe.Writer(sys.stdout) if fmt == "csv" else None
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
                console.print(f"[red]error:[/red] {esc(path)}: {esc(h.error)}", highlight=False)
            if h.md5:
                pdq = f"pdq {h.pdq} q{h.pdq_quality}" if h.pdq else "pdq -"
                sys.stdout.write(f"{path}\tmd5 {h.md5}\tsha256 {h.sha256}\t{pdq}\n")
            for i, d in enumerate(row.get("pdq_dihedral", [])):
                sys.stdout.write(f"{path}\tdihedral {i} {d}\n")
            if h.vpdq:
                for line in h.vpdq.splitlines():
                    sys.stdout.write(f"{path}\tvpdq {line}\n")
            if h.skipped:
                console.print(
                    f"[yellow]note:[/yellow] {esc(path)}: {esc(h.skipped)}",
                    highlight=False,
                )
    if failed:
        raise typer.Exit(code=1)


@app.command("hash-page")
def hash_page_cmd(
    output: Annotated[
        str, typer.Option("-o", "--output", help="The HTML file to write.")
    ] = "hash.html",
) -> None:
    """Write the fingerprinting page as one offline HTML file a helpline can hand out: it hashes pictures in the browser (PDQ, MD5, SHA-256) and saves the hashes for 'bank import' or the removal form; pictures never leave the device."""
    from pathlib import Path

    from ..web.hash_page import standalone_html

    Path(output).write_text(standalone_html(), encoding="utf-8")
    console.print(f"wrote {esc(output)}: open it in a browser; it works offline", highlight=False)
