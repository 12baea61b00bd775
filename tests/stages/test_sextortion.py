"""The sextortion flag: a threat to show someone's pictures to the people around them, tied to a
demand or a condition. Written here in new words (no generator phrase bank, no dataset sentence);
silent on talk about sextortion, on ordinary sharing, and on the real abusive-speech negatives."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from counterspell.stages.text import text_signals
from counterspell.store.priority import priority
from tests.conftest import real

EXTORTION = [
    "pay me 200 or i will send these pics to your whole family",
    "send $500 in btc by tonight or your boss gets to see the pics",
    "if you dont pay ill post them to all your followers",
    "your parents will see everything unless you send more",
    "i will forward the edits to your husband unless you pay up",
    "ill show your friends the video, you have 24 hours to pay",
    "you have 48 hours. $300 on cashapp or im gonna leak them to your coworkers",
    "gift cards only. otherwise i'll upload the fakes and tag your school",
]
ORDINARY = [
    "i will send the holiday pics to your family tonight",
    "sextortion is on the rise, police warn parents to talk to their kids",
    "my mom will see the pics from the trip when she gets back",
    "if you dont come to the party i'll tell your friends you were sick",
    "pay me back the $20 or i'll tell your mom, jk",
    "she threatened to leak my text messages to my boss lol",
    "send me the pics from the wedding so i can show my family",
    "scammers say they'll send the video to your contacts unless you pay: never pay, report it",
]


def _flags(text: str) -> list[str]:
    return text_signals(text).cues.flags


@pytest.mark.parametrize("text", EXTORTION)
def test_threat_and_demand_raise_the_flag(text: str) -> None:
    assert "sextortion" in _flags(text), text


@pytest.mark.parametrize("text", ORDINARY)
def test_talk_about_it_and_ordinary_sharing_do_not(text: str) -> None:
    assert "sextortion" not in _flags(text), text


def test_it_sits_beside_minors_at_the_top_of_the_queue() -> None:
    assert (
        9.0
        <= priority("other", 0.9, ["sextortion"], 0, False)
        < priority("other", 0.9, ["minor_risk"], 0, False)
    )
    assert priority("fulfillment", 1.0, ["payment", "doxxing"], 1, True) < priority(
        "other", 0.1, ["sextortion"], 0, False
    )


def test_an_objection_in_a_minor_risk_thread_comes_after_what_it_objects_to() -> None:
    objection = priority("counter_speech", 0.99, ["minor_risk"], 0, False)
    assert priority("other", 1.0, ["sextortion"], 0, False) < objection
    assert objection < priority("request", 0.0, ["minor_risk"], 0, False)
    assert objection < priority("other", 0.3, ["minor_risk"], 0, False)  # may be a request


@pytest.mark.parametrize("name", ["davidson-2017-tweets.jsonl", "hatecheck-test-suite.jsonl"])
def test_silent_on_real_abusive_speech(name: str) -> None:
    path: Path = real(f"negatives/{name}")
    flagged = []
    with path.open("rb") as f:
        for line in f:
            text = orjson.loads(line).get("text") or ""
            if "sextortion" in _flags(text):
                flagged.append(text)
    assert not flagged, flagged[:5]


def test_end_to_end_flag_queue_and_case_routing(tmp_path: Path) -> None:
    from counterspell.ingest import ingest
    from counterspell.lake.datasets import enriched_sql
    from counterspell.lake.query import connect
    from counterspell.lake.workspace import Workspace
    from counterspell.pipeline.analyze import analyze
    from counterspell.store import cases, queue
    from counterspell.store.accounts import add_user
    from counterspell.store.db import Store, make_engine, upgrade
    from counterspell.store.schema import case_notes

    rows = [
        {"community": "dm-1", "post_id": "1", "thread_id": "t", "created_at": 1_767_225_600,
         "author": "x1", "text": "hey, remember me? i made some pictures of you"},
        {"community": "dm-1", "post_id": "2", "thread_id": "t", "created_at": 1_767_225_700,
         "author": "x1", "text": EXTORTION[6]},
        {"community": "dm-1", "post_id": "3", "thread_id": "t", "created_at": 1_767_225_800,
         "author": "v", "text": "please stop, who is this"},
    ]  # fmt: skip
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dm.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(tmp_path / "in")])
    analyze(ws, workers=1)
    flagged = (
        connect(ws)
        .sql(f"SELECT uid, why FROM {enriched_sql(ws)} WHERE list_contains(flags, 'sextortion')")
        .fetchall()
    )
    assert [u for (u, _) in flagged] == ["jsonl:dm-1:2"]
    assert any(
        w.startswith("flag sextortion: 'im gonna leak them to your coworkers")
        for w in flagged[0][1]
    )
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    upgrade(make_engine(url), ws=ws)
    store = Store(ws, url)
    queue.sync(store)
    with store.begin() as conn:
        user = add_user(conn, "ana", "analyst", "correct horse battery staple")
        item = next(i for i in queue.list_items(conn) if i.uid == "jsonl:dm-1:2")
    assert item.priority >= 9.0 and "sextortion" in item.flags
    cid = cases.for_item(store, item, user)
    with store.engine.connect() as conn:
        notes = [
            n
            for (n,) in conn.execute(
                case_notes.select()
                .with_only_columns(case_notes.c.text)
                .where(case_notes.c.case_id == cid)
            )
        ]
    store.close()
    assert any("CyberTipline" in n and "not to pay" in n for n in notes)
