"""Commands for case work: ``db``, ``user``, ``queue``, ``audit``, ``takedown`` and ``serve``.

Thin like the rest of the CLI: each parses options, opens the workspace's store and calls
:mod:`counterspell.store` or the web app.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..config import STORE_URL_ENV as ENV_URL
from ..errors import CounterspellError
from .common import app, console, current_ws, esc, out

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) is imported by the commands that use it
    from ..store.db import Store

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", envvar=ENV_URL, help="Database URL (default: store.sqlite in the workspace)."
    ),
]

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]

db_app = typer.Typer(
    help="The operational store (SQLite or PostgreSQL) and its migrations.", no_args_is_help=True
)
user_app = typer.Typer(
    help="Accounts: users, roles, passwords and API tokens.", no_args_is_help=True
)
queue_app = typer.Typer(
    help="The review queue: flagged, matched or confidently harmful posts.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
takedown_app = typer.Typer(help="TAKE IT DOWN Act removal requests.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(queue_app, name="queue")
app.add_typer(audit_app, name="audit")
app.add_typer(takedown_app, name="takedown")


def _store(db: str | None) -> Store:
    from ..store.db import Store

    return Store(current_ws(), db)


@db_app.command("upgrade")
def db_upgrade_cmd(
    db: DbOption = None, revision: Annotated[str, typer.Option(help="Target revision.")] = "head"
) -> None:
    """Create or migrate the store's tables (safe to run again)."""
    from ..reports.model import plural
    from ..store.db import (
        Store,
        default_url,
        head_revision,
        make_engine,
        seed_builtin_rules,
        upgrade,
    )

    url = db or default_url(current_ws())
    engine = make_engine(url)
    before, after = upgrade(engine, revision, ws=current_ws())
    engine.dispose()
    out.print(f"store at {esc(repr(engine.url))}: migration {before or 'none'} -> {after}")
    if after == head_revision():
        store = Store(current_ws(), url)
        try:
            added = seed_builtin_rules(store)
        finally:
            store.close()
        if added:
            out.print(
                f"added {plural(added, 'built-in rule')} (in shadow: see 'counterspell rules list')"
            )


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    try:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    except typer.Abort:  # end of input (a script with nothing on stdin) or Ctrl-C
        raise CounterspellError(
            "no password given: type it twice at the prompt, or give it once on standard input "
            "with --password-stdin"
        ) from None


@user_app.command("add")
def user_add_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="viewer, reviewer, analyst or admin.")],
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Add a user (asks for the password twice unless --password-stdin)."""
    from ..store.accounts import add_user

    password = _password(password_stdin)
    with _store(db).begin() as conn:
        u = add_user(conn, name, role, password)
    out.print(f"user {esc(u.name)} added with role {u.role}")


@user_app.command("list")
def user_list_cmd(db: DbOption = None) -> None:
    """The users and their roles."""
    from ..store.accounts import list_users

    with _store(db).engine.connect() as conn:
        rows = list_users(conn)
    t = Table("name", "role", "state")
    for r in rows:
        t.add_row(
            str(r["name"]),
            str(r["role"]),
            "disabled" if r["disabled"] else ("locked" if r["locked_until"] else "active"),
        )
    out.print(t)


@user_app.command("password")
def user_password_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Set a user's password (ends their sessions, lifts a lockout)."""
    from ..store.accounts import set_password

    password = _password(password_stdin)
    with _store(db).begin() as conn:
        set_password(conn, name, password)
    out.print(f"password of {esc(name)} changed")


@user_app.command("token")
def user_token_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    token_name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    days: Annotated[int, typer.Option("--days", help="Days until it expires.")] = 90,
    revoke: Annotated[
        bool,
        typer.Option("--revoke", help="Revoke the user's tokens called --name (all with --all)."),
    ] = False,
    revoke_all: Annotated[bool, typer.Option("--all", help="With --revoke: every token.")] = False,
    db: DbOption = None,
) -> None:
    """Create an API token for a user (printed once; only its digest is stored), or revoke."""
    from ..store.accounts import create_token, revoke_tokens

    if revoke:
        with _store(db).begin() as conn:
            n = revoke_tokens(conn, name, None if revoke_all else token_name)
        out.print(f"revoked {n} token{'' if n == 1 else 's'} of {esc(name)}")
        return
    if days < 1:
        raise CounterspellError(f"--days {days}: a token lives at least a day")
    with _store(db).begin() as conn:
        token = create_token(conn, name, token_name, lifetime=timedelta(days=days))
    sys.stdout.write(token + "\n")


@user_app.command("disable")
def user_disable_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")], db: DbOption = None
) -> None:
    """Disable an account: its sessions end and its tokens are revoked; nothing is deleted."""
    from ..store.accounts import set_disabled

    with _store(db).begin() as conn:
        set_disabled(conn, name, True)
    out.print(f"{esc(name)} disabled")


@user_app.command("enable")
def user_enable_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")], db: DbOption = None
) -> None:
    """Enable a disabled account again (new tokens must be made)."""
    from ..store.accounts import set_disabled

    with _store(db).begin() as conn:
        set_disabled(conn, name, False)
    out.print(f"{esc(name)} enabled")


