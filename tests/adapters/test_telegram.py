from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from counterspell.adapters import ReadContext, detect
from counterspell.adapters.base import Notice
from counterspell.adapters.telegram import TelegramExport
from tests.conftest import problems, read_all, real


def test_dm_export_shapes() -> None:
    path = real("telegram/chatanalytics-DM_2A_7M.json")
    assert detect(str(path)) is TelegramExport
    posts, other = read_all(path)
    assert len(posts) == 8 and not problems(other)
    by_id = {p.post_id: p for p in posts}
    assert {p.community for p in posts} == {"700000000"}
    # service message kept with its action and actor
    joined = by_id["2675"]
    assert joined.kind == "service" and joined.extra["action"] == "joined_telegram"
    assert joined.author_key == "user700000000"
    # text as an array of strings and entities; link entity becomes a link
    mixed = by_id["3644"]
    assert mixed.text == "https://google.com 👀" and mixed.links == ["https://google.com"]
    assert mixed.raw_markup is not None and "link" in mixed.raw_markup
    # date without zone: UTC by default, and recorded as an assumption
    assert by_id["3645"].created_at == datetime(2022, 3, 8, 13, 7, 42, tzinfo=UTC)
    assert by_id["3645"].extra["time_assumed_tz"] == "UTC"
    assert any(isinstance(o, Notice) and "--tz" in o.message for o in other)
    # date_unixtime wins when present
    assert by_id["3662"].created_at == datetime.fromtimestamp(1652135033, tz=UTC)
    assert "time_assumed_tz" not in by_id["3662"].extra
    assert by_id["3674"].created_at == datetime.fromtimestamp(1691719862, tz=UTC)
    # placeholder media: kept, without a file
    photo = by_id["3672"].media[0]
    assert photo.path is None and photo.note and photo.note.startswith("(File not included")
    assert (photo.width, photo.height, photo.kind) == (960, 1280, "image")
    assert by_id["3674"].extra["duration_seconds"] == 56


def test_tz_option_reinterprets_local_dates() -> None:
    path = real("telegram/chatanalytics-DM_2A_7M.json")
    posts, _ = read_all(path, ReadContext(tz=ZoneInfo("Europe/Berlin"), tz_explicit=True))
    p = next(p for p in posts if p.post_id == "3645")
    assert p.created_at == datetime(2022, 3, 8, 12, 7, 42, tzinfo=UTC)
    assert "time_assumed_tz" not in p.extra


def test_big_export_counts_and_authors() -> None:
    posts, other = read_all(real("telegram/chatanalytics-BIG_20A_5475M.json"))
    assert len(posts) == 5475 and not problems(other)
    assert len({p.author_key for p in posts}) == 20
    assert posts[0].created_at == datetime(
        2017, 1, 1, 6, 20, 9, 248000, tzinfo=UTC
    )  # explicit Z kept
    assert {p.community for p in posts} == {"1111111111"}


def _write_full_export(tmp_path: Path) -> Path:
    folder = tmp_path / "DataExport"
    (folder / "chats" / "chat_01" / "photos").mkdir(parents=True)
    (folder / "chats" / "chat_01" / "photos" / "p1.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    doc = {
        "about": "Here is the data you requested. Remember: Telegram is ad free.",
        "personal_information": {"user_id": 1, "first_name": "Example"},
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                {
                    "name": "Group A",
                    "type": "private_supergroup",
                    "id": 111,
                    "messages": [
                        {
                            "id": 1,
                            "type": "message",
                            "date": "2026-01-01T10:00:00",
                            "date_unixtime": "1767261600",
                            "from": "Ann",
                            "from_id": "user5",
                            "text": "hello",
                            "photo": "chats/chat_01/photos/p1.jpg",
                            "reactions": [{"type": "emoji", "count": 3, "emoji": "🔥"}],
                        },
                        {
                            "id": 2,
                            "type": "message",
                            "date_unixtime": "1767261700",
                            "from": "Bo",
                            "from_id": "user6",
                            "text": [
                                "see ",
                                {
                                    "type": "text_link",
                                    "text": "here",
                                    "href": "https://example.com/x",
                                },
                            ],
                            "reply_to_message_id": 1,
                            "file": "../../../../etc/passwd",
                            "media_type": "video_file",
                        },
                    ],
                },
                {
                    "name": "Channel B",
                    "type": "public_channel",
                    "id": 222,
                    "messages": [
                        {
                            "id": 9,
                            "type": "message",
                            "date_unixtime": "1767261800",
                            "from": "Channel B",
                            "from_id": "channel222",
                            "text": "post",
                        },
                    ],
                },
            ],
        },
        "left_chats": {
            "about": "...",
            "list": [
                {
                    "name": "Old",
                    "type": "private_group",
                    "id": 333,
                    "messages": [
                        {
                            "id": 4,
                            "type": "service",
                            "date_unixtime": "1767261900",
                            "actor": "Ann",
                            "actor_id": "user5",
                            "action": "pin_message",
                            "text": "",
                        },
                    ],
                },
            ],
        },
    }
    path = folder / "result.json"
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def test_full_account_export(tmp_path: Path) -> None:
    path = _write_full_export(tmp_path)
    assert detect(str(path)) is TelegramExport
    posts, other = read_all(path)
    assert [p.uid for p in posts] == [
        "telegram:111:1",
        "telegram:111:2",
        "telegram:222:9",
        "telegram:333:4",
    ]
    first, second = posts[0], posts[1]
    assert (
        first.media[0].path == str(path.parent / "chats/chat_01/photos/p1.jpg")
        and first.media[0].note is None
    )
    assert [(r.emoji, r.count) for r in first.reactions] == [("🔥", 3)]
    assert second.parent_uids == ["telegram:111:1"] and second.links == ["https://example.com/x"]
    # a path that escapes the export folder is never followed
    assert second.media[0].path is None and "outside" in (second.media[0].note or "")
    assert second.media[0].kind == "video"
    assert posts[3].kind == "service" and posts[3].extra["action"] == "pin_message"
    assert posts[0].extra["chat_name"] == "Group A"
    assert any(isinstance(o, Notice) and "outside the export folder" in o.message for o in other)


def test_full_export_streamed_in_small_chunks(tmp_path: Path, monkeypatch: object) -> None:
    import counterspell.textio.cursors as cursors
    from counterspell.textio import StreamCursor, open_json

    path = _write_full_export(tmp_path)
    whole, _ = read_all(path)
    monkeypatch.setattr(cursors, "WHOLE_FILE_LIMIT", 0)  # type: ignore[attr-defined]
    monkeypatch.setattr(cursors, "CHUNK_CHARS", 7)  # type: ignore[attr-defined]
    assert isinstance(open_json(str(path)), StreamCursor)  # the streaming path really runs
    streamed, _ = read_all(path)
    assert [(p.uid, p.text, p.created_at, p.parent_uids) for p in whole] == [
        (p.uid, p.text, p.created_at, p.parent_uids) for p in streamed
    ]
