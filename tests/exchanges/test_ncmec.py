"""NCMEC through python-threatexchange's own client and fetch logic against a loopback fake of
its XML API: time windows and paging, deleted entries, entries whose fingerprints change,
unknown fingerprint types, refused credentials, and a connection cut mid-page resumed from the
checkpoint's paging URL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from counterspell import Workspace
from counterspell.errors import CounterspellError
from counterspell.exchanges.config import add_exchange
from counterspell.exchanges.fetch import fetch
from tests.exchanges.fakes import NCMEC, Entry, bank_pairs, pdq_for

CREDS = {"user": NCMEC.USER, "password": NCMEC.PASSWORD}


@pytest.fixture
def server() -> Iterator[NCMEC]:
    fake = NCMEC(page_size=2)
    yield fake
    fake.close()


def _add(ws: Workspace, server: NCMEC, **settings: str) -> None:
    add_exchange(ws, "nc", "ncmec", bank="ncmec", creds=CREDS,
                 settings={"environment": "test_NGO", "base_url": server.url, **settings})  # fmt: skip


def test_windows_pages_deletions_and_changes(ws: Workspace, server: NCMEC) -> None:
    t0 = int(time.time()) - 3600
    server.entries = [
        Entry(t0 + i, 42, f"e{i}", "image", {"pdq": pdq_for(i), "md5": f"{i:02x}" * 16})
        for i in range(4)
    ]
    server.entries.append(Entry(t0 + 5, 43, "v1", "video", {"md5": "ee" * 16, "tmk_pdqf": "x"}))
    server.entries.append(Entry(t0 + 6, 43, "p1", "image", {"pdna": "AAAA"}))
    _add(ws, server)
    r = fetch(ws, "nc")
    assert r.complete and r.pages >= 3  # 6 entries, 2 a page, in the windows the library chose
    assert dict(r.skipped) == {"video_tmk_pdqf": 1, "image_pdna": 1}
    want = {("pdq", pdq_for(i)) for i in range(4)} | {("md5", f"{i:02x}" * 16) for i in range(4)}
    assert bank_pairs(ws, "ncmec") == want | {("md5", "ee" * 16)}
    # upstream: e1 deleted, e2's PDQ replaced; later than the last fetch's window
    t1 = int(time.time()) - 2
    server.entries.append(Entry(t1, 42, "e1", "image", {}, deleted=True))
    server.entries.append(Entry(t1, 42, "e2", "image", {"pdq": pdq_for(9), "md5": "02" * 16}))
    time.sleep(4)  # the library fetches up to five seconds ago
    server.requests.clear()
    r = fetch(ws, "nc")
    assert r.resumed and r.records == 2
    assert bank_pairs(ws, "ncmec") == (want - {("pdq", pdq_for(1)), ("md5", "01" * 16), ("pdq", pdq_for(2))}) | {
        ("pdq", pdq_for(9)), ("md5", "ee" * 16)}  # fmt: skip
    first = datetime.strptime(server.requests[0].query["from"], "%Y-%m-%dT%H:%M:%SZ").timestamp()
    assert first > t0 + 6  # from the checkpoint's time, not from the beginning


def test_a_cut_mid_page_resumes_from_the_paging_url(ws: Workspace, server: NCMEC) -> None:
    t0 = int(time.time()) - 3600
    server.entries = [Entry(t0, 42, f"e{i}", "image", {"pdq": pdq_for(i)}) for i in range(6)]
    _add(ws, server)
    server.cut = lambda req: req.query.get("start") == "4"
    with pytest.raises(CounterspellError, match="the connection failed"):
        fetch(ws, "nc")
    assert bank_pairs(ws, "ncmec") == {("pdq", pdq_for(i)) for i in range(4)}
    import sqlite3

    db = sqlite3.connect(ws.root / "exchanges" / "nc" / "state.sqlite")
    (text,) = db.execute("SELECT value FROM meta WHERE name = 'checkpoint'").fetchone()
    db.close()
    assert "start=4" in json.loads(text)["paging_info"]["paging_url"]
    server.cut = lambda req: False
    server.requests.clear()
    r = fetch(ws, "nc")
    assert r.resumed and server.requests[0].query.get("start") == "4"  # mid-page, not the start
    assert bank_pairs(ws, "ncmec") == {("pdq", pdq_for(i)) for i in range(6)}


def test_refused_credentials_and_member_filter(ws: Workspace, server: NCMEC) -> None:
    t0 = int(time.time()) - 3600
    server.entries = [Entry(t0, 42, "a", "image", {"pdq": pdq_for(1)}),
                      Entry(t0, 43, "b", "image", {"pdq": pdq_for(2)})]  # fmt: skip
    add_exchange(ws, "bad", "ncmec", creds={"user": NCMEC.USER, "password": "wrong-pw-77"},
                 settings={"environment": "test_NGO", "base_url": server.url})  # fmt: skip
    with pytest.raises(CounterspellError) as err:
        fetch(ws, "bad")
    assert "credentials were refused (HTTP 401 at /v2/entries)" in str(err.value)
    assert "wrong-pw" not in str(err.value)
    _add(ws, server, only_esp_ids="43")
    fetch(ws, "nc")
    assert bank_pairs(ws, "ncmec") == {("pdq", pdq_for(2))}


def test_a_record_given_twice_is_counted_once(ws: Workspace, server: NCMEC) -> None:
    """Time windows can give a record on their edge twice (and an update gives it again): the
    counts of skipped and invalid signals are of records, not of deliveries."""
    from counterspell.exchanges.fetch import FetchResult, _map

    r = FetchResult()
    for record in ("a", "a", "b"):
        assert _map(record, "tmk_pdqf", "x", r) is None
        assert _map(record, "pdq", "not a hash", r) is None
    assert dict(r.skipped) == {"tmk_pdqf": 2} and dict(r.invalid) == {"pdq": 2}
    t0 = int(time.time()) - 3600
    server.entries = [Entry(t0 + i, 43, "v1", "video", {"md5": "ee" * 16, "tmk_pdqf": "x"})
                      for i in (0, 1, 2, 3)]  # fmt: skip
    _add(ws, server)
    done = fetch(ws, "nc")
    assert done.complete and dict(done.skipped) == {"video_tmk_pdqf": 1}
