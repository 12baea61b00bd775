"""The review pages' cache of lake reads: the same answers as reading the lake each time, a
fresh read after any change to the lake, a bounded size, and masking that stays per viewer. An
item's first visit reads the next items of its community too (each exactly as read alone)."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient
from sqlalchemy import select

from counterspell.ingest import ingest
from counterspell.lake.workspace import Workspace
from counterspell.store import queue
from counterspell.store.accounts import User, create_token
from counterspell.store.db import Store
from counterspell.store.records import QueueItem
from counterspell.store.schema import api_tokens, queue_items
from counterspell.web.app import create_app
from counterspell.web.lakebatch import read_items
from counterspell.web.lakeview import item_context, mask_snippets, mask_view, read_item, snippets
from counterspell.web.viewcache import READ_AHEAD, LakeViews, next_in_queue

from .conftest import PASSWORD, make_users


@pytest.fixture
def service(sqlite_store: Store) -> Iterator[tuple[Store, dict[str, User]]]:
    users = make_users(sqlite_store)
    queue.sync(sqlite_store)
    yield sqlite_store, users


def _items(store: Store, n: int = 500) -> list[QueueItem]:
    with store.engine.connect() as conn:
        return queue.list_items(conn, "open", n)


def _identities(store: Store) -> dict[str, dict[str, str]]:
    with store.engine.connect() as conn:
        return queue.all_identities(conn)


def _token(store: Store, user: str) -> str:
    with store.begin() as conn:
        return create_token(conn, user, "test")


def _api(app: FastAPI, token: str) -> TestClient:
    return TestClient(app, base_url="https://testserver",
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_cached_views_equal_reading_the_lake_each_time(
    service: tuple[Store, dict[str, User]],
) -> None:
    store, _ = service
    ws = store.ws
    items = [it for it in _items(store) if it.thread_id][:25]
    ids = _identities(store)
    views = LakeViews(ws, 64 << 20)
    some = frozenset(list(ids)[:3])
    for it in items:
        for revealed in (frozenset(), some):
            uncached = item_context(ws, it, ids, revealed)
            assert mask_view(views.item(it), ids, revealed) == uncached  # a miss
            assert mask_view(views.item(it), ids, revealed) == uncached  # a hit
    assert views.hits and views.misses
    page = _items(store, 100)
    want = snippets(ws, page, ids)
    assert want and mask_snippets(views.texts(page), ids) == want
    assert mask_snippets(views.texts(page), ids) == want
    # the same through the API: a cached app and one whose cache holds nothing
    token = _token(store, "viewer")
    cached = _api(create_app(store), token)
    uncached_app = create_app(store)
    uncached_app.state.views = LakeViews(ws, 0)
    plain = _api(uncached_app, token)
    for it in items[:10]:
        want_json = plain.get(f"/api/queue/{it.id}").json()
        assert cached.get(f"/api/queue/{it.id}").json() == want_json
        assert cached.get(f"/api/queue/{it.id}").json() == want_json
    assert len(uncached_app.state.views) == 0


def test_the_cache_stays_within_its_size(service: tuple[Store, dict[str, User]]) -> None:
    store, _ = service
    items = _items(store)[:30]
    views = LakeViews(store.ws, 40_000)
    for it in items:
        views.item(it)
        assert views.size_bytes <= 40_000
    assert 0 < len(views) < len(items)
    views.item(items[-1])
    assert views.hits == 1  # the most recent is kept; the oldest went first
    views.item(items[0])
    assert views.hits == 1


def test_a_viewer_never_gets_an_identity_another_revealed(
    service: tuple[Store, dict[str, User]],
) -> None:
    store, _ = service
    with store.engine.connect() as conn:
        row = (
            conn.execute(select(queue_items).where(queue_items.c.targets != "")).mappings().first()
        )
        assert row is not None
        clear = queue.identities_for(conn, row["targets"].split(";"))
    name = next(iter(clear.values()))["value"].lower()
    app = create_app(store)  # one app, one cache, shared by both
    analyst = TestClient(app, base_url="https://testserver", follow_redirects=False)
    viewer = TestClient(app, base_url="https://testserver", follow_redirects=False)
    csrf = _login(analyst, "analyst")
    _login(viewer, "viewer")
    assert name not in viewer.get(f"/queue/{row['id']}").text.lower()  # the view is now cached
    shown = analyst.post(f"/queue/{row['id']}/reveal", data={"csrf": csrf}).text
    assert "this reveal was logged" in shown and name in shown.lower()
    assert app.state.views.hits >= 1  # the reveal was served from the cached read
    for url in (f"/queue/{row['id']}", f"/api/queue/{row['id']}"):
        body = viewer.get(url).text.lower()
        assert "[target tgt_" in body and name not in body, url
    assert name not in analyst.get(f"/queue/{row['id']}").text.lower()  # a reveal is one page


def _login(client: TestClient, name: str) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": token})
    assert r.status_code == 303, r.text
    home = client.get("/")
    return re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]


def test_new_posts_in_the_lake_show_at_once(own_lake: Store, tmp_path: Path) -> None:
    store = own_lake
    item = next(it for it in _items(store) if it.community == "hostile")
    app = create_app(store)
    app.state.views = LakeViews(store.ws, 64 << 20, recheck_s=0)
    client = _api(app, _token(store, "viewer"))
    before = client.get(f"/api/queue/{item.id}").json()["context"]
    assert [p["post_id"] for p in before["thread"]] == ["1"]
    assert client.get(f"/api/queue/{item.id}").json()["context"] == before
    assert app.state.views.hits == 1
    reply = tmp_path / "reply.jsonl"
    reply.write_bytes(
        orjson.dumps({"community": "hostile", "post_id": "2", "thread_id": "1",
                      "created_at": 1_767_229_200, "author": "anon2", "text": "a later reply"})
        + b"\n"
    )  # fmt: skip
    ingest(store.ws, [str(reply)])
    after = client.get(f"/api/queue/{item.id}").json()["context"]
    assert [p["post_id"] for p in after["thread"]] == ["1", "2"]
    assert "a later reply" in [p["text"] for p in after["thread"]]


def test_a_rewritten_dataset_shows_at_once(own_lake: Store) -> None:
    store = own_lake
    item = next(it for it in _items(store) if it.thread_id)
    app = create_app(store)
    app.state.views = LakeViews(store.ws, 64 << 20, recheck_s=0)
    client = _api(app, _token(store, "viewer"))
    page = TestClient(app, base_url="https://testserver", follow_redirects=False)
    _login(page, "viewer")
    assert "rewritten in place" not in client.get(f"/api/queue/{item.id}").text
    assert "rewritten in place" not in page.get("/queue").text
    _rewrite_text(store, item, "rewritten in place")
    body = client.get(f"/api/queue/{item.id}").json()["context"]
    assert body["post"]["text"] == "rewritten in place"
    if item in _items(store, 100):
        assert "rewritten in place" in page.get("/queue").text


def test_the_queue_apis_answer_what_fastapis_encoder_would(
    service: tuple[Store, dict[str, User]],
) -> None:
    """The list and item routes write JSON with orjson: the same documents as before."""
    store, users = service
    client = _api(create_app(store), _token(store, "viewer"))
    with store.begin() as conn:  # a decision's row has SQLAlchemy's str-like column names
        decided_one = queue.list_items(conn, "open", 1)[0]
        queue.claim(conn, users["reviewer"], decided_one.id)
        queue.decide(conn, users["reviewer"], decided_one.id, "escalate", None, None, "why")
    with store.engine.connect() as conn:
        items = [*queue.list_items(conn, "open", 50), queue.get_item(conn, decided_one.id)]
        counts = queue.counts(conn)
        ids = queue.all_identities(conn)
        first = min(queue.list_items(conn, "open", 500), key=lambda it: it.id)
        shown = [
            *items[:5],
            items[-1],
            first,
        ]  # top of the queue, the decided one, and the lowest id (which the route test reads)
        decided = {it.id: queue.item_decisions(conn, it.id) for it in shown}
    assert all(it.as_dict() == dataclasses.asdict(it) for it in items)
    want: dict[str, Any] = {
        "counts": counts,
        "items": [dataclasses.asdict(it) for it in items[:-1]],
    }
    assert client.get("/api/queue", params={"limit": 50}).json() == _encoded(want)
    for it in shown:
        ctx = item_context(store.ws, it, ids)
        one: dict[str, Any] = {"item": it, "context": ctx, "decisions": decided[it.id]}
        assert client.get(f"/api/queue/{it.id}").json() == _encoded(one)
    with store.engine.connect() as conn:  # the token's use is still recorded (to the minute)
        assert conn.execute(select(api_tokens.c.last_used_at)).scalar_one() is not None


def _encoded(body: dict[str, Any]) -> Any:
    return json.loads(json.dumps(jsonable_encoder(body)))


def _by_community(items: list[QueueItem]) -> list[list[QueueItem]]:
    groups: dict[tuple[str, str], list[QueueItem]] = {}
    for it in items:
        groups.setdefault((it.platform, it.community), []).append(it)
    return [g[i : i + READ_AHEAD] for g in groups.values() for i in range(0, len(g), READ_AHEAD)]


def test_a_batch_reads_what_reading_each_item_alone_does(
    service: tuple[Store, dict[str, User]],
) -> None:
    store, _ = service
    views = LakeViews(store.ws, 64 << 20)
    items = _items(store)
    seen = {"thread": 0, "author_posts": 0, "campaign": 0, "media": 0, "signals": 0}
    per_community: dict[str, int] = {}
    for batch in _by_community(items):
        per_community[batch[0].community] = per_community.get(batch[0].community, 0) + 1
        if per_community[batch[0].community] > 2:  # two batches of every community suffice
            continue
        read = read_items(store.ws, batch, views.cursor())
        assert set(read) == {it.uid for it in batch}
        for it in batch:
            alone = read_item(store.ws, it)
            assert read[it.uid] == alone, it.uid
            for k in seen:
                seen[k] += bool(alone.get(k))
    assert all(seen.values()), seen  # the fixture exercises every part of a view


def test_a_first_visit_reads_the_next_items_of_the_queue(
    service: tuple[Store, dict[str, User]],
) -> None:
    store, _ = service
    first = _items(store)[0]
    upcoming = next_in_queue(store, first)
    assert upcoming and all(it.community == first.community for it in upcoming)
    views = LakeViews(store.ws, 64 << 20)
    views.item(first, lambda: upcoming)
    assert (views.hits, views.misses) == (0, 1)
    for it in upcoming[: READ_AHEAD - 1]:
        assert views.item(it) == read_item(store.ws, it)
    assert (views.hits, views.misses) == (min(len(upcoming), READ_AHEAD - 1), 1)
    without = LakeViews(store.ws, 0)  # no cache: nothing is read ahead
    assert without.item(first, lambda: upcoming) == read_item(store.ws, first)


def test_an_item_read_ahead_then_changed_in_the_lake_shows_the_change(own_lake: Store) -> None:
    store = own_lake
    first, second = next((it, nxt[0]) for it in _items(store) if (nxt := next_in_queue(store, it)))
    app = create_app(store)
    app.state.views = LakeViews(store.ws, 64 << 20, recheck_s=0)
    client = TestClient(app, base_url="https://testserver",
                        headers={"Authorization": f"Bearer {_token(store, 'viewer')}"})  # fmt: skip
    client.get(f"/api/queue/{first.id}")
    assert app.state.views.misses == 1 and len(app.state.views) >= 2  # the second read ahead
    _rewrite_text(store, second, "changed after the read ahead")
    body = client.get(f"/api/queue/{second.id}").json()["context"]
    assert body["post"]["text"] == "changed after the read ahead"


def test_the_masker_is_reused_only_for_the_same_identities() -> None:
    from counterspell.web.lakeview import masker

    ids = {"tgt_a": {"kind": "handle", "value": "ruby.example"}}
    first = masker(ids)
    assert masker({"tgt_a": {"kind": "handle", "value": "ruby.example"}}) is first
    ids["tgt_a"]["value"] = "other.example"  # the caller's dict changed in place: not reused
    assert masker(ids)("hi other.example") == "hi [target tgt_a]"
    ids["tgt_b"] = {"kind": "handle", "value": "new.one"}  # a new identity is masked at once
    assert masker(ids)("new.one and other.example") == "[target tgt_b] and [target tgt_a]"
    assert masker(ids, frozenset({"tgt_b"}))("new.one") == "new.one"  # a reveal: its own masker
    assert masker(ids)("new.one") == "[target tgt_b]"


def _rewrite_text(store: Store, item: QueueItem, text: str) -> None:
    """What a rebuild of the dataset does: the same files, new contents (this post's text)."""
    parts = store.ws.dataset("posts").local.glob(f"**/community={item.community}/part-*.parquet")
    for part in sorted(parts):
        table = pq.read_table(part)
        texts = [
            text if uid == item.uid else old
            for uid, old in zip(table["uid"].to_pylist(), table["text"].to_pylist(), strict=True)
        ]
        table = table.set_column(table.schema.get_field_index("text"), "text", [texts])
        tmp = part.with_suffix(".tmp")
        pq.write_table(table, tmp)
        tmp.replace(part)


def test_concurrent_first_visits_read_the_lake_once(
    service: tuple[Store, dict[str, User]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request for an item another thread is reading (read ahead) waits for that read."""
    from counterspell.web import viewcache

    store, _ = service
    batches: list[list[str]] = []
    real = read_items

    def slow(ws: Workspace, batch: list[QueueItem], con: Any) -> dict[str, dict[str, Any]]:
        batches.append([it.uid for it in batch])
        time.sleep(0.5)
        return real(ws, batch, con)

    monkeypatch.setattr(viewcache, "read_items", slow)
    first = _items(store)[0]
    upcoming = next_in_queue(store, first)
    second = upcoming[0]
    views = LakeViews(store.ws, 64 << 20)
    got: dict[str, Any] = {}
    reader = threading.Thread(target=lambda: got.update(first=views.item(first, lambda: upcoming)))
    reader.start()
    time.sleep(0.2)  # the first read is under way
    got["second"] = views.item(second, lambda: next_in_queue(store, second))
    reader.join()
    assert len(batches) == 1 and second.uid in batches[0]
    assert got["second"] == read_item(store.ws, second)
    assert got["first"] == read_item(store.ws, first)
