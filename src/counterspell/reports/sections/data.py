"""The report's section: 1. Data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lake.manifest import Manifest
from ...version import __version__

if TYPE_CHECKING:
    pass
from ..model import Section, rows
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("data", "Data")
    c = lake.con
    row = c.execute(
        """SELECT count(DISTINCT platform), count(DISTINCT platform || ':' || community),
                  count(DISTINCT platform || ':' || community || ':' || thread_id),
                  count(DISTINCT platform || ':' || author_key), coalesce(sum(n_media), 0),
                  min(created_at), max(created_at)
           FROM _p"""
    ).fetchall()[0]
    s.fact("posts", lake.posts)
    s.fact("platforms", int(row[0]))
    s.fact("communities", int(row[1]))
    s.fact("threads", int(row[2]))
    s.fact("authors", int(row[3]))
    s.fact("media", int(row[4]))
    s.fact("first_post", row[5].date().isoformat() if row[5] else None)
    s.fact("last_post", row[6].date().isoformat() if row[6] else None)
    s.fact("analysed", lake.analysed)
    s.tables["communities"] = rows(
        c,
        """SELECT platform, community, n.name, count(*) AS posts, count(DISTINCT thread_id) AS threads,
                  count(DISTINCT author_key) AS authors, sum(n_media)::BIGINT AS media,
                  min(created_at)::DATE AS first_post, max(created_at)::DATE AS last_post
           FROM _p LEFT JOIN _names n USING (platform, community)
           GROUP BY ALL ORDER BY posts DESC, platform, community""",
    )
    manifest = Manifest(lake.ws.manifest_path)
    try:
        s.tables["inputs"] = [
            {
                "path": r.path,
                "sha256": r.sha256,
                "format": r.format,
                "bytes": r.size,
                "posts_added": r.posts_added,
                "duplicates": r.posts_duplicate,
                "quarantined": r.quarantined,
                "ingested_at": r.ingested_at,
            }
            for r in manifest.inputs()
        ]
    finally:
        manifest.close()
    settings = lake.ws.settings
    s.tables["configuration"] = [
        {"setting": "counterspell_version", "value": __version__},
        {"setting": "scope", "value": lake.scope.describe()},
        *({"setting": k, "value": str(v)} for _sec, k, v in settings.items()),
    ]
    if not lake.posts:
        s.empty = "The workspace holds no posts in this scope: ingest exports first."
    elif not lake.analysed:
        s.empty = "No post in this scope has been analysed: run 'counterspell analyze'."
    return s
