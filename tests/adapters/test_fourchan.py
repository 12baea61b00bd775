from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from counterspell.adapters import ReadContext, detect
from counterspell.adapters.foolfuuka import FoolFuukaThread
from counterspell.adapters.fourchan import (
    FourchanJson,
    FourchanNdjson,
    infer_board,
    md5_hex,
    parse_now,
)
from counterspell.textutil import extract_urls, fourchan_html_to_text, normalise_url
from tests.conftest import problems, read_all, real


def test_old_thread_shape_ck_2012() -> None:
    path = real("4chan/go4chanapi-thread-ck-2012.json")
    assert detect(str(path)) is FourchanJson
    posts, other = read_all(path)
    assert len(posts) == 38 and not problems(other)
    op = posts[0]
    assert op.uid == "4chan:ck:3856791" and op.is_op and op.thread_id == "3856791"
    assert op.created_at == datetime(2012, 9, 6, 22, 0, 17, tzinfo=UTC)
    assert op.text.startswith(
        "All industrial food is based on something real you can make at home, and"
    )  # &#44;
    assert op.media[0].md5 == "fe8ef68c9422c57081657143d21b4f06"  # base64 -> hex
    assert op.media[0].name == "White-Bread.jpg" and op.media[0].width == 400
    by_id = {p.post_id: p for p in posts}
    # quote link with the thread prefix: href="3856791#p3856796"
    assert by_id["3856800"].parent_uids == ["4chan:ck:3856796"]
    assert by_id["3856800"].text == ">>3856796\nyou comedian!"
    assert by_id["3856811"].author_key == "trip:!!s1shuD45usb"
    assert all(p.thread_id == "3856791" for p in posts)
    assert sum(p.is_op for p in posts) == 1
    assert "email" in by_id["3856796"].extra  # unmapped keys are kept


def test_official_thread_and_catalog_po() -> None:
    posts, _ = read_all(real("4chan/official-thread-po-570368.json"))
    assert [p.post_id for p in posts] == ["570368", "570370", "570371"]
    op = posts[0]
    assert op.extra["capcode"] == "mod" and op.extra["unique_ips"] == 1
    assert op.subject == "Welcome to /po/!"
    faq = posts[1]
    # <wbr> inside a URL is removed, links are kept, literal newlines do not pile up
    assert "http://papercraft.wikidot.com/papercraft" in faq.links
    assert "\n\n\n" not in faq.text
    cat_posts, _ = read_all(real("4chan/official-catalog-po.json"))
    assert {p.community for p in cat_posts} == {"po"}
    assert {"570368", "570371"} <= {p.post_id for p in cat_posts}  # OP and its last reply


def test_catalog_vg_with_last_replies_and_cross_board_links() -> None:
    posts, other = read_all(real("4chan/4chanapischema-catalog-vg-2015.json"))
    assert len(posts) == 596 and not problems(other)  # 150 OPs + 446 last_replies
    assert sum(p.is_op for p in posts) == 150
    assert all("last_replies" not in p.extra for p in posts)
    cross = next(p for p in posts if p.post_id == "227083760")
    assert "4chan:aco:2522227" in cross.parent_uids and "4chan:s4s:7057942" in cross.parent_uids
    replies = [p for p in posts if not p.is_op]
    assert all(p.thread_id != p.post_id for p in replies)


def test_old_catalog_fragment_a() -> None:
    posts, _ = read_all(real("4chan/go4chanapi-catalog-a-2013.json"))
    assert [p.uid for p in posts] == ["4chan:a:79149278", "4chan:a:79154415"]


def test_html_conversion_cases() -> None:
    com = (
        '<a href="#p123" class="quotelink">&gt;&gt;123</a><br>'
        '<span class="quote">&gt;be me</span><br>'
        '<s>spoiler</s> and <a href="/po/thread/9#p10" class="quotelink">&gt;&gt;&gt;/po/10</a><br>'
        '<a href="//boards.4channel.org/po/catalog#s=lft" class="quotelink">&gt;&gt;&gt;/po/lft</a> '
        'http://exa<wbr>mple.com/a &amp; <span class="deadlink">&gt;&gt;77</span>'
    )
    text, quotes, _ = fourchan_html_to_text(com)
    assert text == ">>123\n>be me\nspoiler and >>>/po/10\n>>>/po/lft http://example.com/a & >>77"
    assert quotes == [(None, "123"), ("po", "10"), (None, "77")]


