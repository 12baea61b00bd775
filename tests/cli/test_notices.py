"""``counterspell notice`` as an operator runs it: the list, a notice to a file, plain errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson

from counterspell.lake.workspace import Workspace
from counterspell.store.accounts import add_user
from counterspell.store.db import Store
from counterspell.store.notices.templates import DATA

from .conftest import PASSWORD
from .test_casework import run


def test_notice_commands(lake: Workspace, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(lake.root, root)
    w = ("-w", str(root))
    assert run(*w, "db", "upgrade").returncode == 0
    listed = run("notice", "list")
    assert listed.returncode == 0
    for name in ("us-removal", "uk-removal", "uk-preservation", "eu-removal", "au-removal"):
        assert name in listed.stdout
    assert "required" in listed.stdout and "Not legal advice" in listed.stdout

    from tests.store.test_notices import _request_case

    store = Store(Workspace.open(root))
    try:
        with store.begin() as conn:
            analyst = add_user(conn, "ana", "analyst", PASSWORD)
            add_user(conn, "vic", "viewer", PASSWORD)
        cid = _request_case(store, analyst)
    finally:
        store.close()

    out = tmp_path / "notice.json"
    built = run(*w, "notice", "build", str(cid), "--jurisdiction", "uk", "--kind", "preservation",
                "--format", "json", "-o", str(out), "--as", "ana", "--sender", "Example Trust Team")  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "counsel review required" in built.stderr
    notice = orjson.loads(out.read_bytes())
    assert notice["template"]["id"] == "uk-preservation" and notice["requesters"]
    assert notice["generated_by"] == "ana" and notice["annex"][0]["sources"]
    md = run(*w, "notice", "build", str(cid), "--jurisdiction", "US")
    assert (
        md.returncode == 0 and md.stdout.startswith("# Removal request") and "## Annex" in md.stdout
    )

    for args, message in [
        (("--jurisdiction", "FR"), "no FR removal notice template"),
        (
            ("--jurisdiction", "US", "--format", "pdf"),
            "--format 'pdf' is not one of md, html, json",
        ),
        (("--jurisdiction", "US", "--as", "vic"), "notices need the analyst or admin role"),
        (("--jurisdiction", "US", "--platform", "nowhere"), "has no post on 'nowhere'"),
    ]:
        r = run(*w, "notice", "build", str(cid), *args)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr

    broken = tmp_path / "templates"
    shutil.copytree(DATA, broken)
    (broken / "au-removal.toml").write_text("id = 'au-removal'\njurisdiction = 'AU'\n")
    r = run("notice", "list", "--templates", str(broken))
    assert r.returncode == 2 and "au-removal.toml: kind: missing" in r.stderr
