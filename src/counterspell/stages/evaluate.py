"""``counterspell evaluate``: how good are roles and flags, measured so that we cannot fool ourselves.

Three measurements:

1. **held-out synthetic**: a corpus from a seed never trained on, written only with the quarter of
   every phrase bank that training never sees;
2. **real fixtures**: the share of ordinary real posts (4chan, Telegram, Discord fixtures) given
   any role but ``other`` or any flag; all of them are ordinary talk, so every one is a false
   positive;
3. **your labels** (``--labels FILE``): the workspace's analysed posts against reviewed labels.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..lake.ingest import ingest
from ..lake.query import connect
from ..lake.workspace import Workspace
from .analyze import analyze, load_model
from .labels import FLAGS
from .roles import ROLE_INDEX, ROLES, RoleModel


@dataclass
class Metrics:
    n: int
    accuracy: float
    per_role: dict[str, dict[str, float]]
    confusion: list[list[int]]
    flags: dict[str, dict[str, float]]
    minor_risk_recall: float | None
    minor_risk_support: int


@dataclass
class RealRates:
    posts: int
    non_other: int
    flagged: int
    by_role: dict[str, int] = field(default_factory=dict)
    by_flag: dict[str, int] = field(default_factory=dict)

    @property
    def role_rate(self) -> float:
        return self.non_other / self.posts if self.posts else 0.0

    @property
    def flag_rate(self) -> float:
        return self.flagged / self.posts if self.posts else 0.0


def score(truth: dict[str, tuple[str, set[str]]], pred: dict[str, tuple[str, set[str]]]) -> Metrics:
    uids = [u for u in truth if u in pred]
    y = np.array([ROLE_INDEX[truth[u][0]] for u in uids], dtype=np.int64)
    p = np.array([ROLE_INDEX[pred[u][0]] for u in uids], dtype=np.int64)
    k = len(ROLES)
    conf = np.zeros((k, k), dtype=np.int64)
    np.add.at(conf, (y, p), 1)
    per_role = {}
    for i, role in enumerate(ROLES):
        tp = conf[i, i]
        prec = tp / conf[:, i].sum() if conf[:, i].sum() else 0.0
        rec = tp / conf[i].sum() if conf[i].sum() else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_role[role] = {
            "precision": round(float(prec), 4),
            "recall": round(float(rec), 4),
            "f1": round(float(f1), 4),
            "support": int(conf[i].sum()),
        }
    flags = {}
    for flag in FLAGS:
        tp = sum(1 for u in uids if flag in truth[u][1] and flag in pred[u][1])
        fp = sum(1 for u in uids if flag not in truth[u][1] and flag in pred[u][1])
        fn = sum(1 for u in uids if flag in truth[u][1] and flag not in pred[u][1])
        flags[flag] = {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
            "support": tp + fn,
        }
    minor = flags["minor_risk"]
    return Metrics(
        n=len(uids),
        accuracy=round(float((y == p).mean()), 4) if len(uids) else 0.0,
        per_role=per_role,
        confusion=conf.tolist(),
        flags=flags,
        minor_risk_recall=minor["recall"] if minor["support"] else None,
        minor_risk_support=int(minor["support"]),
    )


def predictions(ws: Workspace) -> dict[str, tuple[str, set[str]]]:
    if not ws.has_data("enrichments"):
        return {}
    glob = ws.dataset_glob("enrichments").replace("'", "''")
    rows = (
        connect()
        .execute(f"SELECT uid, role, flags FROM read_parquet('{glob}', union_by_name = true)")
        .fetchall()
    )
    return {uid: (role, set(flags or [])) for uid, role, flags in rows}


def heldout_synthetic(model: RoleModel, posts: int = 20_000, seed: int = 202) -> Metrics:
    """Score on a fresh seed written only with held-out phrasing."""
    from .train import synthetic_workspace

    with tempfile.TemporaryDirectory(prefix="cs-eval-") as tmp:
        ws, truth = synthetic_workspace(Path(tmp), posts, seed, "test")
        analyze(ws, model=model, graph=False)
        return score(truth, predictions(ws))


def real_fixture_rates(fixtures: Path, model: RoleModel) -> RealRates | None:
    """False-positive rates on real, ordinary posts (every non-``other`` role or flag is wrong)."""
    dirs = [fixtures / d for d in ("4chan", "telegram", "discord") if (fixtures / d).exists()]
    if not dirs:
        return None
    with tempfile.TemporaryDirectory(prefix="cs-real-") as tmp:
        ws = Workspace.init(Path(tmp) / "ws")
        ingest(ws, [str(d) for d in dirs])
        analyze(ws, model=model, graph=False)
        pred = predictions(ws)
    rates = RealRates(posts=len(pred), non_other=0, flagged=0)
    for role, flags in pred.values():
        if role != "other":
            rates.non_other += 1
            rates.by_role[role] = rates.by_role.get(role, 0) + 1
        if flags:
            rates.flagged += 1
            for f in flags:
                rates.by_flag[f] = rates.by_flag.get(f, 0) + 1
    return rates


def against_labels(ws: Workspace, labels_path: str) -> Metrics:
    from .labels import read_csv, resolve

    resolved = resolve(ws, read_csv(labels_path))
    truth = {uid: (lb.role, set(lb.flags)) for uid, lb in resolved.items()}
    return score(truth, predictions(ws))


def save(ws: Workspace | None, report: dict[str, Any]) -> Path | None:
    """Keep the last evaluation in the workspace, for reports' methods sections."""
    if ws is None:
        return None
    path = ws.root / "models" / "evaluation.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    report = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), **report}
    path.write_text(
        json.dumps(
            report,
            indent=2,
            default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o),
        )
    )
    return path


__all__ = [
    "Metrics",
    "RealRates",
    "against_labels",
    "heldout_synthetic",
    "load_model",
    "real_fixture_rates",
    "save",
    "score",
]
