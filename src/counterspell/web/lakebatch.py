"""What the item page reads from the lake, for many items of one community in six queries.

An item's first visit cost six DuckDB queries, each paying its fixed cost (planning, opening
the Parquet files) for one post; reviewers open items one after another down the queue, so the
service reads the item asked for together with the next ones of its community in the queue
(:meth:`~counterspell.web.viewcache.LakeViews.item`), each query answering for all of them.
Each item's view is exactly what :func:`~counterspell.web.lakeview.read_item` gives for it
alone (a test holds the two to that).
"""

from __future__ import annotations

from typing import Any

import orjson

from ..lake.datasets import enriched_sql, relation
from ..lake.query import partition_sql
from ..lake.workspace import Workspace
from ..store.records import QueueItem
from .lakeview import AUTHOR_POSTS, CAMPAIGN_POSTS, POST_COLUMNS, THREAD_WINDOW


def _rows(con: Any, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _grouped(rows: list[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    """Rows by the value of ``key`` (removed from each row), in their order."""
    out: dict[Any, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r.pop(key), []).append(r)
    return out


def read_items(ws: Workspace, items: list[QueueItem], con: Any) -> dict[str, dict[str, Any]]:
    """The unmasked view of each item (by uid), all of one platform and community."""
    if not items:
        return {}
    platform, community = items[0].platform, items[0].community
    assert all((it.platform, it.community) == (platform, community) for it in items)
    posts = partition_sql(ws, "posts", platform, community)
    if posts is None:
        return {it.uid: {"post": None} for it in items}
    uids = sorted({it.uid for it in items})
    marks = ", ".join("?" for _ in uids)
    enr = enriched_sql(ws, platform, community)
    cols = POST_COLUMNS
    pcols = ", ".join(f"p.{c.strip()}" for c in cols.split(","))
    found: dict[str, dict[str, Any]] = {}
    for row in _rows(con, f"SELECT {cols}, [m.size FOR m IN media] AS sizes, links "
                          f"FROM {posts} WHERE uid IN ({marks})", uids):  # fmt: skip
        found.setdefault(row["uid"], row)  # the first, as a read of one item takes
    if not found:
        return {it.uid: {"post": None} for it in items}
    here = sorted(found)
    marks = ", ".join("?" for _ in here)
    signals = _grouped(_rows(con, f"SELECT uid AS me_uid, role, role_scores, why, flags, destinations, tools, target_relationship, target_kinds FROM {enr} WHERE uid IN ({marks})", here), "me_uid")  # fmt: skip
    thread = _grouped(_rows(con, f"""
        WITH me AS (SELECT uid AS me_uid, thread_id FROM {posts} WHERE uid IN ({marks})),
             t AS (SELECT {cols}, row_number() OVER (PARTITION BY thread_id ORDER BY created_at, uid) AS n
                   FROM {posts} WHERE thread_id IN (SELECT thread_id FROM me)),
             pos AS (SELECT me.me_uid, t.thread_id AS tid, t.n AS my_n FROM me JOIN t ON t.uid = me.me_uid)
        SELECT pos.me_uid, t.* EXCLUDE (n), e.role FROM pos
             JOIN t ON t.thread_id = pos.tid AND t.n BETWEEN pos.my_n - {THREAD_WINDOW} AND pos.my_n + {THREAD_WINDOW}
             LEFT JOIN {enr} e ON e.uid = t.uid
        ORDER BY pos.me_uid, t.n""", here), "me_uid")  # fmt: skip
    author = _grouped(_rows(con, f"""
        SELECT * EXCLUDE (k) FROM (
            SELECT a.me_uid, {pcols}, e.role,
                   row_number() OVER (PARTITION BY a.me_uid ORDER BY p.created_at DESC, p.uid) AS k
            FROM (SELECT uid AS me_uid, author_key FROM {posts}
                  WHERE uid IN ({marks}) AND author_key IS NOT NULL AND author_key <> '') a
                 JOIN {posts} p ON p.author_key = a.author_key AND p.uid <> a.me_uid
                 LEFT JOIN {enr} e ON e.uid = p.uid)
        WHERE k <= {AUTHOR_POSTS} ORDER BY me_uid, k""", here), "me_uid")  # fmt: skip
    campaigns = sorted({it.campaign_id for it in items if it.campaign_id})
    campaign: dict[Any, list[dict[str, Any]]] = {}
    if campaigns:
        cmarks = ", ".join("?" for _ in campaigns)
        campaign = _grouped(_rows(con, f"""
            SELECT * EXCLUDE (k) FROM (
                SELECT m.campaign_id AS cid, m.uid, m.platform, m.community, m.part, m.method,
                       m.confidence, e.role,
                       row_number() OVER (PARTITION BY m.campaign_id ORDER BY m.part, m.uid) AS k
                FROM {relation(ws, "campaign_members")} m
                     LEFT JOIN (SELECT uid, role FROM {relation(ws, "enrichments")}) e USING (uid)
                WHERE m.campaign_id IN ({cmarks}))
            WHERE k <= {CAMPAIGN_POSTS} ORDER BY cid, k""", campaigns), "cid")  # fmt: skip
    media = _grouped(_rows(con, f"""
        SELECT uid AS me_uid, media_index, lower(coalesce(md5, reported_md5)) AS md5, sha256, pdq,
               pdq_quality, error, provenance
        FROM {relation(ws, "media")} WHERE uid IN ({marks}) ORDER BY uid, media_index""", here), "me_uid")  # fmt: skip
    matches = _grouped(_rows(con, f"""
        SELECT uid AS me_uid, bank, entry_id, signal_type, distance, quarantined_entry
        FROM {relation(ws, "matches")} WHERE uid IN ({marks}) ORDER BY uid, bank, distance, entry_id""", here), "me_uid")  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for it in items:
        post = found.get(it.uid)
        if post is None:
            out[it.uid] = {"post": None}
            continue
        post = dict(post)
        sizes = post.pop("sizes") or []
        its_media = [dict(m) for m in media.get(it.uid, [])]
        for m in its_media:
            i = m["media_index"]
            m["size"] = sizes[i] if i is not None and i < len(sizes) else None
            m["provenance"] = orjson.loads(m["provenance"]) if m["provenance"] else []
        sig = signals.get(it.uid)
        out[it.uid] = {
            "post": post,
            "signals": sig[0] if sig else None,
            "thread": thread.get(it.uid, []),
            "author_posts": author.get(it.uid, []),
            "campaign": [dict(r) for r in campaign.get(it.campaign_id, [])] if it.campaign_id else [],
            "media": its_media,
            "matches": matches.get(it.uid, []),
        }  # fmt: skip
    return out
