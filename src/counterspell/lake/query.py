"""DuckDB over the lake: statistics and exports without loading the lake into Python."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .. import csvsafe
from ..errors import CounterspellError
from ..models import POST_SCHEMA
from .manifest import Manifest
from .storage import LakePath, register
from .workspace import Workspace

EXPORT_FORMATS = ("jsonl", "csv", "parquet")
_INTERNAL_COLUMNS = ("uid_hash",)
# Columns that ``analyze`` adds to each post (null until it has run).
_ENRICHED = (
    "role",
    "role_scores",
    "why",
    "flags",
    "destinations",
    "target_relationship",
    "target_ids",
    "tools",
)
_ENRICHED_NESTED = ("role_scores", "why", "flags", "destinations", "target_ids", "tools")


def _export_expr(fmt: str, name: str, expr: str, nested: set[str]) -> str:
    if fmt == "csv" and name in nested:
        return f"to_json({expr}) AS {name}"
    if fmt == "jsonl" and name == "extra":
        return f"json({expr}) AS extra"
    if fmt == "jsonl" and name == "created_at":
        return f"strftime({expr}, '%Y-%m-%dT%H:%M:%S.%fZ') AS created_at"
    return f"{expr} AS {name}"


def connect(
    ws: Workspace | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB in UTC. With a workspace: bounded memory (``memory_limit``, default
    the workspace setting), spilling to ``lake/_state/tmp``, for work over the whole lake."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    register(con)  # remote lakes (s3://...) this process has opened
    if ws is not None:
        tmp = ws.state / "tmp"
        try:
            tmp.mkdir(parents=True, exist_ok=True)
        except OSError:  # a Dask worker without the workspace folder: spill to its own temp
            import tempfile

            tmp = Path(tempfile.gettempdir()) / "counterspell-spill"
            tmp.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = {sql_path(tmp)}")
        con.execute(f"SET memory_limit = {sql_path(memory_limit or ws.settings.memory_limit)}")
        con.execute("SET preserve_insertion_order = false")
    return con


def arrow_batches(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any], batch_size: int
) -> Any:
    """Record batches of a query, streamed (DuckDB 2 moved this from ``fetch_record_batch``)."""
    try:
        return con.sql(sql, params=params).to_arrow_reader(batch_size)
    except (AttributeError, TypeError):  # DuckDB 1.x
        return con.execute(sql, params).fetch_record_batch(batch_size)  # type: ignore[attr-defined]


def posts_relation_sql(ws: Workspace) -> str:
    """A FROM clause over the posts dataset; an empty typed relation when there is none."""
    return dataset_sql(ws, "posts", POST_SCHEMA)


def dataset_sql(ws: Workspace, name: str, schema: pa.Schema) -> str:
    """A FROM clause over one dataset of the lake; an empty typed relation when it has no data."""
    if ws.has_data(name):
        glob = ws.dataset_glob(name).replace("'", "''")
        return f"read_parquet('{glob}', hive_partitioning = false, union_by_name = true)"
    return empty_relation(schema)


def partition_sql(ws: Workspace, dataset: str, platform: str, community: str) -> str | None:
    """A FROM clause over one community's finished parts of a dataset, or None if it has none.

    Reading the partition folder, not the whole dataset with a filter, is what lets
    per-community tasks run side by side without scanning each other's data.
    """
    from .writer import partition_dir

    d = partition_dir(ws.dataset(dataset), platform, community)
    if not d.has_files("part-*.parquet"):
        return None
    return f"read_parquet({sql_path(d / 'part-*.parquet')}, union_by_name = true)"


def columns_of(relation: str) -> set[str]:
    """The column names of a FROM clause (datasets written by older versions may lack some)."""
    with connect() as con:
        return {str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def communities(ws: Workspace, where: str = "true") -> list[tuple[str, str, int]]:
    """(platform, community, posts) of every community with posts matching ``where``, sorted."""
    rows = (
        connect()
        .execute(
            f"SELECT platform, community, count(*) FROM {posts_relation_sql(ws)} WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2"
        )
        .fetchall()
    )
    return [(str(p), str(c), int(n)) for p, c, n in rows]


def empty_relation(schema: pa.Schema) -> str:
    """A typed relation without rows, for a dataset that does not exist yet."""
    cols = ", ".join(f"NULL::{_duck_type(f.type)} AS {f.name}" for f in schema)
    return f"(SELECT {cols} WHERE false)"


def sql_path(path: str | Path | LakePath) -> str:
    """A path as a quoted SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _duck_type(t: Any) -> str:
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE"
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
    from .datasets import relation  # the catalogue builds on this module

    per_community = con.execute(
        f"""SELECT platform, community, count(*) AS posts, count(DISTINCT thread_id) AS threads,
                   count(DISTINCT author_key) AS authors, sum(len(media)) AS media,
                   min(created_at) AS first, max(created_at) AS last, any_value(n.name) AS name
            FROM {rel} LEFT JOIN (SELECT platform, community, any_value(name) AS name
                                  FROM {relation(ws, "communities")} GROUP BY ALL) n
                 USING (platform, community)
            GROUP BY platform, community ORDER BY platform, posts DESC, community"""
    ).fetchall()
    roles: dict[str, int] = {}
    flags: dict[str, int] = {}
    analysed = 0
    if ws.has_data("enrichments"):
        from .datasets import enriched_sql

        erel = enriched_sql(ws)
        roles = dict(
            con.execute(f"SELECT role, count(*) FROM {erel} GROUP BY 1 ORDER BY 2 DESC").fetchall()
        )
        flags = dict(
            con.execute(
                f"SELECT f, count(*) FROM (SELECT unnest(flags) AS f FROM {erel}) GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall()
        )
        analysed = sum(roles.values())
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
        "analysed": analysed,
        "roles": roles,
        "flags": flags,
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
                "name": r[8],  # from `communities import`, where registered
            }
            for r in per_community
        ],
    }


