"""The queue list kept while the queue is unchanged: never stale, whoever changed the queue.

Each test first has the page kept (a hit is asserted, so the cache is really in use), then
changes the queue somewhere else — through another app instance with its own cache, in another
process, by a ``queue sync``, by hand-written SQL — and reads the page again from the first
app, which must show the change. Run on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from counterspell.store import queue
from counterspell.store.accounts import User, create_token, revoke_tokens
from counterspell.store.db import Store
from counterspell.store.generation import generation
from counterspell.store.schema import queue_items, store_generations
from counterspell.web.app import create_app
from counterspell.web.authcache import AuthCache
from counterspell.web.listcache import KeptAnswers

from .conftest import make_users

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def synced(store: Store) -> Iterator[tuple[Store, dict[str, User]]]:
    users = make_users(store)
    queue.sync(store)
    yield store, users


def _token(store: Store, user: str) -> str:
    with store.begin() as conn:
        return create_token(conn, user, "test")


def _client(app: FastAPI, token: str) -> TestClient:
    return TestClient(
        app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"}
    )


def _app(store: Store) -> FastAPI:
    app = create_app(store)
    app.state.auth = AuthCache[object](0)  # every request asks the store about its credential
    return app


def _viewing(store: Store, **params: Any) -> tuple[FastAPI, TestClient, dict[str, Any]]:
    """An app of its own, a viewer's client, and the page it has kept."""
    app = _app(store)
    viewer = _client(app, _token(store, "viewer"))
    return app, viewer, _kept_page(viewer, app, **params)


def _kept_page(client: TestClient, app: FastAPI, **params: Any) -> dict[str, Any]:
    """The page, asked twice: the second answer comes from what was kept."""
    kept: KeptAnswers = app.state.lists
    hits = kept.hits
    first = client.get("/api/queue", params=params).json()
    assert client.get("/api/queue", params=params).json() == first
    assert kept.hits == hits + 1
    return first  # type: ignore[no-any-return]


def _ids(page: dict[str, Any]) -> list[int]:
    return [it["id"] for it in page["items"]]


def test_kept_pages_equal_pages_read_each_time(synced: tuple[Store, dict[str, User]]) -> None:
    store, _ = synced
    token = _token(store, "viewer")
    app = _app(store)
    kept, plain_app = _client(app, token), _app(store)
    plain_app.state.lists = KeptAnswers(0)
    plain = _client(plain_app, token)
    with store.engine.connect() as conn:
        some = queue.list_items(conn, "open", 1)[0]
    for params in (
        {},
        {"limit": 7, "offset": 3},
        {"sort": "newest", "limit": 500},
        {"role": some.role},
        {"community": f"{some.platform}/{some.community}"},
        {"status": "decided"},
    ):
        assert _kept_page(kept, app, **params) == plain.get("/api/queue", params=params).json()
    assert len(plain_app.state.lists) == 0


def test_a_decision_through_another_app_shows_at_once(
    synced: tuple[Store, dict[str, User]],
) -> None:
    store, _ = synced
    _, viewer, before = _viewing(store)
    first = before["items"][0]
    other = _client(_app(store), _token(store, "reviewer"))  # its own caches
    assert other.post(f"/api/queue/{first['id']}/claim").status_code == 200
    claimed = viewer.get("/api/queue").json()
    assert claimed["items"][0]["assigned_to"] is not None  # the claim shows
    assert before["items"][0]["assigned_to"] is None
    r = other.post(f"/api/queue/{first['id']}/decision", json={"action": "confirm"})
    assert r.status_code == 200
    after = viewer.get("/api/queue").json()
    assert first["id"] not in _ids(after)
    assert after["counts"]["decided"] == before["counts"]["decided"] + 1
    assert after["counts"]["open"] == before["counts"]["open"] - 1
    decided = viewer.get("/api/queue", params={"status": "decided"}).json()
    assert first["id"] in _ids(decided)


