"""How well campaigns are reconstructed: pairwise precision and recall of membership.

Truth is a CSV ``campaign,platform,post_id,part`` (``community`` optional; the synthetic
generator's ``truth.csv`` has all of them). Every truth row found in the lake takes part; a row
with an empty campaign is a post that belongs to none. Two posts form a *true pair* when the truth
puts them in one campaign and a *predicted pair* when Counterspell does; precision is the share of
predicted pairs that are true, recall the share of true pairs that are found (the usual pairwise
clustering scores, computed from a contingency table, never by listing pairs).

Recall is also broken down for members whose post quotes what it answers and for those that do
not (most 4chan answers do not quote), and for members outside the request's community (the
distribution that crosses platforms).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..errors import InputError, Place
from ..ingest import ingest
from ..lake.datasets import relation
from ..lake.query import connect, posts_relation_sql, sql_path
from ..lake.workspace import Workspace

REQUIRED = ("campaign", "platform", "post_id", "part")
CONFIDENT = 0.5


@dataclass
class CampaignScores:
    posts: int  # truth rows found in the lake
    missing: int  # truth rows not in the lake
    true_campaigns: int
    predicted_campaigns: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    requests_found: float  # share of true requests that open a predicted campaign
    confident_precision: float  # the same pairwise scores, counting members of confidence >= 0.5
    confident_recall: float
    member_recall: dict[str, float] = field(default_factory=dict)  # by part, quoted/unquoted...


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0


def _pairs(con: duckdb.DuckDBPyConnection, where: str, group: str) -> int:
    sql = f"SELECT coalesce(sum(k * (k - 1) // 2), 0) FROM (SELECT count(*) AS k FROM _u WHERE {where} GROUP BY {group})"
    return int(con.execute(sql).fetchall()[0][0])


def _pairwise(con: duckdb.DuckDBPyConnection, predicted: str) -> tuple[int, int, int]:
    """(true pairs, predicted pairs, pairs both true and predicted) over table ``_u``."""
    return (
        _pairs(con, "tc <> ''", "tc"),
        _pairs(con, predicted, "pc"),
        _pairs(con, f"tc <> '' AND {predicted}", "tc, pc"),
    )


def csv_table(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, required: tuple[str, ...], usage: str
) -> set[str]:
    """Load a CSV the user gave as temp table ``table`` (every column text) and return its
    columns; a missing file, an unreadable one or a missing column is an error naming the file
    (``usage``: the header expected), never a database traceback."""
    if not path.exists():
        raise InputError(Place(str(path)), "no such file")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv({sql_path(path)}, header = true, all_varchar = true)"
        )
    except duckdb.Error as exc:
        raise InputError(
            Place(str(path)), f"not a readable CSV: {str(exc).splitlines()[0]}"
        ) from None
    cols = {str(r[0]) for r in con.execute(f"DESCRIBE {table}").fetchall()}
    missing = [c for c in required if c not in cols]
    if missing:
        raise InputError(
            Place(str(path), line=1), f"missing column(s) {', '.join(missing)}; expected {usage}"
        )
    return cols


def _truth_relation(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Load the truth CSV as table ``_truth``; returns whether it names communities."""
    usage = f"{','.join(REQUIRED)}[,community]"
    return "community" in csv_table(con, path, "_truth", REQUIRED, usage)


