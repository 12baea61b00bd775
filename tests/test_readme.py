"""Every command block in the README runs, as written, the way a newcomer would run it.

The blocks are read from the README itself (so an edit there is what gets tested): shell lines
run in a folder holding an ``exports/`` corpus and a demo workspace laid out as ``make demo``
leaves it, with ``counterspell`` on the PATH as after ``. .venv/bin/activate``; the Python block
runs in a fresh interpreter. ``serve`` must start answering; ``user add`` gets its password on
standard input, as a person would type it twice.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from counterspell.synth import generate
from tests.clizygote import run_cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(sh|python)\n(.*?)```", README, flags=re.S)


def _shell_lines() -> list[str]:
    lines = []
    for kind, body in BLOCKS:
        if kind != "sh":
            continue
        for raw in body.splitlines():
            line = raw.split("  #", 1)[0].strip()
            if line.startswith("counterspell "):
                lines.append(line)
    return lines


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    generate(root / "exports", posts=500, seed=3)
    return root


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # what activating .venv puts first on the PATH
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"], "COLUMNS": "200"}


def _run(line: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        shlex.split(line), cwd=cwd, env=_env(), input=stdin, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


def test_the_readme_has_the_blocks_this_test_runs() -> None:
    lines = _shell_lines()
    assert any(" ingest " in line for line in lines) and any(" serve" in line for line in lines)
    assert [kind for kind, _ in BLOCKS].count("python") >= 1


@pytest.mark.slow
def test_every_readme_command_runs_as_written(folder: Path) -> None:
    # the demo workspace, as `make demo` leaves it (the README's case-work lines use it)
    demo = folder / "demo-workspace" / "ws"
    for args in (  # preparation, not the README's lines: forked from the test's parent
        ("init", str(demo)),
        ("-w", str(demo), "ingest", "exports"),
        ("-w", str(demo), "analyze"),
        ("-w", str(demo), "db", "upgrade"),
        ("-w", str(demo), "queue", "sync"),
    ):
        assert run_cli(*args, cwd=folder).returncode == 0, args
    for line in _shell_lines():
        if line.endswith(" serve") or " serve " in line:
            port = _free_port()
            proc = subprocess.Popen(
                [*shlex.split(line), "--port", str(port)], cwd=folder, env=_env(),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            try:
                for _ in range(120):
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as r:
                            assert r.status == 200
                            break
                    except OSError:
                        assert proc.poll() is None, proc.communicate()[1]
                        time.sleep(0.5)
                else:
                    raise AssertionError(f"{line}: nothing answered on port {port}")
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            continue
        stdin = "a long enough passphrase 42\n" * 2 if " user add " in line else ""
        done = _run(line, folder, stdin)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"


@pytest.mark.slow
def test_the_readme_python_block_runs(folder: Path) -> None:
    for kind, body in BLOCKS:
        if kind == "python":
            done = subprocess.run(
                [sys.executable, "-c", body], cwd=folder, env=_env(), capture_output=True,
                text=True, timeout=600,
            )  # fmt: skip
            assert done.returncode == 0, f"{body}\n{done.stderr}"
