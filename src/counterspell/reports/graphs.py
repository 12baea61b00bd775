"""Graph exports for Gephi and networkx users: actors, communities, campaigns.

The lake holds edges as tables; this module turns one view of them into a networkx graph and
writes GEXF, GraphML or node-link JSON. Targets appear only as their pseudonyms. The actor graph
carries a Louvain community (``louvain``) per node, computed on the undirected weighted graph
(networkx's implementation, seeded, so the same lake gives the same partition).

These graphs are built in memory: they are for looking at (a few hundred thousand nodes open in
Gephi), not for the lake-scale stages, which never build one.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import networkx as nx
import orjson

from ..errors import CounterspellError
from ..lake.datasets import relation
from ..lake.query import connect, posts_relation_sql, sql_path
from ..lake.workspace import Workspace

KINDS = ("actors", "communities", "campaigns")
FORMATS = ("gexf", "graphml", "json")
LOUVAIN_SEED = 7
if TYPE_CHECKING:
    Graph: TypeAlias = nx.DiGraph[str]
else:
    Graph = nx.DiGraph


def _attrs(row: dict[str, Any]) -> dict[str, Any]:
    """Values GEXF and GraphML can hold: no None, lists joined, times as ISO text."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if v is None:
            continue
        if isinstance(v, datetime):
            v = v.isoformat()
        elif isinstance(v, list | tuple):
            v = ";".join(str(x) for x in v)
        elif isinstance(v, float) and v != v:  # NaN
            continue
        out[k] = v
    return out


