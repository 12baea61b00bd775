"""Reviewers' decisions on exchange matches go back to StopNCII and NCMEC (loopback fakes driven
through the library's clients): queued once, retried after a failure, given up after five,
audited, and shown on the review item's page."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import select

from counterspell import Workspace, ingest
from counterspell.exchanges.config import add_exchange
from counterspell.exchanges.feedback import deliver, for_item, queue_feedback
from counterspell.exchanges.fetch import fetch
from counterspell.matching.match import match
from counterspell.pipeline.hash_media import hash_media
from counterspell.store import audit
from counterspell.store.accounts import add_user
from counterspell.store.db import Store, make_engine, upgrade
from counterspell.store.queue import decide
from counterspell.store.schema import audit_log, metadata, queue_items
from counterspell.synth import generate
from counterspell.web.app import create_app
from tests.exchanges.fakes import NCMEC, Entry, HashRecord, Reply, StopNCII

PASSWORD = "correct horse battery staple"
CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def fakes() -> Iterator[tuple[StopNCII, NCMEC]]:
    s, n = StopNCII(), NCMEC()
    yield s, n
    s.close()
    n.close()


def _item(conn: object, uid: str, platform: str, community: str) -> int:
    now = datetime.now(UTC)
    r = conn.execute(  # type: ignore[attr-defined]
        queue_items.insert().values(uid=uid, platform=platform, community=community, role="request",
                                    confidence=0.9, flags="", targets="", bank_matches=1,
                                    priority=5.0, status="open", synced_at=now, reasons="", tags="")
    )  # fmt: skip
    return int(r.inserted_primary_key[0])


def test_decisions_reach_the_exchanges(
    tmp_path: Path, fakes: tuple[StopNCII, NCMEC], cli: CliRunner
) -> None:
    sn, nc = fakes
    generate(tmp_path / "corpus", posts=500, seed=21)
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(tmp_path / "corpus")])
    hash_media(ws)
    rows = duckdb.execute(
        f"""SELECT pdq, any_value(uid), any_value(platform), any_value(community)
            FROM read_parquet('{ws.dataset_glob("media")}') WHERE pdq_quality >= 50
            GROUP BY pdq ORDER BY pdq LIMIT 3"""
    ).fetchall()
    (pa, ua, *pla), (pb, ub, *plb), (pc, uc, *plc) = rows
    sn.records = [HashRecord(100, "ImagePDQ", pa), HashRecord(101, "ImagePDQ", pb)]
    nc.entries = [Entry(int(time.time()) - 600, 42, "e7", "image", {"pdq": pc})]
    creds = {"fetch_function_key": sn.FETCH_KEY, "subscription_key": sn.SUB_KEY,
             "feedback_function_key": sn.FEEDBACK_KEY}  # fmt: skip
    add_exchange(ws, "sn", "stopncii", settings={"base_url": sn.url}, creds=creds)
    add_exchange(ws, "nc", "ncmec", creds={"user": nc.USER, "password": nc.PASSWORD},
                 settings={"environment": "test_NGO", "base_url": nc.url})  # fmt: skip
    fetch(ws, "sn")
    fetch(ws, "nc")
    assert match(ws, "sn").matches >= 2 and match(ws, "nc").matches >= 1

    url = f"sqlite:///{ws.root / 'store.sqlite'}"  # the workspace's own: the CLI finds it
    upgrade(make_engine(url), ws=ws)
    store = Store(ws, url)
    with store.engine.connect() as conn:  # migration 0005 creates exactly the table the code uses
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    with store.begin() as conn:
        admin = add_user(conn, "admin", "admin", PASSWORD)
        items = [_item(conn, ua, *pla), _item(conn, ub, *plb), _item(conn, uc, *plc)]
        for item, action in zip(items, ("confirm", "dismiss", "confirm"), strict=True):
            decide(conn, admin, item, action)
    # StopNCII's first POST fails (the client never retries a POST)
    sn.status_next = [Reply(503, b"{}")]
    proc = cli("-w", str(ws.root), "exchange", "feedback", check=True)
    want = "feedback: 3 queued (0 on exchanges that take none); 2 sent, 1 to retry, 0 given up"
    assert want in proc.stdout
    assert queue_feedback(store).queued == 0  # once per decision and record
    assert deliver(store) == {"sent": 0, "retrying": 0, "dead": 0}  # not due yet
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert deliver(store, now=later) == {"sent": 1, "retrying": 0, "dead": 0}
    assert sorted((f["hashValue"], f["feedbackValue"]) for f in sn.feedback) == sorted(
        [(pa, "Blocked"), (pb, "NotBlocked")]
    )
    assert len(nc.feedback) == 1
    path, body = nc.feedback[0]
    assert path == "/v2/entries/42/e7/PDQ/feedback" and b"<affirmative" in body

    with store.engine.connect() as conn:
        sent = for_item(conn, items[1])
        assert [
            (f["exchange"], f["value"], f["sent_as"], f["status"], f["attempts"]) for f in sent
        ] == [("sn", "negative", "NotBlocked", "sent", 2)]
        logged = conn.execute(select(audit_log.c.action, audit_log.c.detail)).all()
        assert audit.verify(conn, store.anchor).ok
    actions = [a for a, _ in logged]
    assert actions.count("exchange.feedback.sent") == 3 and "exchange.feedback.queue" in actions
    assert not any(sn.FEEDBACK_KEY in d or nc.PASSWORD in d for _, d in logged)

    # the item page shows what was sent
    client = TestClient(create_app(store), base_url="https://testserver", follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf": token})
    page = client.get(f"/queue/{items[1]}").text
    assert "Sent to exchanges" in page and "sent as NotBlocked" in page
    store.close()


def test_failing_feedback_is_given_up_after_five_attempts(
    tmp_path: Path, fakes: tuple[StopNCII, NCMEC]
) -> None:
    """Without the SubmitFeedback key StopNCII feedback cannot go: it fails, waits, is given up,
    and the audit log says so."""
    sn, _ = fakes
    generate(tmp_path / "corpus", posts=300, seed=22)
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(tmp_path / "corpus")])
    hash_media(ws)
    ((pdq, uid, platform, community),) = duckdb.execute(
        f"""SELECT pdq, any_value(uid), any_value(platform), any_value(community)
            FROM read_parquet('{ws.dataset_glob("media")}') WHERE pdq_quality >= 50
            GROUP BY pdq ORDER BY pdq LIMIT 1"""
    ).fetchall()
    sn.records = [HashRecord(100, "ImagePDQ", pdq)]
    add_exchange(ws, "sn", "stopncii", settings={"base_url": sn.url},
                 creds={"fetch_function_key": sn.FETCH_KEY, "subscription_key": sn.SUB_KEY})  # fmt: skip
    fetch(ws, "sn")
    match(ws, "sn")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    upgrade(make_engine(url), ws=ws)
    store = Store(ws, url)
    with store.begin() as conn:
        admin = add_user(conn, "admin", "admin", PASSWORD)
        item = _item(conn, uid, platform, community)
        decide(conn, admin, item, "confirm")
    assert queue_feedback(store, "sn").queued == 1
    now = datetime.now(UTC)
    results = [deliver(store, now=now + timedelta(hours=3 * i)) for i in range(5)]
    assert [r["retrying"] for r in results] == [1, 1, 1, 1, 0] and results[-1]["dead"] == 1
    with store.engine.connect() as conn:
        (row,) = for_item(conn, item)
        dead = conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "exchange.feedback.dead")
        ).scalar_one()
    assert (
        row["status"] == "dead"
        and row["last_error"] == "no feedback_function_key in the credentials"
    )
    assert "no feedback_function_key" in dead and not sn.feedback
    store.close()
