"""The service in Debian's Chromium, as a reviewer and a victim would use it.

Logs in, reviews the top item, opens its case, files a removal request through the public form,
sees its 48-hour deadline and marks it removed; checks that a post whose text is HTML with a
script and an ``onerror`` handler runs nothing. Screenshots go to ``$COUNTERSPELL_SCREENSHOTS``
when set (that is how the README's pictures are made).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from counterspell.store import queue
from counterspell.store.db import Store
from counterspell.store.schema import queue_items
from counterspell.web.app import create_app

from .conftest import PASSWORD, make_users


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(sqlite_store: Store) -> Iterator[str]:
    import uvicorn

    make_users(sqlite_store)
    queue.sync(sqlite_store)
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(sqlite_store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://localhost:{port}"
    srv.should_exit = True
    thread.join(10)


def _shot(page: Any, name: str, tmp: Path) -> None:
    page.screenshot(path=str(tmp / f"{name}.png"), full_page=False)
    out = os.environ.get("COUNTERSPELL_SCREENSHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(out) / f"{name}.png"), full_page=False)


def test_review_case_and_removal_request_in_a_browser(
    server: str, browser: Any, sqlite_store: Store, tmp_path: Path
) -> None:
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    page = ctx.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{server}/")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("heading", name="Dashboard").wait_for()
    _shot(page, "dashboard", tmp_path)

    page.get_by_role("button", name="Review next item").first.click()
    page.get_by_role("heading", name="Queue item").wait_for()
    assert page.locator("img, video").count() == 0
    _shot(page, "review-item", tmp_path)
    page.get_by_label("Escalate").check()
    page.fill("textarea[name=note]", "age cue in the request; escalating")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Decision recorded (escalate)").wait_for()
    page.get_by_role("button", name="Open its case").click()
    page.get_by_role("heading", name="Case #").wait_for()
    assert page.locator("text=Posts (").count() == 1
    _shot(page, "case", tmp_path)

    public = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    public.on("pageerror", lambda e: errors.append(str(e)))
    public.goto(f"{server}/takedown")
    public.fill("input[name=requester_name]", "Jane Example")
    public.fill("input[name=signature]", "Jane Example")
    public.check("input[name=signed]")
    public.fill("textarea[name=locations]", "https://boards.example.com/r/thread/1#p2")
    public.fill("textarea[name=statement]", "I never agreed to this picture being made or shared.")
    public.check("input[name=good_faith]")
    public.fill("input[name=contact_email]", "jane@example.com")
    _shot(public, "removal-form", tmp_path)
    public.get_by_role("button", name="Send request").click()
    public.get_by_role("heading", name="Your request was received").wait_for()
    ref = public.locator("#ref").inner_text()
    assert ref.startswith("TID-") and "UTC" in public.locator("#due").inner_text()

    page.goto(f"{server}/takedowns")
    page.get_by_role("link", name=ref).click()
    page.locator("#deadline").wait_for()
    assert page.locator("#urgency").inner_text() == "on-time"
    assert "UTC" in page.locator("#deadline").inner_text()
    _shot(page, "removal-request", tmp_path)
    page.get_by_role("button", name="Mark removed").click()
    page.locator("#td-status", has_text="removed").wait_for()
    assert errors == [], errors


def test_hostile_post_runs_no_script(server: str, browser: Any, sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        iid = conn.execute(
            select(queue_items.c.id).where(queue_items.c.community == "hostile")
        ).scalar()
    assert iid is not None
    page = browser.new_context().new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{server}/login?next=/queue/{iid}")
    page.fill("input[name=username]", "reviewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.locator("#post-text").wait_for()
    assert "<script>window.__xss = 1</script>" in page.locator("#post-text").inner_text()
    assert page.evaluate("() => window.__xss === undefined")
    assert page.locator("#post-text img, #post-text script").count() == 0
    assert dialogs == []


def test_rule_editor_counts_as_it_is_edited_and_saves(
    server: str, browser: Any, sqlite_store: Store, tmp_path: Path
) -> None:
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/rules/new")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("heading", name="New rule").wait_for()
    page.select_option("select[name=field0]", "role")
    page.select_option("select[name=op0]", "eq")
    page.fill("input[name=value0]", "request")
    page.locator("#preview code").wait_for(timeout=10_000)
    assert "role = 'request'" in page.inner_text("#preview")
    assert "posts" in page.inner_text("#preview")
    _shot(page, "rule-editor", tmp_path)
    page.fill("input[name=name]", "browser-requests")
    page.select_option("select[name=state]", "shadow")
    page.click("text=Save as a new version")
    page.get_by_role("heading", name="Rule browser-requests").wait_for()
    page.click('button:has-text("Backtest")')
    page.get_by_role("heading", name="Against reviewers' decisions").wait_for()
    _shot(page, "rule-backtest", tmp_path)
    assert not errors, errors
