"""Actors: who requests, who creates, who rewards, and how concentrated the recognition is.

An actor is an author as the platform identifies them (4chan tripcode, poster ID or name;
Telegram ``from_id``; Discord user id), so ``platform:author_key`` is the key. Anonymous 4chan
posts have no author and are not actors; that is why campaigns count fulfilments that no actor
made. ``platforms`` lists every platform where the same handle (display name, lower-cased, letters
and digits only, at least four characters, not a generic name) appears: a lead for an analyst, not
proof of one person.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ..lake.datasets import relation
from ..lake.query import posts_relation_sql, replace_dataset
from ..lake.workspace import Workspace
from ..measures import gini, top_share

GENERIC_HANDLES = (
    "anonymous",
    "deletedaccount",
    "unknownuser",
    "admin",
    "moderator",
    "user",
    "guest",
)


def handle_sql(name_expr: str) -> str:
    """The comparable form of a display name, or NULL when it is too short or generic."""
    generic = ", ".join(f"'{g}'" for g in GENERIC_HANDLES)
    norm = f"regexp_replace(lower({name_expr}), '[^a-z0-9]', '', 'g')"
    return f"CASE WHEN length({norm}) >= 4 AND {norm} NOT IN ({generic}) THEN {norm} END"


def build_actors(ws: Workspace, con: duckdb.DuckDBPyConnection) -> int:
    posts = posts_relation_sql(ws)
    members = relation(ws, "campaign_members")
    return replace_dataset(
        con,
        ws,
        "actors",
        f"""
            WITH p AS (
                SELECT uid, platform, community, author_key, author_name, created_at,
                       coalesce(list_sum([r.count for r in reactions]), 0) AS n_react
                FROM {posts} WHERE author_key IS NOT NULL),
            received AS (
                SELECT f.platform, f.author_key, count(*) AS n
                FROM {members} pr JOIN p f ON f.uid = pr.anchor_uid
                WHERE pr.part = 'praise' GROUP BY ALL),
            base AS (
                SELECT p.platform, p.author_key, mode(p.author_name) AS name,
                       count(*) AS posts,
                       count(*) FILTER (WHERE m.part = 'request') AS requests,
                       count(*) FILTER (WHERE m.part = 'fulfillment') AS fulfillments,
                       count(DISTINCT m.campaign_id) FILTER (WHERE m.part = 'fulfillment') AS campaigns_fulfilled,
                       count(*) FILTER (WHERE m.part = 'praise') AS praise_given,
                       count(*) FILTER (WHERE m.part = 'distribution') AS distributions,
                       coalesce(sum(n_react) FILTER (WHERE m.part IN ('fulfillment', 'distribution')), 0)::BIGINT AS reactions_received,
                       list_sort(list_distinct(list(p.community))) AS communities,
                       min(created_at) AS first_seen, max(created_at) AS last_seen
                FROM p LEFT JOIN {members} m USING (uid) GROUP BY ALL),
            named AS (
                SELECT b.*, {handle_sql("b.name")} AS handle, coalesce(r.n, 0) AS praise_received
                FROM base b LEFT JOIN received r USING (platform, author_key)),
            spread AS (
                SELECT handle, list_sort(list_distinct(list(platform))) AS platforms
                FROM named WHERE handle IS NOT NULL GROUP BY handle),
            ranked AS (
                SELECT platform, author_key,
                       rank() OVER (ORDER BY praise_received DESC, reactions_received DESC, fulfillments DESC) AS creator_rank
                FROM named WHERE fulfillments > 0)
            SELECT n.platform || ':' || n.author_key AS actor_id, n.platform, n.author_key, n.name, n.handle,
                   n.posts, n.requests, n.fulfillments, n.campaigns_fulfilled, n.praise_received, n.praise_given,
                   n.distributions, n.reactions_received, r.creator_rank, n.communities,
                   coalesce(s.platforms, [n.platform]) AS platforms, n.first_seen, n.last_seen
            FROM named n LEFT JOIN spread s USING (handle) LEFT JOIN ranked r USING (platform, author_key)
            ORDER BY r.creator_rank NULLS LAST, n.posts DESC, actor_id""",
    )


def recognition(ws: Workspace) -> dict[str, Any]:
    """How concentrated praise and reactions are among creators (actors with a fulfilment)."""
    if not ws.has_data("actors"):
        return {"creators": 0}
    table = ws.dataset("actors").read_table(
        columns=["praise_received", "reactions_received", "fulfillments"],
        filters=[("fulfillments", ">", 0)],
    )
    praise = table.column("praise_received").to_numpy()
    reactions = table.column("reactions_received").to_numpy()
    return {
        "creators": len(praise),
        "praise_gini": round(gini(praise), 3),
        "praise_top5pct_share": round(top_share(praise), 3),
        "reactions_gini": round(gini(reactions), 3),
        "reactions_top5pct_share": round(top_share(reactions), 3),
    }