def check_export_format(
    fmt: str, output: str | None, formats: tuple[str, ...] = EXPORT_FORMATS
) -> None:
    if fmt not in formats:
        raise CounterspellError(f"--format {fmt!r}: choose one of {', '.join(formats)}")
    if fmt == "parquet" and not output:
        raise CounterspellError(
            "--format parquet needs -o FILE (Parquet cannot go to standard output)"
        )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_out(con: duckdb.DuckDBPyConnection, query: str, fmt: str, output: str | None) -> None:
    """Write a query's rows as JSON lines, CSV or Parquet to a file (atomically) or stdout."""
    target = output or "/dev/stdout"
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
    options = {
        "jsonl": "FORMAT json",
        "csv": "FORMAT csv, HEADER true",
        "parquet": "FORMAT parquet, COMPRESSION zstd",
    }[fmt]
    tmp = f"{target}.tmp-{os.getpid()}" if output else target
    if fmt == "csv":  # text cells that a spreadsheet would run as formulas get a leading quote
        described = con.execute(f"DESCRIBE ({query})").fetchall()
        cols = [
            f"{csvsafe.cell_sql(_quote(name))} AS {_quote(name)}"
            if str(kind) == "VARCHAR"
            else _quote(name)
            for name, kind, *_ in described
        ]
        query = f"SELECT {', '.join(cols)} FROM ({query})"
    try:
        con.execute(f"COPY ({query}) TO {sql_path(tmp)} ({options})")
    except duckdb.IOException as exc:
        if "Broken pipe" in str(exc):
            raise BrokenPipeError from None
        raise CounterspellError(f"{output or 'standard output'}: cannot write: {exc}") from None
    if output:
        os.replace(tmp, output)


