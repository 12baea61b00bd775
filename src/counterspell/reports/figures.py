"""Charts as SVG text, drawn with matplotlib from the report's own tables.

Output is deterministic (fixed hash salt, no date in the metadata, seeded layouts), so running
the report twice on the same workspace writes the same bytes.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from .data import Chart, Row

plt.rcParams.update(
    {
        "svg.hashsalt": "counterspell",
        "svg.fonttype": "none",  # text stays text: selectable, searchable, small
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100,
    }
)
PALETTE = [
    "#3b6ea5",
    "#d1495b",
    "#edae49",
    "#00798c",
    "#66a182",
    "#8d96a3",
    "#a05195",
    "#2e4057",
    "#f95d6a",
    "#665191",
]


def render(chart: Chart, rows: list[Row]) -> str:
    """The chart as SVG text; ``options["height"]`` (inches) overrides the kind's usual height."""
    height = chart.options.get("height", 5.6 if chart.kind == "network" else 3.4)
    fig, ax = plt.subplots(figsize=(7.2, height))
    try:
        draw = {
            "day_bars": _day_bars,
            "stacked_bars": _stacked,
            "lines": _lines,
            "bars": _bars,
            "barh": _barh,
            "lorenz": _lorenz,
            "network": _network,
        }[chart.kind]
        draw(ax, rows, chart.options)
        ax.set_title(chart.title, loc="left", fontsize=11, fontweight="bold")
        if chart.kind != "network":
            ax.set_xlabel(chart.xlabel)
            ax.set_ylabel(chart.ylabel)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "Counterspell"})
        return buf.getvalue()
    finally:
        plt.close(fig)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _time_axis(ax: Any, counts_on: str = "y") -> None:
    """Weeks on a real time axis (a gap of five years looks like one), counts in whole numbers."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    _whole_numbers(ax, counts_on)


def _whole_numbers(ax: Any, axis: str = "y") -> None:
    """Counts get integer ticks: no 0.2 of a post."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))


def _day_bars(ax: Any, rows: list[Row], o: dict[str, Any]) -> None:
    """A count per day (a rule's backtest hits): one bar a day on a real time axis."""
    days = [_day(r[o["x"]]) for r in rows]
    ax.bar(days, [r[o["y"]] for r in rows], color=PALETTE[0], width=0.9)
    if days:
        _time_axis(ax)
    else:
        _whole_numbers(ax)


def _stacked(ax: Any, rows: list[Row], o: dict[str, Any]) -> None:
    weeks = sorted({_day(r[o["x"]]) for r in rows})
    totals: dict[str, int] = {}
    for r in rows:
        totals[r[o["stack"]]] = totals.get(r[o["stack"]], 0) + int(r[o["y"]])
    keys = sorted(totals, key=lambda k: (-totals[k], k))
    if len(keys) > 9:  # the rest as one band
        keep = set(keys[:8])
        rows = [
            {**r, o["stack"]: r[o["stack"]] if r[o["stack"]] in keep else "other"} for r in rows
        ]
        keys = [*keys[:8], "other"] if "other" not in keys[:8] else keys[:8]
    index = {w: i for i, w in enumerate(weeks)}
    bottom = [0] * len(weeks)
    # a week's bar spans its seven days (most of them): bars stay apart at any time range
    starts = [w + timedelta(days=0.5) for w in weeks]
    for n, key in enumerate(keys):
        values = [0] * len(weeks)
        for r in rows:
            if r[o["stack"]] == key:
                values[index[_day(r[o["x"]])]] += int(r[o["y"]])
        ax.bar(
            starts,
            values,
            bottom=bottom,
            label=key.replace("_", " "),
            color=PALETTE[n % 10],
            width=6.0,
            align="edge",
        )
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    _time_axis(ax)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _lines(ax: Any, rows: list[Row], o: dict[str, Any]) -> None:
    weeks = [_day(r[o["x"]]) for r in rows]
    for n, col in enumerate(o["y"]):
        ax.plot(
            weeks,
            [r[col] for r in rows],
            label=col.replace("_", " "),
            color=PALETTE[n],
            marker="o",
            ms=3,
        )
    _time_axis(ax)
    ax.legend(fontsize=7, frameon=False)


