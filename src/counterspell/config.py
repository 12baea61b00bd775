"""Settings: defaults < ``counterspell.toml`` in the workspace < ``COUNTERSPELL_*`` env < flags.

Secrets never live here: they come from the environment or files under ``.secrets/``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import CounterspellError

# The operational store's URL comes from this variable, else it is this file in the workspace.
# They live here, not in counterspell.store.db, so that the CLI can name them and tell whether a
# workspace has a store without importing the store (SQLAlchemy and Alembic: a second per command).
STORE_URL_ENV = "COUNTERSPELL_DB"
STORE_FILE = "store.sqlite"


def store_configured(root: Path) -> bool:
    """Whether the workspace at ``root`` uses an operational store: one is configured, or its
    file exists (see :func:`counterspell.store.db.has_store`)."""
    return bool(os.environ.get(STORE_URL_ENV)) or (root / STORE_FILE).exists()


DEFAULT_TOML = """\
# Counterspell workspace settings. Environment variables COUNTERSPELL_<NAME> (upper case)
# override these; command-line flags override both.

[ingest]
# Posts buffered before they are written to the lake as one Parquet file per community.
batch_size = 50000
# Time zone for local times without an offset (Telegram's "date"), e.g. "Europe/Berlin".
tz = "UTC"
# Processes that map small input files in parallel (0: one per CPU; 1: read everything here).
workers = 0

[graph]
# Memory DuckDB may use for the whole-lake graph stages (campaigns, actors, bridges); beyond
# it they spill to lake/_state/tmp.
memory_limit = "4GB"
# Largest PDQ Hamming distance at which two images count as the same picture (ThreatExchange's
# usual threshold is 31 of 256 bits).
pdq_threshold = 31

[lake]
# Keep the lake's Parquet datasets at an fsspec URL (e.g. "s3://bucket/counterspell") that
# every Dask worker can reach, instead of in lake/ here. Credentials and endpoints come from
# the store's own environment (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL...), never from this file.
lake_url = ""

[casework]
# Days after a removal request is finished (removed, closed or invalid) before
# 'counterspell takedown purge' erases the requester's name, signature, statement and contact
# details. The record that a request was made and acted on stays, for compliance figures.
takedown_retention_days = 365

