"""Training the role model (``counterspell train``) so that its figures cannot flatter it.

Data:

* synthetic corpora written only by the **training grammar families**
  (:data:`counterspell.synth.families.TRAIN`); evaluation uses the held-out families, whose
  phrasing the model never sees;
* **real negatives** (``negatives``: JSONL files of ordinary, sexist or abusive talk that requests
  nothing, e.g. the Davidson tweets and HateCheck) and **real ordinary exports** (``real``:
  folders of 4chan/Telegram/Discord exports), all ``other``; only the half of their rows whose uid
  falls in the training half (:func:`in_training_half`); ``evaluate`` measures on the other half;
* the workspace's imported labels and review decisions, weighted higher.

Steps:

1. everything is ingested into a scratch workspace and goes through the analyze code (adapters,
   text stages, thread pass), so training sees exactly what ``analyze`` sees;
2. the **text model** (logistic regression over hashed features) is fitted on every labelled post;
   its out-of-fold scores (three folds by thread) are kept, so that the context model learns from
   text evidence as unsure as it is on text the model never saw;
3. the **context model** (one hidden layer) is fitted on the thread pass's feature rows: first with
   context taken from the words alone, then again with context from the first context model, as
   the waves of ``analyze`` do;
4. a temperature is fitted on a held-out tenth of the threads.

Needs scikit-learn (``[ml]`` extra).
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CounterspellError
from ..ingest import ingest
from ..lake.query import communities
from ..lake.workspace import Workspace
from ..pipeline.analyze import _batches, build_first_seen
from ..stages.roles import (
    N_FEATURES,
    ROLE_INDEX,
    ROLES,
    ContextModel,
    RoleModel,
    TextModel,
    hash_tokens,
    text_tokens,
)
from ..stages.text import text_signals, thread_posts
from ..stages.thread import FEATURES, STATIC, ThreadPass, ThreadPost
from ..synth import generate

FOLDS = 3
HIDDEN = 64
TRAIN_MINOR_RATE = 0.1  # more minor-risk requests than real life: their cues must be learned
LABEL_WEIGHT = 5.0  # a reviewed label counts as much as five synthetic posts


def in_training_half(uid: str) -> bool:
    """Real rows are split in two by a hash of their uid: training uses one half, evaluation the
    other, so an alarm rate is never measured on a row the model learned from."""
    return hashlib.blake2b(uid.encode("utf-8"), digest_size=2).digest()[0] % 2 == 0


@dataclass
class TrainReport:
    examples: int
    labelled: int
    negatives: int
    heldout_accuracy: float
    temperature: float
    path: Path
    families: tuple[str, ...] = ()
    per_source: dict[str, int] = field(default_factory=dict)


def synthetic_workspace(
    root: Path,
    posts: int,
    seed: int,
    families: str | tuple[str, ...] | None,
    minor_rate: float = 0.04,
) -> tuple[Workspace, dict[str, tuple[str, set[str]]]]:
    """Generate a corpus written by ``families``, ingest it, and return it with its truth: each
    post's role and flags, by uid."""
    from ..pipeline.hash_media import hash_media

    summary = generate(
        root / "corpus", posts=posts, seed=seed, families=families, minor_rate=minor_rate
    )
    ws = Workspace.init(root / "ws")
    ingest(ws, [str(root / "corpus")])
    hash_media(ws, workers=1)  # MD5s of the Telegram and Discord files: reposts are evidence
    return ws, read_truth(summary.truth_path)


