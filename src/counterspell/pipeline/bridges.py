"""Bridges between communities: how people and material move from one to the next.

Three kinds of edge, each with a count and first/last seen:

- ``invite``: an invite or handle posted in community A that opens community B (compared
  case-blind, since disguised invites are often re-typed in one case). B is known from
  the community registry (``counterspell communities import``) or, for a Telegram channel, from
  the channel posting its own invite. An invite to a place that is not in the lake is kept, with
  ``dst_ingested`` false and the destination's invite key as its name: that is where people went
  that no export covers yet.
- ``media``: the same picture (one media cluster) first seen in A, later in B; ``median_lag_s``
  is the median time from A's first sighting to B's.
- ``handle``: the same author handle in A and B (direction: where it was seen first).

Every edge says whether it is a **route** of the abuse. Ordinary communities link to each other
all the time (a video-game thread's Discord server, a shared meme), and a community map that
counts those as distribution routes sends a trust-and-safety team after the wrong servers. An
invite is a route when the post carrying it is harmful (a request or fulfilment, flagged
non-consensual or minor-risk, or a member of a campaign) or when its source community has abuse
activity (at least :data:`ABUSE_MIN_POSTS` such posts); a media or handle edge is a route when
either end has abuse activity. Edges that are not routes stay in the dataset (``route`` false),
so a researcher can still see them; the report lists them apart.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from ..errors import InputError, Place
from ..lake.datasets import enriched_sql, relation
from ..lake.query import posts_relation_sql, replace_dataset
from ..lake.registry import registered, write_registry
from ..lake.workspace import Workspace
from ..stages.links import invite_key, invite_key_sql
from .actors import handle_sql


def import_communities(ws: Workspace, path: str | Path) -> int:
    """Read ``platform,community,name,invite`` rows; they replace earlier rows for those communities.

    The invite is optional; a row with one makes links to that invite bridges to the community.
    """
    path = Path(path)
    rows: dict[tuple[str, str], dict[str, str | None]] = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = {"platform", "community"} - set(reader.fieldnames or [])
            if missing:
                raise InputError(
                    Place(str(path), line=1),
                    f"missing column(s) {', '.join(sorted(missing))}; "
                    "expected platform,community,name,invite",
                )
            for n, row in enumerate(reader, start=2):
                platform = (row.get("platform") or "").strip()
                community = (row.get("community") or "").strip()
                if not platform or not community:
                    raise InputError(
                        Place(str(path), line=n), "platform and community are required"
                    )
                raw = (row.get("invite") or "").strip()
                key = invite_key(raw) if raw else None
                if raw and key is None:
                    raise InputError(
                        Place(str(path), line=n),
                        f"{raw!r} is not an invite Counterspell understands "
                        "(t.me/..., discord.gg/..., kik:name, teleguard:ID, session:ID)",
                    )
                rows[(platform, community)] = {
                    "platform": platform,
                    "community": community,
                    "name": (row.get("name") or "").strip() or None,
                    "invite": key,
                }
    except UnicodeDecodeError as exc:
        raise InputError(Place(str(path), offset=exc.start), "not UTF-8 text") from None
    except FileNotFoundError:
        raise InputError(Place(str(path)), "no such file") from None
    imported = len(rows)
    for r in registered(ws):
        rows.setdefault((str(r["platform"]), str(r["community"])), r)
    write_registry(ws, list(rows.values()))
    return imported


# Posts of the abuse proper: a community with this many has abuse activity. Distribution and
# technical talk are left out on purpose: "join our discord" in a game thread reads as
# distribution to a post-level model, and one misread post must not make a community abusive.
ABUSE_MIN_POSTS = 3
ABUSE_ROLES = ("request", "fulfillment")
ABUSE_FLAGS = ("non_consent", "minor_risk")


def abuse_post_sql(e: str) -> str:
    roles = ", ".join(f"'{r}'" for r in ABUSE_ROLES)
    flags = ", ".join(f"'{f}'" for f in ABUSE_FLAGS)
    return f"({e}.role IN ({roles}) OR list_has_any({e}.flags, [{flags}]))"


def _match(invite: str) -> str:
    """Invites compare case-blind and without Telegram's "+": disguised invites lose both."""
    return f"lower(replace({invite}, '+', ''))"


