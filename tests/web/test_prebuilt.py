"""Item views built ahead at ``queue sync``: exactly what reading the lake gives, used only for
the lake they were built from and the item they were built for, and a first visit served from
them reads no Parquet."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from counterspell.lake.changes import lake_version
from counterspell.store import queue
from counterspell.store.accounts import create_token
from counterspell.store.db import Store
from counterspell.store.records import QueueItem
from counterspell.store.schema import queue_items
from counterspell.web import prebuilt, viewcache
from counterspell.web.app import create_app
from counterspell.web.lakebatch import read_items
from counterspell.web.lakeview import read_item
from counterspell.web.viewcache import LakeViews

from .test_viewcache import _rewrite_text


@pytest.fixture
def built(own_lake: Store) -> Store:
    """A copy of the shared lake (tests change it), synced, with its views built."""
    assert prebuilt.build(own_lake) > 0
    return own_lake


def _items(store: Store) -> list[QueueItem]:
    with store.engine.connect() as conn:
        return queue.list_items(conn, "open", 10_000)


def _no_lake_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: Any) -> Any:
        raise AssertionError("read the lake")

    monkeypatch.setattr(viewcache, "read_items", refuse)


def test_built_views_are_what_reading_the_lake_gives(built: Store) -> None:
    store = built
    items = _items(store)
    reader = prebuilt.Prebuilt(store.ws)
    version = lake_version(store.ws)
    groups: dict[tuple[str, str], list[QueueItem]] = {}
    for it in items:
        groups.setdefault((it.platform, it.community), []).append(it)
    con = LakeViews(store.ws, 1).cursor()
    for group in groups.values():
        read = read_items(store.ws, group, con)
        for it in group:
            assert reader.view(it, version) == read[it.uid], it.uid
    for it in items[:: max(1, len(items) // 15)]:  # and each as read alone, with its times
        assert reader.view(it, version) == read_item(store.ws, it)
    assert prebuilt.path_for(store.ws, version).stat().st_mode & 0o077 == 0  # owner only


def test_a_first_visit_reads_no_parquet(built: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store = built
    item = _items(store)[0]
    app = create_app(store)
    with store.begin() as conn:
        token = create_token(conn, "viewer", "test")
    client = TestClient(app, base_url="https://testserver",
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    plain = create_app(store)
    plain.state.views = LakeViews(store.ws, 0)  # no cache, nothing built ahead: the lake
    want = TestClient(plain, base_url="https://testserver",
                      headers={"Authorization": f"Bearer {token}"}).get(f"/api/queue/{item.id}")  # fmt: skip
    _no_lake_reads(monkeypatch)
    got = client.get(f"/api/queue/{item.id}")
    assert got.status_code == 200 and got.json() == want.json()


def test_views_of_an_older_lake_are_not_used(built: Store) -> None:
    store = built
    item = next(it for it in _items(store) if it.thread_id)
    app = create_app(store)
    app.state.views = LakeViews(store.ws, 64 << 20, recheck_s=0)
    with store.begin() as conn:
        token = create_token(conn, "viewer", "test")
    client = TestClient(app, base_url="https://testserver",
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    _rewrite_text(store, item, "rewritten after the sync")
    body = client.get(f"/api/queue/{item.id}").json()["context"]
    assert body["post"]["text"] == "rewritten after the sync"
    assert prebuilt.build(store) > 0  # a new sync builds for the new lake, the old file goes
    assert len(list((store.ws.state / prebuilt.FOLDER).glob("*.sqlite"))) == 1
    fresh = prebuilt.Prebuilt(store.ws).view(item, lake_version(store.ws))
    assert fresh is not None and fresh["post"]["text"] == "rewritten after the sync"


def test_a_view_built_for_another_campaign_is_not_used(built: Store) -> None:
    store = built
    item = _items(store)[0]
    version = lake_version(store.ws)
    reader = prebuilt.Prebuilt(store.ws)
    assert reader.view(item, version) is not None
    with store.begin() as conn:
        conn.execute(
            update(queue_items).where(queue_items.c.id == item.id).values(campaign_id="c-other")
        )
    with store.engine.connect() as conn:
        moved = queue.get_item(conn, item.id)
    assert reader.view(moved, version) is None  # read from the lake instead
    assert LakeViews(store.ws, 64 << 20).item(moved) == read_item(store.ws, moved)


def test_a_build_that_saw_the_lake_change_keeps_nothing(
    built: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = built
    shutil.rmtree(store.ws.state / prebuilt.FOLDER)
    versions = iter(["before", "after"])
    monkeypatch.setattr(prebuilt, "lake_version", lambda ws: next(versions))
    assert prebuilt.build(store) == 0
    assert not list((store.ws.state / prebuilt.FOLDER).iterdir())


def test_queue_sync_builds_the_views(built: Store) -> None:
    from tests.cli.test_casework import run

    store = built
    shutil.rmtree(store.ws.state / prebuilt.FOLDER)
    done = run("-w", str(store.ws.root), "queue", "sync", "--db", store.url)
    assert done.returncode == 0, done.stderr
    assert "item views built" in done.stdout
    assert prebuilt.path_for(store.ws, lake_version(store.ws)).exists()
