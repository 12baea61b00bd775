"""The registry of communities (the ``communities`` dataset): a name and an invite per community.

Rows come from ``communities import`` (an analyst's CSV, which always wins) and from the exports
themselves: a DiscordChatExporter file names its server and channel, a Telegram export its chat,
and ``ingest`` records those names for communities the registry has no name for, so stats, the
report, the community map and the queue show "Example guild / general" rather than two
snowflakes. An analyst's name is never replaced by an export's.
"""

from __future__ import annotations

import pyarrow as pa

from .datasets import COMMUNITY_SCHEMA
from .query import connect, sql_path
from .workspace import Workspace
from .writer import DerivedDataset

Row = dict[str, str | None]


def registered(ws: Workspace) -> list[Row]:
    if not ws.has_data("communities"):
        return []
    return ws.dataset("communities").read_table(schema=COMMUNITY_SCHEMA).to_pylist()  # type: ignore[no-any-return]


def write_registry(ws: Workspace, rows: list[Row]) -> None:
    """Replace the registry with ``rows`` (one per community), in a stable order."""
    ordered = sorted(rows, key=lambda r: (str(r["platform"]), str(r["community"])))
    table = pa.Table.from_pylist(ordered, schema=COMMUNITY_SCHEMA)
    DerivedDataset(ws.dataset("communities")).replace_with(table)


# The name an export gives its community, from what the adapters keep in each post's ``extra``:
# Telegram's chat name; DiscordChatExporter's server and (parent) channel names.
_EXPORT_NAME_SQL = """
    coalesce(
        json_extract_string(extra, '$.chat_name'),
        nullif(concat_ws(' / ', json_extract_string(extra, '$.guild_name'),
                         json_extract_string(extra, '$.channel_name')), '')
    )"""


def export_names(ws: Workspace, run_id: str) -> dict[tuple[str, str], str]:
    """The names the exports of one ingest run give their communities (only that run's files
    are read)."""
    files = ws.dataset("posts").rglob(f"part-{run_id}-*.parquet")
    if not files:
        return {}
    paths = ", ".join(sql_path(str(f)) for f in files)
    rows = (
        connect(ws)
        .execute(
            f"""SELECT platform, community, min(name) FROM (
                    SELECT platform, community, {_EXPORT_NAME_SQL} AS name
                    FROM read_parquet([{paths}], hive_partitioning = false)
                    WHERE extra IS NOT NULL AND (contains(extra, 'chat_name') OR contains(extra, 'guild_name')))
                WHERE name IS NOT NULL GROUP BY ALL"""
        )
        .fetchall()
    )
    return {(str(p), str(c)): str(n) for p, c, n in rows}


def add_export_names(ws: Workspace, names: dict[tuple[str, str], str]) -> int:
    """Record ``names`` for communities that have none yet; returns how many were recorded."""
    rows = {(str(r["platform"]), str(r["community"])): r for r in registered(ws)}
    added = 0
    for (platform, community), name in names.items():
        row = rows.get((platform, community))
        if row is None:
            rows[platform, community] = {"platform": platform, "community": community,
                                         "name": name, "invite": None}  # fmt: skip
        elif not row["name"]:
            row["name"] = name
        else:
            continue
        added += 1
    if added:
        write_registry(ws, list(rows.values()))
    return added