def _rows(con: Any, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _need(ws: Workspace, *names: str) -> None:
    for name in names:
        if not ws.has_data(name):
            raise CounterspellError(
                f"{ws.dataset(name)}: no {name} yet; run 'counterspell analyze' (without --no-graph) first"
            )


def actor_graph(ws: Workspace) -> Graph:
    """Actors, with who praised whom, who fulfilled whose request, and who replied to whom."""
    _need(ws, "actors", "campaign_members")
    con = connect()
    posts = posts_relation_sql(ws)
    members = relation(ws, "campaign_members")
    g: Graph = nx.DiGraph()
    for row in _rows(
        con,
        f"""SELECT actor_id, platform, name, posts, requests, fulfillments, praise_received, praise_given,
                   reactions_received, creator_rank, first_seen, last_seen
            FROM read_parquet({sql_path(ws.dataset_glob("actors"))})""",
    ):
        g.add_node(row.pop("actor_id"), type="actor", **_attrs(row))
    author = f"(SELECT uid, platform || ':' || author_key AS actor FROM {posts} WHERE author_key IS NOT NULL)"
    edge_sql = {
        "praise": f"""SELECT a.actor AS src, b.actor AS dst, count(*) AS n FROM {members} m
                      JOIN {author} a ON a.uid = m.uid JOIN {author} b ON b.uid = m.anchor_uid
                      WHERE m.part = 'praise' GROUP BY ALL""",
        "fulfil": f"""SELECT a.actor AS src, b.actor AS dst, count(*) AS n FROM {members} m
                      JOIN {members} r ON r.campaign_id = m.campaign_id AND r.part = 'request'
                      JOIN {author} a ON a.uid = m.uid JOIN {author} b ON b.uid = r.uid
                      WHERE m.part = 'fulfillment' GROUP BY ALL""",
        "reply": f"""SELECT a.actor AS src, b.actor AS dst, count(*) AS n
                     FROM read_parquet({sql_path(ws.dataset_glob("replies"))}) r
                     JOIN {author} a ON a.uid = r.uid JOIN {author} b ON b.uid = r.parent_uid
                     GROUP BY ALL""",
    }
    if not ws.has_data("replies"):
        del edge_sql["reply"]
    for kind, sql in edge_sql.items():
        for src, dst, n in con.execute(sql).fetchall():
            if src == dst or src not in g or dst not in g:
                continue
            data = g.get_edge_data(src, dst) or {"weight": 0}
            data[kind] = data.get(kind, 0) + int(n)
            data["weight"] += int(n)
            g.add_edge(src, dst, **data)
    if g.number_of_edges():
        parts = nx.community.louvain_communities(
            g.to_undirected(), weight="weight", seed=LOUVAIN_SEED
        )
        for i, nodes in enumerate(sorted(parts, key=lambda p: (-len(p), min(p)))):
            for node in nodes:
                g.nodes[node]["louvain"] = i
    for node in g.nodes:
        g.nodes[node].setdefault("louvain", -1)
    return g


def community_graph(ws: Workspace) -> Graph:
    """Communities (and destinations outside the lake) joined by invite, media and handle bridges."""
    _need(ws, "bridges")
    con = connect()
    registry = relation(ws, "communities")
    g: Graph = nx.DiGraph()
    for row in _rows(
        con,
        f"""SELECT p.platform || ':' || p.community AS id, p.platform, p.community, r.name,
                   count(*) AS posts, min(created_at) AS first_post, max(created_at) AS last_post
            FROM {posts_relation_sql(ws)} p LEFT JOIN {registry} r USING (platform, community)
            GROUP BY ALL""",
    ):
        g.add_node(row.pop("id"), type="community", ingested=True, **_attrs(row))
    bridges = relation(ws, "bridges")
    for row in _rows(con, f"SELECT * FROM {bridges} ORDER BY kind"):
        src = f"{row['src_platform']}:{row['src_community']}"
        dst = f"{row['dst_platform']}:{row['dst_community']}"
        if dst not in g:
            g.add_node(
                dst,
                type="destination",
                ingested=False,
                platform=row["dst_platform"],
                community=row["dst_community"],
            )
        data = g.get_edge_data(src, dst) or {"weight": 0}
        kind = row["kind"]
        data[kind] = int(row["count"])
        data["weight"] += int(row["count"])
        data[f"{kind}_first_seen"] = row["first_seen"].isoformat()
        data[f"{kind}_last_seen"] = row["last_seen"].isoformat()
        if row["median_lag_s"] is not None:
            data["median_lag_s"] = float(row["median_lag_s"])
        data["route"] = bool(data.get("route")) or bool(row["route"])  # a route of the abuse
        g.add_edge(src, dst, **data)
    return g


def campaign_graph(ws: Workspace) -> Graph:
    """Campaigns with their requester, creators, target pseudonym and where they were seen."""
    _need(ws, "campaigns")
    con = connect()
    g: Graph = nx.DiGraph()
    rows = _rows(
        con,
        f"""SELECT campaign_id, platform, community, requested_at, requester, fulfilled, first_fulfillment_seconds,
                   fulfillment_count, praise_count, distribution_count, reaction_count, destinations, target,
                   minor_risk, creators, communities, related
            FROM read_parquet({sql_path(ws.dataset_glob("campaigns"))})""",
    )
    for row in rows:
        cid = row["campaign_id"]
        edges = {k: row.pop(k) for k in ("requester", "creators", "communities", "related")}
        g.add_node(
            cid, type="campaign", **_attrs({k: v for k, v in row.items() if k != "campaign_id"})
        )
        platform = row["platform"]
        if edges["requester"]:
            g.add_edge(f"{platform}:{edges['requester']}", cid, kind="requested")
        for creator in edges["creators"] or []:
            g.add_edge(f"{platform}:{creator}", cid, kind="fulfilled")
        if row["target"]:
            g.add_edge(cid, row["target"], kind="targets")
            g.nodes[row["target"]]["type"] = "target"
        for community in edges["communities"] or []:
            g.add_edge(cid, community, kind="seen_in")
            g.nodes[community].setdefault("type", "community")
        for other in edges["related"] or []:
            if other < cid:
                g.add_edge(other, cid, kind="related")
    for _node, data in g.nodes(data=True):
        data.setdefault("type", "actor")
    return g


def export_graph(ws: Workspace, kind: str, fmt: str, output: str | None) -> tuple[int, int]:
    """Write one graph; returns (nodes, edges)."""
    if kind not in KINDS:
        raise CounterspellError(f"--kind {kind!r}: choose one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise CounterspellError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    g = {"actors": actor_graph, "communities": community_graph, "campaigns": campaign_graph}[kind](
        ws
    )
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(f"{output}.tmp")
        _write(g, fmt, tmp)
        tmp.replace(output)
    else:
        _write(g, fmt, None)
    return g.number_of_nodes(), g.number_of_edges()


def _write(g: Graph, fmt: str, path: Path | None) -> None:
    if fmt == "json":
        data = orjson.dumps(nx.node_link_data(g, edges="edges"), option=orjson.OPT_INDENT_2)
        if path is None:
            sys.stdout.buffer.write(data + b"\n")
        else:
            path.write_bytes(data)
        return
    writer = nx.write_gexf if fmt == "gexf" else nx.write_graphml
    writer(g, path if path is not None else sys.stdout.buffer)
