"""Rules in the store: versions and audit, roles, shadow and live runs, webhooks, dead letters."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest
from sqlalchemy import select

from counterspell.errors import CounterspellError
from counterspell.lake.datasets import relation
from counterspell.lake.query import connect
from counterspell.lake.workspace import Workspace
from counterspell.rules.model import BUILTIN, Rule
from counterspell.store import audit
from counterspell.store import rules as R
from counterspell.store import webhooks as W
from counterspell.store.db import Store, make_engine, upgrade
from counterspell.store.schema import queue_items, webhook_deliveries


@pytest.fixture
def rstore(lake: Workspace, tmp_path: Path, db_url: str) -> Iterator[Store]:
    """A store over a copy of the shared lake (runs write rule hits into the lake)."""
    shutil.copytree(lake.root, tmp_path / "own")
    ws = Workspace.open(tmp_path / "own")
    upgrade(make_engine(db_url), ws=ws)
    s = Store(ws, db_url)
    yield s
    s.close()


def test_every_edit_is_an_audited_version(rstore: Store) -> None:
    with rstore.begin() as conn:
        assert R.ensure_builtin(conn) == len(BUILTIN)
        assert R.ensure_builtin(conn) == 0
        r1 = R.save(
            conn,
            Rule.make("req", "role = 'request'", ["queue"], "shadow"),
            "ann",
            may_go_live=False,
        )
        same = R.save(
            conn,
            Rule.make("req", "role = 'request'", ["queue"], "shadow"),
            "ann",
            may_go_live=False,
        )
        r2 = R.save(
            conn,
            Rule.make("req", "role = 'request' AND minor_risk", ["queue:9"], "shadow"),
            "bob",
            may_go_live=False,
        )
        versions = R.history(conn, "req")
    with rstore.engine.connect() as conn:
        v = audit.verify(conn, rstore.anchor)
        first = R.get(conn, "req", 1)
    assert (r1.version, same.version, r2.version) == (1, 1, 2)
    assert [x["author"] for x in versions] == ["bob", "ann"]
    assert first.condition == "role = 'request'"
    assert v.ok


def test_only_an_admin_makes_a_rule_live(rstore: Store) -> None:
    with rstore.begin() as conn:
        R.save(
            conn,
            Rule.make("req", "role = 'request'", ["queue"], "shadow"),
            "ann",
            may_go_live=False,
        )
        with pytest.raises(CounterspellError, match="only an admin"):
            R.set_state(conn, "req", "live", "ann", may_go_live=False)
        with pytest.raises(CounterspellError, match="only an admin"):
            R.save(conn, Rule.make("new", "minor_risk", [], "live"), "ann", may_go_live=False)
        assert R.set_state(conn, "req", "live", "root", may_go_live=True).state == "live"
        with pytest.raises(CounterspellError, match="is live"):
            R.save(
                conn,
                Rule.make("req", "role = 'fulfillment'", ["queue"], "live"),
                "ann",
                may_go_live=False,
            )
        from counterspell.store.schema import audit_log

        actions = [
            a
            for (a,) in conn.execute(
                select(audit_log.c.action).where(audit_log.c.object_id == "req")
            )
        ]
    assert actions == ["rule.save", "rule.promote"]


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def hook_url() -> Iterator[str]:
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_shadow_records_live_acts_once_and_posts_signed_webhooks(
    rstore: Store, hook_url: str
) -> None:
    with rstore.begin() as conn:
        secret = W.add_webhook(conn, "partner", hook_url, "root")
        R.save(conn, Rule.make("minor-req", "role = 'request' AND minor_risk", ["queue:9.7", "tag:minor", "escalate", "webhook:partner"], "live"), "root", may_go_live=True)  # fmt: skip
    first = R.run(rstore, "analyze")
    assert first.rules == len(BUILTIN) + 1 and first.hits > 0 and first.acted > 0
    assert first.webhooks == first.acted == len(_Hook.received)
    headers, body = _Hook.received[0]
    assert headers["X-Counterspell-Signature"] == W.signature(
        secret, headers["X-Counterspell-Timestamp"], body
    )
    payload = orjson.loads(body)
    assert payload["rule"] == "minor-req" and "text" not in payload
    with rstore.engine.connect() as conn:
        items = (
            conn.execute(
                select(queue_items).where(queue_items.c.reasons.contains("rule:minor-req@1"))
            )
            .mappings()
            .all()
        )
    assert len(items) == first.acted
    assert all(
        i["status"] == "escalated" and i["priority"] >= 9.7 and "minor" in i["tags"] for i in items
    )
    # shadow rules recorded their hits and did nothing
    ws = rstore.ws
    states = dict(
        connect(ws)
        .sql(f"SELECT state, count(*) FROM {relation(ws, 'rule_hits')} GROUP BY 1")
        .fetchall()
    )
    assert states["shadow"] > 0 and states["live"] == first.acted
    # nothing new since: the next run records and acts on nothing; a full run does not act twice
    again = R.run(rstore, "match")
    assert (again.hits, again.acted) == (0, 0)
    assert R.run(rstore, "manual", all_posts=True).acted == 0
    assert len(_Hook.received) == first.acted
    # queue sync keeps the rule's priority
    from counterspell.store.queue import sync

    sync(rstore)
    with rstore.engine.connect() as conn:
        low = (
            conn.execute(select(queue_items.c.priority).where(queue_items.c.reasons != ""))
            .scalars()
            .all()
        )
    assert min(low) >= 9.7


def test_failing_deliveries_back_off_then_go_to_the_dead_letters(rstore: Store) -> None:
    with rstore.begin() as conn:
        W.add_webhook(conn, "gone", "http://127.0.0.1:9/nothing-listens", "root")
        R.save(conn, Rule.make("minor-req", "role = 'request' AND minor_risk", ["webhook:gone"], "live"), "root", may_go_live=True)  # fmt: skip
    run = R.run(rstore, "analyze")
    assert run.webhooks > 0
    now = datetime.now(UTC)
    for attempt in range(W.MAX_ATTEMPTS - 1):
        now += timedelta(hours=3)
        r = W.deliver(rstore, now)
        assert r["delivered"] == 0 and r["dead"] == (
            run.webhooks if attempt == W.MAX_ATTEMPTS - 2 else 0
        )
    with rstore.begin() as conn:
        dead = W.dead_letters(conn)
        assert len(dead) == run.webhooks and dead[0]["attempts"] == W.MAX_ATTEMPTS
        W.retry(conn, dead[0]["id"], "root")
        status = conn.execute(
            select(webhook_deliveries.c.status).where(webhook_deliveries.c.id == dead[0]["id"])
        ).scalar()
        hooks = W.list_webhooks(conn)
    assert status == "pending" and hooks[0]["dead"] == run.webhooks - 1
