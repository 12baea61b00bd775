"""Ingest: input files -> adapters -> the lake (posts, manifest, quarantine).

The lake (:mod:`counterspell.lake`) is storage only; this package orchestrates adapters into it.
"""

from .inputs import (
    INPUT_EXTENSIONS,
    expand_inputs,
    file_sha256,
    ingest_lock,
    new_run_id,
    resolve_tz,
)
from .reading import read_items
from .results import FileOutcome, IngestResult, Progress
from .run import ingest

__all__ = [
    "INPUT_EXTENSIONS",
    "FileOutcome",
    "IngestResult",
    "Progress",
    "expand_inputs",
    "file_sha256",
    "ingest",
    "ingest_lock",
    "new_run_id",
    "read_items",
    "resolve_tz",
]
