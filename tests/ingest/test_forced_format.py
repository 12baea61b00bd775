"""A forced ``--format`` that does not fit a file must not lose the file; ``--again`` re-reads."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from counterspell import Workspace, ingest
from counterspell.errors import CounterspellError
from counterspell.lake.manifest import Manifest
from counterspell.synth import generate

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forced") / "corpus"
    generate(out, posts=600, seed=21)
    return out


def _one(corpus: Path, pattern: str) -> Path:
    return sorted(p for p in corpus.rglob(pattern) if p.is_file())[0]


@pytest.mark.parametrize(
    ("pattern", "wrong", "right"),
    [("4chan/**/*.json", "telegram", "4chan"), ("discord/**/*.json", "4chan", "discord")],
)
@pytest.mark.parametrize("workers", [1, 2])
def test_wrong_forced_format_records_nothing_and_the_right_one_still_reads(
    tmp_path: Path, corpus: Path, pattern: str, wrong: str, right: str, workers: int
) -> None:
    path = _one(corpus, pattern)
    ws = Workspace.init(tmp_path / "ws")
    # with workers=2 small files go through worker processes: the same rule must hold there
    extra = [str(p) for p in sorted(corpus.rglob(pattern))[1:4]] if workers > 1 else []
    result = ingest(ws, [str(path), *extra], fmt=wrong, workers=workers)
    (bad,) = [f for f in result.files if f.path == str(path)]
    assert bad.status == "error" and bad.forced_mismatch
    assert bad.error is not None and str(path) in bad.error
    assert f"--format {right}" in bad.error and "Nothing was recorded" in bad.error
    manifest = Manifest(ws.manifest_path)
    try:
        assert bad.sha256 is not None and manifest.get_input(bad.sha256) is None
    finally:
        manifest.close()
    again = ingest(ws, [str(path)])  # detected now, not skipped as done
    assert again.files[0].status == "ingested" and again.files[0].added > 0
    assert again.files[0].format == right


def test_forced_format_in_strict_mode_stops_with_the_reason(tmp_path: Path, corpus: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    with pytest.raises(CounterspellError, match="--format discord"):
        ingest(ws, [str(_one(corpus, "discord/**/*.json"))], fmt="4chan", strict=True)


def test_again_rereads_a_file_the_manifest_has(tmp_path: Path, corpus: Path) -> None:
    path = _one(corpus, "telegram/**/*.json")
    ws = Workspace.init(tmp_path / "ws")
    first = ingest(ws, [str(path)]).files[0]
    assert first.added > 0
    assert ingest(ws, [str(path)]).files[0].status == "already"
    again = ingest(ws, [str(path)], again=True).files[0]
    assert again.status == "ingested" and again.added == 0 and again.duplicates == first.added


def test_cli_forced_mismatch_exits_2_with_one_message(
    tmp_path: Path, corpus: Path, cli: CliRunner
) -> None:
    path = _one(corpus, "4chan/**/*.json")
    cli("init", str(tmp_path / "ws"), check=True)
    proc = cli("-w", str(tmp_path / "ws"), "ingest", "--format", "telegram", str(path))
    assert proc.returncode == 2, proc.stderr
    assert "read no posts" in proc.stderr and "Traceback" not in proc.stderr
    ok = cli("-w", str(tmp_path / "ws"), "ingest", str(path))
    assert ok.returncode == 0 and "4chan" in ok.stdout
    again = cli("-w", str(tmp_path / "ws"), "ingest", "--again", str(path))
    assert again.returncode == 0 and "4chan" in again.stdout
