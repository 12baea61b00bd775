"""Run ``counterspell`` commands in forked processes of one parent that imported it once.

Most end-to-end tests run the real command as a user would, and a fresh interpreter spends about
a second importing Python, NumPy, Arrow, DuckDB and SQLAlchemy before the command starts; over
the suite's few hundred commands that was minutes. Here a parent process (one per pytest worker)
imports them once and forks a child per command: the child is a process of its own (own umask,
environment, working directory, file descriptors, exit code), starts from a state no command has
touched and runs the same ``counterspell.cli.main.main`` as the installed script. What it does
not test, interpreter start-up and import-time behaviour, has tests of its own that run
``python -m counterspell`` (tests/test_architecture.py, tests/test_readme.py).

``COUNTERSPELL_TEST_EXEC=1`` makes every test command a fresh interpreter again, for comparison.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO

# What the parent imports before it forks: the heavy libraries every command needs sooner or
# later, and the command modules themselves. Nothing here may start a thread or open a file.
PRELOAD = (
    "numpy",
    "pyarrow",
    "pyarrow.parquet",
    "pyarrow.compute",
    "duckdb",
    "orjson",
    "sqlalchemy",
    "counterspell.cli.main",
    "counterspell.lake.query",
    "counterspell.ingest",
    "counterspell.pipeline.analyze",
    "counterspell.pipeline.network",
    "counterspell.pipeline.hash_media",
    "counterspell.matching.match",
    "counterspell.reports.render",
    "counterspell.store.db",
    "counterspell.store.queue",
)


def _child(request: dict[str, object]) -> None:
    """In the forked child: become the command's process, run it, never return."""
    code = 1
    try:
        os.chdir(str(request["cwd"]))
        os.environ.clear()
        env: dict[str, str] = request["env"]  # type: ignore[assignment]
        os.environ.update(env)
        for fd, path, mode in ((0, request["stdin"], os.O_RDONLY),
                               (1, request["stdout"], os.O_WRONLY),
                               (2, request["stderr"], os.O_WRONLY)):  # fmt: skip
            f = os.open(str(path), mode)
            os.dup2(f, fd)
            os.close(f)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.argv = ["counterspell", *request["args"]]  # type: ignore[misc]
        from counterspell.cli.main import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def cheap_password_hashes() -> None:
    """Argon2 at lower cost for the test processes: at its production cost a hash takes 0.1-0.3 s
    of both cores here, and the account, service and case-work tests hash and verify hundreds of
    passwords. The tests check who gets in and who is refused, not the cost, which has a test of
    its own in a fresh interpreter (tests/store/test_store.py)."""
    from argon2 import PasswordHasher

    from counterspell.store import accounts

    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts._dummy.cache_clear()


def serve() -> None:
    """The parent: one JSON request per line on stdin, one exit status per line on stdout."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    cheap_password_hashes()
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        rc = os.waitstatus_to_exitcode(status)  # -N for a signal, as subprocess says it
        reply.write(json.dumps({"rc": rc}) + "\n")
        reply.flush()


class Zygote:
    """The pytest side: starts the parent lazily and runs one command at a time through it."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            root = Path(__file__).resolve().parents[1]
            env = {**os.environ, "COLUMNS": "200"}
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(root), env.get("PYTHONPATH", "")) if p
            )
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "tests.clizygote"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=root,
            )
        return self._proc

    def run(
        self, args: list[str], env: dict[str, str], cwd: Path | str, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        if os.environ.get("COUNTERSPELL_TEST_EXEC") == "1":
            return subprocess.run([sys.executable, "-m", "counterspell", *args], input=stdin,
                                  capture_output=True, text=True, env=env, cwd=cwd)  # fmt: skip
        with self._lock, tempfile.TemporaryDirectory(prefix="cs-cli-") as tmp:
            files = {k: Path(tmp) / k for k in ("stdin", "stdout", "stderr")}
            files["stdin"].write_text(stdin, encoding="utf-8")
            files["stdout"].touch()
            files["stderr"].touch()
            proc = self._start()
            request = {"args": list(args), "env": env, "cwd": str(Path(cwd).resolve())}
            request.update({k: str(v) for k, v in files.items()})
            pipe_in: IO[str] = proc.stdin  # type: ignore[assignment]
            pipe_out: IO[str] = proc.stdout  # type: ignore[assignment]
            pipe_in.write(json.dumps(request) + "\n")
            pipe_in.flush()
            line = pipe_out.readline()
            if not line:
                raise RuntimeError("the command parent died (run with COUNTERSPELL_TEST_EXEC=1)")
            rc = int(json.loads(line)["rc"])
            out = files["stdout"].read_text(encoding="utf-8", errors="replace")
            err = files["stderr"].read_text(encoding="utf-8", errors="replace")
        return subprocess.CompletedProcess(["counterspell", *args], rc, out, err)

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()


ZYGOTE = Zygote()


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | str = ".", stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``counterspell ARGS`` as a process of its own (``env`` is its whole environment)."""
    full_env = env if env is not None else {**os.environ, "COLUMNS": "200"}
    return ZYGOTE.run(list(args), full_env, cwd, stdin)


if __name__ == "__main__":
    serve()
