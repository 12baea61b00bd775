"""Near-duplicate clusters of media: the same picture under different bytes.

Two attachments are one picture when their MD5s are equal or their PDQ hashes are within the
workspace's threshold. Candidate pairs come from multi-index hashing done as a DuckDB join: the
256-bit hash is cut into sixteen 16-bit words and two hashes are compared only when one word is
equal. By the pigeonhole principle that finds every pair within distance 15, and in practice
nearly all pairs up to 31 (a pair at distance 31 keeps some word intact about 9 times in 10).
Words shared by more than ``COMMON_WORD`` hashes (flat images, borders) are skipped rather than
compared all-against-all. Connected components (SciPy, over integer ids) turn pairs into
clusters, so memory is a few bytes per distinct MD5, not a Python graph.

PDQ of low quality (under 50, ThreatExchange's cut-off) is not used: such hashes match unrelated
images.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from ..lake.datasets import CLUSTER_SCHEMA, relation
from ..lake.query import posts_relation_sql
from ..lake.workspace import Workspace
from ..lake.writer import DerivedDataset

MIN_QUALITY = 50
COMMON_WORD = 2_000


def sightings_sql(ws: Workspace) -> str:
    """Every attachment with an MD5 (reported by the platform or computed from the file)."""
    posts = posts_relation_sql(ws)
    media = relation(ws, "media")
    return f"""
        SELECT uid, platform, community, created_at, lower(item.md5) AS md5, NULL::VARCHAR AS pdq
        FROM (SELECT uid, platform, community, created_at, unnest(media) AS item FROM {posts})
        WHERE item.md5 IS NOT NULL
        UNION ALL
        SELECT uid, platform, community, created_at, lower(md5), CASE WHEN pdq_quality >= {MIN_QUALITY} THEN pdq END
        FROM {media} WHERE md5 IS NOT NULL
    """


def build_clusters(ws: Workspace, con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """Write the ``media_clusters`` dataset (one row per distinct MD5); returns the cluster count."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _nodes AS
            SELECT md5, (row_number() OVER (ORDER BY md5)) - 1 AS id, any_value(pdq) AS pdq
            FROM ({sightings_sql(ws)}) GROUP BY md5"""
    )
    n = int(con.execute("SELECT count(*) FROM _nodes").fetchall()[0][0])
    pairs = _near_pairs(con, threshold)
    out = DerivedDataset(ws.dataset("media_clusters"))
    try:
        labels = _components(n, pairs)
        con.register("_labels", pa.table({"id": np.arange(n, dtype=np.int64), "label": labels}))
        table = con.sql(
            """WITH c AS (SELECT n.md5, n.pdq, l.label FROM _nodes n JOIN _labels l USING (id))
               SELECT md5, 'mc_' || min(md5) OVER (PARTITION BY label) AS cluster, pdq,
                      count(*) OVER (PARTITION BY label) AS size
               FROM c ORDER BY cluster, md5"""
        ).to_arrow_table()
        con.unregister("_labels")
        con.execute("DROP TABLE _nodes")
        out.path().write_parquet(table.cast(CLUSTER_SCHEMA))
        out.commit()
    except BaseException:
        out.abandon()
        raise
    return len(set(table.column("cluster").to_pylist())) if n else 0


def _near_pairs(con: duckdb.DuckDBPyConnection, threshold: int) -> np.ndarray:
    """(id, id) pairs of distinct MD5s whose PDQs are within ``threshold``."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _words AS
           SELECT id, w, substr(pdq, 4 * w + 1, 4) AS word,
                  ('0x' || substr(pdq, 1, 16))::UBIGINT AS h0, ('0x' || substr(pdq, 17, 16))::UBIGINT AS h1,
                  ('0x' || substr(pdq, 33, 16))::UBIGINT AS h2, ('0x' || substr(pdq, 49, 16))::UBIGINT AS h3
           FROM _nodes, range(16) t(w)
           WHERE pdq IS NOT NULL AND length(pdq) = 64"""
    )
    rows = con.execute(
        f"""WITH common AS (SELECT w, word FROM _words GROUP BY ALL HAVING count(*) > {COMMON_WORD}),
                 usable AS (SELECT * FROM _words ANTI JOIN common USING (w, word))
            SELECT DISTINCT a.id, b.id
            FROM usable a JOIN usable b ON a.w = b.w AND a.word = b.word AND a.id < b.id
            WHERE bit_count(xor(a.h0, b.h0)) + bit_count(xor(a.h1, b.h1))
                + bit_count(xor(a.h2, b.h2)) + bit_count(xor(a.h3, b.h3)) <= {int(threshold)}"""
    ).fetchnumpy()
    con.execute("DROP TABLE _words")
    ids = list(rows.values())
    return np.stack([np.asarray(ids[0]), np.asarray(ids[1])], axis=1).astype(np.int64)


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    if n == 0:
        return np.empty(0, dtype=np.int64)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def build_cluster_sightings(ws: Workspace, con: duckdb.DuckDBPyConnection) -> int:
    """Where each picture was seen: per cluster and community, first and last sighting and posts.

    The order of first sightings is the route the material took (the board, then Telegram, then
    Discord); ``counterspell export clusters`` writes it.
    """
    from ..lake.query import replace_dataset

    clusters = relation(ws, "media_clusters")
    return replace_dataset(
        con,
        ws,
        "cluster_sightings",
        f"""SELECT c.cluster, any_value(c.size) AS cluster_md5s, s.platform, s.community,
                   min(s.created_at) AS first_seen, max(s.created_at) AS last_seen, count(DISTINCT s.uid) AS posts
            FROM ({sightings_sql(ws)}) s JOIN {clusters} c USING (md5)
            GROUP BY c.cluster, s.platform, s.community
            ORDER BY c.cluster, first_seen, s.platform, s.community""",
    )
