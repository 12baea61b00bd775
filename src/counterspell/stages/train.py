"""Training the role model (``counterspell train``) from labelled synthetic data plus imported labels.

The synthetic generator writes a corpus using three quarters of its phrase banks (the fourth is
kept for evaluation), which is ingested into a scratch workspace so that training sees exactly
what ``analyze`` sees: the same adapters, the same text stages, the same structural context
(parent roles and recent thread roles come from the ground truth, dropped at random half the time
so the model also works on the first pass, without them). Needs scikit-learn (``[ml]`` extra).
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..errors import CounterspellError
from ..lake.ingest import ingest
from ..lake.query import communities
from ..lake.workspace import Workspace
from ..synth import generate
from ..synth import phrases as synth_phrases
from .analyze import _batches, post_view, text_signals
from .roles import N_FEATURES, ROLE_INDEX, ROLES, RoleModel, feature_tokens, hash_tokens


@dataclass
class TrainReport:
    examples: int
    labelled: int
    heldout_accuracy: float
    temperature: float
    path: Path


def synthetic_workspace(
    root: Path, posts: int, seed: int, split: str | None
) -> tuple[Workspace, dict[str, tuple[str, set[str]]]]:
    """Generate a corpus with the given phrase split, ingest it, and return it with its truth:
    each post's role and flags, by uid."""
    synth_phrases.set_split(split)
    try:
        summary = generate(root / "corpus", posts=posts, seed=seed, media_files=False)
    finally:
        synth_phrases.set_split(None)
    ws = Workspace.init(root / "ws")
    ingest(ws, [str(root / "corpus")])
    truth: dict[str, tuple[str, set[str]]] = {}
    with open(summary.truth_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            uid = f"{row['platform']}:{row['community']}:{row['post_id']}"
            truth[uid] = (row["role"], {x for x in row["flags"].split(";") if x})
    return ws, truth


def examples(
    ws: Workspace, labels: dict[str, str], dropout: float, seed: int
) -> Iterator[tuple[np.ndarray, int]]:
    """(hashed features, role index) for every labelled post, with context from the labels."""
    rng = random.Random(seed)
    for platform, community, _ in communities(ws):
        by_uid: dict[str, tuple[str, float]] = {}
        recent: dict[str, list[tuple[float, str]]] = {}
        for batch in _batches(ws, platform, community):
            cols = batch.to_pydict()
            for i in range(len(cols["uid"])):
                uid = cols["uid"][i]
                role = labels.get(uid)
                ts = float(cols["ts"][i] or 0.0)
                thread = cols["thread_id"][i]
                s = text_signals(cols["text"][i] or "", cols["subject"][i], cols["links"][i])
                v = post_view(cols, i, s)
                if rng.random() >= dropout:
                    for p in cols["parent_uids"][i] or []:
                        if p in by_uid:
                            v.parent_role, t0 = by_uid[p]
                            v.parent_gap_s = ts - t0
                            break
                    v.recent_roles = [r for t, r in recent.get(thread, []) if 0 <= ts - t <= 3600]
                if role is not None:
                    by_uid[uid] = (role, ts)
                    recent.setdefault(thread, []).append((ts, role))
                    recent[thread] = recent[thread][-8:]
                    yield hash_tokens(feature_tokens(v)), ROLE_INDEX[role]


def _matrix(rows: list[np.ndarray]) -> object:
    from scipy.sparse import csr_matrix

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows) if rows else np.empty(0, np.int64)
    lengths = np.diff(indptr)
    values = np.repeat(
        (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32), lengths
    )  # L2 rows, as at inference
    return csr_matrix((values, indices, indptr), shape=(len(rows), N_FEATURES))


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    best_t, best_nll = 1.0, float("inf")
    for t in np.linspace(0.5, 4.0, 36):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -float(logp[np.arange(len(y)), y].mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def train(
    output: Path,
    *,
    posts: int = 60_000,
    seed: int = 101,
    labels_ws: Workspace | None = None,
    labels: dict[str, str] | None = None,
) -> TrainReport:
    """Train on a synthetic corpus (training phrase split) plus imported labels; save to ``output``."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise CounterspellError(
            "training needs scikit-learn: pip install 'counterspell[ml]'"
        ) from None
    with tempfile.TemporaryDirectory(prefix="cs-train-") as tmp:
        ws, truth = synthetic_workspace(Path(tmp), posts, seed, "train")
        data = list(
            examples(ws, {uid: role for uid, (role, _) in truth.items()}, dropout=0.5, seed=seed)
        )
    labelled: list[tuple[np.ndarray, int]] = []
    if labels_ws is not None and labels:
        labelled = list(examples(labels_ws, labels, dropout=0.5, seed=seed))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data))
    cut = int(len(order) * 0.9)
    fit_rows = [data[i] for i in order[:cut]] + labelled * 5  # reviewed labels count more
    cal_rows = [data[i] for i in order[cut:]]
    x = _matrix([r for r, _ in fit_rows])
    y = np.array([c for _, c in fit_rows])
    clf = LogisticRegression(C=2.0, max_iter=300, tol=1e-3)
    clf.fit(x, y)
    weights = np.zeros((len(ROLES), N_FEATURES), np.float32)
    bias = np.zeros(len(ROLES), np.float32)
    for k, cls in enumerate(clf.classes_):
        weights[int(cls)] = clf.coef_[k]
        bias[int(cls)] = clf.intercept_[k]
    model = RoleModel(
        weights,
        bias,
        1.0,
        version=datetime.now(UTC).strftime("%Y%m%d") + f"-s{seed}-n{len(fit_rows)}",
    )
    cal_y = np.array([c for _, c in cal_rows])
    cal_logits = model.logits([r for r, _ in cal_rows])
    model.temperature = _fit_temperature(cal_logits, cal_y)
    accuracy = float((cal_logits.argmax(axis=1) == cal_y).mean()) if len(cal_y) else 0.0
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save(output)
    return TrainReport(len(data), len(labelled), accuracy, model.temperature, output)
