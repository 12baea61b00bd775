"""StopNCII through python-threatexchange's own client against a loopback fake of its API:
paging, checkpoints, withdrawn hashes, rate limits, refused credentials, a connection cut mid-fetch
and the resume from the checkpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from counterspell import Workspace
from counterspell.errors import CounterspellError
from counterspell.exchanges import fetch as F
from counterspell.exchanges.config import add_exchange
from counterspell.exchanges.fetch import FetchResult, fetch
from counterspell.matching import banks as B
from counterspell.matching.index import hex_to_words
from tests.exchanges.fakes import HashRecord, Reply, StopNCII, pdq_for

CREDS = {"fetch_function_key": StopNCII.FETCH_KEY, "subscription_key": StopNCII.SUB_KEY,
         "feedback_function_key": StopNCII.FEEDBACK_KEY}  # fmt: skip


@pytest.fixture
def server() -> Iterator[StopNCII]:
    fake = StopNCII(page_size=2)
    yield fake
    fake.close()


def _bank(ws: Workspace) -> set[str]:
    return set(B.entries(ws, "stopncii").column("hash").to_pylist())


def test_paging_checkpoints_withdrawals_and_resume(ws: Workspace, server: StopNCII) -> None:
    server.records = [HashRecord(100 + i, "ImagePDQ", pdq_for(i)) for i in range(4)]
    server.records += [
        HashRecord(104, "VideoMD5", "cd" * 16),
        HashRecord(104, "URL", "https://example.org/a"),
    ]
    add_exchange(
        ws, "sn", "stopncii", bank="stopncii", settings={"base_url": server.url}, creds=CREDS
    )
    r = fetch(ws, "sn")
    assert (r.pages, r.records, r.added, r.removed, r.resumed) == (3, 6, 5, 0, False)
    assert dict(r.skipped) == {"URL": 1}
    assert _bank(ws) == {pdq_for(i) for i in range(4)} | {"cd" * 16}
    gets = [q.query for q in server.requests]
    assert gets[0]["startTimestamp"] == "10" and "nextPageToken" not in gets[0]  # from the start
    assert [g.get("nextPageToken") for g in gets[1:]] == ["p2", "p4"]
    # upstream: one case withdrawn, one hash new; the next fetch starts at the checkpoint
    server.requests.clear()
    server.records[1] = HashRecord(105, "ImagePDQ", pdq_for(1), status="Withdrawn")
    server.records.append(HashRecord(106, "ImagePDQ", pdq_for(7)))
    r = fetch(ws, "sn")
    assert r.resumed and server.requests[0].query["startTimestamp"] == "104"
    assert (r.added, r.removed) == (1, 1)
    assert pdq_for(1) not in _bank(ws) and pdq_for(7) in _bank(ws)
    assert not len(B.load_index(ws, "stopncii").search(hex_to_words([pdq_for(1)]), 0).entry)
    # rate limited once: the library's client waits (Retry-After) and asks again
    server.requests.clear()
    server.status_next = [Reply(429, b"{}", headers={"Retry-After": "0"})]
    server.records.append(HashRecord(107, "ImagePDQ", pdq_for(8)))
    r = fetch(ws, "sn")
    assert r.added == 1 and len(server.requests) >= 2 and not server.status_next
    # rate limited for longer than the retries last: a clear error, nothing lost
    server.status_next = [Reply(429, b"{}", headers={"Retry-After": "0"})] * 6
    with pytest.raises(CounterspellError, match="still refused after retries"):
        fetch(ws, "sn")
    server.status_next = []


def test_a_connection_cut_mid_fetch_resumes_from_the_checkpoint(
    ws: Workspace, server: StopNCII
) -> None:
    server.records = [HashRecord(200 + i, "ImagePDQ", pdq_for(i)) for i in range(6)]
    add_exchange(
        ws, "sn", "stopncii", bank="stopncii", settings={"base_url": server.url}, creds=CREDS
    )
    server.cut = lambda req: req.query.get("nextPageToken") == "p4"  # the third page never comes
    with pytest.raises(
        CounterspellError, match=r"the connection failed.*2 page\(s\) were committed"
    ):
        fetch(ws, "sn")
    assert server.cuts >= 2  # the client retried the cut request before giving up
    assert _bank(ws) == {pdq_for(i) for i in range(4)}  # the pages before the cut are in the bank
    state = json.loads((ws.root / "exchanges" / "sn" / "exchange.json").read_text())
    assert state["last_fetch"]["pages"] == 2 and state["last_fetch"]["complete"] is False
    server.cut = lambda req: False
    server.requests.clear()
    refused: list[str] = []

    def meanwhile(_: FetchResult) -> None:  # a second fetch of the same exchange is refused
        with pytest.raises(CounterspellError, match="a fetch is running already") as err:
            fetch(ws, "sn")
        refused.append(str(err.value))

    r = fetch(ws, "sn", on_page=meanwhile)
    assert refused and r.resumed
    assert server.requests[0].query["startTimestamp"] == "203"  # not from the start
    assert _bank(ws) == {pdq_for(i) for i in range(6)} and r.complete


def test_pages_are_written_to_the_bank_in_batches_equal_to_page_by_page(
    ws: Workspace, server: StopNCII, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first fetch of many pages rewrites the bank once per batch, not once per page; a hash
    added and withdrawn within one batch ends as page-by-page application leaves it."""
    server.records = [HashRecord(300 + i, "ImagePDQ", pdq_for(i)) for i in range(20)]
    server.records.append(HashRecord(330, "ImagePDQ", pdq_for(3), status="Withdrawn"))
    want = {pdq_for(i) for i in range(20)} - {pdq_for(3)}
    banks = []
    for flush_min, w in ((F.FLUSH_MIN, ws), (0, Workspace.init(tmp_path / "per-page"))):
        monkeypatch.setattr(F, "FLUSH_MIN", flush_min)
        add_exchange(
            w, "sn", "stopncii", bank="stopncii", settings={"base_url": server.url}, creds=CREDS
        )
        r = fetch(w, "sn")
        assert (r.pages, r.records, r.complete) == (11, 21, True)
        assert _bank(w) == want
        banks.append(B.get_bank(w, "stopncii").version)
    assert banks[0] == 1 < banks[1]  # one bank version for the batch; one per changing page


