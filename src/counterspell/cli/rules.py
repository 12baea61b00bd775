"""``counterspell rules``: write, backtest, promote and run rules (see docs/rules.md).

Thin like the rest of the CLI. Whoever runs the CLI holds the workspace and its secrets, so acts
as its operator (audited as ``cli``); the web pages and the API gate authoring to analysts and
promotion to admins.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.table import Table

from ..errors import CounterspellError

if TYPE_CHECKING:  # the rules modules (sqlglot, DuckDB) load only when a rules command runs
    from ..rules.engine import Backtest
    from ..rules.model import Rule
from .casework import DbOption, _store
from .common import app, current_ws, esc, out

rules_app = typer.Typer(
    help="Rules: conditions over what is known about each post, backtested, shadowed, promoted.",
    no_args_is_help=True,
)
webhook_app = typer.Typer(help="Webhooks live rules post their hits to.", no_args_is_help=True)
rules_app.add_typer(webhook_app, name="webhook")
app.add_typer(rules_app, name="rules")

ACTOR = "cli"


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CounterspellError(f"{option} {value!r}: use a date, YYYY-MM-DD") from None


@rules_app.command("list")
def rules_list_cmd(db: DbOption = None) -> None:
    """Every rule with its state and current version (the built-in rules start in shadow)."""
    from ..store import rules

    store = _store(db)
    with store.begin() as conn:
        found = rules.all_rules(conn)
    table = Table(title="rules")
    for col in ("name", "state", "version", "condition", "actions"):
        table.add_column(col)
    for r in found:
        table.add_row(
            r.name, r.state, str(r.version), esc(r.condition), esc(", ".join(r.action_strings))
        )
    out.print(table)


@rules_app.command("fields")
def rules_fields_cmd() -> None:
    """The fields a condition can use, and the functions it can call."""
    from ..rules.condition import FUNCTION_NAMES
    from ..rules.fields import FIELDS

    table = Table(title="rule fields")
    for col in ("field", "kind", "meaning"):
        table.add_column(col)
    for f in FIELDS:
        table.add_row(f.name, f.kind, esc(f.doc))
    out.print(table)
    out.print("functions: " + ", ".join(f"{n}()" for n in FUNCTION_NAMES))


@rules_app.command("show")
def rules_show_cmd(
    name: Annotated[str, typer.Argument(help="The rule's name.")], db: DbOption = None
) -> None:
    """A rule's versions, newest first."""
    from ..store import rules

    with _store(db).begin() as conn:
        rule = rules.get(conn, name)
        versions = rules.history(conn, name)
    out.print(f"{rule.name}: {rule.state}, version {rule.version}", highlight=False)
    table = Table()
    for col in ("version", "written", "by", "condition", "actions"):
        table.add_column(col)
    for v in versions:
        table.add_row(
            str(v["version"]), v["created_at"].strftime("%Y-%m-%d %H:%M"), esc(v["author"]),
            esc(v["condition"]), esc(", ".join(v["actions"])),
        )  # fmt: skip
    out.print(table)


@rules_app.command("add")
def rules_add_cmd(
    name: Annotated[str, typer.Argument(help="Lower-case name: letters, digits, - and _.")],
    condition: Annotated[str, typer.Option("--condition", "-c", help="A boolean SQL expression.")],
    action: Annotated[
        list[str] | None,
        typer.Option(
            "--action", "-a", help="queue[:P], tag:NAME, escalate or webhook:NAME (repeat)."
        ),
    ] = None,
    state: Annotated[str, typer.Option(help="draft, shadow, live or retired.")] = "draft",
    description: Annotated[str, typer.Option(help="What the rule is for.")] = "",
    db: DbOption = None,
) -> None:
    """Add a rule, or a new version of it (an unchanged rule makes no version)."""
    from ..rules.model import Rule
    from ..store import rules

    rule = Rule.make(name, condition, action or [], state, description)
    with _store(db).begin() as conn:
        saved = rules.save(conn, rule, ACTOR, may_go_live=True)
    out.print(f"rule {saved.name}: version {saved.version}, {saved.state}", highlight=False)


@rules_app.command("state")
def rules_state_cmd(
    name: Annotated[str, typer.Argument(help="The rule's name.")],
    state: Annotated[str, typer.Argument(help="draft, shadow, live (a promotion) or retired.")],
    db: DbOption = None,
) -> None:
    """Move a rule to another state; live rules act on new hits (audited)."""
    from ..store import rules

    with _store(db).begin() as conn:
        r = rules.set_state(conn, name, state, ACTOR, may_go_live=True)
    out.print(f"rule {r.name}: {r.state} (version {r.version})", highlight=False)


