"""Commands that measure and retrain the role model: ``labels ...``, ``train``, ``evaluate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import CounterspellError
from .common import app, console, current_ws, current_ws_or_none, esc, labels_app, out


@labels_app.command("import")
def labels_import_cmd(
    file: Annotated[
        str, typer.Argument(help="CSV: platform, post_id, role, flags and, optionally, community.")
    ],
) -> None:
    """Import reviewed labels (a later label for a post replaces an earlier one)."""
    from ..evaluation.labels import import_labels

    n = import_labels(current_ws(), file)
    out.print(f"imported {n:,} labels")


@labels_app.command("export")
def labels_export_cmd(
    output: Annotated[
        str, typer.Option("-o", "--output", help="CSV file to write.")
    ] = "labels.csv",
) -> None:
    """Write the workspace's labels as CSV."""
    from ..evaluation.labels import export_labels

    n = export_labels(current_ws(), output)
    out.print(f"wrote {n:,} labels to {esc(output)}")


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

    ws = current_ws_or_none() if (output is None or use_labels) else None
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
        f"model written to {esc(report.path)}: {report.examples:,} examples ({report.negatives:,} real "
        f"negatives, {report.labelled:,} labelled); calibration split accuracy "
        f"{report.heldout_accuracy:.3f}, temperature {report.temperature:.2f}"
    )
    out.print(
        "run 'counterspell evaluate' for held-out figures (grammar families and a seed it never saw)"
    )


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
            help="Score the workspace's campaigns against a CSV with campaign, platform, post_id, part and, optionally, community.",
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

    ws = current_ws_or_none()
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
        console.print(f"saved to {esc(saved)}")
    if card:
        name = Path(labels).resolve().parent.name if labels else None
        ev.write_card(Path(card), model, ev.card_entries(report, name))
        console.print(f"model card updated: {esc(card)}")


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
        if v["support"]
        # no precision or recall to speak of where the truth has none (or does not label it)
        else f"{k}: none in the truth, {int(v.get('predicted') or 0):,} raised"
        for k, v in m.flags.items()
    )
    out.print(f"flags: {flags}")
    if m.minor_risk_recall is not None:
        out.print(
            f"[bold]minor_risk recall: {m.minor_risk_recall:.3f}[/bold] of {m.minor_risk_support:,}"
        )
