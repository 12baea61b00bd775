"""Notices in the service: analysts only, masked until revealed (a POST with the form token),
every format downloadable, the legal basis and its sources on the page."""

from __future__ import annotations

import re

from sqlalchemy import select

from counterspell.store import cases, queue
from counterspell.store.db import Store
from counterspell.store.notices.templates import load_templates
from counterspell.store.schema import audit_log, identities, queue_items

from .conftest import make_users
from .test_service import _client, _login


def test_notice_pages_for_an_analyst(sqlite_store: Store) -> None:
    users = make_users(sqlite_store)
    queue.sync(sqlite_store)
    with sqlite_store.engine.connect() as conn:
        first = conn.execute(
            select(queue_items.c.id).where(queue_items.c.targets != "").order_by(queue_items.c.id)
        ).scalar()
        assert first is not None
        item = queue.get_item(conn, first)
        values = {v for (v,) in conn.execute(select(identities.c.value))}
    cid = cases.for_item(sqlite_store, item, users["analyst"])
    templates, laws = load_templates()

    viewer = _client(sqlite_store)
    _login(viewer, "viewer")
    assert viewer.get(f"/cases/{cid}/notices/us-removal").status_code == 403

    client = _client(sqlite_store)
    csrf = _login(client, "analyst")
    bundle = client.get(f"/cases/{cid}/bundle.json").json()
    assert bundle["requesters"], "a case opened from a target item has its request posts"
    page = client.get(f"/cases/{cid}/bundle.html").text
    assert "Accounts behind the request posts" in page
    assert all(p["uid"] in page for a in bundle["requesters"] for p in a["posts"])
    case_page = client.get(f"/cases/{cid}")
    assert f'href="/cases/{cid}/notices"' in case_page.text
    listing = client.get(f"/cases/{cid}/notices")
    assert listing.status_code == 200
    for t in templates.values():
        assert t.id in listing.text
    html = client.get(f"/cases/{cid}/notices/uk-removal")
    assert html.status_code == 200 and "Annex: sources of the legal basis" in html.text
    for c in templates["uk-removal"].cites:
        assert laws[c].sources[0].url in html.text
    assert not any(v in html.text for v in values)  # masked until revealed
    md = client.get(f"/cases/{cid}/notices/uk-removal?format=md")
    assert md.status_code == 200 and "attachment" in md.headers["content-disposition"]
    assert "Sexual Offences Act 2003" in md.text
    js = client.get(f"/cases/{cid}/notices/uk-removal?format=json").json()
    assert js["template"]["id"] == "uk-removal" and js["identities"] == {}
    assert client.get(f"/cases/{cid}/notices/us-removal?format=pdf").status_code == 400
    assert client.get(f"/cases/{cid}/notices/no-such").status_code == 404
    # a reveal needs the form token, and is audited
    assert client.post(f"/cases/{cid}/notices/uk-removal/reveal").status_code == 403
    shown = client.post(f"/cases/{cid}/notices/uk-removal/reveal", data={"csrf": csrf})
    assert shown.status_code == 200
    assert any(v in shown.text for v in values)
    assert re.search(r"notice SHA-256 <code>[0-9a-f]{64}</code>", shown.text)
    with sqlite_store.engine.connect() as conn:
        actions = [a for (a,) in conn.execute(select(audit_log.c.action))]
    assert actions.count("case.notice") >= 4 and "identity.reveal" in actions
