"""DuckDB over the lake: statistics and exports without loading the lake into Python."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb

from ..errors import CounterspellError
from ..models import POST_SCHEMA
from .manifest import Manifest
from .workspace import Workspace

EXPORT_FORMATS = ("jsonl", "csv", "parquet")
_INTERNAL_COLUMNS = ("uid_hash",)


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    return con


def posts_relation_sql(ws: Workspace) -> str:
    """A FROM clause over the posts dataset; an empty typed relation when there is none."""
    if ws.has_data("posts"):
        glob = ws.dataset_glob("posts").replace("'", "''")
        return f"read_parquet('{glob}', hive_partitioning = false, union_by_name = true)"
    cols = ", ".join(f"NULL::{_duck_type(f.type)} AS {f.name}" for f in POST_SCHEMA)
    return f"(SELECT {cols} WHERE false)"


def _duck_type(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_list(t):
        inner = t.value_type
        return f"{_duck_type(inner)}[]"
    if pa.types.is_struct(t):
        return "STRUCT(" + ", ".join(f'"{f.name}" {_duck_type(f.type)}' for f in t) + ")"
    return "VARCHAR"


def stats(ws: Workspace) -> dict[str, Any]:
    """What the workspace holds: totals, per platform and community, date range, inputs, problems."""
    con = connect()
    rel = posts_relation_sql(ws)
    totals = con.execute(
        f"""SELECT count(*), count(DISTINCT platform || ':' || community), count(DISTINCT platform || ':' || community || ':' || thread_id),
                   count(DISTINCT platform || ':' || author_key), sum(len(media)), min(created_at), max(created_at),
                   count(*) FILTER (WHERE kind = 'service')
            FROM {rel}"""
    ).fetchone()
    assert totals is not None
    per_community = con.execute(
        f"""SELECT platform, community, count(*) AS posts, count(DISTINCT thread_id) AS threads,
                   count(DISTINCT author_key) AS authors, sum(len(media)) AS media,
                   min(created_at) AS first, max(created_at) AS last
            FROM {rel} GROUP BY ALL ORDER BY platform, posts DESC, community"""
    ).fetchall()
    manifest = Manifest(ws.manifest_path)
    try:
        inputs = manifest.inputs()
        problems = manifest.problem_counts()
    finally:
        manifest.close()

    def iso(v: Any) -> str | None:
        return v.isoformat() if v is not None else None

    return {
        "workspace": str(ws.root),
        "posts": totals[0],
        "communities": totals[1],
        "threads": totals[2],
        "authors": totals[3],
        "media": int(totals[4] or 0),
        "service_messages": totals[7],
        "first_post": iso(totals[5]),
        "last_post": iso(totals[6]),
        "inputs": len(inputs),
        "quarantined": problems.get("quarantine", 0),
        "notices": problems.get("notice", 0),
        "per_community": [
            {
                "platform": r[0],
                "community": r[1],
                "posts": r[2],
                "threads": r[3],
                "authors": r[4],
                "media": int(r[5] or 0),
                "first": iso(r[6]),
                "last": iso(r[7]),
            }
            for r in per_community
        ],
    }


def export_posts(ws: Workspace, fmt: str, output: str | None) -> int:
    """Write one record per post with every Post field. Returns the number of posts written."""
    if fmt not in EXPORT_FORMATS:
        raise CounterspellError(f"--format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "parquet" and not output:
        raise CounterspellError(
            "--format parquet needs -o FILE (Parquet cannot go to standard output)"
        )
    con = connect()
    rel = posts_relation_sql(ws)
    cols = [f.name for f in POST_SCHEMA if f.name not in _INTERNAL_COLUMNS]
    select_cols = []
    for name in cols:
        if fmt == "csv" and name in (
            "parent_uids",
            "links",
            "media",
            "source",
            "reactions",
            "mentions",
        ):
            select_cols.append(f"to_json({name}) AS {name}")
        elif fmt == "jsonl" and name == "extra":
            select_cols.append("json(extra) AS extra")
        elif fmt == "jsonl" and name == "created_at":
            select_cols.append("strftime(created_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS created_at")
        else:
            select_cols.append(name)
    query = f"SELECT {', '.join(select_cols)} FROM {rel} ORDER BY platform, community, created_at, post_id"
    target = output or "/dev/stdout"
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
    options = {
        "jsonl": "FORMAT json",
        "csv": "FORMAT csv, HEADER true",
        "parquet": "FORMAT parquet, COMPRESSION zstd",
    }[fmt]
    tmp = f"{target}.tmp-{os.getpid()}" if output else target
    con.execute(f"COPY ({query}) TO '{tmp.replace(chr(39), chr(39) * 2)}' ({options})")
    if output:
        os.replace(tmp, output)
    count = con.execute(f"SELECT count(*) FROM {rel}").fetchone()
    return int(count[0]) if count else 0
