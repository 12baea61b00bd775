"""Counterspell: map and disrupt sexual-deepfake request communities.

The public Python API mirrors the CLI: everything a command does is a call here.

>>> from counterspell import Workspace, ingest
>>> ws = Workspace.init("my-workspace")            # doctest: +SKIP
>>> result = ingest(ws, ["exports/"])              # doctest: +SKIP
"""

from .errors import CounterspellError, InputError, WorkspaceError
from .ingest import IngestResult, ingest
from .lake.query import export_dataset, export_posts, stats
from .lake.workspace import Workspace
from .models import POST_SCHEMA, Media, Post, Reaction, Source
from .pipeline.analyze import analyze
from .pipeline.network import build_network
from .version import __version__

__all__ = [
    "POST_SCHEMA",
    "CounterspellError",
    "IngestResult",
    "InputError",
    "Media",
    "Post",
    "Reaction",
    "Source",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "analyze",
    "build_network",
    "export_dataset",
    "export_posts",
    "ingest",
    "stats",
]
