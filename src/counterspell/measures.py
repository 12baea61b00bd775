"""How concentrated recognition is: the two measures the research on rewards uses.

Pure functions over arrays; the actors stage computes them over the lake and the report prints
them, so they live here rather than in either.
"""

from __future__ import annotations

import numpy as np


def gini(values: np.ndarray) -> float:
    """0 when every creator gets the same recognition, towards 1 when one gets it all."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * x.sum()))


def top_share(values: np.ndarray, fraction: float = 0.05) -> float:
    """Share of all recognition that goes to the top ``fraction`` of creators (at least one)."""
    x = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    if len(x) == 0 or x.sum() == 0:
        return 0.0
    k = max(1, int(np.ceil(len(x) * fraction)))
    return float(x[:k].sum() / x.sum())


__all__ = ["gini", "top_share"]
