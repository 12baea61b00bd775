"""The lake: a workspace folder of Parquet datasets with a manifest, queried with DuckDB."""

from .manifest import Manifest
from .workspace import Workspace

__all__ = ["Manifest", "Workspace"]
