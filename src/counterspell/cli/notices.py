"""``counterspell notice``: the notice templates, and notices built from a case.

Thin like the rest of the CLI: the templates and the law they cite are data in
:mod:`counterspell.store.notices`; this module lists them and writes a built notice.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..errors import CounterspellError
from .casework import DbOption, _store
from .common import app, console, esc, out

if TYPE_CHECKING:
    from ..store.accounts import User
    from ..store.db import Store

notice_app = typer.Typer(
    help="Removal and preservation notices built from a case, with their legal basis (not legal advice).",
    no_args_is_help=True,
)
app.add_typer(notice_app, name="notice")

TemplatesOption = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="A directory of templates of your own, with its own laws.toml (default: the package's).",
    ),
]


@notice_app.command("list")
def notice_list_cmd(templates: TemplatesOption = None) -> None:
    """The notice templates: jurisdiction, kind, last review, counsel-review flag, law cited."""
    from ..store.notices.templates import load_templates

    found, laws = load_templates(templates)
    t = Table("template", "jurisdiction", "kind", "last reviewed", "counsel review", "cites")
    for tpl in found.values():
        unverified = sum(not laws[c].verified for c in tpl.cites)
        cited = f"{len(tpl.cites)} ({unverified} unverified)" if unverified else str(len(tpl.cites))
        t.add_row(
            tpl.id,
            tpl.jurisdiction,
            tpl.kind,
            tpl.last_reviewed.isoformat(),
            "required" if tpl.counsel_review else "approved",
            cited,
        )
    out.print(t)
    out.print("Not legal advice: have counsel review a template before its notices are sent.")


@notice_app.command("build")
def notice_build_cmd(
    case: Annotated[int, typer.Argument(help="Case id.")],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="US, UK, EU or AU.")],
    kind: Annotated[
        str, typer.Option("--kind", help="removal, preservation or generator.")
    ] = "removal",
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="Only the case's posts on this platform (e.g. discord)."),
    ] = None,
    sender: Annotated[
        str | None, typer.Option("--sender", help="Who sends the notice (your organisation).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default: stdout).")
    ] = None,
    reveal: Annotated[
        bool,
        typer.Option(
            "--reveal",
            help="Name the person depicted (the clear identifiers behind the case's targets); audited.",
        ),
    ] = False,
    as_user: Annotated[
        str, typer.Option("--as", help="The analyst or admin account the audit log names.")
    ] = "",
    templates: TemplatesOption = None,
    db: DbOption = None,
) -> None:
    """Build a notice from a case for one jurisdiction and kind; the generation is audited."""
    from ..store.notices.build import build
    from ..store.notices.render import FORMATS, render
    from ..store.notices.templates import find, load_templates

    if fmt not in FORMATS:
        raise CounterspellError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    found, laws = load_templates(templates)
    template = find(found, jurisdiction, kind)
    store = _store(db)
    try:
        user = _operator(store, as_user)
        notice = build(store, case, user, template, laws, platform=platform, sender=sender,
                       reveal=reveal)  # fmt: skip
    finally:
        store.close()
    text = render(notice, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"{template.id} notice for case {case} written to {esc(output)}")
    if template.counsel_review:
        console.print(
            "[yellow]counsel review required[/yellow]: this template has not been approved by "
            "counsel; not legal advice",
            highlight=False,
        )


def _operator(store: Store, name: str) -> User:
    """The account a notice is generated as: named with --as, else the CLI (as 'cli' in the log).

    In the service notices are an analyst's work; on the command line whoever can read the
    workspace's store can read all of it already, so --as only names them in the audit log.
    """
    from sqlalchemy import select

    from ..store.accounts import User
    from ..store.schema import users

    if not name:
        return User(id=0, name="cli", role="admin")
    with store.engine.connect() as conn:
        row = conn.execute(
            select(users.c.id, users.c.name, users.c.role).where(users.c.name == name)
        ).first()
    if row is None:
        raise CounterspellError(f"--as {name!r}: no such user (see counterspell user list)")
    user = User(id=int(row.id), name=str(row.name), role=str(row.role))
    if not user.can("analyst"):
        raise CounterspellError(f"--as {name!r}: notices need the analyst or admin role")
    return user
