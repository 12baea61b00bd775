"""Campaigns over the lake: local linking per community, then links by media across the lake.

1. Per community, posts stream through :class:`~counterspell.stages.linker.CampaignLinker` in
   time order (reply links, thread, time, target, author); :mod:`.linking` keeps each
   community's memberships between runs and re-links only communities with new posts.
2. Over the whole lake, in DuckDB: a picture first posted as a campaign's fulfilment and seen
   again later (same MD5 or a near PDQ, see :mod:`counterspell.pipeline.clusters`) makes the later
   post a distribution of that campaign, in any community or platform. Media evidence overrides
   a weaker local placement (by thread or author), never a reply link.
3. Per campaign metrics, and related campaigns (the same target pseudonym or the same source
   picture requested again).

Results replace the ``campaign_members`` and ``campaigns`` datasets whole; campaign ids are
derived from the request's uid, so they are stable from one run to the next.
"""

from __future__ import annotations

import duckdb

from ..lake.datasets import (
    INHERITED_FLAGS,
    MEMBER_SCHEMA,
    relation,
)
from ..lake.query import (
    empty_relation,
    posts_relation_sql,
    replace_dataset,
    sql_path,
)
from ..lake.workspace import Workspace
from ..stages.context import INHERITED
from .clusters import sightings_sql

MEDIA_EXACT_CONFIDENCE = 0.9
MEDIA_NEAR_CONFIDENCE = 0.75
RELATED_MAX = 50
FLUSH_ROWS = 200_000


