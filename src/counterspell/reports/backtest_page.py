"""A rule's backtest as a self-contained HTML page with its chart (``rules backtest --format
html``, the service's backtest page): rendering lives here, with the report's charts, rather than
in the rules engine, which only computes the :class:`~counterspell.rules.engine.Backtest`."""

from __future__ import annotations

import html

from ..rules.engine import Backtest
from .figures import render
from .model import Chart


def chart_svg(bt: Backtest) -> str:
    """Hits per day as a small SVG bar chart, drawn as the report draws its charts."""
    chart = Chart(
        name="backtest",
        kind="day_bars",
        title=f"{bt.rule.name}: hits per day",
        xlabel="",
        ylabel="hits",
        table="",
        takeaway="",
        options={"x": "day", "y": "hits", "height": 2.6},
    )
    return render(chart, [{"day": d, "hits": n} for d, n in bt.by_day])


def _pct(v: float | None) -> str:
    return "n/a (no reviewed hits)" if v is None else f"{v:.0%}"


def html_page(bt: Backtest) -> str:
    """A self-contained page: the chart, the tables and the masked sample (everything escaped)."""
    e = html.escape
    d = bt.to_dict()
    rows = "".join(f"<tr><td>{e(c)}</td><td>{n:,}</td></tr>" for c, n in bt.by_community[:30])
    rev = "".join(f"<tr><td>{e(k)}</td><td>{v:,}</td></tr>" for k, v in bt.reviewed.items())
    sample = "".join(
        f"<tr><td>{e(s['community'])}</td><td>{e(s['created_at'] or '')}</td>"
        f"<td>{e(s['role'] or '')}</td><td>{e(s['text'])}</td>"
        f"<td>{'<br>'.join(e(w) for w in s['why'])}</td></tr>"
        for s in bt.sample
    )
    diff = (
        f"<p>Against version {bt.previous.version}: {bt.new_hits:,} new hits, "
        f"{bt.lost_hits:,} lost.</p>"
        if bt.previous
        else "<p>No earlier version to compare with.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest: {e(bt.rule.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{{font:14px system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}}
code{{background:#f4f4f4;padding:2px 4px}}</style></head><body>
<h1>Backtest: {e(bt.rule.name)} (version {bt.rule.version or "unsaved"})</h1>
<p><code>{e(bt.rule.condition)}</code></p>
<p>Window: {e(d["window"]["since"] or "start")} to {e(d["window"]["until"] or "end")},
scope {e(bt.window.scope or "all communities")}. <strong>{bt.hits:,} hits.</strong></p>
{chart_svg(bt)}
<h2>Against reviewers' decisions</h2>
<p>Precision estimate {_pct(bt.precision)}; recall against reviewed work {_pct(bt.recall)}
({bt.confirmed_missed:,} of {bt.confirmed_total:,} confirmed items missed). Both cover only
posts reviewers decided.</p>
<table><tr><th>decision</th><th>hits</th></tr>{rev}</table>
<h2>Versions</h2>{diff}
<h2>Hits per community</h2><table><tr><th>community</th><th>hits</th></tr>{rows}</table>
<h2>Sample of hits (identities masked)</h2>
<table><tr><th>community</th><th>posted</th><th>role</th><th>text</th><th>why</th></tr>{sample}</table>
</body></html>
"""


__all__ = ["chart_svg", "html_page"]
