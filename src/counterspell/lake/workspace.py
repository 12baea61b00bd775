"""The workspace folder: settings, secrets, the lake of Parquet datasets and its manifest."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..config import DEFAULT_TOML, Settings, load_settings
from ..errors import WorkspaceError

MARKER = "counterspell.toml"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def state(self) -> Path:
        return self.lake / "_state"

    @property
    def manifest_path(self) -> Path:
        return self.state / "manifest.sqlite"

    def dataset(self, name: str) -> Path:
        return self.lake / name

    def dataset_glob(self, name: str) -> str:
        """A DuckDB/pyarrow glob over every Parquet file of one dataset."""
        return str(self.dataset(name) / "**" / "*.parquet")

    def has_data(self, name: str) -> bool:
        d = self.dataset(name)
        return d.exists() and any(d.rglob("*.parquet"))

    @property
    def settings(self) -> Settings:
        return load_settings(self.root)

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
    def init(cls, root: str | os.PathLike[str]) -> Workspace:
        """Create (or complete) a workspace; never overwrites settings or secrets."""
        ws = cls(Path(root).resolve())
        ws.root.mkdir(parents=True, exist_ok=True)
        marker = ws.root / MARKER
        if not marker.exists():
            marker.write_text(DEFAULT_TOML, encoding="utf-8")
        ws.state.mkdir(parents=True, exist_ok=True)
        sec = ws.root / ".secrets"
        sec.mkdir(mode=0o700, exist_ok=True)
        key = sec / "hmac.key"
        if not key.exists():
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        gitignore = ws.root / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text(".secrets/\n", encoding="utf-8")
        return ws

    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None) -> Workspace:
        """The workspace at ``root``, ``$COUNTERSPELL_WORKSPACE``, or the current folder."""
        chosen = root or os.environ.get("COUNTERSPELL_WORKSPACE") or "."
        ws = cls(Path(chosen).resolve())
        if not (ws.root / MARKER).exists():
            raise WorkspaceError(
                f"{ws.root}: not a Counterspell workspace (no {MARKER}); run 'counterspell init {chosen}' or pass -w DIR"
            )
        ws.state.mkdir(parents=True, exist_ok=True)
        return ws