def read_truth(path: str | Path) -> dict[str, tuple[str, set[str]]]:
    truth: dict[str, tuple[str, set[str]]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            uid = f"{row['platform']}:{row['community']}:{row['post_id']}"
            truth[uid] = (row["role"], {x for x in row["flags"].split(";") if x})
    return truth


def _fold(thread: str) -> int:
    return hashlib.blake2b(thread.encode("utf-8"), digest_size=2).digest()[0] % FOLDS


@dataclass
class _Community:
    posts: list[list[ThreadPost]]  # batches
    feats: list[list[list[str]]]  # text features of each batch's posts
    labels: list[list[int]]  # role index or -1
    weights: list[list[float]]
    folds: list[list[int]]


def _collect(ws: Workspace, labels: dict[str, tuple[int, float]]) -> list[_Community]:
    """Every community of ``ws`` through the analyze code, with the labels of its posts."""
    out: list[_Community] = []
    for platform, community, _ in communities(ws):
        c = _Community([], [], [], [], [])
        for batch in _batches(ws, platform, community):
            cols = batch.to_pydict()
            n = len(cols["uid"])
            signals = {
                i: text_signals(cols["text"][i] or "", cols["subject"][i], cols["links"][i])
                for i in range(n)
            }
            posts = thread_posts(cols, signals)
            c.posts.append(posts)
            feats = []
            for p in posts:
                assert p.view is not None
                feats.append(text_tokens(p.view))
            c.feats.append(feats)
            lab = [labels.get(p.uid, (-1, 0.0)) for p in posts]
            c.labels.append([y for y, _ in lab])
            c.weights.append([w for _, w in lab])
            c.folds.append([_fold(f"{platform}:{community}:{p.thread}") for p in posts])
        out.append(c)
    return out


def _matrix(rows: list[np.ndarray]) -> Any:
    from scipy.sparse import csr_matrix

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows) if rows else np.empty(0, np.int64)
    lengths = np.diff(indptr)
    values = np.repeat((1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32), lengths)
    return csr_matrix((values, indices, indptr), shape=(len(rows), N_FEATURES))


