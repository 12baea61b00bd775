"""What a platform needs to find a post and to preserve the account behind it, read from the lake.

A case's links hold what the review needed (role, flags, hashes); a notice needs two more things:
where the post is on the platform (a link where the platform's addresses can be rebuilt from the
export, else the export's own post reference) and, for a request post, the account that made it.
Under the Sexual Offences Act 2003 s.66F (England and Wales) a request to create a purported
intimate image is itself the offence, so the request post and its author's handles, ids and times
are the evidence a platform is asked to preserve. The post's text is never copied out: it may name
the person targeted, and a notice names content, not that person.
"""

from __future__ import annotations

from typing import Any

from ...lake.query import connect, posts_relation_sql
from ...lake.workspace import Workspace

# keys an export may carry in a post's extra with the post's own address
_URL_KEYS = ("url", "permalink", "link", "post_url")


def post_location(platform: str, community: str, thread_id: str, post_id: str) -> str | None:
    """The post's address on the platform, where the export's ids are enough to rebuild it."""
    if platform == "4chan" and community and thread_id:
        return f"https://boards.4chan.org/{community}/thread/{thread_id}#p{post_id}"
    if platform == "discord" and "/" in community:  # community is guild/channel
        return f"https://discord.com/channels/{community}/{post_id}"
    return None


def lake_details(ws: Workspace, uids: list[str]) -> dict[str, dict[str, Any]]:
    """Per post uid: its post id, author key and name, address, and its media's own URLs."""
    if not uids or not ws.has_data("posts"):
        return {}
    keys = ", ".join(f"json_extract_string(extra, '$.{k}')" for k in _URL_KEYS)
    rows = (
        connect(ws)
        .execute(
            f"""SELECT uid, platform, community, thread_id, post_id, author_key, author_name,
                       coalesce({keys}), [m.url FOR m IN coalesce(media, []) IF m.url IS NOT NULL]
                FROM {posts_relation_sql(ws)} WHERE uid IN (SELECT unnest($uids))""",
            {"uids": uids},
        )
        .fetchall()
    )
    out: dict[str, dict[str, Any]] = {}
    for uid, platform, community, thread, post_id, akey, aname, url, media_urls in rows:
        out[uid] = {
            "post_id": post_id,
            "author_key": akey,
            "author_name": aname,
            "location": url or post_location(platform, community, thread, post_id),
            "media_urls": list(media_urls or []),
        }
    return out


def requester_accounts(ws: Workspace, posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The accounts behind a case's request posts, each with its handles, ids and post times.

    ``posts`` are the case's post links (``ref`` the uid, ``detail`` with platform, community,
    thread, time and role). An export without an author id (anonymous boards) gives one entry per
    post: the platform holds the connection records for that post id.
    """
    requests = [p for p in posts if (p.get("detail") or {}).get("role") == "request"]
    details = lake_details(ws, [p["ref"] for p in requests])
    accounts: dict[tuple[str, str], dict[str, Any]] = {}
    for p in requests:
        d, lake = p["detail"], details.get(p["ref"], {})
        key = lake.get("author_key")
        ident = (d["platform"], f"id:{key}" if key else f"post:{p['ref']}")
        acct = accounts.setdefault(
            ident,
            {"platform": d["platform"], "author_key": key, "handles": [], "first_request_at": None,
             "last_request_at": None, "posts": []},
        )  # fmt: skip
        name = lake.get("author_name")
        if name and name not in acct["handles"]:
            acct["handles"].append(name)
        at = d.get("created_at")
        if at:
            acct["first_request_at"] = min(filter(None, [acct["first_request_at"], at]))
            acct["last_request_at"] = max(filter(None, [acct["last_request_at"], at]))
        acct["posts"].append(
            {"uid": p["ref"], "post_id": lake.get("post_id"), "community": d.get("community"),
             "thread_id": d.get("thread_id"), "posted_at": at, "location": lake.get("location")}
        )  # fmt: skip
    return sorted(
        accounts.values(), key=lambda a: (a["first_request_at"] or "", a["author_key"] or "")
    )
