"""``counterspell exchange ...``: hash exchanges feeding banks (docs/exchanges.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .common import app, console, current_ws, esc, out

exchange_app = typer.Typer(
    help="Hash exchanges (StopNCII, NCMEC, ThreatExchange, a partner's file) that feed banks.",
    no_args_is_help=True,
)
app.add_typer(exchange_app, name="exchange")


@exchange_app.command("add")
def exchange_add_cmd(
    name: Annotated[str, typer.Argument(help="Exchange name (letters, digits, '.', '_', '-').")],
    type_: Annotated[
        str,
        typer.Option("--type", "-t", help="file, sample, stopncii, ncmec or fb_threatexchange."),
    ],
    bank: Annotated[
        str | None,
        typer.Option("--bank", help="The bank it feeds (made when missing; default: NAME)."),
    ] = None,
    file: Annotated[
        str | None, typer.Option("--file", help="file: the signal file ('pdq <hex>' lines).")
    ] = None,
    signal_type: Annotated[
        str | None,
        typer.Option("--signal-type", help="file: the type of bare lines (pdq, video_md5)."),
    ] = None,
    environment: Annotated[
        str | None, typer.Option("--environment", help="ncmec: the database, e.g. NGO or test_NGO.")
    ] = None,
    only_esp_ids: Annotated[
        str | None, typer.Option("--only-esp-ids", help="ncmec: only these members' entries (1,2).")
    ] = None,
    feedback_reason: Annotated[
        str | None,
        typer.Option("--feedback-reason", help="ncmec: the reason GUID sent with a false match."),
    ] = None,
    privacy_group: Annotated[
        str | None, typer.Option("--privacy-group", help="fb_threatexchange: the privacy group id.")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="stopncii, ncmec, fb_threatexchange: another API address."),
    ] = None,
    creds: Annotated[
        str | None,
        typer.Option(
            "--credentials",
            help="A JSON file of credentials ('-': standard input); kept in .secrets/.",
        ),
    ] = None,
    negative: Annotated[
        bool, typer.Option("--negative", help="Make the new bank a negative (benign) bank.")
    ] = False,
    pdq_threshold: Annotated[
        int | None, typer.Option("--pdq-threshold", help="The new bank's PDQ distance (0-31).")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Change an existing exchange's settings or credentials."),
    ] = False,
) -> None:
    """Register an exchange and the bank it feeds; credentials go to the workspace's secrets."""
    from ..exchanges.config import add_exchange, read_credentials

    settings = {"file": file, "signal_type": signal_type, "environment": environment,
                "only_esp_ids": only_esp_ids, "feedback_reason": feedback_reason,
                "privacy_group": privacy_group, "base_url": base_url}  # fmt: skip
    given = {k: v for k, v in settings.items() if v is not None}
    secret = read_credentials(creds, type_) if creds else None
    info = add_exchange(current_ws(), name, type_, bank=bank, settings=given, creds=secret,
                        negative=negative, pdq_threshold=pdq_threshold, replace=replace)  # fmt: skip
    out.print(f"exchange {esc(repr(info.name))} ({info.type}) feeds bank {esc(repr(info.bank))}")


@exchange_app.command("list")
def exchange_list_cmd() -> None:
    """Every exchange: type, bank, and what its last fetch did."""
    from ..exchanges.config import list_exchanges

    table = Table()
    for col in ("name", "type", "bank", "held", "last fetch"):
        table.add_column(col)
    for e in list_exchanges(current_ws()):
        f = e.last_fetch
        last = (
            f"{f.get('pages', 0)} pages, +{f.get('added', 0):,} -{f.get('removed', 0):,}"
            + ("" if f.get("complete") else " (incomplete)")
            if f
            else "never"
        )
        table.add_row(e.name, e.type, e.bank, f"{f.get('held_signals', 0):,}", last)
    out.print(table)


@exchange_app.command("fetch")
def exchange_fetch_cmd(
    name: Annotated[str | None, typer.Argument(help="The exchange (default: every one).")] = None,
) -> None:
    """Fetch new, changed and deleted hashes into each exchange's bank; resumes where it stopped."""
    from ..errors import CounterspellError
    from ..exchanges.config import list_exchanges
    from ..exchanges.fetch import fetch

    ws = current_ws()
    names = [name] if name else [e.name for e in list_exchanges(ws)]
    if not names:
        raise CounterspellError("no exchanges yet: add one with 'counterspell exchange add'")
    for n in names:
        with console.status(f"fetching {n}"):
            r = fetch(ws, n)
        out.print(
            f"{esc(n)}: {r.pages} pages, {r.records:,} records{' (resumed)' if r.resumed else ''}; "
            f"bank +{r.added:,} -{r.removed:,}"
        )
        for what, counts in (("skipped (type not held by banks)", r.skipped),
                             ("skipped (not a valid hash)", r.invalid),
                             ("rejected (degenerate)", r.rejected)):  # fmt: skip
            if counts:
                detail = ", ".join(f"{t} {c:,}" for t, c in sorted(counts.items()))
                console.print(f"[yellow]{esc(n)}: {what}:[/yellow] {esc(detail)}", highlight=False)


@exchange_app.command("feedback")
def exchange_feedback_cmd(
    name: Annotated[str | None, typer.Argument(help="The exchange (default: every one).")] = None,
) -> None:
    """Queue reviewers' decisions on matches from exchange banks, and send what is due."""
    from ..exchanges.feedback import deliver, queue_feedback
    from ..store.db import Store

    store = Store(current_ws())
    try:
        queued = queue_feedback(store, name)
        sent = deliver(store, name)
    finally:
        store.close()
    out.print(
        f"feedback: {queued.queued:,} queued ({queued.unsupported:,} on exchanges that take none); "
        f"{sent['sent']:,} sent, {sent['retrying']:,} to retry, {sent['dead']:,} given up"
    )


@exchange_app.command("remove")
def exchange_remove_cmd(
    name: Annotated[str, typer.Argument(help="The exchange.")],
    keep_hashes: Annotated[
        bool, typer.Option("--keep-hashes", help="Leave its hashes in the bank.")
    ] = False,
) -> None:
    """Forget an exchange, its checkpoint and credentials; its hashes leave the bank (audited)."""
    from ..exchanges.config import remove_exchange

    n = remove_exchange(current_ws(), name, keep_hashes=keep_hashes)
    out.print(f"removed exchange {esc(repr(name))} and {n:,} of its hashes from its bank")
