from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from counterspell.adapters import ReadContext, detect
from counterspell.adapters.jsonl import GenericJsonl
from tests.conftest import problems, read_all


def test_generic_jsonl_schema(tmp_path: Path) -> None:
    rows = [
        {
            "platform": "kik",
            "community": "room1",
            "post_id": 1,
            "created_at": "2026-02-01T10:00:00Z",
            "text": "hi https://example.com/a",
            "author_key": "u1",
            "media": [{"name": "a.png", "md5": "00" * 16, "size": 10, "width": "bad"}],
            "custom": 5,
        },
        {
            "platform": "kik",
            "community": "room1",
            "post_id": 2,
            "created_at": 1769940000,
            "parent_ids": ["1"],
            "reactions": [{"emoji": "🔥", "count": 2}],
        },
        {"platform": "kik", "post_id": 3, "created_at": "2026-02-01T10:00:00Z"},
        {"platform": "kik", "community": "room1", "post_id": 4, "created_at": "yesterday"},
        [1, 2, 3],
    ]
    f = tmp_path / "posts.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    assert detect(str(f)) is GenericJsonl
    posts, other = read_all(f)
    assert [p.uid for p in posts] == ["kik:room1:1", "kik:room1:2"]
    assert posts[0].created_at == datetime(2026, 2, 1, 10, tzinfo=UTC)
    assert posts[0].extra == {"custom": 5} and posts[0].links == ["https://example.com/a"]
    assert posts[0].media[0].width is None and posts[0].media[0].md5 == "00" * 16
    assert posts[1].parent_uids == ["kik:room1:1"] and posts[1].reactions[0].count == 2
    reasons = [(p.place.line, p.reason) for p in problems(other)]
    assert reasons[0][0] == 3 and "community" in reasons[0][1]
    assert reasons[1][0] == 4 and "created_at" in reasons[1][1]
    assert reasons[2][0] == 5 and "object" in reasons[2][1]
    # --community fills a missing community
    posts, _ = read_all(f, ReadContext(community="room9"))
    assert "kik:room9:3" in [p.uid for p in posts]