@rules_app.command("import")
def rules_import_cmd(
    path: Annotated[Path, typer.Argument(help="A TOML file of [[rule]] tables.")],
    db: DbOption = None,
) -> None:
    """Store every rule of a TOML file (each changed one as a new version)."""
    from ..rules.model import load_toml
    from ..store import rules

    found = load_toml(path)
    with _store(db).begin() as conn:
        saved = [rules.save(conn, r, ACTOR, may_go_live=True) for r in found]
    for r in saved:
        out.print(f"rule {r.name}: version {r.version}, {r.state}", highlight=False)


@rules_app.command("export")
def rules_export_cmd(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Every rule's current version as TOML (what ``rules import`` reads)."""
    from ..rules.model import dumps_toml
    from ..store import rules

    with _store(db).begin() as conn:
        text = dumps_toml(rules.all_rules(conn))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {esc(output)}")


FORMATS = ("table", "json", "html")


@rules_app.command("backtest")
def rules_backtest_cmd(
    rule: Annotated[str, typer.Argument(help="A stored rule's name, or a TOML file of rules.")],
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    scope: Annotated[str | None, typer.Option(help="A platform, or platform/community.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or html.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    db: DbOption = None,
) -> None:
    """What a rule would have done over the lake's history, against reviewers' decisions."""
    from ..reports.backtest_page import html_page
    from ..rules.engine import Window, backtest
    from ..rules.model import load_toml
    from ..store import queue, rules
    from ..store.db import has_store
    from ..web.lakeview import masker

    if fmt not in FORMATS:
        raise CounterspellError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    ws = current_ws()
    window = Window(_day(since, "--since"), _day(until, "--until"), scope)
    path = Path(rule)
    results: list[Backtest] = []
    todo: list[tuple[Rule, Rule | None]]
    use_store = db is not None or has_store(ws)
    store = _store(db) if use_store else None
    try:
        if path.suffix == ".toml" or path.exists():
            todo = [(r, None) for r in load_toml(path)]
            if store is not None:
                with store.begin() as conn:
                    stored = {r.name: r for r in rules.all_rules(conn)}
                todo = [(r, stored.get(r.name)) for r, _ in todo]
        else:
            if store is None:
                raise CounterspellError(
                    f"no rule file {rule!r}, and this workspace has no store to hold rules "
                    "(run 'counterspell db upgrade')"
                )
            with store.begin() as conn:
                current = rules.get(conn, rule)
                previous = (
                    rules.get(conn, rule, current.version - 1) if current.version > 1 else None
                )
            todo = [(current, previous)]
        reviewed, mask = {}, masker({})
        if store is not None:
            with store.engine.connect() as conn:
                reviewed = rules.reviewed(conn)
                mask = masker(queue.all_identities(conn))
        for r, previous in todo:
            results.append(backtest(ws, r, window, previous=previous, reviewed=reviewed, mask=mask))
    finally:
        if store is not None:
            store.close()
    if fmt == "json":
        text = (
            orjson.dumps([b.to_dict() for b in results], option=orjson.OPT_INDENT_2).decode() + "\n"
        )
    elif fmt == "html":
        text = "\n".join(html_page(b) for b in results)
    else:
        _print_backtests(results)
        return
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {esc(output)}")


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.0%}"


def _print_backtests(results: list[Backtest]) -> None:
    pct = _pct
    for bt in results:
        out.print(
            f"[bold]{esc(bt.rule.name)}[/] (version {bt.rule.version or 'from file'}): "
            f"{bt.hits:,} hits; precision estimate {pct(bt.precision)}, recall against reviewed "
            f"work {pct(bt.recall)} ({bt.confirmed_missed:,} of {bt.confirmed_total:,} confirmed "
            "items missed)",
            highlight=False,
        )
        if bt.previous is not None:
            out.print(
                f"  against version {bt.previous.version}: {bt.new_hits:,} new hits, "
                f"{bt.lost_hits:,} lost",
                highlight=False,
            )
        t = Table(title="hits per community")
        t.add_column("community")
        t.add_column("hits", justify="right")
        for c, n in bt.by_community[:15]:
            t.add_row(esc(c), f"{n:,}")
        out.print(t)
        t = Table(title="reviewers' decisions on the hits")
        t.add_column("decision")
        t.add_column("hits", justify="right")
        for k, v in bt.reviewed.items():
            t.add_row(k, f"{v:,}")
        out.print(t)
        if bt.by_day:
            out.print(
                f"  {len(bt.by_day)} days with hits, {bt.by_day[0][0]} to {bt.by_day[-1][0]}; "
                f"busiest {max(bt.by_day, key=lambda d: d[1])[0]}",
                highlight=False,
            )
        for s in bt.sample[:5]:
            out.print(f"  {esc(s['uid'])}: {esc(s['text'][:120])}", highlight=False)


@rules_app.command("run")
def rules_run_cmd(
    all_posts: Annotated[
        bool, typer.Option("--all", help="Every post, not only those new since the last run.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Run shadow and live rules now (analyze and match do this after every run)."""
    from ..store import rules

    store = _store(db)
    try:
        r = rules.run(store, "manual", all_posts=all_posts)
    finally:
        store.close()
    out.print(
        f"{r.rules} shadow or live rules: {r.hits:,} new hits, {r.acted:,} acted on, "
        f"{r.webhooks:,} webhook deliveries"
    )


@rules_app.command("hits")
def rules_hits_cmd(
    name: Annotated[str | None, typer.Argument(help="Only this rule.")] = None,
) -> None:
    """Hits recorded by shadow and live runs, per rule, version and state."""
    from ..lake.datasets import relation
    from ..lake.query import connect, sql_path

    ws = current_ws()
    where = f"WHERE rule = {sql_path(name)}" if name else ""
    rows = (
        connect(ws)
        .sql(
            f"""SELECT rule, version, state, count(*) AS hits, count(DISTINCT CAST(created_at AS DATE))
            AS days, max(run_at) AS last_run FROM {relation(ws, "rule_hits")} {where}
            GROUP BY ALL ORDER BY rule, version"""
        )
        .fetchall()
    )
    table = Table(title="rule hits")
    for col in ("rule", "version", "state", "hits", "days", "last run"):
        table.add_column(col)
    for rule, version, state, n, days, last in rows:
        table.add_row(
            rule, str(version), state, f"{n:,}", str(days), last.strftime("%Y-%m-%d %H:%M")
        )
    out.print(table)


@webhook_app.command("add")
def webhook_add_cmd(
    name: Annotated[str, typer.Argument(help="The name rules use: webhook:NAME.")],
    url: Annotated[str, typer.Argument(help="Where hits are POSTed (https://...).")],
    db: DbOption = None,
) -> None:
    """Register a webhook and print its signing secret (shown only now)."""
    from ..store import webhooks

    with _store(db).begin() as conn:
        secret = webhooks.add_webhook(conn, name, url, ACTOR)
    out.print(f"webhook {esc(name)} added; signing secret (shown once): {secret}", highlight=False)


@webhook_app.command("list")
def webhook_list_cmd(db: DbOption = None) -> None:
    """Webhooks with their pending, delivered and dead deliveries."""
    from ..store import webhooks

    with _store(db).engine.connect() as conn:
        hooks = webhooks.list_webhooks(conn)
    table = Table(title="webhooks")
    for col in ("name", "url", "pending", "delivered", "dead"):
        table.add_column(col)
    for h in hooks:
        table.add_row(
            esc(h["name"]), esc(h["url"]), str(h["pending"]), str(h["delivered"]), str(h["dead"])
        )
    out.print(table)


@webhook_app.command("deliver")
def webhook_deliver_cmd(db: DbOption = None) -> None:
    """Send the deliveries that are due (retries back off; five failures move one to dead)."""
    from ..store import webhooks

    r = webhooks.deliver(_store(db))
    out.print(f"{r['delivered']:,} delivered, {r['retrying']:,} to retry, {r['dead']:,} dead")


@webhook_app.command("dead")
def webhook_dead_cmd(db: DbOption = None) -> None:
    """The dead-letter list: deliveries that failed every attempt."""
    from ..store import webhooks

    with _store(db).engine.connect() as conn:
        dead = webhooks.dead_letters(conn)
    table = Table(title="dead webhook deliveries")
    for col in ("id", "webhook", "rule", "uid", "attempts", "last error"):
        table.add_column(col)
    for d in dead:
        table.add_row(
            str(d["id"]), esc(d["webhook"]), f"{esc(d['rule'])}@{d['version']}", esc(d["uid"]),
            str(d["attempts"]), esc(d["last_error"]),
        )  # fmt: skip
    out.print(table)


@webhook_app.command("retry")
def webhook_retry_cmd(
    delivery: Annotated[int, typer.Argument(help="The dead delivery's id.")], db: DbOption = None
) -> None:
    """Send a dead delivery again."""
    from ..store import webhooks

    with _store(db).begin() as conn:
        webhooks.retry(conn, delivery, ACTOR)
    out.print(f"delivery {delivery} will be sent again")
