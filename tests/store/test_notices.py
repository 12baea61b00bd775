"""Notices with their legal basis: every template renders from a real case with its sources, a
notice never cites law from another jurisdiction, request posts name their accounts, and broken
template data is an error naming the file and the field."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from counterspell.errors import CounterspellError
from counterspell.lake.query import connect, posts_relation_sql
from counterspell.store import cases, queue
from counterspell.store.accounts import User
from counterspell.store.db import Store
from counterspell.store.notices.build import build
from counterspell.store.notices.render import FORMATS, render
from counterspell.store.notices.templates import (
    DATA,
    TemplateError,
    check_jurisdiction,
    find,
    load_templates,
)
from counterspell.store.schema import audit_log, identities, queue_items

from .conftest import make_users


def _request_case(store: Store, analyst: User) -> int:
    """A case on a campaign that has request posts and media, linked from the lake."""
    con = connect(store.ws)
    from counterspell.lake.datasets import enriched_sql, relation

    row = con.execute(
        f"""SELECT m.campaign_id FROM {relation(store.ws, "campaign_members")} m
            JOIN {enriched_sql(store.ws)} e USING (uid)
            GROUP BY 1 HAVING count(*) FILTER (WHERE e.role = 'request') > 0
            ORDER BY count(*) DESC LIMIT 1"""
    ).fetchone()
    assert row, "the synthetic corpus has campaigns with request posts"
    with store.begin() as conn:
        cid, _ = cases.open_case(conn, analyst, "request", row[0], "operator title 7f3")
    cases.collect(store, cid, analyst)
    return cid


@pytest.fixture
def analyst(sqlite_store: Store) -> User:
    users = make_users(sqlite_store)
    queue.sync(sqlite_store)
    return users["analyst"]


def test_the_shipped_templates_cover_the_four_jurisdictions() -> None:
    templates, laws = load_templates()
    assert {(t.jurisdiction, t.kind) for t in templates.values()} >= {
        ("US", "removal"), ("UK", "removal"), ("UK", "preservation"), ("EU", "removal"),
        ("EU", "generator"), ("AU", "removal"),
    }  # fmt: skip
    for t in templates.values():
        check_jurisdiction(t, laws)
        # a template that leans on an unverified fact keeps its counsel-review flag
        assert t.counsel_review or all(laws[c].verified for c in t.cites)
    for law in laws.values():
        assert law.sources and all(s.url.startswith("http") and s.checked for s in law.sources)


def test_every_template_renders_from_a_case_with_its_sources(
    sqlite_store: Store, analyst: User
) -> None:
    cid = _request_case(sqlite_store, analyst)
    templates, laws = load_templates()
    with sqlite_store.engine.connect() as conn:
        case = cases.get(conn, cid)
        linked = {link["ref"] for link in cases.links_of(conn, cid, "post")}
    for t in templates.values():
        notice = build(sqlite_store, cid, analyst, t, laws, sender="Example Safety Team")
        assert notice["template"]["id"] == t.id and len(notice["sha256"]) == 64
        assert notice["content"] and {it["uid"] for it in notice["content"]} <= linked
        # a notice lists the posts its kind is about (no praise in a removal request)
        assert all(it["role"] in t.roles or it["bank_matches"] for it in notice["content"])
        for fmt in FORMATS:
            text = render(notice, fmt)
            for law_id in t.cites:  # the annex lists every source of every law cited
                law = laws[law_id]
                assert law.citation.replace("&", "&amp;")[:40] in text or law.citation[:40] in text
                for s in law.sources:
                    assert s.url.replace("&", "&amp;") in text or s.url in text, (t.id, fmt, s.url)
            assert "not legal advice" in text.lower(), (t.id, fmt)
            assert notice["content"][0]["uid"] in text
            assert "Example Safety Team" in text
            assert case.title not in text  # the case's own title is not for the platform
            assert "$" not in text.replace("$$", "")  # every placeholder was filled
        if t.counsel_review:
            assert "Counsel review required" in render(notice, "md")
    with sqlite_store.engine.connect() as conn:
        audited = [
            orjson.loads(d)
            for (d,) in conn.execute(
                select(audit_log.c.detail).where(audit_log.c.action == "case.notice")
            )
        ]
    assert sorted(a["template"] for a in audited) == sorted(templates)
    assert all(len(a["sha256"]) == 64 and a["revealed"] is False for a in audited)


def test_a_notice_refuses_law_from_another_jurisdiction(
    sqlite_store: Store, analyst: User, tmp_path: Path
) -> None:
    templates, laws = load_templates()
    us = templates["us-removal"]
    crossed = dataclasses.replace(us, cites=(*us.cites, "uk.soa2003.s66f"))
    cid = _request_case(sqlite_store, analyst)
    with pytest.raises(TemplateError, match=r"a US notice cannot cite .*66F.* which is UK law"):
        build(sqlite_store, cid, analyst, crossed, laws)
    # and a template file that does it is refused when read
    data = tmp_path / "notices"
    shutil.copytree(DATA, data)
    path = data / "eu-removal.toml"
    path.write_text(
        path.read_text().replace(
            'cites = ["eu.dsa.art16"]', 'cites = ["eu.dsa.art16", "au.osa2021.s77"]'
        )
    )
    with pytest.raises(TemplateError, match=r"eu-removal.toml: a EU notice cannot cite .* AU law"):
        load_templates(data)
    with pytest.raises(TemplateError, match="no FR removal notice template"):
        find(templates, "FR", "removal")


def test_request_posts_name_their_accounts_for_preservation(
    sqlite_store: Store, analyst: User
) -> None:
    cid = _request_case(sqlite_store, analyst)
    templates, laws = load_templates()
    notice = build(sqlite_store, cid, analyst, templates["uk-preservation"], laws)
    assert notice["requesters"] and all(it["role"] == "request" for it in notice["content"])
    uids = [p["uid"] for a in notice["requesters"] for p in a["posts"]]
    rows = (
        connect(sqlite_store.ws)
        .execute(
            f"""SELECT uid, author_key, author_name, text FROM {posts_relation_sql(sqlite_store.ws)}
                WHERE uid IN (SELECT unnest($u))""",
            {"u": uids},
        )
        .fetchall()
    )
    by_uid = {r[0]: r for r in rows}
    for a in notice["requesters"]:
        for p in a["posts"]:
            _, key, name, _ = by_uid[p["uid"]]
            assert a["author_key"] == key and (name is None or name in a["handles"])
            assert p["posted_at"] and p["post_id"]
    md = render(notice, "md")
    assert "s.66F" in md and "Accounts that posted the requests" in md
    # handles come from the export: they are escaped, never markup
    hostile = {**notice, "requesters": [{**notice["requesters"][0], "handles": ["<b>x</b>[y](z)"]}]}
    assert "<b>x</b>" not in render(hostile, "html") and "&lt;b&gt;x" in render(hostile, "html")
    assert "[y](z)" not in render(hostile, "md")
    # a post's text may name the person targeted: it never goes into a notice
    assert not any(r[3] and len(r[3]) > 30 and r[3] in md for r in rows)
    # the evidence bundle names the same accounts
    bundle = cases.bundle(sqlite_store, cid, analyst)
    assert {a["author_key"] for a in bundle["requesters"]} == {
        a["author_key"] for a in notice["requesters"]
    }
    # a case without a request post has nothing to preserve, and says so
    with sqlite_store.begin() as conn:
        other, _ = cases.open_case(conn, analyst, "request", "no-such-campaign", "empty")
    cases.add_links(
        sqlite_store, other, analyst,
        [("post", uids[0], {"platform": "x", "community": "c", "thread_id": "t",
                            "created_at": None, "role": "fulfilment", "flags": []})],
    )  # fmt: skip
    with pytest.raises(CounterspellError, match="has no request post"):
        build(sqlite_store, other, analyst, templates["uk-preservation"], laws)
    with pytest.raises(CounterspellError, match="no post on 'nowhere'"):
        build(sqlite_store, cid, analyst, templates["uk-removal"], laws, platform="nowhere")


def test_the_person_depicted_is_named_only_when_revealed(
    sqlite_store: Store, analyst: User
) -> None:
    with sqlite_store.engine.connect() as conn:
        first = conn.execute(
            select(queue_items.c.id).where(queue_items.c.targets != "").order_by(queue_items.c.id)
        ).scalar()
        assert first is not None, "the synthetic corpus names targets"
        item = queue.get_item(conn, first)
        values = {v for (v,) in conn.execute(select(identities.c.value))}
    cid = cases.for_item(sqlite_store, item, analyst)
    templates, laws = load_templates()
    masked = render(build(sqlite_store, cid, analyst, templates["uk-removal"], laws), "md")
    assert values and not any(v in masked for v in values)
    shown = build(sqlite_store, cid, analyst, templates["uk-removal"], laws, reveal=True)
    assert shown["identities"] and any(
        v["value"] in render(shown, "md") for v in shown["identities"].values()
    )
    with sqlite_store.engine.connect() as conn:
        reveals = conn.execute(
            select(audit_log.c.detail).where(
                audit_log.c.action == "identity.reveal", audit_log.c.object_type == "case"
            )
        ).all()
    assert len(reveals) == 1 and not any(v in reveals[0][0] for v in values)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("uk-removal.toml", 'title = "', 'title = ', r"uk-removal.toml: not valid TOML: .*line \d+"),
        ("uk-removal.toml", "${sender} reports", "${victim} reports",
         r"uk-removal.toml: section\[0\].body: uses \$\{victim\}"),
        ("us-removal.toml", "last_reviewed = 2026-12-02", 'last_reviewed = "last week"',
         "us-removal.toml: last_reviewed: must be a date"),
        ("au-removal.toml", 'kind = "removal"', 'kind = "takedown"',
         "au-removal.toml: kind: 'takedown' is not one of"),
        ("eu-removal.toml", "counsel_review = true", "counsel_review = false",
         "eu-removal.toml: counsel_review: must stay true while the template cites an unverified"),
        ("uk-preservation.toml", 'cites = ["uk.soa2003.s66f"]', 'cites = ["uk.soa2003.s66g"]',
         "uk-preservation.toml: cites: 'uk.soa2003.s66g' is not in laws.toml"),
        ("laws.toml", 'status = "verified"', 'status = "probably"',
         r"laws.toml: law\[0\].status: must be 'verified' or 'unverified: "),
        ("us-removal.toml", "within 48 hours, and makes", "within 48 hours at $ cost, and makes",
         r"us-removal.toml: section\[1\].body: has a '\$' that is not a placeholder"),
    ],
)  # fmt: skip
def test_broken_template_data_names_the_file_and_the_field(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    data = tmp_path / "notices"
    shutil.copytree(DATA, data)
    path = data / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(TemplateError, match=message):
        load_templates(data)
