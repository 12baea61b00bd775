"""``counterspell report``: write report.html, tables/*.csv, figures/*.svg and graphs/.

The HTML is one self-contained file (figures embedded as data URIs, styles inline, no script, no
network), so it can be mailed, archived or opened offline. Every number it quotes is a *fact* of
:mod:`counterspell.reports.data`, also written to ``tables/facts.csv``; the tables under it are the
same rows as the CSV files.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from .. import csvsafe
from ..errors import CounterspellError
from ..lake.workspace import Workspace
from ..version import __version__
from .data import Fact, Report, Row, Scope, build_report
from .figures import render as render_chart

if TYPE_CHECKING:
    from ..executors import Executor

TABLE_PREVIEW = 25


@dataclass
class Written:
    path: Path
    tables: int
    figures: int
    graphs: int


def _csv(path: Path, rows: list[Row]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        if not rows:
            f.write("")
            return
        w = csvsafe.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})


def write_report(
    ws: Workspace,
    out: str | os.PathLike[str],
    scope: Scope | None = None,
    executor: Executor | None = None,
    *,
    allow_empty: bool = True,
) -> Written:
    """Build the report and write it into ``out`` (replaced whole, atomically, when done).

    ``out`` must be a new or empty folder, or an earlier report: replacing the folder whole is
    what keeps a report's files from mixing with another's, so a folder holding anything else
    (notes, an export, a workspace) is refused before any work, never emptied."""
    final = Path(out).resolve()
    check_output(final)
    report = build_report(ws, scope, executor, allow_empty=allow_empty)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        written = _write(ws, report, tmp)
        if final.exists():
            old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Written(final / "report.html", written.tables, written.figures, written.graphs)


MARKER = ".counterspell-report"  # written into every report folder
REPORT_FILES = frozenset({"report.html", "tables", "figures", "graphs", MARKER})


def check_output(final: Path) -> None:
    """Refuse an output that is a file, or a folder with more in it than an earlier report."""
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise CounterspellError(f"{final}: not a folder; give a new folder for the report")
    if not final.exists():
        return
    inside = sorted(p.name for p in final.iterdir())
    if not inside:
        return
    other = [n for n in inside if n not in REPORT_FILES]
    if other or "report.html" not in inside:
        shown = ", ".join(other[:5]) + (f" and {len(other) - 5} more" if len(other) > 5 else "")
        raise CounterspellError(
            f"{final}: holds {shown or 'files'} and is not an earlier report; the report replaces "
            "its folder whole, so give a new or empty folder (or an earlier report's)"
        )


def _write(ws: Workspace, report: Report, root: Path) -> Written:
    (root / "tables").mkdir(parents=True)
    (root / MARKER).write_text(f"counterspell {__version__}\n", encoding="utf-8")
    (root / "figures").mkdir()
    for name, rows in report.tables().items():
        _csv(root / "tables" / f"{name}.csv", rows)
    _csv(
        root / "tables" / "facts.csv",
        [{"fact": k, "value": f.value, "text": f.text} for k, f in report.facts().items()],
    )
    tables = report.tables()
    figures: dict[str, str] = {}
    for section in report.sections:
        for chart in section.charts:
            svg = render_chart(chart, tables[chart.table])
            (root / "figures" / f"{chart.name}.svg").write_text(svg, encoding="utf-8")
            figures[chart.name] = (
                "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
            )
    graphs = _graphs(ws, root / "graphs")
    env = Environment(
        loader=PackageLoader("counterspell.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = _cell
    env.filters["count"] = count_phrase
    env.filters["code"] = inline_code
    html = env.get_template("report.html.j2").render(
        report=report,
        sections=report.sections,
        facts={s.key: s.facts for s in report.sections},
        tables=tables,
        figures=figures,
        graphs=graphs,
        version=__version__,
        preview=TABLE_PREVIEW,
    )
    (root / "report.html").write_text(html, encoding="utf-8")
    return Written(root / "report.html", len(tables) + 1, len(figures), len(graphs))


def count_phrase(fact: Fact, singular: str, plural: str | None = None) -> str:
    """``1 request``, ``3 requests``: the number as the report shows it, the noun agreeing.

    ``plural`` for nouns that do not take an s, and for phrases whose verb agrees too
    (``"target was"``, ``"targets were"``).
    """
    one = fact.value == 1 and not isinstance(fact.value, bool)
    return f"{fact.text} {singular if one else (plural or singular + 's')}"


_BACKTICKS = re.compile(r"`([^`]+)`")


def inline_code(text: str) -> Markup:
    """Notes are written with `backticks` around commands; the page shows them as code."""
    return Markup(_BACKTICKS.sub(r"<code>\1</code>", str(escape(text))))


def _cell(value: object) -> str:
    """A table cell: floats to four significant digits (the CSV keeps them whole)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _graphs(ws: Workspace, folder: Path) -> list[str]:
    """GEXF files for Gephi, when the graph stages have run (the whole workspace, not the scope)."""
    from ..errors import CounterspellError
    from .graphs import export_graph

    names = []
    for kind in ("communities", "actors"):
        try:
            export_graph(ws, kind, "gexf", str(folder / f"{kind}.gexf"))
            names.append(f"graphs/{kind}.gexf")
        except CounterspellError:
            continue  # not built yet: the report says so
    return names
