"""Settings: defaults < counterspell.toml < COUNTERSPELL_* environment < flags; a typo is an
error naming the file, the section and the key, never a silent default."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterspell.config import Settings, load_settings
from counterspell.errors import CounterspellError


def _toml(ws: Path, text: str) -> None:
    ws.mkdir(exist_ok=True)
    (ws / "counterspell.toml").write_text(text, encoding="utf-8")


def test_precedence_defaults_toml_env_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    assert load_settings(None) == Settings()
    assert Settings().batch_size == 50_000 and Settings().pdq_threshold == 31
    _toml(ws, "[ingest]\nbatch_size = 100\nworkers = 3\n[graph]\npdq_threshold = 20\n")
    s = load_settings(ws)
    assert (s.batch_size, s.workers, s.pdq_threshold, s.tz) == (100, 3, 20, "UTC")
    monkeypatch.setenv("COUNTERSPELL_BATCH_SIZE", "200")
    monkeypatch.setenv("COUNTERSPELL_TZ", "Europe/Berlin")
    s = load_settings(ws)
    assert (s.batch_size, s.workers, s.tz) == (200, 3, "Europe/Berlin")  # env over the file
    flagged = s.with_overrides(batch_size=300, workers=None)
    assert (flagged.batch_size, flagged.workers) == (300, 3)  # flags over env; None = not given
    assert flagged.ingest.batch_size == 300 and flagged.graph.pdq_threshold == 20


def test_an_unknown_key_names_file_section_and_key(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _toml(ws, "[ingest]\nbatch_sise = 100\n")
    with pytest.raises(CounterspellError) as err:
        load_settings(ws)
    msg = str(err.value)
    assert "counterspell.toml" in msg and "[ingest]" in msg and "'batch_sise'" in msg
    assert "batch_size" in msg  # and says what it could have been
    _toml(ws, "[graphs]\npdq_threshold = 20\n")
    with pytest.raises(CounterspellError, match=r"unknown section \[graphs\]"):
        load_settings(ws)


def test_wrong_types_are_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    _toml(ws, '[graph]\npdq_threshold = "thirty"\n')
    with pytest.raises(CounterspellError, match=r"\[graph\]: setting 'pdq_threshold' must be int"):
        load_settings(ws)
    _toml(ws, "[ingest]\nworkers = true\n")
    with pytest.raises(CounterspellError, match="'workers' must be int"):
        load_settings(ws)
    _toml(ws, "")
    monkeypatch.setenv("COUNTERSPELL_WORKERS", "many")
    with pytest.raises(CounterspellError, match="COUNTERSPELL_WORKERS"):
        load_settings(ws)


def test_the_default_file_loads_to_the_defaults(tmp_path: Path) -> None:
    from counterspell.config import DEFAULT_TOML

    ws = tmp_path / "ws"
    _toml(ws, DEFAULT_TOML)
    assert load_settings(ws) == Settings()
