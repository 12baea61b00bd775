"""The operational store's contract, run on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, select, update

from counterspell.errors import Conflict, CounterspellError
from counterspell.store import audit, cases, queue, takedown
from counterspell.store.accounts import (
    LOCK_AFTER,
    MAX_DELAY,
    LoginRefused,
    add_user,
    create_token,
    login,
    login_delay,
    session_user,
    token_user,
)
from counterspell.store.db import Store
from counterspell.store.schema import audit_head, audit_log, metadata, queue_items, takedowns
from counterspell.store.schema import users as users_t

from .conftest import HOSTILE, PASSWORD, make_users


def test_migrations_create_exactly_the_tables_the_code_uses(store: Store) -> None:
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def _login(
    store: Store, name: str, password: str, client: str = "10.0.0.1"
) -> LoginRefused | tuple[Any, ...]:
    with store.begin() as conn:
        try:
            return login(conn, name, password, client)
        except LoginRefused as exc:
            return exc


def test_accounts_passwords_sessions_tokens_and_lockout(store: Store) -> None:
    users = make_users(store)
    ok = _login(store, "analyst", PASSWORD)
    assert isinstance(ok, tuple) and ok[0].role == "analyst"
    with store.engine.connect() as conn:
        found = session_user(conn, ok[1])
        assert found is not None and found[0].name == "analyst" and found[1] == ok[2]
        assert session_user(conn, "forged") is None
    wrong = _login(store, "analyst", "not the password")
    assert isinstance(wrong, LoginRefused) and wrong.status == 401
    assert _login(store, "nobody", PASSWORD).status == 401  # type: ignore[union-attr]
    for _ in range(LOCK_AFTER):
        _login(store, "reviewer", "guess", client="10.0.0.2")
    waiting = _login(store, "reviewer", PASSWORD, client="10.0.0.3")
    unknown = _login(store, "nobody-at-all", PASSWORD, client="10.0.0.3")
    assert isinstance(waiting, LoginRefused) and isinstance(unknown, LoginRefused)
    # right password while the account waits: refused exactly like an unknown name
    assert (
        (waiting.status, str(waiting))
        == (unknown.status, str(unknown))
        == (401, "wrong user name or password")
    )
    with store.begin() as conn:  # the wait is short and over: the owner gets in
        conn.execute(
            update(users_t)
            .where(users_t.c.name == "reviewer")
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert isinstance(_login(store, "reviewer", PASSWORD, client="10.0.0.4"), tuple)
    assert login_delay(LOCK_AFTER) == timedelta(seconds=2) and login_delay(99) == MAX_DELAY
    for i in range(25):
        last = _login(store, f"someone{i}", "guess", client="10.0.0.9")
    assert isinstance(last, LoginRefused) and last.status == 429
    with store.begin() as conn:
        token = create_token(conn, "viewer", "ci")
    with store.begin() as conn:
        assert token_user(conn, token) == users["viewer"]
        assert token_user(conn, token + "x") is None
    with store.begin() as conn, pytest.raises(Conflict):
        add_user(conn, "viewer", "viewer", PASSWORD)
    with store.begin() as conn, pytest.raises(CounterspellError, match="at least 12"):
        add_user(conn, "short", "viewer", "short")
    for weak in ("aaaaaaaaaaaa", "password1234", "weakuser2024!"):
        with store.begin() as conn, pytest.raises(CounterspellError, match="too easy to guess"):
            add_user(conn, "weakuser", "viewer", weak)
    with store.begin() as conn:
        stored = conn.execute(select(audit_log.c.action, audit_log.c.detail)).all()
    assert ("login", '{"client":"10.0.0.1"}') in stored
    assert all(PASSWORD not in d and token not in d for _, d in stored)  # no secret in the log


def test_passwords_are_hashed_at_argon2s_production_cost() -> None:
    """The test processes hash at a lower cost (tests/clizygote.py); a user's process does not."""
    code = (
        "from counterspell.store import accounts; from argon2 import Type; h = accounts._hasher;"
        "print(h.time_cost, h.memory_cost, h.parallelism, h.type is Type.ID)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    time_cost, memory_kib, lanes, argon2id = out.stdout.split()
    # RFC 9106's second recommended option (argon2-cffi's default): t=3, 64 MiB, 4 lanes, id
    assert (int(time_cost), int(memory_kib), int(lanes), argon2id) == (3, 65536, 4, "True")


def test_audit_chain_detects_edits_deletions_and_truncation(store: Store) -> None:
    with store.begin() as conn:
        for i in range(6):
            audit.record(conn, "tester", "test.event", "thing", i, {"i": i})
    with store.engine.connect() as conn:
        assert audit.verify(conn, store.anchor).ok
    with store.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(detail='{"i":99}'))
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
    assert not v.ok and any("entry 3: content changed" in p for p in v.problems)
    with store.begin() as conn:  # put it back, then delete one in the middle
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(detail='{"i":2}'))
        assert audit.verify(conn, store.anchor).ok
        conn.execute(delete(audit_log).where(audit_log.c.seq == 4))
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
    assert any("entry 4: missing" in p for p in v.problems)
    with store.begin() as conn:  # cut the end and rewind the head: only the anchor can tell
        last = conn.execute(select(audit_log).where(audit_log.c.seq == 3)).mappings().one()
        conn.execute(delete(audit_log).where(audit_log.c.seq >= 4))
        conn.execute(update(audit_head).values(seq=3, hash=last["hash"]))
        v = audit.verify(conn, store.anchor)
    assert v.problems and any("entries were removed" in p for p in v.problems)