def test_entities_left_in_text_are_not_part_of_an_address() -> None:
    """A teaser cut with an ellipsis entity, or an export escaped twice, leaves markup after a
    link: it ends the address (it made hosts such as ``t.c&#8230`` before)."""
    assert extract_urls("new one https://t.c&#8230; soon") == ["https://t.c"]
    assert extract_urls("discord.gg/Ab12&#8230;") == ["https://discord.gg/Ab12"]
    assert extract_urls("https://x.example.com/a?q=1&gt;") == ["https://x.example.com/a?q=1"]
    # a real query keeps its ampersands, and only the host is lower-cased, even before a '?'
    assert extract_urls("https://Ex.Example.COM?A=1&B=2") == ["https://ex.example.com?A=1&B=2"]
    assert extract_urls("https://example.com/p?a=1&amp;b=2") == [
        "https://example.com/p?a=1&amp;b=2"
    ]
    assert normalise_url("https://example.com/x?flag&yy") == "https://example.com/x?flag&yy"


def test_time_fallback_and_md5_and_board_inference() -> None:
    assert parse_now("09/06/12(Thu)18:00") == datetime(2012, 9, 6, 22, 0, tzinfo=UTC)  # EDT
    assert parse_now("01/28/13(Mon)13: 12") == datetime(2013, 1, 28, 18, 12, tzinfo=UTC)  # EST
    assert md5_hex("/o72jJQixXCBZXFD0htPBg==") == "fe8ef68c9422c57081657143d21b4f06"
    assert md5_hex("not base64!") is None and md5_hex("") is None
    assert infer_board("/data/r/thread/123.json") == ("r", "path")
    assert infer_board("dump/official-thread-po-1.json")[0] == "po"
    assert infer_board("/data/dumps/zzz.json") == (None, "")


def test_board_override_and_unknown_board_notice(tmp_path: Path) -> None:
    f = tmp_path / "zzz.json"
    f.write_text(json.dumps({"posts": [{"no": 5, "resto": 0, "time": 1, "com": "hi"}]}))
    posts, other = read_all(f)
    assert posts[0].community == "unknown" and any("--community" in str(o) for o in other)
    posts, _ = read_all(f, ReadContext(community="r"))
    assert posts[0].uid == "4chan:r:5"


def test_missing_time_uses_now_and_missing_no_is_quarantined(tmp_path: Path) -> None:
    f = tmp_path / "r-thread.json"
    f.write_text(
        json.dumps(
            {
                "posts": [
                    {"no": 1, "resto": 0, "now": "03/01/26(Sun)10:00", "com": "op"},
                    {"resto": 1, "time": 1772000000, "com": "no number"},
                    {"no": 3, "resto": 1, "time": 1772000100, "com": "fine"},
                ]
            }
        )
    )
    posts, other = read_all(f)
    assert [p.post_id for p in posts] == ["1", "3"]
    assert posts[0].created_at == datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    assert posts[0].extra["time_from"].startswith("now")
    assert len(problems(other)) == 1 and "'no'" in problems(other)[0].reason


def test_board_index_page(tmp_path: Path) -> None:
    f = tmp_path / "r" / "1.json"
    f.parent.mkdir()
    f.write_text(
        json.dumps(
            {
                "threads": [
                    {
                        "posts": [
                            {"no": 10, "resto": 0, "time": 1},
                            {"no": 12, "resto": 10, "time": 2},
                        ]
                    },
                    {"posts": [{"no": 20, "resto": 0, "time": 3}]},
                ]
            }
        )
    )
    assert detect(str(f)) is FourchanJson
    posts, _ = read_all(f)
    assert [(p.uid, p.thread_id, p.is_op) for p in posts] == [
        ("4chan:r:10", "10", True),
        ("4chan:r:12", "10", False),
        ("4chan:r:20", "20", True),
    ]


