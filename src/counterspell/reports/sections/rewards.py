"""The report's section: 4. Rewards."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...lake.datasets import (
    relation,
)
from ...measures import gini, top_share
from ...privacy import pseudonym

if TYPE_CHECKING:
    pass
from ..model import TOP_CREATORS, Chart, Row, Section, pct, plural, rows
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("rewards", "Rewards")
    c = lake.con
    per = c.execute(
        """SELECT count(*), avg(praise), median(praise), avg(react), median(react) FROM (
               SELECT f.uid, count(pr.uid) AS praise, any_value(p.n_react) AS react
               FROM _m f JOIN _p p USING (uid) LEFT JOIN _m pr ON pr.anchor_uid = f.uid AND pr.part = 'praise'
               WHERE f.part = 'fulfillment' GROUP BY f.uid)"""
    ).fetchall()[0]
    s.fact("fulfilments", int(per[0]))
    s.fact("praise_per_fulfilment", round(float(per[1]), 6) if per[1] is not None else None)
    s.fact("reactions_per_fulfilment", round(float(per[3]), 6) if per[3] is not None else None)
    s.tables["rewards_per_fulfilment"] = [
        {"fulfilments": int(per[0]), "mean_praise": per[1], "median_praise": per[2],
         "mean_reactions": per[3], "median_reactions": per[4]}
    ]  # fmt: skip
    creators: list[Row] = []
    if lake.ws.has_data("actors"):
        actors = relation(lake.ws, "actors")
        creators = rows(
            c,
            f"""SELECT a.actor_id, a.platform, a.fulfillments, a.praise_received, a.reactions_received
                FROM {actors} a SEMI JOIN (SELECT DISTINCT platform || ':' || author_key AS actor_id FROM _p) USING (actor_id)
                WHERE a.fulfillments > 0
                ORDER BY a.praise_received DESC, a.reactions_received DESC, a.fulfillments DESC, a.actor_id""",
        )
    for r in creators:  # creators appear by pseudonym only
        r["creator"] = "creator_" + pseudonym(lake.key, "actor", r.pop("actor_id"))[4:14]
    praise = [r["praise_received"] for r in creators]
    arr = np.asarray(praise, dtype=float)
    s.fact("creators", len(creators))
    s.fact("praise_gini", round(gini(arr), 6) if len(arr) else None,
           f"{gini(arr):.2f}" if len(arr) else "n/a")  # fmt: skip
    s.fact("top5_share", round(top_share(arr), 6) if len(arr) else None,
           pct(top_share(arr)) if len(arr) else "n/a")  # fmt: skip
    s.tables["creators"] = [
        {"rank": i + 1, "creator": r["creator"], "platform": r["platform"], "fulfilments": r["fulfillments"],
         "praise_received": r["praise_received"], "reactions_received": r["reactions_received"]}
        for i, r in enumerate(creators)
    ]  # fmt: skip
    total = float(arr.sum()) if len(arr) else 0.0
    ordered = np.sort(arr)
    cum = np.cumsum(ordered) / total if total else np.zeros(len(ordered))
    s.tables["lorenz"] = [{"creators_share": 0.0, "praise_share": 0.0}] + [
        {"creators_share": round((i + 1) / len(ordered), 6), "praise_share": round(float(v), 6)}
        for i, v in enumerate(cum)
    ]
    if not creators:
        s.empty = (
            "No named creators in this scope (anonymous fulfilments have no actor)."
            if s.facts["fulfilments"].value
            else "No fulfilments in this scope."
        )
        return s
    s.charts.append(
        Chart(
            "lorenz",
            "lorenz",
            "Concentration of praise among creators",
            "share of creators (poorest first)",
            "share of praise received",
            "lorenz",
            f"The top 5% of {len(creators):,} named creators receive {s.facts['top5_share'].text} of the praise "
            f"(Gini {s.facts['praise_gini'].text}).",
        )
    )
    s.tables["top_creators"] = s.tables["creators"][:TOP_CREATORS]
    s.charts.append(
        Chart(
            "top_creators",
            "barh",
            f"The {min(TOP_CREATORS, len(creators))} creators most praised",
            "praise posts received",
            "creator (pseudonym)",
            "top_creators",
            f"The most praised creator received {plural(creators[0]['praise_received'], 'praise post')} "
            f"for {plural(creators[0]['fulfillments'], 'fulfilment')}.",
            {"label": "creator", "y": "praise_received"},
        )
    )
    return s