def _rechain(conn: Any, key: bytes, edit: dict[int, str]) -> None:
    """What someone with write access to the database does: edit entries, then recompute every
    link and the head so the chain is consistent again (with whatever key they have)."""
    import hashlib
    import hmac

    import orjson

    prev = audit.GENESIS
    rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings().all()
    for r in rows:
        detail = edit.get(r["seq"], r["detail"])
        body = orjson.dumps(
            {"seq": r["seq"], "at": r["at"].astimezone(UTC).isoformat(timespec="microseconds"),
             "actor": r["actor"], "action": r["action"], "object_type": r["object_type"],
             "object_id": r["object_id"], "detail": detail, "prev": prev},
            option=orjson.OPT_SORT_KEYS,
        )  # fmt: skip
        mac = (
            hmac.new(key, body, hashlib.sha256).hexdigest()
            if key
            else hashlib.sha256(body).hexdigest()
        )
        conn.execute(
            update(audit_log).where(audit_log.c.seq == r["seq"])
            .values(detail=detail, prev_hash=prev, hash=mac)
        )  # fmt: skip
        prev = mac
    conn.execute(update(audit_head).values(seq=len(rows), hash=prev))


def test_a_rewritten_and_rechained_log_is_caught(store: Store) -> None:
    """The review's reproduction: rewrite, recompute the chain, then append one entry."""
    with store.begin() as conn:
        for i in range(5):
            audit.record(conn, "tester", "test.event", "thing", i, {"i": i})
    with store.begin() as conn:  # without the key (only the database is writable)
        _rechain(conn, b"", {2: '{"i":42}'})
    with store.begin() as conn:  # an ordinary action moves the head on
        audit.record(conn, "tester", "test.after", "thing", 9)
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
    assert not v.ok and any("not signed with this workspace's audit key" in p for p in v.problems)
    # even with the key (whoever also stole .secrets/), the anchor still holds the old MACs
    key = store.ws.secret("audit.key")
    with store.begin() as conn:
        _rechain(conn, key, {2: '{"i":43}'})
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
    assert any("differs from the one recorded: it was rewritten" in p for p in v.problems)


def test_a_deleted_anchor_and_an_emptied_log_are_caught(store: Store) -> None:
    with store.begin() as conn:
        for i in range(3):
            audit.record(conn, "tester", "test.event", "thing", i)
    with store.begin() as conn:
        conn.execute(delete(audit_log))
        conn.execute(update(audit_head).values(seq=0, hash=audit.GENESIS))
    store.anchor.unlink()
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
    assert not v.ok and "missing" in v.problems[0]


def test_an_anchor_cut_short_is_caught(store: Store) -> None:
    with store.begin() as conn:
        for i in range(4):
            audit.record(conn, "tester", "test.event", "thing", i)
    lines = store.anchor.read_text(encoding="utf-8").splitlines()
    store.anchor.write_text("\n".join(lines[:1]) + "\n", encoding="utf-8")
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
    assert any("cut short" in p for p in v.problems)
    assert oct(store.anchor.stat().st_mode & 0o777) == "0o600"


