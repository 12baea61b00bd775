"""The workspace folder: settings, secrets, the lake of Parquet datasets and its manifest.

The lake's datasets live in ``lake/`` beside the settings, or at the URL of the ``lake_url``
setting (an object store every worker of a cluster can reach). What must stay on one machine
stays in the folder wherever the datasets are: the manifest, locks, DuckDB's spill space, banks
and the case store.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import DEFAULT_TOML, Settings, load_settings
from ..errors import WorkspaceError
from .storage import LakePath

MARKER = "counterspell.toml"
# What must never be committed with a workspace: its secrets and the case store (which holds
# identities, reviewers' notes and removal requests).
GITIGNORE = ".secrets/\nstore.sqlite\nstore.sqlite-*\n"


@dataclass(frozen=True)
class Workspace:
    root: Path
    lake_url: str = ""  # where the datasets live, when not in ``root/lake``
    # Settings pinned when the workspace was sent to a worker, which may not have the folder.
    pinned: Settings | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Opening the lake here registers a remote filesystem in this process before any task
        # builds a DuckDB connection (a worker unpickles the workspace before running the task).
        object.__setattr__(self, "_lake", LakePath(self.lake_url or self.root / "lake"))

    def __reduce__(self) -> tuple[Any, tuple[Path, str, Settings]]:
        return (Workspace, (self.root, self.lake_url, self.settings))

    @property
    def lake(self) -> LakePath:
        lake: LakePath = self.__dict__["_lake"]
        return lake

    @property
    def state(self) -> Path:
        """Manifest, locks and spill space: always on this machine, wherever the lake is."""
        return self.root / "lake" / "_state"

    @property
    def manifest_path(self) -> Path:
        return self.state / "manifest.sqlite"

    def dataset(self, name: str) -> LakePath:
        return self.lake / name

    def dataset_glob(self, name: str) -> str:
        """A DuckDB/pyarrow glob over every Parquet file of one dataset."""
        return str(self.dataset(name) / "**" / "*.parquet")

    def has_data(self, name: str) -> bool:
        return self.dataset(name).has_files("**/*.parquet")

    @property
    def settings(self) -> Settings:
        return self.pinned or load_settings(self.root)

    def secret(self, name: str) -> bytes:
        """A workspace secret (e.g. the HMAC key for pseudonyms): env first, then the file."""
        # "hmac.key" -> COUNTERSPELL_SECRET_HMAC_KEY (a dot cannot be in a shell variable's name)
        env = os.environ.get("COUNTERSPELL_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper())
        if env:
            return env.encode("utf-8")
        path = self.root / ".secrets" / name
        try:
            return path.read_bytes().strip()
        except FileNotFoundError:
            raise WorkspaceError(
                f"{path}: secret {name!r} is missing; run 'counterspell init' again to create it"
            ) from None

    @classmethod
    def init(cls, root: str | os.PathLike[str], lake_url: str | None = None) -> Workspace:
        """Create (or complete) a workspace; never overwrites settings or secrets (a
        ``lake_url`` is written into a new settings file only)."""
        ws = cls(Path(root).resolve())
        if ws.root.exists() and not ws.root.is_dir():
            raise WorkspaceError(
                f"{root}: is a file, not a folder; give init a new or existing folder"
            )
        ws.root.mkdir(parents=True, exist_ok=True)
        marker = ws.root / MARKER
        if not marker.exists():
            toml = DEFAULT_TOML
            if lake_url:
                toml = toml.replace('lake_url = ""', "lake_url = " + json.dumps(lake_url))
            marker.write_text(toml, encoding="utf-8")
        elif lake_url and lake_url != load_settings(ws.root).lake_url:
            raise WorkspaceError(
                f"{marker}: the workspace exists with another lake; edit lake_url there (data is not moved)"
            )
        ws.state.mkdir(parents=True, exist_ok=True)
        ws.state.chmod(0o700)
        ws = cls(ws.root, ws.settings.lake_url)
        for name in ("hmac.key", "audit.key"):
            ws.ensure_secret(name)
        gitignore = ws.root / ".gitignore"
        have = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
        missing = [line for line in GITIGNORE.splitlines() if line not in have]
        if missing:  # workspaces made by older versions gain the new lines
            with open(gitignore, "a", encoding="utf-8") as f:
                f.write("".join(f"{line}\n" for line in missing))
        return ws

    def ensure_secret(self, name: str) -> bytes:
        """A secret under ``.secrets/``, made (random, 0600, in a 0700 folder) when missing.

        Workspaces made before a secret existed get it on first use: ``audit.key`` signs the
        audit log, so it must exist before the first entry is written.
        """
        env = os.environ.get("COUNTERSPELL_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper())
        if env:
            return env.encode("utf-8")
        sec = self.root / ".secrets"
        sec.mkdir(mode=0o700, exist_ok=True)
        path = sec / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self.secret(name)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        return self.secret(name)

    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None) -> Workspace:
        """The workspace at ``root``, ``$COUNTERSPELL_WORKSPACE``, or the current folder."""
        chosen = root or os.environ.get("COUNTERSPELL_WORKSPACE") or "."
        root = Path(chosen).resolve()
        if not (root / MARKER).exists():
            raise WorkspaceError(
                f"{root}: not a Counterspell workspace (no {MARKER}); run 'counterspell init {chosen}' or pass -w DIR"
            )
        ws = cls(root, load_settings(root).lake_url)
        ws.state.mkdir(parents=True, exist_ok=True)
        ws.lake.check_reachable()
        return ws