[service]
# Memory (MiB) each 'counterspell serve' process may keep of what the review pages read from
# the lake (item views, snippets), least recently used dropped first; 0 turns the cache off.
view_cache_mb = 64
# How long (milliseconds) the service trusts its last look at the lake's files before it looks
# again; a change drops the cache. 0 looks on every request; raise it for a lake on an object
# store, where a look is a listing request.
lake_recheck_ms = 1000
# How long (milliseconds) the service trusts the store's answer about an API token or a session
# before it asks again: a token revoked or a user disabled from elsewhere stops working within
# this time (a logout at once). 0 asks on every request.
auth_recheck_ms = 1000
"""


@dataclass(frozen=True, slots=True)
class IngestSettings:
    batch_size: int = 50_000
    tz: str = "UTC"
    workers: int = 0  # processes that map input files; 0 = one per CPU, 1 = none


@dataclass(frozen=True, slots=True)
class GraphSettings:
    memory_limit: str = "4GB"  # DuckDB's limit in the graph stages
    pdq_threshold: int = 31


@dataclass(frozen=True, slots=True)
class LakeSettings:
    lake_url: str = ""  # the lake's datasets at this fsspec URL instead of lake/


@dataclass(frozen=True, slots=True)
class CaseworkSettings:
    takedown_retention_days: int = 365  # then the requester's details are erased by purge


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    view_cache_mb: int = 64  # lake reads the review pages keep in memory, per process
    lake_recheck_ms: int = 1000  # how long a look at the lake's files is trusted
    auth_recheck_ms: int = 1000  # how long the store's word on a credential is trusted


SECTIONS: dict[str, type[Any]] = {
    "ingest": IngestSettings,
    "graph": GraphSettings,
    "lake": LakeSettings,
    "casework": CaseworkSettings,
    "service": ServiceSettings,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, one frozen dataclass per section of ``counterspell.toml``. A setting's
    name is unique across sections, so ``settings.workers`` reads ``[ingest] workers`` and the
    environment variable is ``COUNTERSPELL_WORKERS``."""

    ingest: IngestSettings = field(default_factory=IngestSettings)
    graph: GraphSettings = field(default_factory=GraphSettings)
    lake: LakeSettings = field(default_factory=LakeSettings)
    casework: CaseworkSettings = field(default_factory=CaseworkSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)

    @property
    def batch_size(self) -> int:
        return self.ingest.batch_size

    @property
    def tz(self) -> str:
        return self.ingest.tz

    @property
    def workers(self) -> int:
        return self.ingest.workers

    @property
    def memory_limit(self) -> str:
        return self.graph.memory_limit

    @property
    def pdq_threshold(self) -> int:
        return self.graph.pdq_threshold

    @property
    def lake_url(self) -> str:
        return self.lake.lake_url

    @property
    def takedown_retention_days(self) -> int:
        return self.casework.takedown_retention_days

    def items(self) -> list[tuple[str, str, Any]]:
        """(section, name, value) of every setting, in file order."""
        return [(sec, f.name, getattr(getattr(self, sec), f.name))
                for sec, cls in SECTIONS.items() for f in fields(cls)]  # fmt: skip

    def with_overrides(self, **overrides: Any) -> Settings:
        """The settings with flags applied (``None``: the flag was not given)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(given) - set(_SECTION_OF)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(sorted(unknown))}")
        out = self
        for sec in SECTIONS:
            mine = {k: v for k, v in given.items() if _SECTION_OF[k] == sec}
            if mine:
                out = replace(out, **{sec: replace(getattr(out, sec), **mine)})
        return out


_SECTION_OF = {f.name: sec for sec, cls in SECTIONS.items() for f in fields(cls)}
_TYPES = {f.name: f.type for cls in SECTIONS.values() for f in fields(cls)}


def _coerce(name: str, value: Any, target: type[Any] | str, origin: str) -> Any:
    kind = target if isinstance(target, type) else {"int": int, "str": str}[str(target)]
    if kind is int and isinstance(value, bool):
        value = "not a number"  # TOML true/false is not a count
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise CounterspellError(
            f"{origin}: setting {name!r} must be {kind.__name__}, got {value!r}"
        ) from None


def load_settings(workspace: Path | None) -> Settings:
    """Defaults, then the workspace file, then the environment (flags are applied by callers
    with :meth:`Settings.with_overrides`). An unknown section or key in the file is an error
    naming the file, the section and the key: a typo must not pass for a default."""
    values: dict[str, Any] = {}
    if workspace is not None:
        toml_path = workspace / "counterspell.toml"
        if toml_path.exists():
            try:
                data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise CounterspellError(f"{toml_path}: not valid TOML: {exc}") from None
            for section, body in data.items():
                if section not in SECTIONS or not isinstance(body, dict):
                    raise CounterspellError(
                        f"{toml_path}: unknown section [{section}]; known: "
                        + ", ".join(f"[{s}]" for s in SECTIONS)
                    )
                known = [f.name for f in fields(SECTIONS[section])]
                for k, v in body.items():
                    if k not in known:
                        raise CounterspellError(
                            f"{toml_path}: [{section}] unknown setting {k!r}; known: {', '.join(known)}"
                        )
                    values[k] = _coerce(k, v, _TYPES[k], f"{toml_path}: [{section}]")
    for name, target in _TYPES.items():
        env = os.environ.get(f"COUNTERSPELL_{name.upper()}")
        if env is not None:
            values[name] = _coerce(name, env, target, f"COUNTERSPELL_{name.upper()}")
    return Settings().with_overrides(**values)