def test_audit_chain_holds_under_concurrent_writers(store: Store) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with store.begin() as conn:
                    audit.record(conn, f"w{n}", "test.concurrent", "thing", i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.engine.connect() as conn:
        v = audit.verify(conn, store.anchor)
    assert v.ok and v.entries == 60


def test_an_item_whose_bank_match_was_withdrawn_drops_it_at_the_next_sync(store: Store) -> None:
    """The lake's matches leave with a withdrawn hash; a queue item queued only for that match
    is no longer selected by the sync, and kept its count and the priority it raised (2.5 of
    severity) until the sync refreshed items it did not see."""
    from counterspell.store.priority import priority

    queue.sync(store)
    old = datetime.now(UTC) - timedelta(days=1)
    with store.begin() as conn:
        template = dict(
            conn.execute(select(queue_items).where(queue_items.c.status == "open").limit(1))
            .mappings()
            .one()
        )
        template.pop("id")
        template.update(uid="4chan:r:withdrawn-1", bank_matches=2, priority=8.9, synced_at=old)
        conn.execute(queue_items.insert().values(**template))
    queue.sync(store)
    with store.begin() as conn:
        after = (
            conn.execute(select(queue_items).where(queue_items.c.uid == "4chan:r:withdrawn-1"))
            .mappings()
            .one()
        )
        conn.execute(delete(queue_items).where(queue_items.c.uid == "4chan:r:withdrawn-1"))
    flags = [f for f in template["flags"].split(";") if f]
    expected = priority(
        template["role"], template["confidence"], flags, 0, bool(template["targets"])
    )
    assert after["bank_matches"] == 0
    assert after["priority"] == max(expected, template["rule_priority"] or 0)


def test_queue_sync_priorities_claims_and_decisions(store: Store) -> None:
    users = make_users(store)
    first = queue.sync(store)
    assert first.seen > 50 and first.added == first.seen
    again = queue.sync(store)
    assert again.added == 0 and again.updated == first.seen  # repeatable
    with store.engine.connect() as conn:
        items = queue.list_items(conn, limit=500)
        hostile = (
            conn.execute(select(queue_items).where(queue_items.c.community == "hostile"))
            .mappings()
            .first()
        )
    assert hostile is not None, f"the hostile request should be queued: {HOSTILE}"
    prios = [it.priority for it in items]
    assert prios == sorted(prios, reverse=True) and all(0 <= p <= 10 for p in prios)
    minors = [it for it in items if "minor_risk" in it.flags]
    others = [it for it in items if "minor_risk" not in it.flags]
    assert minors and all(m.priority >= 9 for m in minors)
    assert all(o.priority < 9 for o in others)

    # two reviewers asking at once never get the same item
    got: list[int] = []
    lock = threading.Lock()

    def grab(user_name: str) -> None:
        with store.begin() as conn:
            it = queue.claim_next(conn, users[user_name])
        assert it is not None  # three items queued, three reviewers
        with lock:
            got.append(it.id)

    threads = [threading.Thread(target=grab, args=(n,)) for n in ("reviewer", "analyst", "admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 3 and got.count(items[0].id) == 1
    mine = next(i for i in got)
    with store.begin() as conn:
        holder = conn.execute(
            select(queue_items.c.assigned_to).where(queue_items.c.id == mine)
        ).scalar()
    other = next(u for u in users.values() if u.id != holder)
    with store.begin() as conn, pytest.raises(Conflict):
        queue.claim(conn, other, mine)
    with store.begin() as conn:  # the reviewer's own item again when asking for the next one
        again_item = queue.claim_next(conn, users["reviewer"])
    assert again_item is not None and again_item.assigned_to == users["reviewer"].id
    rid = again_item.id
    with store.begin() as conn, pytest.raises(Conflict, match="claim"):
        queue.decide(conn, users["analyst"], rid, "confirm")  # not the holder
    with store.begin() as conn:
        done = queue.decide(
            conn, users["reviewer"], rid, "correct", role="praise", flags=[], note="a thank-you"
        )
    assert done.status == "decided" and done.assigned_to is None
    with store.begin() as conn, pytest.raises(Conflict, match="decided"):
        queue.claim(conn, users["reviewer"], rid)
    with store.begin() as conn:
        labels = queue.review_labels(conn)
    assert labels[again_item.uid] == ("praise", ())
    assert queue.reviewed_roles(store.ws, store.url)[again_item.uid] == "praise"
    with store.begin() as conn:  # escalation of a possible minor goes to the top of its list
        mid = minors[-1].id
        queue.claim(conn, users["admin"], mid)
        esc = queue.decide(
            conn, users["admin"], mid, "escalate", flags=["minor_risk"], note="age cue"
        )
        assert esc.status == "escalated" and esc.priority == 10.0
        assert queue.counts(conn)["escalated"] == 1
        with pytest.raises(CounterspellError, match="unknown flag"):
            queue.claim(conn, users["admin"], items[-1].id)
            queue.decide(conn, users["admin"], items[-1].id, "correct", flags=["nonsense"])


def test_identities_stay_in_the_store(store: Store) -> None:
    queue.sync(store)
    with store.engine.connect() as conn:
        item = (
            conn.execute(select(queue_items).where(queue_items.c.targets != "")).mappings().first()
        )
        assert item is not None
        ids = queue.identities_for(conn, item["targets"].split(";"))
    assert ids and all(p.startswith("tgt_") and v["value"] for p, v in ids.items())
    # the lake holds pseudonyms only
    import duckdb

    values = {v["value"] for v in ids.values()}
    rows = duckdb.execute(
        f"SELECT target_ids FROM read_parquet('{store.ws.dataset_glob('enrichments')}') WHERE uid = '{item['uid']}'"
    ).fetchall()
    assert rows and not (set(rows[0][0]) & values)


def test_cases_links_notes_and_evidence_bundle(store: Store) -> None:
    users = make_users(store)
    queue.sync(store)
    with store.engine.connect() as conn:
        item = (
            conn.execute(select(queue_items).where(queue_items.c.campaign_id.is_not(None)))
            .mappings()
            .first()
        )
    assert item is not None
    with store.begin() as conn:
        cid, created = cases.open_case(
            conn, users["analyst"], "request", item.campaign_id, "a campaign"
        )
        assert (
            created
            and cases.open_case(conn, users["analyst"], "request", item.campaign_id)[1] is False
        )
    added = cases.collect(store, cid, users["analyst"])
    assert added["post"] >= 1 and added["campaign"] == 1
    assert cases.collect(store, cid, users["analyst"]) == {}  # nothing twice
    with store.begin() as conn:
        cases.add_note(conn, cid, users["reviewer"], "seen on two boards")
        cases.set_status(conn, cid, users["analyst"], "in_progress", "asking platforms")
        with pytest.raises(CounterspellError):
            cases.set_status(conn, cid, users["analyst"], "nonsense")
    b = cases.bundle(store, cid, users["analyst"])
    assert b["case"]["status"] == "in_progress" and len(b["sha256"]) == 64
    assert [s["status"] for s in b["status_history"]] == ["open", "in_progress"]
    assert {e["action"] for e in b["audit_trail"]} >= {
        "case.open",
        "case.link",
        "case.note",
        "case.status",
    }
    assert all(e["hash"] and e["prev_hash"] for e in b["audit_trail"])
    with store.engine.connect() as conn:
        exported = conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "case.export")
        ).scalar()
    assert exported is not None and b["sha256"] in exported
    # the TAKE IT DOWN notice lists the depictions (fulfilments, distributions), not requests
    shown = [
        link["ref"]
        for link in b["links"]
        if link["kind"] == "post" and link["detail"]["role"] in ("fulfillment", "distribution")
    ]
    if shown:
        notice = cases.removal_notice(store, cid, users["analyst"])
        assert "TAKE IT DOWN" in notice and "Content located" in notice
        assert all(ref in notice for ref in shown)
    else:
        with pytest.raises(CounterspellError, match="no fulfillment or distribution post"):
            cases.removal_notice(store, cid, users["analyst"])


VALID = {
    "requester_name": "Jane Example",
    "acting_for": "self",
    "signature": "Jane Example",
    "signed": "on",
    "locations": "https://boards.example.com/r/thread/1#p2",
    "statement": "I never agreed to this picture being made or shared.",
    "good_faith": "on",
    "contact_email": "jane@example.com",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"signature": ""}, "signature:"),
        ({"signed": ""}, "signature:"),
        ({"acting_for": "authorised", "authority": ""}, "authority:"),
        ({"locations": ""}, "locations: say where"),
        ({"locations": "somewhere on the internet"}, "neither a link"),
        ({"hashes": "pdq 12zz"}, "hashes, line 1"),
        ({"statement": ""}, "statement:"),
        ({"good_faith": ""}, "statement:"),
        ({"contact_email": "not an address"}, "contact:"),
    ],
)
def test_takedown_validation_names_each_missing_element(
    change: dict[str, str], message: str
) -> None:
    problems = takedown.validate(takedown.Request.from_mapping({**VALID, **change}))
    assert any(message in p for p in problems), problems
    assert takedown.validate(takedown.Request.from_mapping(VALID)) == []
    assert (
        takedown.validate(
            takedown.Request.from_mapping(
                {**VALID, "contact_email": "", "contact_phone": "+1 555 0100"}
            )
        )
        == []
    )


