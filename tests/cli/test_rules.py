"""``counterspell rules`` end to end: a TOML file in and out, backtests as table, JSON and HTML."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import orjson
from sqlalchemy import delete, func, select

from counterspell.lake.workspace import Workspace
from counterspell.rules.model import BUILTIN
from counterspell.store.db import Store
from counterspell.store.schema import audit_log, rule_versions
from counterspell.store.schema import rules as rules_t
from tests.store.conftest import lake  # noqa: F401

Cli = Callable[..., subprocess.CompletedProcess[str]]

RULES = """
[[rule]]
name = "requests"
description = "every request"
condition = "role = 'request'"
actions = ["queue:6", "tag:req"]
state = "shadow"

[[rule]]
name = "minor-requests"
condition = "role = 'request' AND minor_risk"
actions = ["queue:9.5", "escalate"]
state = "draft"
"""


def test_rules_from_a_file_to_a_backtest(cli: Cli, lake: Workspace, tmp_path: Path) -> None:  # noqa: F811
    shutil.copytree(lake.root, tmp_path / "ws")
    w = ["-w", str(tmp_path / "ws")]
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    # a file needs no store
    r = cli(*w, "rules", "backtest", str(tmp_path / "rules.toml"), "--format", "json", check=True)
    data = orjson.loads(r.stdout)
    assert [d["rule"]["name"] for d in data] == ["requests", "minor-requests"]
    assert data[0]["hits"] > data[1]["hits"] > 0
    cli(*w, "db", "upgrade", check=True)
    r = cli(*w, "rules", "import", str(tmp_path / "rules.toml"), check=True)
    assert "requests: version 1, shadow" in r.stdout
    (tmp_path / "rules.toml").write_text(RULES.replace("queue:6", "queue:7"), encoding="utf-8")
    assert (
        "requests: version 2"
        in cli(*w, "rules", "import", str(tmp_path / "rules.toml"), check=True).stdout
    )
    exported = cli(*w, "rules", "export", check=True).stdout
    assert 'actions = ["queue:7", "tag:req"]' in exported and "request-minor-target" in exported
    r = cli(*w, "rules", "backtest", "requests", check=True)
    assert "hits per community" in r.stdout and "against version 1: 0 new hits, 0 lost" in r.stdout
    cli(*w, "rules", "backtest", "requests", "--since", "2000-01-01", "--format", "html", "-o", str(tmp_path / "bt.html"), check=True)  # fmt: skip
    assert "<svg" in (tmp_path / "bt.html").read_text(encoding="utf-8")
    assert "live" in cli(*w, "rules", "state", "requests", "live", check=True).stdout
    r = cli(*w, "rules", "run", check=True)
    assert "new hits" in r.stdout
    assert "requests" in cli(*w, "rules", "hits", check=True).stdout
    assert "rule fields" in cli(*w, "rules", "fields", check=True).stdout
    # errors are one line naming the place
    (tmp_path / "bad.toml").write_text(
        "[[rule]]\nname='x'\ncondition=\"read_csv('/etc/passwd') = 1\"\n"
    )
    r = cli(*w, "rules", "backtest", str(tmp_path / "bad.toml"))
    assert r.returncode != 0 and "bad.toml: rule 1: rule x: condition, position 1" in r.stderr
    assert "Traceback" not in r.stderr
    r = cli(*w, "rules", "backtest", "requests", "--since", "yesterday")
    assert r.returncode != 0 and "--since 'yesterday'" in r.stderr


def test_built_in_rules_come_with_db_upgrade_and_listings_write_nothing(
    cli: Cli,
    lake: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    shutil.copytree(lake.root, tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    w = ["-w", str(ws.root)]
    n = len(BUILTIN)
    assert f"added {n} built-in rules" in cli(*w, "db", "upgrade", check=True).stdout
    assert "added" not in cli(*w, "db", "upgrade", check=True).stdout
    # a store made before a built-in rule existed: listings show what is stored and write nothing
    store = Store(ws)
    with store.begin() as conn:
        conn.execute(delete(rule_versions).where(rule_versions.c.rule == BUILTIN[0].name))
        conn.execute(delete(rules_t).where(rules_t.c.name == BUILTIN[0].name))

    def snapshot() -> tuple[int, int]:
        with store.engine.connect() as conn:
            return (
                conn.execute(select(func.count()).select_from(audit_log)).scalar_one(),
                conn.execute(select(func.count()).select_from(rules_t)).scalar_one(),
            )

    before = snapshot()
    assert BUILTIN[0].name not in cli(*w, "rules", "list", check=True).stdout
    assert BUILTIN[0].name not in cli(*w, "rules", "export", check=True).stdout
    assert snapshot() == before == (before[0], n - 1)
    assert "added 1 built-in rule " in cli(*w, "db", "upgrade", check=True).stdout
    assert BUILTIN[0].name in cli(*w, "rules", "list", check=True).stdout
    store.close()