@queue_app.command("sync")
def queue_sync_cmd(db: DbOption = None) -> None:
    """Bring the review queue up to date with the lake and run the shadow and live rules over
    what is new (analyze and match do both when the workspace has a store)."""
    from ..store import rules
    from ..store.queue import sync
    from ..web import prebuilt

    store = _store(db)
    try:
        with console.status("syncing the review queue"):
            r = sync(store)
            run = rules.run(store, "manual")
            views = prebuilt.build(store)  # what the item pages read, read now
    finally:
        store.close()
    out.print(
        f"review queue: {r.seen:,} posts to review (flagged, matched or confidently harmful), {r.added:,} new, {r.updated:,} refreshed; {r.identities:,} identities held in the store; {views:,} item views built"
    )
    out.print(
        f"rules: {run.rules} shadow or live, {run.hits:,} new hits, {run.acted:,} acted on",
        highlight=False,
    )


@queue_app.command("list")
def queue_list_cmd(
    status: Annotated[str, typer.Option(help="open, escalated or decided.")] = "open",
    limit: Annotated[int, typer.Option(help="How many.")] = 20,
    db: DbOption = None,
) -> None:
    """The queue's items, highest priority first."""
    from ..store.queue import STATUSES, list_items

    if status not in STATUSES:
        raise CounterspellError(f"--status {status!r}: choose one of {', '.join(STATUSES)}")
    with _store(db).engine.connect() as conn:
        rows = list_items(conn, status, limit)
    t = Table("id", "priority", "role", "conf", "flags", "uid")
    for r in rows:
        t.add_row(
            str(r.id),
            f"{r.priority:.1f}",
            r.role,
            f"{r.confidence:.2f}",
            ", ".join(r.flags),
            r.uid,
        )
    out.print(t)


@audit_app.command("verify")
def audit_verify_cmd(db: DbOption = None) -> None:
    """Check the audit log's hash chain; exits 1 and names each entry if it was edited or cut."""
    from ..store.audit import verify

    store = _store(db)
    with store.engine.connect() as conn:
        v = verify(conn, store.anchor)
    if v.ok:
        out.print(f"audit log intact: {v.entries:,} entries, head {v.head_hash[:16]}")
        return
    for p in v.problems:
        console.print(f"[red]tampered:[/red] {esc(p)}", highlight=False)
    raise typer.Exit(code=1)


@takedown_app.command("due")
def takedown_due_cmd(
    within: Annotated[float, typer.Option("--within", help="Hours ahead to look.")] = 12.0,
    db: DbOption = None,
) -> None:
    """Removal requests overdue or due within the next hours, and the compliance figures."""
    from ..store.takedown import compliance, due

    with _store(db).engine.connect() as conn:
        rows = due(conn, timedelta(hours=within))
        c = compliance(conn)
    t = Table("request", "due (UTC)", "state")
    for r in rows:
        t.add_row(r.ref, f"{r.due_at:%Y-%m-%d %H:%M}", r.urgency)
    out.print(t if rows else f"no removal request due within {within:g} hours")
    share = f"{100 * c.share_in_time:.0f}%" if c.share_in_time is not None else "-"
    out.print(
        f"{c.removed}/{c.valid} valid requests removed, {share} within 48 h, median {c.median_hours if c.median_hours is not None else '-'} h; {c.overdue_open} overdue"
    )
    if any(r.urgency == "overdue" for r in rows):
        raise typer.Exit(code=1)


@takedown_app.command("purge")
def takedown_purge_cmd(
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            help="Erase details of requests finished this many days ago (default: the "
            "workspace's takedown_retention_days).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the requests; change nothing.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Erase requesters' names, signatures, statements and contacts after the retention period."""
    from ..store.takedown import purge

    store = _store(db)
    keep = days if days is not None else store.ws.settings.takedown_retention_days
    if keep < 0:
        raise CounterspellError(f"--days {keep}: must be 0 or more")
    with store.begin() as conn:
        refs = purge(conn, timedelta(days=keep), "cli", dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    out.print(
        f"{verb} the requester's details of {len(refs):,} removal request"
        f"{'' if len(refs) == 1 else 's'} finished over {keep} days ago"
        + (f": {', '.join(refs[:20])}" if refs else "")
    )


def _check_port(host: str, port: int) -> None:
    """Fail before anything is printed when the address is taken, not after "serving on"."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CounterspellError(f"--host {host!r}: cannot be resolved ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise CounterspellError(
                f"{host}:{port} cannot be used ({exc.strerror}): another service (or "
                "'counterspell serve') is there; choose another with --port"
            ) from None


@app.command("serve")
def serve_cmd(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Send cookies over plain HTTP (testing only; use TLS in production).",
        ),
    ] = False,
    workers: Annotated[
        int, typer.Option(help="Server processes (PostgreSQL for more than one).")
    ] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of reverse proxies whose X-Forwarded-For is believed (comma-"
            "separated). Off by default: the client is the connecting address.",
        ),
    ] = None,
) -> None:
    """Start the web service: review UI, JSON API (/docs), and the public removal-request form."""
    try:
        import uvicorn
    except ImportError:
        raise CounterspellError(
            "the web service needs the [web] extra: pip install 'counterspell[web]'"
        ) from None
    from ..store.db import open_store
    from ..web.app import create_app

    if workers > 1:
        raise CounterspellError(
            "--workers above 1: run several 'counterspell serve' behind a proxy against PostgreSQL"
        )
    _check_port(host, port)
    ws = current_ws()
    store = open_store(ws, db, upgrade_first=True)
    console.print(
        f"store: {esc(repr(store.engine.url))}; serving on http://{host}:{port} (public form at /takedown)"
    )
    # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise, which let anyone on
    # the machine (or behind a local proxy that does not set it) choose the address the rate
    # limits and the audit log see; only the proxies named here are believed
    uvicorn.run(
        create_app(store, secure_cookies=not insecure_cookies),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or "",
    )