def test_takedown_clock_sweep_and_compliance(store: Store) -> None:
    ws = store.ws
    import duckdb

    # a picture posted in one place and reposted elsewhere: report the first, find both
    rows = duckdb.execute(
        f"""SELECT md5, list(uid ORDER BY uid) FROM read_parquet('{ws.dataset_glob("media")}')
            WHERE md5 IS NOT NULL GROUP BY md5 HAVING count(DISTINCT platform) > 1 LIMIT 1"""
    ).fetchall()
    assert rows, "the synthetic corpus reposts media across platforms"
    md5, uids = rows[0]
    with store.begin() as conn:
        bad = takedown.submit(conn, takedown.Request.from_mapping({**VALID, "signed": ""}))
        good = takedown.submit(conn, takedown.Request.from_mapping({**VALID, "locations": uids[0]}))
    assert bad.status == "invalid" and bad.due_at is None and bad.problems
    assert good.status == "valid" and good.due_at is not None and good.valid_at is not None
    assert good.due_at - good.valid_at == timedelta(hours=48)
    copies = takedown.sweep(store, good.id, "analyst")
    found = {c["ref"] for c in copies if c["match"] == "identical" and c["signal"] == f"md5:{md5}"}
    assert set(uids) <= found
    with store.engine.connect() as conn:
        assert len(takedown.copies_of(conn, good.id)) == len(copies)
        assert takedown.due(conn) == []
    (analyst,) = [u for u in make_users(store).values() if u.role == "analyst"]
    cid = cases.from_takedown(store, good.id, analyst)
    with store.engine.connect() as conn:
        assert takedown.get(conn, good.id).case_id == cid
        linked = {link["ref"] for link in cases.links_of(conn, cid, "post")}
        assert set(uids) <= linked and cases.links_of(conn, cid, "takedown")[0]["ref"] == good.ref
    trail = {e["action"] for e in cases.bundle(store, cid, analyst)["audit_trail"]}
    assert {"takedown.received", "takedown.valid", "takedown.sweep", "case.open"} <= trail
    assert uids[0] in cases.removal_notice(store, cid, analyst)
    with store.begin() as conn:  # move the clock: due soon, then overdue
        conn.execute(
            update(takedowns)
            .where(takedowns.c.id == good.id)
            .values(due_at=datetime.now(UTC) + timedelta(hours=3))
        )
        assert [r.urgency for r in takedown.due(conn)] == ["due-soon"]
        conn.execute(
            update(takedowns)
            .where(takedowns.c.id == good.id)
            .values(due_at=datetime.now(UTC) - timedelta(hours=1))
        )
        assert [r.urgency for r in takedown.due(conn)] == ["overdue"]
        assert takedown.compliance(conn).overdue_open == 1
        with pytest.raises(Conflict):
            takedown.set_status(conn, bad.id, "removed", "analyst")
        takedown.set_status(conn, good.id, "removed", "analyst")
        c = takedown.compliance(conn)
    assert c.removed == 1 and c.valid == 1 and c.share_in_time == 1.0 and c.median_hours is not None


