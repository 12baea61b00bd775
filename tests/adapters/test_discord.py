from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from counterspell.adapters import detect
from counterspell.adapters.base import Notice
from counterspell.adapters.discord import DiscordChatExporter
from tests.conftest import problems, read_all, real

GUILD = "748545324524575035"
GENERAL = "1012224565567721552"


def test_guild_channel_replies_attachments_reactions() -> None:
    path = real("discord/dce-example-guild-general.json")
    assert detect(str(path)) is DiscordChatExporter
    posts, other = read_all(path)
    assert len(posts) == 35 and not problems(other)
    assert {p.community for p in posts} == {f"{GUILD}/{GENERAL}"}
    first = posts[0]
    assert first.uid == f"discord:{GUILD}/{GENERAL}:1045178587575242772"
    assert first.author_key == "521486476985155645" and first.author_name == "Adam"
    assert first.created_at == datetime(2023, 1, 6, 14, 3, 3, 853000, tzinfo=UTC)
    by_id = {p.post_id: p for p in posts}
    reply = by_id["1060926346089476176"]
    assert reply.parent_uids == [f"discord:{GUILD}/{GENERAL}:1060926317920538735"]
    assert [(r.emoji, r.count) for r in reply.reactions] == [("👀", 1)]
    att = by_id["1060926845832409158"].media[0]
    assert att.name == "dce-export-more.png" and att.size == 42900 and att.kind == "image"
    assert att.path is not None and att.path.endswith(
        "dce-export-more-662EF.png"
    )  # backslashes resolved
    assert att.note == "file named by the export is missing"
    joins = [p for p in posts if p.kind == "service"]
    assert {p.extra["action"] for p in joins} == {"GuildMemberJoin", "ThreadCreated"}
    assert sum(len(p.parent_uids) for p in posts) == 2  # ThreadCreated's reference names no message
    created = next(p for p in posts if p.extra.get("action") == "ThreadCreated")
    assert created.extra["referenced_channel_id"] == "1060927310439657577"


def test_thread_belongs_to_parent_channel() -> None:
    posts, _ = read_all(real("discord/dce-example-guild-thread-thomas.json"))
    assert len(posts) == 5
    assert {p.community for p in posts} == {f"{GUILD}/{GENERAL}"}
    assert {p.thread_id for p in posts} == {"1060927310439657577"}
    assert all(p.extra["thread_channel_id"] == "1060927310439657577" for p in posts)
    mention = next(p for p in posts if p.post_id == "1060927520008065176")
    assert mention.mentions == ["521486476985155645"]


def test_message_count_not_trusted() -> None:
    posts, other = read_all(real("discord/dce-example-guild-chill-talk.json"))
    assert len(posts) == 6
    assert any(isinstance(o, Notice) and "messageCount says 35" in o.message for o in other)


def test_edge_cases_deleted_user_calls_group_dm() -> None:
    sv, _ = read_all(real("discord/chatanalytics-SV_5A_5M.json"))
    assert len(sv) == 5 and sv[0].post_id == sv[1].post_id  # duplicate id: the ingest keeps one
    assert sv[0].author_name == "Deleted User"
    no_nick = next(p for p in sv if p.post_id == "447793085255123004")
    assert no_nick.author_name == "mlomb"
    assert (
        next(p for p in sv if p.post_id == "447793085255123005").media[0].url
        == "https://cdn.discordapp.com/attachments/123/123/unknown.png"
    )
    dm, _ = read_all(real("discord/chatanalytics-DM_2A_2M.json"))
    assert {p.community for p in dm} == {"0/530805775262679064"}
    assert [p.kind for p in dm].count("service") == 1  # the call
    gc, _ = read_all(real("discord/chatanalytics-GC_3A_5M.json"))
    assert len(gc) == 6 and sum(bool(p.parent_uids) for p in gc) == 1


def test_attachment_path_cannot_escape_export(tmp_path: Path) -> None:
    doc = {
        "guild": {"id": "1", "name": "G"},
        "channel": {"id": "2", "type": "GuildTextChat", "name": "c"},
        "messages": [
            {
                "id": "3",
                "type": "Default",
                "timestamp": "2026-01-01T00:00:00+00:00",
                "content": "x",
                "author": {"id": "4", "name": "a"},
                "attachments": [
                    {
                        "id": "5",
                        "url": "../../secret.png",
                        "fileName": "secret.png",
                        "fileSizeBytes": 1,
                    }
                ],
            }
        ],
    }
    f = tmp_path / "sub" / "e.json"
    f.parent.mkdir()
    f.write_text(json.dumps(doc))
    posts, other = read_all(f)
    assert posts[0].media[0].path is None
    assert any(isinstance(o, Notice) and "outside" in o.message for o in other)
