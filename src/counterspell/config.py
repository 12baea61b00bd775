"""Settings: defaults < ``counterspell.toml`` in the workspace < ``COUNTERSPELL_*`` env < flags.

Secrets never live here: they come from the environment or files under ``.secrets/``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import CounterspellError

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
"""


@dataclass(frozen=True, slots=True)
class Settings:
    batch_size: int = 50_000
    tz: str = "UTC"
    workers: int = 0  # processes that map input files; 0 = one per CPU, 1 = none
    memory_limit: str = "4GB"  # DuckDB's limit in the graph stages
    pdq_threshold: int = 31
    lake_url: str = ""  # the lake's datasets at this fsspec URL instead of lake/

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _coerce(name: str, value: Any, target: type[Any] | str, origin: str) -> Any:
    kind = target if isinstance(target, type) else {"int": int, "str": str}[str(target)]
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise CounterspellError(
            f"{origin}: setting {name!r} must be {kind.__name__}, got {value!r}"
        ) from None


def load_settings(workspace: Path | None) -> Settings:
    """Defaults, then the workspace file, then the environment."""
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    if workspace is not None:
        toml_path = workspace / "counterspell.toml"
        if toml_path.exists():
            try:
                data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise CounterspellError(f"{toml_path}: not valid TOML: {exc}") from None
            for section in data.values():
                if isinstance(section, dict):
                    for k, v in section.items():
                        if k in types:
                            values[k] = _coerce(k, v, types[k], str(toml_path))
    for name, target in types.items():
        env = os.environ.get(f"COUNTERSPELL_{name.upper()}")
        if env is not None:
            values[name] = _coerce(name, env, target, f"COUNTERSPELL_{name.upper()}")
    return Settings(**values)