def test_refused_credentials_are_a_clear_error_without_the_secret(
    ws: Workspace, server: StopNCII, tmp_path: Path
) -> None:
    wrong = {**CREDS, "subscription_key": "not-the-key-4f2a"}
    add_exchange(ws, "sn", "stopncii", settings={"base_url": server.url}, creds=wrong)
    with pytest.raises(CounterspellError) as err:
        fetch(ws, "sn")
    assert "the credentials were refused (HTTP 401 at /FetchHashes)" in str(err.value)
    assert "not-the-key" not in str(err.value)
    assert "not-the-key" not in (ws.root / "exchanges" / "sn" / "audit.jsonl").read_text()


def test_a_stale_checkpoint_fetches_everything_and_sweeps(ws: Workspace, server: StopNCII) -> None:
    """After 30 days without a fetch the library calls StopNCII's checkpoint stale: everything is
    fetched again, and a hash StopNCII no longer lists at all leaves the bank."""
    import sqlite3

    server.records = [HashRecord(300 + i, "ImagePDQ", pdq_for(i)) for i in range(3)]
    add_exchange(
        ws, "sn", "stopncii", bank="stopncii", settings={"base_url": server.url}, creds=CREDS
    )
    fetch(ws, "sn")
    db = sqlite3.connect(ws.root / "exchanges" / "sn" / "state.sqlite")
    (text,) = db.execute("SELECT value FROM meta WHERE name = 'checkpoint'").fetchone()
    old = {**json.loads(text), "last_fetch_time": 0}
    db.execute("UPDATE meta SET value = ? WHERE name = 'checkpoint'", (json.dumps(old),))
    db.commit()
    db.close()
    del server.records[0]  # gone without a tombstone
    server.requests.clear()
    r = fetch(ws, "sn")
    assert not r.resumed and r.swept and r.removed == 1
    assert server.requests[0].query["startTimestamp"] == "10"
    assert _bank(ws) == {pdq_for(1), pdq_for(2)}