def build_bridges(ws: Workspace, con: duckdb.DuckDBPyConnection) -> int:
    posts = posts_relation_sql(ws)
    enr = enriched_sql(ws)
    members = relation(ws, "campaign_members")
    registry = relation(ws, "communities")
    sightings = relation(ws, "cluster_sightings")
    key = invite_key_sql("link")
    return replace_dataset(
        con,
        ws,
        "bridges",
        f"""
            WITH ingested AS (SELECT DISTINCT platform, community FROM {posts}),
            judged AS (
                SELECT e.uid, e.platform, e.community, e.links,
                       {abuse_post_sql("e")} OR m.uid IS NOT NULL AS harmful
                FROM {enr} e LEFT JOIN (SELECT DISTINCT uid FROM {members}) m USING (uid)),
            abusive AS (
                SELECT platform, community FROM judged WHERE harmful
                GROUP BY ALL HAVING count(*) >= {ABUSE_MIN_POSTS}),
            posted AS (
                SELECT p.platform, p.community, p.author_key, p.created_at, {key} AS invite, e.harmful
                FROM (SELECT uid, platform, community, author_key, created_at FROM {posts}) p
                JOIN (SELECT uid, harmful, unnest(links) AS link FROM judged) e USING (uid)),
            registered AS (SELECT platform, community, invite FROM {registry} WHERE invite IS NOT NULL),
            own AS (
                SELECT * FROM registered
                UNION
                -- a Telegram channel posting a t.me invite as itself, when the registry says
                -- nothing of that channel or of that invite (channels also advertise backups)
                SELECT DISTINCT platform, community, invite FROM posted
                WHERE starts_with(invite, 'telegram:') AND platform = 'telegram'
                  AND author_key = 'channel' || community
                  AND (platform, community) NOT IN (SELECT (platform, community) FROM registered)
                  AND {_match("invite")} NOT IN (SELECT {_match("invite")} FROM registered)),
            invites AS (
                SELECT s.platform AS src_platform, s.community AS src_community,
                       coalesce(o.platform, split_part(s.invite, ':', 1)) AS dst_platform,
                       coalesce(o.community, s.invite) AS dst_community,
                       'invite' AS kind, count(*) AS count, min(s.created_at) AS first_seen, max(s.created_at) AS last_seen,
                       NULL::DOUBLE AS median_lag_s, bool_or(s.harmful) AS harmful_link
                FROM posted s LEFT JOIN own o ON {_match("o.invite")} = {_match("s.invite")}
                WHERE s.invite IS NOT NULL AND NOT (o.platform IS NOT NULL AND o.platform = s.platform AND o.community = s.community)
                GROUP BY ALL),
            firsts AS (  -- first sightings per picture and community, from the clusters stage
                SELECT cluster, platform, community, first_seen AS first FROM {sightings}),
            media AS (
                SELECT a.platform AS src_platform, a.community AS src_community, b.platform AS dst_platform,
                       b.community AS dst_community, 'media' AS kind, count(*) AS count,
                       min(b.first) AS first_seen, max(b.first) AS last_seen,
                       median(epoch(b.first) - epoch(a.first))::DOUBLE AS median_lag_s,
                       false AS harmful_link
                FROM firsts a JOIN firsts b ON a.cluster = b.cluster
                     AND (a.first, a.platform, a.community) < (b.first, b.platform, b.community)
                GROUP BY ALL),
            handles AS (
                SELECT {handle_sql("author_name")} AS handle, platform, community, min(created_at) AS first,
                       max(created_at) AS last
                FROM {posts} WHERE author_key IS NOT NULL GROUP BY ALL),
            shared AS (
                SELECT a.platform AS src_platform, a.community AS src_community, b.platform AS dst_platform,
                       b.community AS dst_community, 'handle' AS kind, count(*) AS count,
                       min(b.first) AS first_seen, max(b.last) AS last_seen, NULL::DOUBLE AS median_lag_s,
                       false AS harmful_link
                FROM handles a JOIN handles b ON a.handle = b.handle
                     AND (a.first, a.platform, a.community) < (b.first, b.platform, b.community)
                WHERE a.handle IS NOT NULL
                GROUP BY ALL),
            edges AS (SELECT * FROM invites UNION ALL SELECT * FROM media UNION ALL SELECT * FROM shared)
            SELECT e.* EXCLUDE (harmful_link), i.platform IS NOT NULL AS dst_ingested,
                   e.harmful_link OR s.platform IS NOT NULL
                   OR (e.kind <> 'invite' AND d.platform IS NOT NULL) AS route
            FROM edges e LEFT JOIN ingested i ON i.platform = e.dst_platform AND i.community = e.dst_community
            LEFT JOIN abusive s ON s.platform = e.src_platform AND s.community = e.src_community
            LEFT JOIN abusive d ON d.platform = e.dst_platform AND d.community = e.dst_community
            ORDER BY kind, count DESC, src_platform, src_community, dst_platform, dst_community""",
    )