def test_ndjson_threads_keep_extra_keys(tmp_path: Path) -> None:
    f = tmp_path / "pol_sample.ndjson"
    lines = [
        json.dumps(
            {
                "posts": [
                    {"no": 1, "resto": 0, "time": 1, "com": "a", "perspectives": {"TOXICITY": 0.1}}
                ]
            }
        ),
        "{broken",
        json.dumps(
            {
                "posts": [
                    {"no": 2, "resto": 0, "time": 2, "com": "b"},
                    {"no": 3, "resto": 2, "time": 3},
                ]
            }
        ),
    ]
    f.write_text("\n".join(lines) + "\n")
    assert detect(str(f)) is FourchanNdjson
    posts, other = read_all(f)
    assert [p.uid for p in posts] == ["4chan:pol:1", "4chan:pol:2", "4chan:pol:3"]
    assert posts[0].extra["perspectives"] == {"TOXICITY": 0.1}
    [bad] = problems(other)
    assert bad.place.line == 2


def test_foolfuuka_thread(tmp_path: Path) -> None:
    doc = {
        "555": {
            "op": {
                "num": "555",
                "subnum": "0",
                "thread_num": "555",
                "op": "1",
                "timestamp": 1700000000,
                "name": "Anonymous",
                "trip": None,
                "title": "req thread",
                "comment": "first",
                "poster_hash": None,
                "board": {"name": "Adult Requests", "shortname": "r"},
                "media": {
                    "media_filename": "a.jpg",
                    "media_hash": "/o72jJQixXCBZXFD0htPBg==",
                    "media_size": "1234",
                    "media_w": "10",
                    "media_h": "20",
                },
            },
            "posts": {
                "556": {
                    "num": "556",
                    "subnum": "0",
                    "thread_num": "555",
                    "op": "0",
                    "timestamp": 1700000100,
                    "name": "Anonymous",
                    "comment": ">>555\nnice\n>>>/b/77",
                    "board": {"shortname": "r"},
                },
                "557": {
                    "num": "557",
                    "subnum": "1",
                    "thread_num": "555",
                    "op": "0",
                    "timestamp": 1700000200,
                    "comment": "ghost",
                },
            },
        }
    }
    f = tmp_path / "ff.json"
    f.write_text(json.dumps(doc))
    assert detect(str(f)) is FoolFuukaThread
    posts, _ = read_all(f)
    assert [p.uid for p in posts] == ["4chan:r:555", "4chan:r:556", "4chan:r:557,1"]
    assert (
        posts[0].is_op
        and posts[0].media[0].md5 == "fe8ef68c9422c57081657143d21b4f06"
        and posts[0].media[0].size == 1234
    )
    assert posts[1].parent_uids == ["4chan:r:555", "4chan:b:77"]
    assert posts[1].created_at == datetime.fromtimestamp(1700000100, tz=UTC)
    assert posts[2].community == "r"  # no board on the ghost post: its thread's board


@pytest.mark.parametrize(
    "name", ["4chan/official-thread-po-570368.json", "4chan/go4chanapi-thread-ck-2012.json"]
)
def test_stream_and_whole_file_paths_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = real(name)
    whole, _ = read_all(path)
    import counterspell.textio.cursors as cursors
    from counterspell.textio import StreamCursor, open_json

    monkeypatch.setattr(cursors, "WHOLE_FILE_LIMIT", 0)
    monkeypatch.setattr(cursors, "CHUNK_CHARS", 97)  # force many refills mid-token
    assert isinstance(open_json(str(path)), StreamCursor)  # the streaming path really runs
    streamed, _ = read_all(path)
    assert [(p.uid, p.text, p.parent_uids, p.created_at) for p in whole] == [
        (p.uid, p.text, p.parent_uids, p.created_at) for p in streamed
    ]
