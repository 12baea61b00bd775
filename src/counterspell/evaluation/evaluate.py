"""``counterspell evaluate``: how good are roles and flags, measured so that we cannot fool ourselves.

Four measurements:

1. **held-out synthetic**: a corpus from a seed never trained on, written only by the grammar
   families that training never sees (:data:`counterspell.synth.families.HELDOUT`);
2. **negatives** (``--negatives FILE``): real text that requests nothing (abusive, sexist or
   ordinary talk); the *alarm rate* is the share of posts given a harmful role or any flag, per
   source, on the half of the rows training never uses (:func:`~.train.in_training_half`);
3. **real fixtures** (``--real DIR``): the same on ordinary real exports;
4. **your labels** (``--labels FILE``): the workspace's analysed posts against reviewed labels.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CounterspellError
from ..ingest import ingest
from ..lake.datasets import enriched_sql
from ..lake.query import connect, posts_relation_sql
from ..lake.workspace import Workspace
from ..pipeline.analyze import analyze, load_model
from ..stages.roles import FLAGS, HARMFUL_ROLES, MODEL_PATH, ROLE_INDEX, ROLES, RoleModel


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
    """What ordinary real posts were wrongly given. ``non_other`` counts any role but ``other``;
    an *alarm* is a harmful role (not ``other`` or ``counter_speech``) or any flag."""

    posts: int
    non_other: int
    flagged: int
    alarms: int = 0
    by_role: dict[str, int] = field(default_factory=dict)
    by_flag: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # uids of a few alarms, to look at

    @property
    def role_rate(self) -> float:
        return self.non_other / self.posts if self.posts else 0.0

    @property
    def flag_rate(self) -> float:
        return self.flagged / self.posts if self.posts else 0.0

    @property
    def alarm_rate(self) -> float:
        return self.alarms / self.posts if self.posts else 0.0

    def add(self, uid: str, role: str, flags: set[str]) -> None:
        self.posts += 1
        if role != "other":
            self.non_other += 1
            self.by_role[role] = self.by_role.get(role, 0) + 1
        if flags:
            self.flagged += 1
            for f in flags:
                self.by_flag[f] = self.by_flag.get(f, 0) + 1
        if role in HARMFUL_ROLES or flags:
            self.alarms += 1
            if len(self.examples) < 20:
                self.examples.append(uid)


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
            "predicted": tp + fp,
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
    """Each analysed post's role and flags (with the flags its campaign passes on)."""
    if not ws.has_data("enrichments"):
        return {}
    rows = connect().execute(f"SELECT uid, role, flags FROM {enriched_sql(ws)}").fetchall()
    return {uid: (role, set(flags or [])) for uid, role, flags in rows}


def predictions_uids(ws: Workspace, exclude: set[str] | None = None) -> dict[str, str]:
    """uid -> the name of the input file it came from, for every post not in ``exclude``."""
    rows = connect().execute(f"SELECT uid, source.file FROM {posts_relation_sql(ws)}").fetchall()
    skip = exclude or set()
    return {uid: Path(str(src or "")).name for uid, src in rows if uid not in skip}


def heldout_synthetic(
    model: RoleModel,
    posts: int = 20_000,
    seed: int = 202,
    families: str | tuple[str, ...] = "heldout",
) -> Metrics:
    """Score on a fresh seed written only by grammar families training never saw."""
    from .train import synthetic_workspace

    with tempfile.TemporaryDirectory(prefix="cs-eval-") as tmp:
        ws, truth = synthetic_workspace(Path(tmp), posts, seed, families)
        analyze(ws, model=model)  # with the campaigns: their members inherit minor_risk
        return score(truth, predictions(ws))


