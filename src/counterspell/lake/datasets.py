"""The lake's catalogue: every dataset by name, with its schema, layout and producer.

Readers ask for a dataset here (:func:`relation`) instead of importing the module that produces
it, so the store, the web views and the report never reach into the analysis code for a schema,
and a producer can move without its readers noticing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from ..models import POST_SCHEMA, ROLES
from .query import dataset_sql, partition_sql, sql_path
from .workspace import Workspace

ROLE_NAMES = ROLES
ROLE_SCORES_TYPE = pa.struct([(r, pa.float32()) for r in ROLE_NAMES])

# One row per analysed post (written by analyze, one partition per community).
ENRICHMENT_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("uid_hash", pa.int64()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("role", pa.string()),
        ("role_scores", ROLE_SCORES_TYPE),
        ("why", pa.list_(pa.string())),
        ("flags", pa.list_(pa.string())),
        ("destinations", pa.list_(pa.string())),
        ("links", pa.list_(pa.string())),
        ("target_relationship", pa.string()),
        ("target_ids", pa.list_(pa.string())),
        ("target_kinds", pa.list_(pa.string())),
        ("tools", pa.list_(pa.string())),
        ("female_ref", pa.bool_()),
        ("follows_uid", pa.string()),  # a request's follow-up: the request it continues
        ("analyzer_version", pa.string()),
        ("model_version", pa.string()),
        ("analyzed_at", pa.timestamp("us", tz="UTC")),
    ]
)

REPLY_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("parent_uid", pa.string()),
        ("parent_found", pa.bool_()),
        ("parent_community", pa.string()),
    ]
)

MEDIA_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("media_index", pa.int32()),
        ("key_hash", pa.int64()),  # digest of uid + index, for incremental runs
        ("platform", pa.string()),
        ("community", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("name", pa.string()),
        ("path", pa.string()),
        ("reported_md5", pa.string()),  # as the platform's JSON gave it
        ("md5", pa.string()),  # of the bytes, when the file is present
        ("sha256", pa.string()),
        ("pdq", pa.string()),
        ("pdq_quality", pa.int32()),
        ("error", pa.string()),
        ("hashed_at", pa.timestamp("us", tz="UTC")),
        ("provenance", pa.string()),  # JSON list of signals; absence proves nothing
        ("vpdq", pa.string()),  # videos: frame,quality,pdq,seconds per line (matching/video.py)
        ("skipped", pa.string()),  # why a hash this file should have is missing (e.g. no vpdq)
    ]
)

FIRST_SEEN_SCHEMA = pa.schema(
    [("md5", pa.string()), ("first_at", pa.timestamp("us", tz="UTC")), ("sightings", pa.int64())]
)

CLUSTER_SCHEMA = pa.schema(
    [("md5", pa.string()), ("cluster", pa.string()), ("pdq", pa.string()), ("size", pa.int64())]
)

SIGHTING_SCHEMA = pa.schema(
    [
        ("cluster", pa.string()),
        ("cluster_md5s", pa.int64()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("first_seen", pa.timestamp("us", tz="UTC")),
        ("last_seen", pa.timestamp("us", tz="UTC")),
        ("posts", pa.int64()),
    ]
)

MEMBER_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("campaign_id", pa.string()),
        ("part", pa.string()),
        ("confidence", pa.float32()),
        ("method", pa.string()),
        ("anchor_uid", pa.string()),
    ]
)

ACTOR_SCHEMA = pa.schema(
    [
        ("actor_id", pa.string()),
        ("platform", pa.string()),
        ("author_key", pa.string()),
        ("name", pa.string()),
        ("handle", pa.string()),
        ("posts", pa.int64()),
        ("requests", pa.int64()),
        ("fulfillments", pa.int64()),
        ("campaigns_fulfilled", pa.int64()),
        ("praise_received", pa.int64()),
        ("praise_given", pa.int64()),
        ("distributions", pa.int64()),
        ("reactions_received", pa.int64()),
        ("creator_rank", pa.int64()),
        ("communities", pa.list_(pa.string())),
        ("platforms", pa.list_(pa.string())),
        ("first_seen", pa.timestamp("us", tz="UTC")),
        ("last_seen", pa.timestamp("us", tz="UTC")),
    ]
)

COMMUNITY_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("community", pa.string()),
        ("name", pa.string()),
        ("invite", pa.string()),  # invite key, see stages.links.invite_key
    ]
)

BRIDGE_SCHEMA = pa.schema(
    [
        ("src_platform", pa.string()),
        ("src_community", pa.string()),
        ("dst_platform", pa.string()),
        ("dst_community", pa.string()),
        ("kind", pa.string()),
        ("count", pa.int64()),
        ("first_seen", pa.timestamp("us", tz="UTC")),
        ("last_seen", pa.timestamp("us", tz="UTC")),
        ("median_lag_s", pa.float64()),
        ("dst_ingested", pa.bool_()),
        ("route", pa.bool_()),  # a route of the abuse, not two ordinary communities linking
    ]
)

MATCH_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("media_index", pa.int32()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("bank", pa.string()),
        ("bank_version", pa.int64()),
        ("entry_id", pa.int64()),
        ("signal_type", pa.string()),
        ("distance", pa.int32()),
        ("quarantined_entry", pa.bool_()),
        ("matched_at", pa.timestamp("us", tz="UTC")),
        ("match_percent", pa.float32()),  # vPDQ: share of the video's good frames in the entry
    ]
)

LABEL_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("community", pa.string()),
        ("post_id", pa.string()),
        ("role", pa.string()),
        ("flags", pa.list_(pa.string())),
        ("source", pa.string()),
        ("imported_at", pa.timestamp("us", tz="UTC")),
    ]
)

# What shadow and live rules matched (counterspell.rules): one row per rule version and post.
RULE_HIT_SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("version", pa.int64()),
        ("state", pa.string()),  # the rule's state when the hit was recorded (shadow or live)
        ("uid", pa.string()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("run_at", pa.timestamp("us", tz="UTC")),
    ]
)

# Flags a post carries because of its campaign (written whole by the network build): every member
# of a campaign whose request is minor-risk is minor-risk, and the same for non-consent.
INHERITED_FLAGS = "inherited_flags"
INHERITED_FLAGS_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("platform", pa.string()),
        ("community", pa.string()),
        ("flag", pa.string()),
        ("reason", pa.string()),
        ("source_uid", pa.string()),
    ]
)


def enriched_sql(ws: Workspace, platform: str | None = None, community: str | None = None) -> str:
    """A FROM clause over the enrichments with the flags each post inherits from its campaign
    merged in (and their reasons added to ``why``): what every reader of roles and flags uses.

    With ``platform`` and ``community``, only that community's partition is read.
    """
    if platform is not None and community is not None:
        enr = partition_sql(ws, "enrichments", platform, community) or dataset_sql(
            ws, "enrichments", ENRICHMENT_SCHEMA
        )
        where = f"WHERE platform = {sql_path(platform)} AND community = {sql_path(community)}"
    else:
        enr = dataset_sql(ws, "enrichments", ENRICHMENT_SCHEMA)
        where = ""
    if not ws.has_data(INHERITED_FLAGS):
        return enr
    inh = dataset_sql(ws, INHERITED_FLAGS, INHERITED_FLAGS_SCHEMA)
    return f"""(SELECT e.* REPLACE (
                    list_sort(list_distinct(list_concat(e.flags, coalesce(i.flags, [])))) AS flags,
                    list_concat(e.why, coalesce(i.why, [])) AS why)
                FROM {enr} e LEFT JOIN (
                    SELECT uid, list(flag ORDER BY flag) AS flags,
                           list('flag ' || flag || ': inherited: ' || reason ORDER BY flag) AS why
                    FROM {inh} {where} GROUP BY uid) i USING (uid))"""


@dataclass(frozen=True, slots=True)
class Dataset:
    """One dataset of the lake. ``partitioned``: one folder per platform and community, written
    in parts that accumulate; otherwise derived, one file replaced whole by each build."""

    name: str
    schema: pa.Schema
    partitioned: bool
    producer: str  # the module that writes it
    description: str


CATALOGUE: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("posts", POST_SCHEMA, True, "counterspell.ingest", "one row per post, as ingested"),
        Dataset("enrichments", ENRICHMENT_SCHEMA, True, "counterspell.pipeline.analyze",
                "roles, flags, invites, targets (pseudonymised) and tools of each analysed post"),
        Dataset("media", MEDIA_SCHEMA, True, "counterspell.pipeline.hash_media",
                "hashes of each attachment whose file the export contains"),
        Dataset("media_first_seen", FIRST_SEEN_SCHEMA, False, "counterspell.pipeline.analyze",
                "when each picture seen more than once was first posted"),
        Dataset("replies", REPLY_SCHEMA, False, "counterspell.pipeline.network", "the reply graph"),
        Dataset("media_clusters", CLUSTER_SCHEMA, False, "counterspell.pipeline.clusters",
                "near-duplicate pictures (same MD5 or near PDQ)"),
        Dataset("cluster_sightings", SIGHTING_SCHEMA, False, "counterspell.pipeline.clusters",
                "where and when each picture cluster was seen"),
        Dataset("campaign_members", MEMBER_SCHEMA, False, "counterspell.pipeline.campaigns",
                "each post's campaign, part, method and confidence"),
        Dataset("inherited_flags", INHERITED_FLAGS_SCHEMA, False, "counterspell.pipeline.campaigns",
                "flags a post carries because of its campaign's request"),
        Dataset("actors", ACTOR_SCHEMA, False, "counterspell.pipeline.actors", "authors and their rewards"),
        Dataset("communities", COMMUNITY_SCHEMA, False, "counterspell.lake.registry",
                "registered communities: names and invites"),
        Dataset("bridges", BRIDGE_SCHEMA, False, "counterspell.pipeline.bridges",
                "edges between communities (invites, media, handles)"),
        Dataset("matches", MATCH_SCHEMA, False, "counterspell.matching.match",
                "attachments that matched a hash bank"),
        Dataset("labels", LABEL_SCHEMA, False, "counterspell.evaluation.labels", "reviewed labels"),
        Dataset("rule_hits", RULE_HIT_SCHEMA, False, "counterspell.rules.engine",
                "posts shadow and live rules matched after analyze and match"),
    )
}  # fmt: skip


def relation(ws: Workspace, name: str) -> str:
    """A FROM clause over a dataset by name (an empty typed relation when it has no data)."""
    try:
        ds = CATALOGUE[name]
    except KeyError:
        raise KeyError(f"no dataset {name!r} in the lake's catalogue") from None
    return dataset_sql(ws, name, ds.schema)


__all__ = [
    "ACTOR_SCHEMA",
    "BRIDGE_SCHEMA",
    "CATALOGUE",
    "CLUSTER_SCHEMA",
    "COMMUNITY_SCHEMA",
    "ENRICHMENT_SCHEMA",
    "FIRST_SEEN_SCHEMA",
    "INHERITED_FLAGS",
    "INHERITED_FLAGS_SCHEMA",
    "LABEL_SCHEMA",
    "MATCH_SCHEMA",
    "MEDIA_SCHEMA",
    "MEMBER_SCHEMA",
    "REPLY_SCHEMA",
    "ROLE_SCORES_TYPE",
    "RULE_HIT_SCHEMA",
    "SIGHTING_SCHEMA",
    "Dataset",
    "enriched_sql",
    "relation",
]