def score_campaigns(ws: Workspace, truth_path: str | Path) -> CampaignScores:
    """Compare the workspace's ``campaign_members`` with a truth CSV."""
    path = Path(truth_path)
    con = connect(ws)
    has_community = _truth_relation(con, path)
    posts = posts_relation_sql(ws)
    members = relation(ws, "campaign_members")
    on = "p.platform = t.platform AND p.post_id = t.post_id" + (
        " AND p.community = t.community" if has_community else ""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _u AS
            SELECT t.campaign AS tc, t.part AS tpart, p.uid, p.community, len(p.parent_uids) > 0 AS quoted,
                   m.campaign_id AS pc, m.part AS ppart, m.confidence AS conf
            FROM _truth t JOIN (SELECT uid, platform, community, post_id, parent_uids FROM {posts}) p ON {on}
            LEFT JOIN {members} m USING (uid)"""
    )
    total = int(con.execute("SELECT count(*) FROM _truth").fetchall()[0][0])
    n, dupes = con.execute("SELECT count(*), count(*) - count(DISTINCT uid) FROM _u").fetchall()[0]
    if dupes:
        raise InputError(
            Place(str(path)),
            f"{dupes} post ids match posts in more than one community; add a community column",
        )

    true_pairs, pred_pairs, correct = _pairwise(con, "pc IS NOT NULL")
    _, conf_pred, conf_correct = _pairwise(con, f"pc IS NOT NULL AND conf >= {CONFIDENT}")
    t_camps, p_camps = con.execute(
        "SELECT count(DISTINCT tc) FILTER (WHERE tc <> ''), count(DISTINCT pc) FROM _u"
    ).fetchall()[0]
    req = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE ppart = 'request') FROM _u WHERE tc <> '' AND tpart = 'request'"
    ).fetchall()[0]
    # A member is placed right when it shares the predicted campaign of its true request.
    rows = con.execute(
        """WITH r AS (SELECT tc, any_value(pc) AS rpc, any_value(community) AS rcom FROM _u
                      WHERE tc <> '' AND tpart = 'request' GROUP BY tc)
           SELECT u.tpart, u.quoted, u.community <> r.rcom AS elsewhere,
                  count(*), count(*) FILTER (WHERE u.pc IS NOT NULL AND u.pc = r.rpc)
           FROM _u u JOIN r USING (tc) WHERE u.tpart <> 'request' GROUP BY ALL"""
    ).fetchall()
    by: dict[str, list[int]] = {}
    for part, quoted, elsewhere, k, ok in rows:
        for key in (
            part,
            "quoted" if quoted else "unquoted",
            "other_community" if elsewhere else None,
            "all",
        ):
            if key is not None:
                acc = by.setdefault(key, [0, 0])
                acc[0] += int(k)
                acc[1] += int(ok)
    precision, recall = _ratio(correct, pred_pairs), _ratio(correct, true_pairs)
    return CampaignScores(
        posts=int(n),
        missing=total - int(n),
        true_campaigns=int(t_camps),
        predicted_campaigns=int(p_camps),
        true_pairs=true_pairs,
        predicted_pairs=pred_pairs,
        correct_pairs=correct,
        precision=precision,
        recall=recall,
        f1=_ratio(2 * precision * recall, precision + recall),
        requests_found=_ratio(int(req[1]), int(req[0])),
        confident_precision=_ratio(conf_correct, conf_pred),
        confident_recall=_ratio(conf_correct, true_pairs),
        member_recall={k: _ratio(ok, k_) for k, (k_, ok) in sorted(by.items())},
    )


def heldout_campaigns(
    posts: int = 8_000,
    seed: int = 202,
    quote_scale: float = 1.0,
    work: Path | None = None,
    families: str | tuple[str, ...] = "heldout",
) -> CampaignScores:
    """The whole pipeline on a synthetic corpus from a seed never trained on, scored on its truth."""
    from ..pipeline.analyze import analyze
    from ..pipeline.bridges import import_communities
    from ..pipeline.hash_media import hash_media
    from ..synth import generate

    with tempfile.TemporaryDirectory(dir=work) as tmp:
        root = Path(tmp)
        summary = generate(
            root / "corpus", posts=posts, seed=seed, quote_scale=quote_scale, families=families
        )
        ws = Workspace.init(root / "ws")
        ingest(ws, [str(root / "corpus")])
        import_communities(ws, root / "corpus" / "communities.csv")
        hash_media(ws)
        analyze(ws, workers=1)  # and the graph stages
        return score_campaigns(ws, summary.truth_path)


def as_dict(scores: CampaignScores) -> dict[str, Any]:
    return asdict(scores)
