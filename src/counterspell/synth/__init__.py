"""Synthetic, fictional, non-graphic corpora in the real export formats, with ground truth."""

from .generator import TRUTH_COLUMNS, Summary, generate

__all__ = ["TRUTH_COLUMNS", "Summary", "generate"]
