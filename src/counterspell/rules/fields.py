"""The one view a rule's condition reads: what Counterspell knows about a post, one row per post.

The view is the rules' contract with the rest of the project. Its fields are documented here (and
in ``docs/rules.md``, checked against this list by a test) and only ever added to: a rule written
today must mean the same thing after the analysis code moves. Every field is computed in DuckDB
over the lake, so a backtest over ten million posts is one vectorised scan, and only the groups of
fields a rule set refers to are joined in (a rule about roles never pays for the author window).

Author history is counted strictly before the post (``author_requests_before``) or over the seven
days up to and including it (``author_fulfillments_7d``), so a backtest sees what a live rule
would have seen at the time and not what came later.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..lake.datasets import ROLE_NAMES, enriched_sql, relation
from ..lake.query import dataset_sql, empty_relation, posts_relation_sql
from ..lake.workspace import Workspace
from ..stages.links import invite_key_sql
from ..stages.roles import FLAGS

# value kinds the editor offers operators for
KINDS = ("text", "number", "bool", "list", "time")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str  # one of KINDS
    group: str  # which join provides it (see _GROUPS)
    sql: str  # expression over the group's columns
    doc: str
    choices: tuple[str, ...] = ()  # the values a text or list field takes, for the editor


def _fields() -> tuple[Field, ...]:
    base = [
        Field("uid", "text", "base", "b.uid", "the post's key, platform:community:post_id"),
        Field("platform", "text", "base", "b.platform", "4chan, telegram, discord, ..."),
        Field("community", "text", "base", "b.community", "board, channel or guild/channel id"),
        Field("thread_id", "text", "base", "b.thread_id", "the thread (or chat) the post is in"),
        Field("created_at", "time", "base", "b.created_at", "when the post was made (UTC)"),
        Field("day", "time", "base", "CAST(b.created_at AS DATE)", "the post's UTC date"),
        Field("role", "text", "base", "b.role", "the post's role in the abuse", ROLE_NAMES),
        Field(
            "role_score",
            "number",
            "base",
            "CASE b.role "
            + " ".join(f"WHEN '{r}' THEN b.role_scores.{r}" for r in ROLE_NAMES)
            + " END",
            "the model's confidence in the role given (0-1)",
        ),
        *(
            Field(f"score_{r}", "number", "base", f"b.role_scores.{r}", f"confidence in {r} (0-1)")
            for r in ROLE_NAMES
        ),
        Field("flags", "list", "base", "b.flags", "risk flags (own and inherited)", FLAGS),
        *(
            Field(f, "bool", "base", f"list_contains(b.flags, '{f}')", f"the post is flagged {f}")
            for f in FLAGS
        ),
        Field(
            "destinations",
            "list",
            "base",
            "b.destinations",
            "platforms the post points to (telegram, discord, kik, ...)",
        ),
        Field("links", "list", "base", "b.links", "normalised links in the post"),
        Field("tools", "list", "base", "b.tools", "generation tools the post names"),
        Field(
            "target_relationship",
            "text",
            "base",
            "b.target_relationship",
            "who the target is to the requester (coworker, classmate, ex, streamer, ...)",
        ),
        Field("target_count", "number", "base", "len(b.target_ids)", "target identifiers named"),
        Field("female_ref", "bool", "base", "b.female_ref", "the text refers to a woman or girl"),
        Field("is_op", "bool", "base", "b.is_op", "the post opens its thread"),
        Field("is_reply", "bool", "base", "len(b.parent_uids) > 0", "the post replies to another"),
        Field(
            "follows_request",
            "bool",
            "base",
            "b.follows_uid IS NOT NULL",
            "a requester's follow-up to an earlier request",
        ),
        Field("media_count", "number", "base", "len(b.media)", "attachments"),
        Field(
            "reactions",
            "number",
            "base",
            "coalesce(list_sum([r.count for r in b.reactions]), 0)",
            "reactions the post received",
        ),
        Field("campaign_id", "text", "campaign", "c.campaign_id", "the post's campaign, if any"),
        Field(
            "campaign_part", "text", "campaign", "c.part", "its part in the campaign", ROLE_NAMES
        ),
        Field("campaign_members", "number", "campaign", "coalesce(c.members, 0)", "posts in it"),
        Field(
            "campaign_fulfilled",
            "bool",
            "campaign",
            "coalesce(c.fulfilled, false)",
            "someone fulfilled the campaign's request",
        ),
        Field(
            "campaign_fulfillments",
            "number",
            "campaign",
            "coalesce(c.fulfillments, 0)",
            "fulfilments in the campaign",
        ),
        Field(
            "campaign_minor_risk",
            "bool",
            "campaign",
            "coalesce(c.minor_risk, false)",
            "a post of the campaign is flagged minor_risk",
        ),
        Field(
            "campaign_communities",
            "number",
            "campaign",
            "coalesce(c.communities, 0)",
            "communities the campaign reached",
        ),
        Field(
            "author_posts_before",
            "number",
            "author",
            "coalesce(a.posts_before, 0)",
            "the author's earlier posts (anonymous authors: 0)",
        ),
        Field(
            "author_requests_before",
            "number",
            "author",
            "coalesce(a.requests_before, 0)",
            "the author's earlier requests",
        ),
        Field(
            "author_fulfillments_before",
            "number",
            "author",
            "coalesce(a.fulfillments_before, 0)",
            "the author's earlier fulfilments",
        ),
        Field(
            "author_fulfillments_7d",
            "number",
            "author",
            "coalesce(a.fulfillments_7d, 0)",
            "the author's fulfilments in the 7 days up to and including this post",
        ),
        Field("bank_matches", "number", "matches", "coalesce(m.n, 0)", "attachments in a bank"),
        Field(
            "bank_min_distance",
            "number",
            "matches",
            "m.min_distance",
            "smallest hash distance to a bank entry (null without a match)",
        ),
        Field("banks", "list", "matches", "coalesce(m.banks, [])", "banks the post matched"),
        Field(
            "media_seen_before",
            "bool",
            "media",
            "coalesce(md.seen_before, false)",
            "an attachment was posted earlier elsewhere (a repost)",
        ),
        Field(
            "media_provenance",
            "bool",
            "media",
            "coalesce(md.provenance, false)",
            "an attachment carries provenance signals (C2PA, generator metadata)",
        ),
        Field(
            "links_to_media_destination",
            "bool",
            "destination",
            "coalesce(d.shares_media, false)",
            "the post invites to a community where media of its own community were also seen",
        ),
    ]
    return tuple(base)


FIELDS: tuple[Field, ...] = _fields()
BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


def _groups(ws: Workspace) -> dict[str, tuple[str, str]]:
    """group -> (CTE definitions, the LEFT JOIN that brings it in). ``b`` is posts x enrichments."""
    members = relation(ws, "campaign_members")
    camp = (
        dataset_sql(ws, "campaigns", _CAMPAIGN_FACTS)
        if ws.has_data("campaigns")
        else empty_relation(_CAMPAIGN_FACTS)
    )
    first_seen = relation(ws, "media_first_seen")
    media = relation(ws, "media")
    communities = relation(ws, "communities")
    bridges = relation(ws, "bridges")
    invite = invite_key_sql("l.link")
    return {
        "campaign": (
            f"""cm AS (SELECT uid, any_value(campaign_id) AS campaign_id, any_value(part) AS part
                       FROM {members} GROUP BY uid),
                c AS (SELECT cm.uid, cm.campaign_id, cm.part, k.member_count AS members,
                             k.fulfilled, k.fulfillment_count AS fulfillments, k.minor_risk,
                             len(k.communities) AS communities
                      FROM cm LEFT JOIN {camp} k USING (campaign_id))""",
            "LEFT JOIN c ON c.uid = b.uid",
        ),
        "author": (
            """a AS (SELECT uid,
                  count(*) OVER w - 1 AS posts_before,
                  sum(CASE WHEN role = 'request' THEN 1 ELSE 0 END) OVER w
                      - CASE WHEN role = 'request' THEN 1 ELSE 0 END AS requests_before,
                  sum(CASE WHEN role = 'fulfillment' THEN 1 ELSE 0 END) OVER w
                      - CASE WHEN role = 'fulfillment' THEN 1 ELSE 0 END AS fulfillments_before,
                  sum(CASE WHEN role = 'fulfillment' THEN 1 ELSE 0 END) OVER (
                      PARTITION BY platform, author_key ORDER BY created_at
                      RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW) AS fulfillments_7d
               FROM b WHERE author_key IS NOT NULL AND author_key <> ''
               WINDOW w AS (PARTITION BY platform, author_key ORDER BY created_at, uid
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))""",
            "LEFT JOIN a ON a.uid = b.uid",
        ),
        "matches": (
            f"""m AS (SELECT uid, count(*) AS n, min(distance) AS min_distance,
                             list(DISTINCT bank ORDER BY bank) AS banks
                      FROM {relation(ws, "matches")} WHERE NOT quarantined_entry GROUP BY uid)""",
            "LEFT JOIN m ON m.uid = b.uid",
        ),
        "media": (
            f"""md AS (SELECT x.uid,
                              bool_or(f.first_at < x.created_at) AS seen_before,
                              bool_or(x.provenance IS NOT NULL AND x.provenance NOT IN ('', '[]'))
                                  AS provenance
                       FROM {media} x LEFT JOIN {first_seen} f ON f.md5 = x.md5
                       GROUP BY x.uid)""",
            "LEFT JOIN md ON md.uid = b.uid",
        ),
        "destination": (
            f"""d AS (SELECT l.uid, true AS shares_media
                      FROM (SELECT uid, platform, community, unnest(links) AS link FROM b
                            WHERE len(links) > 0) l
                      JOIN {communities} k ON k.invite = {invite}
                      JOIN {bridges} g ON g.kind = 'media' AND (
                           (g.src_platform = l.platform AND g.src_community = l.community
                            AND g.dst_platform = k.platform AND g.dst_community = k.community)
                        OR (g.dst_platform = l.platform AND g.dst_community = l.community
                            AND g.src_platform = k.platform AND g.src_community = k.community))
                      GROUP BY l.uid)""",
            "LEFT JOIN d ON d.uid = b.uid",
        ),
    }


def _campaign_facts_schema() -> object:
    import pyarrow as pa

    return pa.schema(
        [
            ("campaign_id", pa.string()),
            ("member_count", pa.int64()),
            ("fulfilled", pa.bool_()),
            ("fulfillment_count", pa.int64()),
            ("minor_risk", pa.bool_()),
            ("communities", pa.list_(pa.string())),
        ]
    )


_CAMPAIGN_FACTS = _campaign_facts_schema()


def view_sql(ws: Workspace, columns: set[str], where: str = "true") -> str:
    """A query with one row per analysed post and the named fields (and ``uid``), restricted by
    ``where`` (an expression over ``b``: posts x enrichments) before the costly joins."""
    unknown = columns - BY_NAME.keys()
    if unknown:
        raise KeyError(f"no rule field(s) {', '.join(sorted(unknown))}")
    wanted = [BY_NAME[c] for c in sorted(columns | {"uid"})]
    groups = {f.group for f in wanted} - {"base"}
    defs = _groups(ws)
    ctes = [
        f"""b AS (SELECT e.uid, e.platform, e.community, p.thread_id, p.created_at, e.role,
                         e.role_scores, coalesce(e.flags, []) AS flags,
                         coalesce(e.destinations, []) AS destinations,
                         coalesce(e.links, []) AS links, coalesce(e.tools, []) AS tools,
                         e.target_relationship, coalesce(e.target_ids, []) AS target_ids,
                         e.female_ref, e.follows_uid, e.analyzed_at, p.author_key, p.is_op,
                         coalesce(p.parent_uids, []) AS parent_uids, coalesce(p.media, []) AS media,
                         coalesce(p.reactions, []) AS reactions
                  FROM {enriched_sql(ws)} e JOIN {posts_relation_sql(ws)} p USING (uid))"""
    ]
    joins = []
    for g in ("campaign", "author", "matches", "media", "destination"):
        if g in groups:
            cte, join = defs[g]
            ctes.append(cte)
            joins.append(join)
    select = ", ".join(f"{f.sql} AS {f.name}" for f in wanted)
    return f"WITH {', '.join(ctes)} SELECT {select} FROM b {' '.join(joins)} WHERE {where}"


__all__ = ["BY_NAME", "FIELDS", "KINDS", "Field", "view_sql"]
