"""The lake's catalogue: each dataset that readers share, by name, with its schema.

Readers ask for a dataset here instead of importing the module that produces it, so the store,
the web views and the report never reach into the analysis code for a schema.
"""

from __future__ import annotations

import pyarrow as pa

from .query import dataset_sql, partition_sql, sql_path
from .workspace import Workspace

ROLE_NAMES = (
    "request",
    "fulfillment",
    "praise",
    "distribution",
    "source_solicitation",
    "technical",
    "payment",
    "counter_speech",
    "other",
)
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


__all__ = [
    "ENRICHMENT_SCHEMA",
    "INHERITED_FLAGS",
    "INHERITED_FLAGS_SCHEMA",
    "ROLE_SCORES_TYPE",
    "enriched_sql",
]
