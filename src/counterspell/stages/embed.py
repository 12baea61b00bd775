"""Static word embeddings as text features: what a post's words mean, beyond the words seen.

A bag of hashed n-grams knows only words it was trained on; on text written by someone else
("relight pass at the end", "deserves a medal") it has little to go on. Averaged token embeddings
from WordLlama (the token embedding table of a large language model, distilled; MIT licence,
16 MB of weights shipped inside its PyPI wheel) place unseen phrasings near seen ones.

Nothing is downloaded: the weights and the tokenizer are read from the installed ``wordllama``
package's folder (its own loader looks for the tokenizer in a folder name the wheel does not
use, so the files are opened here directly). Without the package, :func:`embedder` returns None
and the role model runs on n-grams alone. Source: wordllama 0.4.0.post1 on PyPI, files
``weights/l2_supercat_256.safetensors`` and ``tokenizers/l2_supercat_tokenizer_config.json``
(checked 2026-12-01).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

DIM = 64  # WordLlama's embeddings are Matryoshka-trained: the first 64 of 256 dims stand alone
MAX_TOKENS = 128
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


class Embedder:
    """Mean of the first :data:`DIM` dimensions of each token's embedding, L2-normalised."""

    def __init__(self, table: np.ndarray, tokenizer: object) -> None:
        self.table = np.ascontiguousarray(table[:, :DIM], dtype=np.float32)
        self.tokenizer = tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), np.float32)
        if not texts:
            return out
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)  # type: ignore[attr-defined]
        ids = [enc.ids[:MAX_TOKENS] for enc in encoded]
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        nonempty = lengths > 0
        if nonempty.any():
            flat = np.fromiter(
                (t for i in ids for t in i), dtype=np.int64, count=int(lengths.sum())
            )
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
            sums = np.add.reduceat(self.table[flat], starts, axis=0)
            out[nonempty] = sums / lengths[nonempty, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out / np.maximum(norms, 1e-6), dtype=np.float32)


@cache
def embedder() -> Embedder | None:
    """The embedder, or None when the ``wordllama`` package (and its files) are not installed."""
    import importlib.util

    spec = importlib.util.find_spec("wordllama")  # its folder, without importing the package
    if spec is None or spec.origin is None:
        return None
    try:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
    except ImportError:
        return None
    root = Path(spec.origin).parent
    weights, tok = root / WEIGHTS, root / TOKENIZER
    if not weights.exists() or not tok.exists():
        return None
    table = load_file(str(weights))["embedding.weight"]
    return Embedder(table, Tokenizer.from_file(str(tok)))


__all__ = ["DIM", "Embedder", "embedder"]
