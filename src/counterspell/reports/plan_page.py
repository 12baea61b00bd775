"""The plan (:func:`counterspell.pipeline.plan.plan`) as HTML: one fragment the analyst page and
``counterspell plan --format html`` share, so both say the same thing, assumptions first.

Every value from the lake is escaped; node names are shown as the planner gives them (actor ids,
places, handles, cluster ids), the same identifiers ``counterspell export actors|bridges`` gives
an analyst with access to the workspace.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ..pipeline.plan import MEASURES


def pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1%}"


def ci(v: list[float] | None) -> str:
    return "" if not v else f" ({v[0]:.0%}-{v[1]:.0%})"


def _rows(head: list[str], body: list[list[str]], cls: str = "") -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>'


def ranking_rows(kind: str, rows: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for r in rows:
        extra = {
            "creator": f"{r.get('fulfilments', 0)} fulfilments, {r.get('praise_received', 0)} praise",
            "handle": f"{r.get('fulfilments', 0)} fulfilments, {r.get('praise_received', 0)} praise",
            "thread": f"{r.get('requests', 0)} requests, {pct(r.get('fulfilment_rate'))} fulfilled",
            "community": f"{r.get('requests', 0)} requests, {pct(r.get('fulfilment_rate'))} fulfilled",
            "hub": f"reached by {r.get('reached_by', 0)} campaigns",
            "cluster": f"seen in {r.get('places', 0)} places",
        }[kind]
        alone = r["alone"]
        out.append(
            [
                str(r["rank"]),
                f"<code>{escape(str(r['name']))}</code>",
                pct(r["share"]),
                escape(extra),
                f"{alone['fulfilled']} fulfilled, {alone['praise']} praise, {alone['reach']} reach",
            ]
        )
    return out


def plan_rows(plans: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for p in plans:
        rem, rnd = p["remaining"], p["random"]
        cells = [escape(p["name"])]
        cells += [pct(rem[m]["share"]) + ci(rem[m]["ci"]) for m in MEASURES]
        cells.append(" / ".join(pct(rnd.get(m, {}).get("share")) for m in ("fulfilled", "reach")))
        scen = p["displacement"]["scenarios"]
        by = p["displacement"]["picked_up_by"]
        who = f" (mostly by <code>{escape(by[0]['name'])}</code>)" if by else ""
        cells.append(
            " / ".join(pct(s["fulfilled"]) for s in scen)
            + "; reach "
            + " / ".join(pct(s["reach"]) for s in scen)
            + who
        )
        out.append(cells)
    return out


def plan_fragment(result: dict[str, Any]) -> str:
    """The plan as a fragment: assumptions, totals, what each plan leaves, the rankings."""
    t = result["totals"]
    parts = [
        f"<p>Scope: {escape(str(result['scope']))}. {result['campaigns']:,} campaigns; "
        f"{t['fulfilled']:,} fulfilled, {t['praise']:,} praise posts, reach {t['reach']:,} "
        f"campaign-destination pairs, {t['targets']:,} targets in a fulfilled campaign.</p>",
        "<h3>What the simulation assumes</h3><ul>"
        + "".join(f"<li>{escape(a)}</li>" for a in result["assumptions"])
        + "</ul>",
        "<h3>What each plan leaves</h3>",
        _rows(
            [
                "plan",
                "fulfilled left",
                "praise left",
                "reach left",
                "targets exposed",
                "random plans: fulfilled / reach left",
                "with displacement 0 / 50 / 100%: fulfilled; reach",
            ],
            plan_rows(result["plans"]),
            "plan",
        ),
        f"<p>Shares of the untouched totals, with 95% bootstrap intervals over campaigns "
        f"({result['bootstrap']} resamples, seed {result['seed']}); the random baseline removes "
        f"the same number of points of each kind, drawn uniformly ({result['random_draws']} draws). "
        "Displacement: a fulfilled campaign the plan took is taken up again at that rate, by the "
        "most active creator of its community still in place (when it lost its fulfilments), the "
        "community's most active thread still in place (when its thread went), or the community "
        "its campaigns reached most often that holds requests and a creator (when its community "
        "went); material that lost a hub goes to the places its community reached most often "
        "that still stand.</p>",
    ]
    if "truth" in result:
        tr = result["truth"]
        parts.append(
            f"<p>Against the corpus's ground truth: creators precision at 10 "
            f"{tr['creators_at_10']:.2f} ({tr['distinct_true_creators_in_top_10']} distinct true "
            f"creators; read as people {tr['people_at_10']:.2f}), hubs precision at "
            f"{tr['hubs_k']} {tr['hubs_at_k']:.2f}.</p>"
        )
    for kind, rows in result["rankings"].items():
        title = result["kinds"][kind]
        n = result["candidates"].get(kind, 0)
        parts.append(f"<h3>{escape(title.capitalize())} ({n:,} candidates)</h3>")
        if not rows:
            parts.append("<p>None in this scope.</p>")
            continue
        parts.append(
            _rows(
                ["rank", kind, f"share of {rows[0]['of']}", "figures", "removed alone, lost"],
                ranking_rows(kind, rows),
                "ranking",
            )
        )
    return "\n".join(parts)


def plan_html(result: dict[str, Any]) -> str:
    """A standalone page (``counterspell plan --format html``)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Counterspell: intervention plan</title><style>"
        "body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border-bottom:1px solid #ddd;"
        "padding:.25rem .6rem;text-align:left;vertical-align:top}code{font-size:13px}"
        "</style></head><body><h1>Intervention plan</h1>\n"
        + plan_fragment(result)
        + "\n</body></html>\n"
    )