def _bars(ax: Any, rows: list[Row], o: dict[str, Any]) -> None:
    labels = [
        f"{r[o['label']]:g}-{r['to_hours']:g}"
        if r.get("to_hours") is not None
        else f"{r[o['label']]:g}+"
        for r in rows
    ]
    ax.bar(range(len(rows)), [r[o["y"]] for r in rows], color=PALETTE[0])
    ax.set_xticks(range(len(rows)), labels, rotation=30, ha="right")
    _whole_numbers(ax)


def _barh(ax: Any, rows: list[Row], o: dict[str, Any]) -> None:
    rows = list(reversed(rows))
    ax.barh(range(len(rows)), [r[o["y"]] for r in rows], color=PALETTE[0])
    ax.set_yticks(
        range(len(rows)), [str(r[o["label"]]).replace("_", " ") for r in rows], fontsize=7
    )
    _whole_numbers(ax, "x")


def _lorenz(ax: Any, rows: list[Row], o: dict[str, Any]) -> None:
    ax.plot(
        [r["creators_share"] for r in rows],
        [r["praise_share"] for r in rows],
        color=PALETTE[1],
        label="creators",
    )
    ax.plot([0, 1], [0, 1], color=PALETTE[5], linestyle="--", label="equal recognition")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, frameon=False)


def _network(ax: Any, rows: list[Row], o: dict[str, Any]) -> None:
    import networkx as nx

    g: Any = nx.DiGraph()
    names: dict[str, str] = {}
    for b in rows:
        src = f"{b['src_platform']}:{b['src_community']}"
        dst = f"{b['dst_platform']}:{b['dst_community']}"
        w = g.get_edge_data(src, dst, {"weight": 0})["weight"] + int(b["count"])
        g.add_edge(src, dst, weight=w)
        g.nodes[dst]["ingested"] = bool(b["dst_ingested"])
        g.nodes[src].setdefault("ingested", True)
        for node, name in ((src, b.get("src_name")), (dst, b.get("dst_name"))):
            if name:  # the registry's name, cut at the end, then its platform
                short = name if len(name) <= 26 else name[:25].rstrip() + "…"
                names[node] = f"{short} · {node.partition(':')[0]}"
    inner = sorted(n for n in g.nodes if g.nodes[n].get("ingested", True))
    outer = sorted(n for n in g.nodes if not g.nodes[n].get("ingested", True))
    # communities in the lake on the inner ring, destinations outside the data on the outer
    pos = nx.shell_layout(g, [inner, outer] if outer and inner else None)
    colours = [PALETTE[0] if g.nodes[n].get("ingested", True) else PALETTE[5] for n in g.nodes]
    top = max(d["weight"] for *_, d in g.edges(data=True))
    widths = [0.5 + 2.5 * d["weight"] / top for *_, d in g.edges(data=True)]
    nx.draw_networkx_edges(g, pos, ax=ax, width=widths, edge_color="#999999", arrows=True, arrowsize=8,
                           connectionstyle="arc3,rad=0.1")  # fmt: skip
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colours, node_size=90)
    # labels beside their node, pointing away from the centre, on a white ground: legible at
    # twenty communities, never on top of a node or an arrow head
    for node, (x, y) in pos.items():
        norm = (x * x + y * y) ** 0.5 or 1.0
        ax.annotate(
            names.get(node) or _short(node),
            (x, y),
            xytext=(9 * x / norm, 9 * y / norm),
            textcoords="offset points",
            ha="left" if x >= 0 else "right",
            va="center",
            fontsize=6.5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    ax.margins(0.35, 0.12)
    ax.set_axis_off()


def _short(node: str) -> str:
    """``discord:9900…0002``: long ids lose their middle; invite keys keep their platform once."""
    platform, _, community = node.partition(":")
    if community.startswith(platform + ":"):
        node = community
    return node if len(node) <= 28 else node[:16] + "…" + node[-8:]