def finish(
    ws: Workspace, con: duckdb.DuckDBPyConnection, local_files: list[str]
) -> tuple[int, int]:
    """Media links across the lake, then the two datasets. Returns (members, campaigns).

    Ties (two sightings of a picture at the same time: the file and its near copy in one post)
    are broken by uid and MD5, so that two runs over the same lake give the same rows.

    ``local_files``: every community's memberships from the linker (:mod:`.linking`)."""
    local = (
        f"read_parquet([{', '.join(sql_path(f) for f in local_files)}])"
        if local_files
        else empty_relation(MEMBER_SCHEMA)
    )
    enr = relation(ws, "enrichments")
    clusters = relation(ws, "media_clusters")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _local AS SELECT * FROM {local}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _sight AS
            SELECT DISTINCT s.uid, s.platform, s.community, epoch(s.created_at) AS ts, s.md5, c.cluster
            FROM ({sightings_sql(ws)}) s JOIN {clusters} c USING (md5)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _media AS
            WITH origin AS (
                SELECT s.cluster, arg_min(m.campaign_id, (s.ts, s.uid, s.md5)) AS cid, min(s.ts) AS ots,
                       arg_min(s.uid, (s.ts, s.uid, s.md5)) AS ouid, arg_min(s.md5, (s.ts, s.uid, s.md5)) AS omd5
                FROM _sight s JOIN _local m USING (uid) WHERE m.part = 'fulfillment' GROUP BY s.cluster)
            SELECT s.uid, any_value(s.platform) AS platform, any_value(s.community) AS community,
                   arg_min(o.cid, (o.ots, o.ouid, o.cid)) AS campaign_id,
                   arg_min(o.ouid, (o.ots, o.ouid, o.cid)) AS anchor_uid,
                   bool_or(s.md5 = o.omd5) AS exact
            FROM _sight s JOIN origin o USING (cluster)
            LEFT JOIN _local m USING (uid)
            LEFT JOIN (SELECT uid, role FROM {enr}) e USING (uid)
            WHERE s.ts >= o.ots AND s.uid <> o.ouid
              AND (m.uid IS NULL OR (m.method NOT IN ('request', 'reply')
                                     AND m.part NOT IN ('request', 'fulfillment') AND m.campaign_id <> o.cid))
              AND coalesce(e.role, 'other') NOT IN ('request', 'source_solicitation', 'counter_speech')
            GROUP BY s.uid"""
    )
    n_members = replace_dataset(
        con,
        ws,
        "campaign_members",
        f"""SELECT * FROM (SELECT * FROM _local ANTI JOIN _media USING (uid))
            UNION ALL
            SELECT uid, platform, community, campaign_id, 'distribution' AS part,
                   CASE WHEN exact THEN {MEDIA_EXACT_CONFIDENCE} ELSE {MEDIA_NEAR_CONFIDENCE} END::FLOAT AS confidence,
                   'media' AS method, anchor_uid
            FROM _media
            ORDER BY campaign_id, uid""",
    )
    con.execute("DROP TABLE _local")
    con.execute("DROP TABLE _media")
    _inherited_flags(ws, con)
    return n_members, _campaign_table(ws, con)


def _inherited_flags(ws: Workspace, con: duckdb.DuckDBPyConnection) -> int:
    """Every member of a campaign whose request is minor-risk (or non-consent) carries the flag,
    with the request as its source: a fulfilment, its praise and its reposts are about her too."""
    members = relation(ws, "campaign_members")
    enr = relation(ws, "enrichments")
    flags = ", ".join(f"'{f}'" for f in INHERITED)
    return replace_dataset(
        con,
        ws,
        INHERITED_FLAGS,
        f"""WITH e AS (SELECT uid, flags FROM {enr}),
                req AS (SELECT m.campaign_id, m.uid AS source_uid, unnest(e.flags) AS flag
                        FROM {members} m JOIN e USING (uid)
                        WHERE m.part = 'request' AND m.method = 'request')
            SELECT m.uid, m.platform, m.community, r.flag,
                   'campaign request is ' || replace(r.flag, '_', '-') AS reason, r.source_uid
            FROM {members} m JOIN req r USING (campaign_id) LEFT JOIN e USING (uid)
            WHERE r.flag IN ({flags}) AND m.uid <> r.source_uid
              AND NOT list_contains(coalesce(e.flags, []), r.flag)
            ORDER BY m.uid, r.flag""",
    )


def _campaign_table(ws: Workspace, con: duckdb.DuckDBPyConnection) -> int:
    posts = posts_relation_sql(ws)
    enr = relation(ws, "enrichments")
    members = relation(ws, "campaign_members")
    req = "FILTER (WHERE part = 'request' AND method = 'request')"
    rows = replace_dataset(
        con,
        ws,
        "campaigns",
        f"""
            WITH m AS (
                SELECT m.*, epoch(p.created_at) AS ts, p.created_at, p.thread_id, p.author_key,
                       coalesce(list_sum([r.count for r in p.reactions]), 0) AS n_react,
                       e.flags, e.destinations, e.target_ids
                FROM {members} m JOIN {posts} p USING (uid) LEFT JOIN {enr} e USING (uid)),
            c AS (
                SELECT campaign_id,
                       any_value(uid) {req} AS request_uid,
                       any_value(platform) {req} AS platform,
                       any_value(community) {req} AS community,
                       any_value(thread_id) {req} AS thread_id,
                       min(created_at) {req} AS requested_at,
                       any_value(author_key) {req} AS requester,
                       count(*) FILTER (WHERE part = 'fulfillment') > 0 AS fulfilled,
                       (min(ts) FILTER (WHERE part = 'fulfillment') - min(ts) {req})::DOUBLE AS first_fulfillment_seconds,
                       count(*) FILTER (WHERE part = 'fulfillment') AS fulfillment_count,
                       count(*) FILTER (WHERE part = 'praise') AS praise_count,
                       count(*) FILTER (WHERE part = 'distribution') AS distribution_count,
                       count(*) FILTER (WHERE part = 'source_solicitation') AS source_solicitation_count,
                       sum(n_react)::BIGINT AS reaction_count,
                       list_sort(list_distinct(flatten(list(destinations) FILTER (WHERE destinations IS NOT NULL)))) AS destinations,
                       (any_value(target_ids) {req})[1] AS target,
                       coalesce(any_value(target_ids) {req}, []) AS targets,
                       coalesce(bool_or(list_contains(flags, 'minor_risk')), false) AS minor_risk,
                       list_sort(list_distinct(list(author_key) FILTER (WHERE part = 'fulfillment' AND author_key IS NOT NULL))) AS creators,
                       list_sort(list_distinct(list(platform))) AS platforms,
                       list_sort(list_distinct(list(platform || ':' || community))) AS communities,
                       count(*) AS member_count,
                       list({{'uid': uid, 'part': part, 'confidence': confidence}} ORDER BY ts, uid) AS members
                FROM m GROUP BY campaign_id),
            by_target AS (
                SELECT target, list(campaign_id ORDER BY requested_at, campaign_id)[1:{RELATED_MAX}] AS ids
                FROM c WHERE target IS NOT NULL GROUP BY target HAVING count(*) > 1),
            by_source AS (
                SELECT s.cluster, list_sort(list(DISTINCT c.campaign_id))[1:{RELATED_MAX}] AS ids
                FROM c JOIN _sight s ON s.uid = c.request_uid GROUP BY s.cluster HAVING count(DISTINCT c.campaign_id) > 1),
            related AS (
                SELECT campaign_id, list_sort(list_distinct(flatten(list(ids)))) AS ids FROM (
                    SELECT c.campaign_id, t.ids FROM c JOIN by_target t USING (target)
                    UNION ALL
                    SELECT c.campaign_id, b.ids FROM c JOIN _sight s ON s.uid = c.request_uid JOIN by_source b USING (cluster))
                GROUP BY campaign_id)
            SELECT c.*, coalesce(list_filter(r.ids, lambda x: x <> c.campaign_id), []) AS related
            FROM c LEFT JOIN related r USING (campaign_id)
            WHERE c.request_uid IS NOT NULL
            ORDER BY c.requested_at, c.campaign_id""",
    )
    con.execute("DROP TABLE IF EXISTS _sight")
    return rows