def export_posts(ws: Workspace, fmt: str, output: str | None) -> int:
    """Write one record per post with every Post field. Returns the number of posts written."""
    check_export_format(fmt, output)
    con = connect()
    rel = posts_relation_sql(ws)
    cols = [f.name for f in POST_SCHEMA if f.name not in _INTERNAL_COLUMNS]
    nested = {"parent_uids", "links", "media", "source", "reactions", "mentions", *_ENRICHED_NESTED}
    select_cols = []
    for name in cols:
        expr = f"p.{name}"
        if name == "links" and ws.has_data("enrichments"):
            expr = "coalesce(e.links, p.links)"  # de-obfuscated invites added by analyze
        select_cols.append(_export_expr(fmt, name, expr, nested))
    join = ""
    if ws.has_data("enrichments"):
        from .datasets import enriched_sql

        join = f"LEFT JOIN {enriched_sql(ws)} e USING (uid)"
        select_cols.extend(_export_expr(fmt, c, f"e.{c}", nested) for c in _ENRICHED)
    else:
        select_cols.extend(f"NULL AS {c}" for c in _ENRICHED)
    if ws.has_data("campaign_members"):
        mglob = ws.dataset_glob("campaign_members").replace("'", "''")
        join += (
            f" LEFT JOIN (SELECT uid, campaign_id, part FROM read_parquet('{mglob}')) m USING (uid)"
        )
        select_cols.extend(["m.campaign_id AS campaign_id", "m.part AS campaign_part"])
    else:
        select_cols.extend(["NULL::VARCHAR AS campaign_id", "NULL::VARCHAR AS campaign_part"])
    if ws.has_data("media_clusters"):
        # the near-duplicate cluster of each attachment (same MD5 or near PDQ), in media order
        cglob = ws.dataset_glob("media_clusters").replace("'", "''")
        media_md5 = (
            f"SELECT uid, media_index AS i, lower(coalesce(md5, reported_md5)) AS md5 FROM read_parquet({sql_path(ws.dataset_glob('media'))}, union_by_name = true)"
            if ws.has_data("media")
            else f"SELECT uid, i, lower(m.md5) AS md5 FROM (SELECT uid, unnest(media) AS m, generate_subscripts(media, 1) - 1 AS i FROM {rel})"
        )
        join += f""" LEFT JOIN (SELECT x.uid, list(c.cluster ORDER BY x.i) AS media_cluster
                               FROM ({media_md5}) x JOIN read_parquet('{cglob}') c USING (md5) GROUP BY x.uid) mc USING (uid)"""
        cluster_expr = "to_json(mc.media_cluster)" if fmt == "csv" else "mc.media_cluster"
        select_cols.append(f"{cluster_expr} AS media_cluster")
    else:
        select_cols.append("NULL::VARCHAR[] AS media_cluster")
    query = f"SELECT {', '.join(select_cols)} FROM {rel} p {join} ORDER BY p.platform, p.community, p.created_at, p.post_id"
    copy_out(con, query, fmt, output)
    count = con.execute(f"SELECT count(*) FROM {rel}").fetchone()
    return int(count[0]) if count else 0


def export_dataset(ws: Workspace, name: str, fmt: str, output: str | None, order: str) -> int:
    """Write a derived dataset (campaigns, actors, bridges) as JSON lines, CSV or Parquet.

    CSV cannot hold lists and structs, so those columns are written as JSON text there.
    """
    check_export_format(fmt, output)
    if not ws.has_data(name):
        raise CounterspellError(
            f"{ws.dataset(name)}: no {name} yet; run "
            + (
                "'counterspell match --bank NAME'"
                if name == "matches"
                else "'counterspell analyze' (without --no-graph)"
            )
            + " first"
        )
    con = connect()
    schema = ws.dataset(name).rglob("*.parquet")[0].read_schema()
    cols = []
    for f in schema:
        nested = pa.types.is_list(f.type) or pa.types.is_struct(f.type)
        if fmt == "csv" and nested:
            cols.append(f"to_json({f.name}) AS {f.name}")
        elif fmt == "jsonl" and pa.types.is_timestamp(f.type):
            cols.append(f"strftime({f.name}, '%Y-%m-%dT%H:%M:%S.%fZ') AS {f.name}")
        else:
            cols.append(f.name)
    rel = dataset_sql(ws, name, schema)
    copy_out(con, f"SELECT {', '.join(cols)} FROM {rel} ORDER BY {order}", fmt, output)
    return int(con.execute(f"SELECT count(*) FROM {rel}").fetchall()[0][0])


def replace_dataset(con: duckdb.DuckDBPyConnection, ws: Workspace, name: str, query: str) -> int:
    """Replace a derived dataset with a query's rows (one Parquet file, swapped in whole)."""
    from .writer import DerivedDataset

    out = DerivedDataset(ws.dataset(name))
    try:
        con.execute(f"COPY ({query}) TO {sql_path(out.path())} (FORMAT parquet, COMPRESSION zstd)")
        rows = out.path().num_rows()
        out.commit()
    except BaseException:
        out.abandon()
        raise
    return int(rows)