def test_store_refuses_an_old_schema(lake, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CounterspellError, match="counterspell db upgrade"):
        Store(lake, f"sqlite:///{tmp_path / 'empty.sqlite'}")


def test_many_reviewers_never_share_or_redo_an_item(store: Store) -> None:
    """Claim-then-decide loops in parallel: no item handed out twice, none decided twice."""
    with store.begin() as conn:
        reviewers = [add_user(conn, f"r{k}", "reviewer", PASSWORD) for k in range(6)]
    queue.sync(store)
    errors: list[str] = []
    decided: list[int] = []
    lock = threading.Lock()

    def work(user: object) -> None:
        for _ in range(12):
            try:
                with store.begin() as conn:
                    it = queue.claim_next(conn, user)  # type: ignore[arg-type]
                if it is None:
                    return
                with store.begin() as conn:
                    queue.decide(conn, user, it.id, "confirm")  # type: ignore[arg-type]
                with lock:
                    decided.append(it.id)
            except Exception as exc:
                errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(u,)) for u in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(decided) == len(set(decided)) == 72


def test_purge_erases_requesters_details_after_retention(store: Store) -> None:
    from counterspell.store.records import PERSONAL_FIELDS
    from counterspell.store.takedown import purge

    with store.begin() as conn:
        done = takedown.submit(conn, takedown.Request.from_mapping(VALID))
        takedown.set_status(conn, done.id, "removed", "analyst")
        open_one = takedown.submit(conn, takedown.Request.from_mapping(VALID))
        conn.execute(  # finished long ago; the open one is older still but not finished
            update(takedowns)
            .where(takedowns.c.id == done.id)
            .values(removed_at=datetime.now(UTC) - timedelta(days=400))
        )
        conn.execute(
            update(takedowns)
            .where(takedowns.c.id == open_one.id)
            .values(received_at=datetime.now(UTC) - timedelta(days=900))
        )
        assert purge(conn, timedelta(days=365), "cli", dry_run=True) == [done.ref]
        assert takedown.get(conn, done.id).contact_email == VALID["contact_email"]
        assert purge(conn, timedelta(days=365), "cli") == [done.ref]
        assert purge(conn, timedelta(days=365), "cli") == []  # once only
        erased = takedown.get(conn, done.id)
        kept = takedown.get(conn, open_one.id)
    assert all(getattr(erased, f) == "" for f in PERSONAL_FIELDS)
    assert erased.locations == VALID["locations"] and erased.status == "removed"
    assert kept.requester_name == VALID["requester_name"]
    with store.engine.connect() as conn:
        assert takedown.compliance(conn).removed >= 1
        actions = conn.execute(
            select(audit_log.c.action).where(
                audit_log.c.object_type == "takedown", audit_log.c.object_id == str(done.id)
            )
        ).scalars()
        assert "takedown.purge" in set(actions)