def negative_rates(
    paths: Sequence[str | Path], model: RoleModel, evaluation_half: bool = True
) -> dict[str, RealRates]:
    """Alarm rates per source file on real text that requests nothing (every alarm is wrong).

    Only the rows training never used count (``evaluation_half``), whatever was passed to train.
    """
    from .train import in_training_half

    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise CounterspellError(f"{missing[0]}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="cs-neg-") as tmp:
        ws = Workspace.init(Path(tmp) / "ws")
        ingest(ws, [str(p) for p in paths])
        analyze(ws, model=model, graph=False)
        pred = predictions(ws)
        sources = predictions_uids(ws)
    out: dict[str, RealRates] = {}
    for uid, (role, flags) in sorted(pred.items()):
        if evaluation_half and in_training_half(uid):
            continue
        rates = out.setdefault(sources.get(uid, "?"), RealRates(0, 0, 0))
        rates.add(uid, role, flags)
    return out


def real_fixture_rates(
    fixtures: Path, model: RoleModel, evaluation_half: bool = False
) -> RealRates | None:
    """False-positive rates on real, ordinary posts (every non-``other`` role or flag is wrong)."""
    from .train import in_training_half

    dirs = [fixtures / d for d in ("4chan", "telegram", "discord") if (fixtures / d).exists()]
    if not dirs:
        return None
    with tempfile.TemporaryDirectory(prefix="cs-real-") as tmp:
        ws = Workspace.init(Path(tmp) / "ws")
        ingest(ws, [str(d) for d in dirs])
        analyze(ws, model=model, graph=False)
        pred = predictions(ws)
    rates = RealRates(posts=0, non_other=0, flagged=0)
    for uid, (role, flags) in sorted(pred.items()):
        if evaluation_half and in_training_half(uid):
            continue
        rates.add(uid, role, flags)
    return rates


def against_labels(ws: Workspace, labels_path: str) -> Metrics:
    from .labels import read_csv, resolve

    resolved = resolve(ws, read_csv(labels_path))
    truth = {uid: (lb.role, set(lb.flags)) for uid, lb in resolved.items()}
    return score(truth, predictions(ws))


def save(ws: Workspace | None, report: dict[str, Any]) -> Path | None:
    """Keep the evaluation in the workspace, for reports' methods sections.

    A run adds its parts to what earlier runs of the same model measured (an ``evaluate
    --labels`` run replaced the held-out figures before, and the report then had neither); each
    part keeps when it was measured. Another model's figures are dropped."""
    if ws is None:
        return None
    path = ws.root / "models" / "evaluation.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    earlier: dict[str, Any] = {}
    with contextlib.suppress(FileNotFoundError, ValueError):  # none yet, or one cut short
        earlier = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(earlier, dict) or earlier.get("model_version") != report.get("model_version"):
        earlier = {}
    when = dict(earlier.get("parts_measured_at") or {})
    when.update({k: now for k in report if k not in ("model_version", "model_info")})
    report = {**earlier, **report, "measured_at": now, "parts_measured_at": when}
    path.write_text(
        json.dumps(
            report,
            indent=2,
            default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o),
        )
    )
    return path


CARD_PATH = MODEL_PATH.with_name("roles_model.card.json")  # shipped beside the model


def macro_f1(m: Metrics) -> float:
    return round(sum(v["f1"] for v in m.per_role.values()) / max(len(m.per_role), 1), 4)


def card_entries(report: dict[str, Any], labels_name: str | None = None) -> dict[str, Any]:
    """The headline figures of one ``evaluate`` run, as model-card sections."""
    out: dict[str, Any] = {}

    def summary(m: Metrics) -> dict[str, Any]:
        return {
            "posts": m.n,
            "macro_f1": macro_f1(m),
            "f1": {r: v["f1"] for r, v in m.per_role.items()},
            "minor_risk_recall": m.minor_risk_recall,
        }

    h = report.get("heldout_synthetic")
    if isinstance(h, Metrics):
        out["heldout_families"] = {"families": report.get("heldout_families"), **summary(h)}
    if isinstance(report.get("labels"), Metrics):
        out[f"labels:{labels_name or 'labels'}"] = summary(report["labels"])
    for key, value in (report.get("negatives") or {}).items():
        out[f"negatives:{key}"] = {
            "posts": value["posts"],
            "alarm_rate": round(value["alarm_rate"], 5),
        }
    if report.get("real_fixtures"):
        rf = report["real_fixtures"]
        out["real_fixtures"] = {"posts": rf["posts"], "alarm_rate": round(rf["alarm_rate"], 5)}
    for key in ("campaigns", "campaigns_heldout", "campaigns_heldout_no_quotes"):
        c = report.get(key)
        if c:
            name = f"campaigns:{labels_name}" if key == "campaigns" and labels_name else key
            out[name] = {k: c[k] for k in ("precision", "recall", "f1", "requests_found")}
    return out


def write_card(path: Path, model: RoleModel, entries: dict[str, Any]) -> None:
    """Merge measured figures into a model card (sections of earlier runs are kept unless this
    run measured them again; a card for another model version starts afresh)."""
    card: dict[str, Any] = {}
    if path.exists():
        card = json.loads(path.read_text(encoding="utf-8"))
    if card.get("model_version") != model.version:
        card = {"model_version": model.version, "model_info": model.info, "sections": {}}
    stamp = datetime.now(UTC).date().isoformat()
    for key, value in entries.items():
        card["sections"][key] = {"measured_at": stamp, **value}
    path.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_card(path: Path | None = None) -> dict[str, Any] | None:
    """The shipped model's card, when the model in use is the shipped one."""
    p = path or CARD_PATH
    if not p.exists():
        return None
    card: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return card


__all__ = [
    "CARD_PATH",
    "Metrics",
    "RealRates",
    "against_labels",
    "card_entries",
    "heldout_synthetic",
    "load_model",
    "macro_f1",
    "negative_rates",
    "predictions_uids",
    "read_card",
    "real_fixture_rates",
    "save",
    "score",
    "write_card",
]
