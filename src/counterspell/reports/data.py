"""Every number of the report, computed by DuckDB over the lake within a scope (dates, platform,
community). Nothing here holds the lake in Python: each table is an aggregate.

The lake is read once, into two projections (posts without their text, and their enrichments),
which every section then queries. On an executor (``report --executor dask``) that read is one
task per community, so workers fetch and join their partitions (from an object store, the part
that costs) and send back only the projected rows.

A :class:`Report` is a list of sections; each section has *facts* (single numbers the text quotes,
each with the exact text it is shown as), *tables* (written as CSV) and *charts* (what to draw,
with a one-sentence takeaway computed from the same rows). The HTML, the CSV files and the figures
are all rendered from this one object, which is how the numbers in the text and in the tables
agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CounterspellError
from ..lake.query import communities
from ..lake.workspace import Workspace
from .model import Chart, Fact, Report, Row, Scope, Section, median_ci, pct
from .scan import ScopedLake
from .sections import SECTIONS

if TYPE_CHECKING:
    from ..executors import Executor


def build_report(
    ws: Workspace,
    scope: Scope | None = None,
    executor: Executor | None = None,
    *,
    allow_empty: bool = True,
) -> Report:
    """Every section's numbers; ``executor`` reads the lake one community per task.

    A scope that matches no post (a misspelt ``--platform``) would give a report of zeros that
    looks like a finding; with ``allow_empty=False`` it is an error naming what the lake has.
    """
    scope = scope or Scope()
    lake = ScopedLake(ws, scope, executor)
    if not lake.posts and not allow_empty:
        have = communities(ws)
        platforms = sorted({p for p, _, _ in have})
        names = [f"{p}/{c}" for p, c, _ in have]
        listed = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        what = (
            (
                f"the lake has the communities {listed}"
                if scope.community
                else f"the lake has {', '.join(platforms)} ({len(have)} communities)"
            )
            if have
            else "the workspace holds no posts yet: run 'counterspell ingest' first"
        )
        raise CounterspellError(
            f"no posts in {scope.describe()}: {what}; --allow-empty writes the empty report anyway"
        )
    return Report(scope, str(ws.root), [section.build(lake) for section in SECTIONS])


__all__ = [
    "Chart",
    "Fact",
    "Report",
    "Row",
    "Scope",
    "ScopedLake",
    "Section",
    "build_report",
    "median_ci",
    "pct",
]
