"""The case-work commands as an operator runs them."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from counterspell.lake.workspace import Workspace
from tests.clizygote import run_cli

from .conftest import PASSWORD


def run(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("COUNTERSPELL_DB", None)
    return run_cli(*args, env=env, cwd=cwd or Path.cwd(), stdin=stdin)


def test_store_commands_end_to_end(lake: Workspace, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(lake.root, ws)  # a workspace of its own: this test writes its store there
    w = ("-w", str(ws))
    behind = run(*w, "queue", "sync")
    assert behind.returncode == 2 and "counterspell db upgrade" in behind.stderr
    up = run(*w, "db", "upgrade")
    assert up.returncode == 0 and "none -> 0007" in up.stdout
    assert "0007 -> 0007" in run(*w, "db", "upgrade").stdout  # again: nothing to do
    added = run(
        *w, "user", "add", "lead", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert added.returncode == 0, added.stderr
    short = run(*w, "user", "add", "x", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 12" in short.stderr
    bad_role = run(
        *w, "user", "add", "y", "--role", "boss", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert bad_role.returncode == 2 and "not one of" in bad_role.stderr
    nothing = run(*w, "user", "add", "z", "--role", "viewer")  # a script, nothing on stdin
    assert nothing.returncode == 2 and "no password given" in nothing.stderr, nothing.stderr
    assert "Aborted" not in nothing.stderr + nothing.stdout
    assert "lead" in run(*w, "user", "list").stdout
    token = run(*w, "user", "token", "lead", "--name", "ci").stdout.strip()
    assert token.startswith("cs_")
    analysed = run(*w, "analyze", "--no-graph")  # with a store, analyze fills the queue itself
    assert analysed.returncode == 0 and "review queue:" in analysed.stdout, analysed.stderr
    assert " 0 new posts to review" not in analysed.stdout
    assert "rules: 4 shadow or live" in analysed.stdout  # the built-in rules ran in shadow
    synced = run(*w, "queue", "sync")
    assert synced.returncode == 0 and "0 new" in synced.stdout
    assert "0 new hits, 0 acted on" in synced.stdout  # nothing new since analyze's run
    listed = run(*w, "queue", "list", "--limit", "3")
    assert listed.returncode == 0 and "minor_risk" in listed.stdout
    bogus = run(*w, "queue", "list", "--status", "bogus")  # not an empty table
    assert bogus.returncode == 2 and "choose one of open, escalated, decided" in bogus.stderr
    assert run(*w, "takedown", "due").returncode == 0
    ok = run(*w, "audit", "verify")
    assert ok.returncode == 0 and "intact" in ok.stdout
    engine = create_engine(f"sqlite:///{ws / 'store.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1"))
    engine.dispose()
    tampered = run(*w, "audit", "verify")
    assert tampered.returncode == 1 and "entry 1: content changed" in tampered.stderr
    wrong_db = run(*w, "queue", "list", "--db", "mysql://nowhere/db")
    assert (
        wrong_db.returncode == 2
        and "--db" in wrong_db.stderr
        and "Traceback" not in wrong_db.stderr
    )


def test_serve_answers_on_loopback(lake: Workspace, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(lake.root, ws)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "counterspell", "-w", str(ws), "serve", "--port", str(port),
         "--insecure-cookies"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert httpx.get(f"{base}/takedown").status_code == 200  # public, no account
        r = httpx.get(f"{base}/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert httpx.get(f"{base}/api/queue").status_code == 401
        assert (ws / "store.sqlite").exists()  # serve applied the migrations itself
        # X-Forwarded-For is not believed unless --forwarded-allow-ips names the proxy: the
        # audit log and the rate limits see the connecting address, not a chosen one
        with httpx.Client(base_url=base) as browser:
            token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text)
            assert token is not None
            browser.post(
                "/login",
                data={"username": "nobody", "password": "x" * 12, "csrf": token.group(1)},
                headers={"X-Forwarded-For": "203.0.113.77"},
            )
    finally:
        proc.terminate()
        proc.wait(10)
    engine = create_engine(f"sqlite:///{ws / 'store.sqlite'}")
    with engine.connect() as conn:
        details = [
            d
            for (d,) in conn.execute(
                text("SELECT detail FROM audit_log WHERE action = 'login.failed'")
            )
        ]
    engine.dispose()
    assert details and all("203.0.113.77" not in d for d in details)
    assert any("127.0.0.1" in d for d in details)