def _balance(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Sample weights that soften the dominance of ``other`` (square-root class balancing)."""
    counts = np.bincount(y, minlength=len(ROLES)).astype(np.float64)
    factor = np.where(counts > 0, np.sqrt(counts.max() / np.maximum(counts, 1)), 0.0)
    out = w * factor[y]
    return np.asarray(out / out.mean(), dtype=np.float64)


def _fit_text(x: Any, y: np.ndarray, w: np.ndarray, c: float) -> TextModel:
    """Logistic regression over hashed features."""
    from sklearn.linear_model import LogisticRegression

    # Only the hashed features that occur in the rows are fitted: a column no row has gets no
    # gradient from the data and the L2 penalty holds it at its start, zero, so the optimum is
    # the same, while every L-BFGS step no longer walks 9 x 2^N_BITS weights (most of the time of
    # a small training run went there).
    cols = x.tocsc()
    used = np.flatnonzero(np.diff(cols.indptr))
    clf = LogisticRegression(C=c, max_iter=400, tol=1e-3)
    clf.fit(cols[:, used].tocsr(), y, sample_weight=w)
    weights = np.zeros((len(ROLES), N_FEATURES), np.float32)
    bias = np.full(len(ROLES), -20.0, np.float32)  # a role never seen in training is never said
    for k, cls in enumerate(clf.classes_):
        weights[int(cls), used] = clf.coef_[k]
        bias[int(cls)] = clf.intercept_[k]
    return TextModel(weights, bias)


TEXT_DROPOUT = 0.3  # share of rows shown again with the text evidence blanked
CONTEXT_DROPOUT = 0.2  # share of rows shown again without their thread context


def _fit_context(x: np.ndarray, y: np.ndarray, w: np.ndarray, seed: int) -> ContextModel:
    """Fit the context network. A share of the rows is repeated with the text model's scores
    replaced by a uniform guess, so the network also learns what structure alone says (on
    text in words it never saw, the text scores are often no better than that); another share
    is repeated without the thread around it, so that no single structural habit of the
    generator (a result just before every invite) becomes a condition."""
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    pick = rng.random(len(y)) < TEXT_DROPOUT
    blank = x[pick].copy()
    blank[:, : len(ROLES)] = 1.0 / len(ROLES)
    alone = rng.random(len(y)) < CONTEXT_DROPOUT
    bare = x[alone].copy()
    bare[:, len(STATIC) :] = 0.0  # the post without its thread: words and its own structure
    x = np.vstack([x, blank, bare])
    y = np.concatenate([y, y[pick], y[alone]])
    w = np.concatenate([w, w[pick], w[alone]])

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 0.05
    z = (x - mean) / scale
    clf = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,), alpha=1e-3, max_iter=200, early_stopping=True,
        validation_fraction=0.1, n_iter_no_change=8, random_state=seed,
    )  # fmt: skip
    # One BLAS thread: the products are minibatches of 200 rows by a few dozen columns, where
    # threads only wait for each other (2.6x slower on two busy cores), and one thread gives the
    # same model on any machine.
    with threadpool_limits(limits=1, user_api="blas"):
        clf.fit(z, y, sample_weight=w)
    w2 = np.zeros((HIDDEN, len(ROLES)), np.float32)
    b2 = np.full(len(ROLES), -20.0, np.float32)
    for k, cls in enumerate(clf.classes_):
        w2[:, int(cls)] = clf.coefs_[1][:, k]
        b2[int(cls)] = clf.intercepts_[1][k]
    return ContextModel(FEATURES, mean, scale, clf.coefs_[0], clf.intercepts_[0], w2, b2)


def _run_pass(
    data: list[_Community], model: RoleModel, logits: list[list[np.ndarray]], waves: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The thread pass over every community; per wave, (features, labels, weights, folds) of the
    labelled posts."""
    per_wave: list[list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = [
        [] for _ in range(waves)
    ]
    for ci, c in enumerate(data):
        tp = ThreadPass(model, waves=waves)
        for bi, posts in enumerate(c.posts):
            tp.rows = []
            tp.judge(posts, explain=False, text_logits=logits[ci][bi])
            y = np.array(c.labels[bi])
            keep = y >= 0
            for wi, x in enumerate(tp.rows[:waves]):
                per_wave[wi].append(
                    (x[keep], y[keep], np.array(c.weights[bi])[keep], np.array(c.folds[bi])[keep])
                )
            for wi in range(len(tp.rows), waves):  # converged early: the last wave repeats
                per_wave[wi].append(per_wave[len(tp.rows) - 1][-1])
    return [
        (
            np.vstack([a for a, *_ in rows]),
            np.concatenate([b for _, b, *_ in rows]),
            np.concatenate([c for *_, c, _ in rows]),
            np.concatenate([d for *_, d in rows]),
        )
        for rows in per_wave
    ]


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
    families: str | tuple[str, ...] = "train",
    negatives: Iterable[str | Path] = (),
    real: Iterable[str | Path] = (),
    labels_ws: Workspace | None = None,
    labels: dict[str, str] | None = None,
    progress: Any = None,
) -> TrainReport:
    """Train both models and save them to ``output``."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise CounterspellError(
            "training needs scikit-learn: pip install 'counterspell[ml]'"
        ) from None
    say = progress or (lambda _msg: None)
    neg_paths, real_paths = [Path(p) for p in negatives], [Path(p) for p in real]
    for p in [*neg_paths, *real_paths]:
        if not p.exists():
            raise CounterspellError(f"{p}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="cs-train-") as tmp:
        say(f"writing {posts:,} synthetic posts ({families} families)")
        ws, truth = synthetic_workspace(Path(tmp), posts, seed, families, TRAIN_MINOR_RATE)
        lab: dict[str, tuple[int, float]] = {
            uid: (ROLE_INDEX[role], 1.0) for uid, (role, _) in truth.items()
        }
        per_source: dict[str, int] = {"synthetic": len(lab)}
        if neg_paths or real_paths:
            say("ingesting real negatives")
            before = set(lab)
            ingest(ws, [str(p) for p in [*neg_paths, *real_paths]])
            from .evaluate import predictions_uids

            for uid, source in predictions_uids(ws, exclude=before).items():
                if in_training_half(uid):
                    lab[uid] = (ROLE_INDEX["other"], 1.0)
                    per_source[source] = per_source.get(source, 0) + 1
        say("text stages over the training corpus")
        build_first_seen(ws)
        data = _collect(ws, lab)
        extra: list[_Community] = []
        if labels_ws is not None and labels:
            extra = _collect(
                labels_ws, {u: (ROLE_INDEX[r], LABEL_WEIGHT) for u, r in labels.items()}
            )
        data += extra
        n_labelled = sum(1 for c in extra for b in c.labels for y in b if y >= 0)
        # 1. the text model, and its out-of-fold scores
        rows = [hash_tokens(f) for c in data for b in c.feats for f in b]
        y_all = np.array([y for c in data for b in c.labels for y in b])
        w_all = np.array([w for c in data for b in c.weights for w in b])
        f_all = np.array([f for c in data for b in c.folds for f in b])
        x_all = _matrix(rows)
        keep = y_all >= 0
        say(f"text model on {int(keep.sum()):,} posts")
        sw = np.zeros(len(y_all))
        sw[keep] = _balance(y_all[keep], w_all[keep])
        text = _fit_text(x_all[keep], y_all[keep], sw[keep], c=4.0)
        oof = np.zeros((len(y_all), len(ROLES)), np.float32)
        for k in range(FOLDS):
            say(f"text model, fold {k + 1} of {FOLDS}")
            tr = keep & (f_all != k)
            fold = _fit_text(x_all[tr], y_all[tr], sw[tr], c=4.0)
            part = f_all == k
            oof[part] = fold.logits([rows[i] for i in np.flatnonzero(part)])
        logits: list[list[np.ndarray]] = []
        at = 0
        for c in data:
            per_batch = []
            for b in c.feats:
                per_batch.append(oof[at : at + len(b)])
                at += len(b)
            logits.append(per_batch)
        # 2. the context model: wave rows without, then with, a context model
        say("thread pass (context from words)")
        ((x1, y1, w1, f1),) = _run_pass(data, RoleModel(text, None), logits, waves=1)
        first = _fit_context(x1, y1, _balance(y1, w1), seed)
        say("thread pass (context from the first context model)")
        waves = _run_pass(data, RoleModel(text, first), logits, waves=2)
        x = np.vstack([x1, waves[1][0]])
        y = np.concatenate([y1, waves[1][1]])
        w = np.concatenate([w1, waves[1][2]])
        f = np.concatenate([f1, waves[1][3]])
        cal = f == 0
        say(f"context model on {len(y):,} rows")
        context = _fit_context(x[~cal], y[~cal], _balance(y[~cal], w[~cal]), seed)
        cal_logits = context.logits(x[cal])
        temperature = _fit_temperature(cal_logits, y[cal])
        accuracy = float((cal_logits.argmax(axis=1) == y[cal]).mean()) if cal.any() else 0.0
        final = _fit_context(x, y, _balance(y, w), seed)
    fam = families if isinstance(families, str) else ",".join(families)
    model = RoleModel(
        text,
        final,
        temperature,
        version=datetime.now(UTC).strftime("%Y%m%d") + f"-s{seed}-n{len(y_all)}",
        info={
            "families": fam,
            "negatives": ";".join(p.name for p in neg_paths),
            "real": ";".join(p.name for p in real_paths),
            "posts": str(posts),
            "seed": str(seed),
        },
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save(output)
    return TrainReport(
        examples=len(y_all),
        labelled=n_labelled,
        negatives=sum(v for k, v in per_source.items() if k != "synthetic"),
        heldout_accuracy=accuracy,
        temperature=temperature,
        path=output,
        families=tuple(fam.split(",")),
        per_source=per_source,
    )
