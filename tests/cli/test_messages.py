"""What the command prints: help that reads like other tools', and data printed as data.

Rich reads ``[...]`` as markup, so a message naming an extra (``counterspell[web]``) or a file
called ``export[1].json`` lost its brackets. Every such path is exercised here.
"""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner as TyperRunner

from counterspell.cli.common import app, esc
from counterspell.cli.main import main

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def _all_commands() -> list[list[str]]:
    import typer.main

    root = typer.main.get_command(app)
    out: list[list[str]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out.append(path)

    walk(root, [])
    return out


@pytest.mark.parametrize("command", _all_commands(), ids=" ".join)
def test_help_has_no_types_on_flags_and_no_braces_in_usage(command: list[str]) -> None:
    result = TyperRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    usage = next(line for line in result.output.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage


def test_usage_names_arguments_in_capitals() -> None:
    result = TyperRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "200"})
    assert "ingest [OPTIONS] PATHS..." in result.output


def test_esc_keeps_brackets() -> None:
    from rich.console import Console

    console = Console(record=True, width=200)
    message = "pip install 'counterspell[web]'"
    console.print(f"[red]error:[/red] {esc(message)}")
    assert "counterspell[web]" in console.export_text()


def test_missing_web_extra_names_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_import = builtins.__import__

    def no_uvicorn(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "uvicorn":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvicorn)
    monkeypatch.setattr("sys.argv", ["counterspell", "-w", str(tmp_path), "serve"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "needs the [web] extra" in err and "counterspell[web]" in err


def test_paths_with_brackets_survive_in_errors_and_results(tmp_path: Path, cli: CliRunner) -> None:
    ws = tmp_path / "ws[1]"
    made = cli("init", str(ws))
    assert made.returncode == 0 and "ws[1]" in made.stdout
    bad = tmp_path / "export[2].json"
    bad.write_text('{"not": "an export"}', encoding="utf-8")
    proc = cli("-w", str(ws), "ingest", str(bad))
    assert proc.returncode == 1
    assert "export[2].json" in " ".join(proc.stderr.split())
    missing = cli("-w", str(ws), "ingest", str(tmp_path / "gone[3].json"))
    assert missing.returncode == 2 and "gone[3].json" in " ".join(missing.stderr.split())


def test_version_needs_no_command(cli: CliRunner) -> None:
    from counterspell.version import __version__

    r = cli("--version")
    assert (r.returncode, r.stdout.strip()) == (0, f"counterspell {__version__}"), r.stderr


def test_init_on_a_file_is_a_sentence(tmp_path: Path, cli: CliRunner) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("x", encoding="utf-8")
    proc = cli("init", str(target))
    assert proc.returncode == 2
    assert "Errno" not in proc.stderr and "Traceback" not in proc.stderr
    assert "is a file" in proc.stderr


@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve"], ["queue", "sync"]])
def test_unreachable_store_is_one_line_naming_host_and_port(
    tmp_path: Path, cli: CliRunner, command: list[str]
) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cli("init", str(tmp_path / "ws"), check=True)
    url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/none"
    proc = cli("-w", str(tmp_path / "ws"), *command, "--db", url)
    assert proc.returncode == 2, proc.stderr
    err = " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) <= 3
    assert "cannot be reached" in err and str(port) in err and "127.0.0.1" in err


def test_serve_on_a_port_in_use_says_so_before_serving(tmp_path: Path, cli: CliRunner) -> None:
    import socket

    cli("init", str(tmp_path / "ws"), check=True)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = cli("-w", str(tmp_path / "ws"), "serve", "--port", str(port))
    assert proc.returncode == 2
    assert "serving on" not in proc.stderr and "Traceback" not in proc.stderr
    assert f"127.0.0.1:{port} cannot be used" in " ".join(proc.stderr.split())


def test_what_the_command_writes_is_private(tmp_path: Path, cli: CliRunner) -> None:
    import stat

    from counterspell.synth import generate

    generate(tmp_path / "c", posts=200, seed=4, media_files=False)
    ws = tmp_path / "ws"
    cli("init", str(ws), check=True)
    cli("-w", str(ws), "ingest", str(tmp_path / "c"), check=True)
    cli("-w", str(ws), "db", "upgrade", check=True)
    written = [
        *ws.rglob("*.parquet"),
        ws / "store.sqlite",
        *(ws / "lake" / "_state" / "audit").glob("*.anchor"),
        *(ws / ".secrets").iterdir(),
    ]
    assert len(written) > 3
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert "store.sqlite" in (ws / ".gitignore").read_text(encoding="utf-8")


def test_tables_sent_to_a_pipe_keep_their_cells(tmp_path: Path) -> None:
    """Piped or redirected, Rich would take 80 columns and cut a table's cells; a saved log needs
    a source's whole name (COLUMNS unset, stdout a pipe: 160 columns). A fresh interpreter: the
    forked test commands inherit a console their parent made with COLUMNS set."""
    name = "negatives-from-a-partner-with-a-long-descriptive-file-name-2026-12.jsonl"
    (tmp_path / name).write_text(
        '{"platform": "forum", "community": "c", "post_id": "1", "created_at": 1772000000, '
        '"text": "what a lovely day at the lake"}\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    run = subprocess.run(
        [sys.executable, "-m", "counterspell", "evaluate", "--no-synthetic", "--negatives", name],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert name in run.stdout, run.stdout
    assert max(len(line) for line in run.stdout.splitlines()) <= 160
