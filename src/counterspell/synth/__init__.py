"""Synthetic, fictional, non-graphic corpora in the real export formats, with ground truth."""

from .writers.common import Summary
from .writers.corpus import generate
from .writers.truth import TRUTH_COLUMNS

__all__ = ["TRUTH_COLUMNS", "Summary", "generate"]
