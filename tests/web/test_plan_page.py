"""The analyst's plan page: the assumptions before any figure, a scope, escaping, and who may see it."""

from __future__ import annotations

from counterspell.store import queue
from counterspell.store.db import Store
from counterspell.web.app import create_app  # noqa: F401  (the app the helpers build)
from tests.store.conftest import make_users
from tests.web.test_service import _client, _login


def test_plan_page(sqlite_store: Store) -> None:
    make_users(sqlite_store)
    queue.sync(sqlite_store)  # the dashboard a login lands on expects a synced queue
    client = _client(sqlite_store)
    _login(client, "analyst")
    page = client.get("/plan", params={"budget": "2"})
    assert page.status_code == 200
    text = page.text
    assert text.index("What the simulation assumes") < text.index("What each plan leaves")
    assert "combined: 2 creators + 2 threads + 2 hubs" in text and "Creators (" in text
    assert 'href="/plan"' in text  # in the menu for analysts
    scoped = client.get("/plan", params={"scope": "nowhere/<b>x</b>"})
    assert scoped.status_code == 200 and 'id="no-campaigns"' in scoped.text
    assert "<b>x</b>" not in scoped.text
    assert client.get("/plan", params={"budget": "0"}).status_code in (400, 422)
    viewer = _client(sqlite_store)
    _login(viewer, "viewer")
    assert viewer.get("/plan").status_code == 403
    assert 'href="/plan"' not in viewer.get("/").text