def test_concurrent_guesses_are_all_counted(store: Store) -> None:
    """Failures are counted under a row lock: parallel guesses cannot slip past the count."""
    make_users(store)
    errors: list[BaseException] = []

    def guess(n: int) -> None:
        try:
            _login(store, "admin", f"guess {n}", client=f"10.1.0.{n}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(LOCK_AFTER - 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.engine.connect() as conn:
        fails = conn.execute(
            select(users_t.c.failed_logins).where(users_t.c.name == "admin")
        ).scalar_one()
    assert fails == LOCK_AFTER - 1


def test_nul_bytes_in_text_are_dropped_on_every_backend(store: Store) -> None:
    """PostgreSQL refuses NUL in text: a public form field carrying one was a server error."""
    with store.begin() as conn:
        t = takedown.submit(
            conn, takedown.Request.from_mapping({**VALID, "requester_name": "Jane\x00 Example"})
        )
    with store.engine.connect() as conn:
        assert takedown.get(conn, t.id).requester_name == "Jane Example"


def test_tokens_expire_revoke_and_accounts_disable(store: Store) -> None:
    from counterspell.store.accounts import revoke_tokens, set_disabled, set_password
    from counterspell.store.schema import api_tokens

    users = make_users(store)
    with store.begin() as conn:
        short = create_token(conn, "viewer", "short-lived", lifetime=timedelta(days=1))
        ci = create_token(conn, "viewer", "ci")
        other = create_token(conn, "reviewer", "ci")
    with store.begin() as conn:  # a day later
        conn.execute(
            update(api_tokens).where(api_tokens.c.name == "short-lived")
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )  # fmt: skip
        assert token_user(conn, short) is None and token_user(conn, ci) == users["viewer"]
        assert revoke_tokens(conn, "viewer", "ci") == 1
        assert token_user(conn, ci) is None
        set_password(conn, "reviewer", "another correct horse battery")
        assert token_user(conn, other) is None  # a new password ends the old tokens
    cookie = _login(store, "analyst", PASSWORD)
    assert isinstance(cookie, tuple)
    with store.begin() as conn:
        token = create_token(conn, "analyst", "ci")
        set_disabled(conn, "analyst", True)
        assert session_user(conn, cookie[1]) is None and token_user(conn, token) is None
    refused = _login(store, "analyst", PASSWORD, client="10.0.0.7")
    assert isinstance(refused, LoginRefused) and refused.status == 401
    with store.begin() as conn:
        set_disabled(conn, "analyst", False)
    assert isinstance(_login(store, "analyst", PASSWORD, client="10.0.0.8"), tuple)
