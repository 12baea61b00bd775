"""The campaign graph the planner acts on, read once from the lake into plain Python.

Every campaign member carries the *keys* of the intervention points it depends on: its author
(``creator:``), the author's handle (``handle:``), its thread (``thread:``), its community
(``community:`` and ``hub:``, the same place seen as request infrastructure or as a destination)
and the pictures it carries (``cluster:``). Removing an intervention point is then one rule for
every kind: a member with a removed key is gone, and so is everything anchored on a gone member
(praise of a removed fulfilment, reposts of its picture). Places a campaign reached are blocked
by ``hub:`` and ``community:`` keys, which is how an invite outside the lake (``kik:name``) can be
removed although the lake holds none of its posts.

The graph is the campaigns as ``counterspell analyze`` linked them: the planner never re-links.
It is held in memory (one small record per member), which bounds the planner to lakes whose
campaign members fit in memory: millions, not billions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..lake.datasets import enriched_sql, relation
from ..lake.query import connect, posts_relation_sql
from ..lake.workspace import Workspace
from ..stages.links import invite_key_sql
from .bridges import _match as invite_match
from .clusters import sightings_sql

KINDS = ("creator", "thread", "community", "hub", "handle", "cluster")
KIND_NOUNS = {k: ("communities" if k == "community" else k + "s") for k in KINDS}
KIND_TITLES = {
    "creator": "creators",
    "thread": "request threads",
    "community": "request communities",
    "hub": "bridges and invite hubs",
    "handle": "handles across platforms",
    "cluster": "media clusters",
}


@dataclass(slots=True)
class Member:
    uid: str
    part: str
    anchor: str | None
    place: str  # platform:community
    keys: frozenset[str]  # the intervention points this post depends on
    reaches: tuple[str, ...]  # places its invites open (resolved to a community when known)


@dataclass(slots=True)
class Campaign:
    cid: str
    request: str
    place: str
    target: str | None
    members: list[Member]  # in time order: an anchor comes before what it anchors


@dataclass
class PlanGraph:
    campaigns: list[Campaign]
    # kind -> node -> campaigns it touches (members with its key, or places it blocks)
    touches: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    # every key -> campaigns it can change (for removals of any key, candidate or not)
    index: dict[str, set[int]] = field(default_factory=dict)
    # per campaign, every key that can change it (the inverse of ``index``)
    keys_of: list[frozenset[str]] = field(default_factory=list)

    def affected(self, removed: frozenset[str]) -> set[int]:
        out: set[int] = set()
        for k in removed:
            out |= self.index.get(k, set())
        return out

    def candidates(self, kind: str) -> list[str]:
        return sorted(self.touches.get(kind, {}))


def parse_scope(scope: str | None) -> tuple[str | None, str | None]:
    """``4chan`` or ``4chan/r`` (a community may itself contain ``/``, as Discord's do)."""
    if not scope:
        return None, None
    platform, _, community = scope.partition("/")
    return platform or None, community or None


def load_graph(ws: Workspace, scope: str | None = None) -> PlanGraph:
    """Campaigns whose request is in ``scope`` (a platform or platform/community), every member."""
    con = connect(ws)
    posts = posts_relation_sql(ws)
    members = relation(ws, "campaign_members")
    enr = relation(ws, "enrichments")
    clusters = relation(ws, "media_clusters")
    actors = relation(ws, "actors")
    registry = relation(ws, "communities")
    platform, community = parse_scope(scope)
    where, params = ["true"], []
    if platform:
        where.append("m.platform = ?")
        params.append(platform)
    if community:
        where.append("m.community = ?")
        params.append(community)
    key = invite_key_sql("link")
    rows = con.execute(
        f"""WITH c AS (  -- as the campaigns dataset opens them: the request's own post
                SELECT m.campaign_id, m.uid AS request_uid, m.platform || ':' || m.community AS place,
                       e.target_ids[1] AS target
                FROM {members} m LEFT JOIN (SELECT uid, target_ids FROM {enr}) e USING (uid)
                WHERE m.part = 'request' AND m.method = 'request' AND {" AND ".join(where)}),
            m AS (SELECT m.* FROM {members} m SEMI JOIN c USING (campaign_id)),
            pic AS (SELECT s.uid, list(DISTINCT k.cluster ORDER BY k.cluster) AS clusters
                    FROM ({sightings_sql(ws)}) s JOIN {clusters} k USING (md5)
                    SEMI JOIN m USING (uid) GROUP BY s.uid),
            inv AS (SELECT uid, {key} AS invite FROM (
                        SELECT uid, unnest(links) AS link FROM {enriched_sql(ws)} SEMI JOIN m USING (uid))),
            dest AS (SELECT i.uid, list(DISTINCT coalesce(r.platform || ':' || r.community, i.invite)
                                       ORDER BY coalesce(r.platform || ':' || r.community, i.invite)) AS reaches
                     FROM inv i LEFT JOIN (SELECT * FROM {registry} WHERE invite IS NOT NULL) r
                          ON {invite_match("r.invite")} = {invite_match("i.invite")}
                     WHERE i.invite IS NOT NULL GROUP BY i.uid),
            hand AS (SELECT platform, author_key, handle, len(platforms) > 1 AS spans FROM {actors})
            SELECT c.campaign_id, c.request_uid, c.place, c.target, m.uid, m.part, m.anchor_uid,
                   m.platform, m.community, p.thread_id, p.author_key, h.handle, coalesce(h.spans, false),
                   coalesce(pic.clusters, []), coalesce(dest.reaches, [])
            FROM c JOIN m USING (campaign_id) JOIN (SELECT uid, thread_id, author_key, created_at FROM {posts}) p USING (uid)
            LEFT JOIN hand h ON h.platform = m.platform AND h.author_key = p.author_key
            LEFT JOIN pic USING (uid) LEFT JOIN dest USING (uid)
            ORDER BY c.campaign_id, p.created_at, m.uid""",
        params,
    ).fetchall()
    return _build(rows)


def _build(rows: Sequence[tuple[Any, ...]]) -> PlanGraph:
    campaigns: list[Campaign] = []
    for (
        cid,
        req,
        cplace,
        target,
        uid,
        part,
        anchor,
        plat,
        comm,
        thread,
        author,
        handle,
        spans,
        pics,
        reaches,
    ) in rows:
        if not campaigns or campaigns[-1].cid != cid:
            campaigns.append(Campaign(str(cid), str(req), str(cplace), _opt(target), []))
        place = f"{plat}:{comm}"
        keys = {f"community:{place}", f"hub:{place}", f"thread:{place}:{thread or ''}"}
        if author is not None:
            actor = f"{plat}:{author}"
            keys.add(f"creator:{actor}")
        if handle is not None and spans:
            keys.add(f"handle:{handle}")
        keys.update(f"cluster:{c}" for c in pics)
        campaigns[-1].members.append(
            Member(str(uid), str(part), _opt(anchor), place, frozenset(keys), tuple(reaches))
        )
    index: dict[str, set[int]] = defaultdict(set)
    keys_of: list[frozenset[str]] = []
    for i, c in enumerate(campaigns):
        keys = {k for m in c.members for k in m.keys}
        for place in reach_of(c, [True] * len(c.members), frozenset()):
            keys.update((f"hub:{place}", f"community:{place}"))
        for k in keys:
            index[k].add(i)
        keys_of.append(frozenset(keys))
    return PlanGraph(campaigns, _touches(campaigns), dict(index), keys_of)


def _opt(v: object) -> str | None:
    return None if v is None else str(v)


def reach_of(c: Campaign, alive: list[bool], blocked: frozenset[str] | set[str]) -> set[str]:
    """Places other than its own community that a campaign's living members were seen in or
    invited to, less the places removed."""
    out: set[str] = set()
    for m, ok in zip(c.members, alive, strict=True):
        if ok:
            out.add(m.place)
            out.update(m.reaches)
    out.discard(c.place)
    return {p for p in out if f"hub:{p}" not in blocked and f"community:{p}" not in blocked}


def _touches(campaigns: list[Campaign]) -> dict[str, dict[str, set[int]]]:
    """Which campaigns each candidate can change, per kind.

    Creators are authors of a fulfilment; threads and communities hold a request; hubs are places
    a campaign reached from elsewhere; handles span platforms; clusters were seen in two places.
    """
    touches: dict[str, dict[str, set[int]]] = {k: defaultdict(set) for k in KINDS}
    cluster_places: dict[str, set[str]] = defaultdict(set)
    for i, c in enumerate(campaigns):
        everyone = [True] * len(c.members)
        for place in reach_of(c, everyone, frozenset()):
            touches["hub"][f"hub:{place}"].add(i)
        for m in c.members:
            for k in m.keys:
                kind = k.split(":", 1)[0]
                if kind == "creator" and m.part == "fulfillment":
                    touches["creator"][k].add(i)
                elif kind in ("thread", "community") and m.part == "request":
                    touches[kind][k].add(i)
                elif kind == "handle":
                    touches["handle"][k].add(i)
                elif kind == "cluster":
                    touches["cluster"][k].add(i)
                    cluster_places[k].add(m.place)
    # a creator, thread or community also touches every other campaign it has posts in
    for i, c in enumerate(campaigns):
        for m in c.members:
            for k in m.keys:
                kind = k.split(":", 1)[0]
                if kind in ("creator", "thread", "community", "hub") and k in touches[kind]:
                    touches[kind][k].add(i)
    touches["cluster"] = {k: v for k, v in touches["cluster"].items() if len(cluster_places[k]) > 1}
    return {k: dict(v) for k, v in touches.items()}