def test_a_decision_in_another_process_shows_at_once(
    synced: tuple[Store, dict[str, User]],
) -> None:
    store, _ = synced
    _, viewer, before = _viewing(store)
    first = before["items"][0]["id"]
    script = textwrap.dedent(f"""
        from counterspell.lake.workspace import Workspace
        from counterspell.store import queue
        from counterspell.store.accounts import User
        from counterspell.store.db import Store
        from counterspell.store.schema import users
        from sqlalchemy import select

        store = Store(Workspace.open({str(store.ws.root)!r}), {store.url!r})
        with store.begin() as conn:
            row = conn.execute(select(users).where(users.c.name == "reviewer")).mappings().one()
            user = User(**{{k: row[k] for k in User.__dataclass_fields__ if k in row}})
            queue.claim(conn, user, {first})
            queue.decide(conn, user, {first}, "dismiss", note="from another process")
        store.close()
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    after = viewer.get("/api/queue").json()
    assert first not in _ids(after)
    assert after["counts"]["open"] == before["counts"]["open"] - 1


def test_removed_changed_and_new_items_show_at_once(
    synced: tuple[Store, dict[str, User]],
) -> None:
    """Writes no service made: SQL by hand (an item removed, a priority changed) and a sync."""
    store, _ = synced
    _, viewer, before = _viewing(store, limit=500)
    gone, last = before["items"][0]["id"], before["items"][-1]["id"]
    with store.begin() as conn:
        conn.execute(delete(queue_items).where(queue_items.c.id == gone))
    after = viewer.get("/api/queue", params={"limit": 500}).json()
    assert gone not in _ids(after)
    with store.begin() as conn:
        conn.execute(update(queue_items).where(queue_items.c.id == last).values(priority=10.0))
    moved = {it["id"]: it for it in viewer.get("/api/queue", params={"limit": 500}).json()["items"]}
    assert moved[last]["priority"] == 10.0
    queue.sync(store)  # the deleted item comes back (the lake still flags it); priorities reset
    synced_again = viewer.get("/api/queue", params={"limit": 500}).json()
    assert len(synced_again["items"]) == len(before["items"])
    assert before["items"][0]["uid"] in {it["uid"] for it in synced_again["items"]}  # a new id
    assert gone not in _ids(synced_again)


def test_the_role_check_still_runs_on_a_kept_page(
    synced: tuple[Store, dict[str, User]],
) -> None:
    store, _ = synced
    app = _app(store)
    token = _token(store, "viewer")
    viewer = _client(app, token)
    _kept_page(viewer, app)
    assert TestClient(app, base_url="https://testserver").get("/api/queue").status_code == 401
    with store.begin() as conn:
        revoke_tokens(conn, "viewer", actor="test")
    assert viewer.get("/api/queue").status_code == 401


def test_every_write_to_the_queue_bumps_its_generation(
    synced: tuple[Store, dict[str, User]],
) -> None:
    store, users = synced

    def now() -> int:
        with store.engine.connect() as conn:
            g = generation(conn)
        assert g is not None
        return g

    g0 = now()
    with store.engine.connect() as conn:
        item = queue.list_items(conn, "open", 1)[0]
    with store.begin() as conn:
        queue.claim(conn, users["reviewer"], item.id)
    g1 = now()
    assert g1 > g0
    with store.begin() as conn:  # a transaction that is rolled back changes nothing
        conn.execute(update(queue_items).where(queue_items.c.id == item.id).values(priority=0))
        assert conn.execute(select(store_generations.c.n)).scalar_one() >= g1
        conn.rollback()
    assert now() == g1
    with store.begin() as conn:
        queue.decide(conn, users["reviewer"], item.id, "confirm")
    assert now() > g1
    g2 = now()
    queue.sync(store)
    assert now() > g2  # a sync refreshes every item (synced_at), so the queue changed
    g3 = now()
    with store.engine.connect() as conn:  # reads change nothing
        queue.list_items(conn, "open", 50)
        queue.counts(conn)
    assert now() == g3


def test_a_store_without_the_counter_keeps_nothing() -> None:
    kept = KeptAnswers()
    calls: list[int] = []

    def make() -> bytes:
        calls.append(1)
        return b"{}"

    for _ in range(3):
        assert kept.answer(("k",), None, make) == b"{}"
    assert len(calls) == 3 and len(kept) == 0
    kept.answer(("k",), 5, make)
    kept.answer(("k",), 5, make)
    kept.answer(("k",), 6, make)
    assert len(calls) == 5 and kept.hits == 1


def test_kept_pages_are_bounded() -> None:
    kept = KeptAnswers(max_entries=3)
    for i in range(10):
        kept.answer((i,), 1, lambda: b"x")
    assert len(kept) == 3
