"""A notice built from a case: the content located, its campaigns, the legal basis, the sources.

The notice reads the same case links as the evidence bundle (:func:`..cases.bundle`), adds what
only the lake knows (where each post is, who posted a request) and is rendered by
:mod:`.render`. It is written for a platform, so it names content, never the person depicted: the
case's title and key (a target pseudonym) stay out, and the clear identifiers behind the targets
appear only when the operator reveals them, which is audited like every other reveal. Each
notice is audited with the SHA-256 of its content, as the bundle is.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select

from ...errors import CounterspellError
from .. import audit, cases
from ..accounts import User
from ..db import Store
from ..queue import identities_for
from ..schema import queue_items
from .evidence import lake_details, requester_accounts
from .templates import Law, NoticeTemplate, check_jurisdiction

FORMAT = "counterspell-notice/1"
DEFAULT_SENDER = "[sender: your organisation]"
DISCLAIMER = (
    "Drafted by Counterspell from case {case} with the template {template} (last reviewed "
    "{reviewed} by {by}). This is not legal advice. {counsel}"
)
COUNSEL = {
    True: "Counsel has not approved this template: have it reviewed before sending.",
    False: "Counsel approved this template; check it still fits the facts of the case.",
}


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


def _when(iso: str | None) -> str:
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else "unknown"


def _content(
    store: Store, case_id: int, template: NoticeTemplate, platform: str | None
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    with store.engine.connect() as conn:
        cases.get(conn, case_id)
        links = {k: cases.links_of(conn, case_id, k) for k in ("post", "media", "bank_entry")}
    posts = links["post"]
    if platform is not None:
        on = sorted({p["detail"]["platform"] for p in posts})
        posts = [p for p in posts if p["detail"]["platform"] == platform]
        if not posts:
            raise CounterspellError(
                f"case {case_id} has no post on {platform!r} (its posts are on: {', '.join(on) or 'none'})"
            )
    # only the posts this kind of notice is about (a praise post is not an intimate image), and
    # any post whose media matched a bank entry (known abusive content, whatever its role)
    matched = (
        set()
        if "requesters" in template.includes
        else {b["detail"].get("uid") for b in links["bank_entry"]}
    )
    before = posts
    posts = [p for p in posts if p["detail"].get("role") in template.roles or p["ref"] in matched]
    if before and not posts:
        raise CounterspellError(
            f"case {case_id} has no {' or '.join(template.roles)} post"
            f"{' on ' + platform if platform else ''}: the {template.id} notice lists only those"
        )
    if not posts:
        raise CounterspellError(
            f"case {case_id} links no post: link it from the lake first (the case page's "
            "'Link again from the lake')"
        )
    return posts, links


def _items(
    store: Store, posts: list[dict[str, Any]], links: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    lake = lake_details(store.ws, [p["ref"] for p in posts])
    media: dict[str, list[dict[str, Any]]] = {}
    for m in links["media"]:
        d = m["detail"]
        media.setdefault(d["uid"], []).append(
            {"ref": m["ref"], "md5": d.get("md5"), "sha256": d.get("sha256"), "pdq": d.get("pdq")}
        )
    banks: dict[str, list[dict[str, Any]]] = {}
    for b in links["bank_entry"]:
        d = b["detail"]
        if d.get("uid"):
            banks.setdefault(d["uid"], []).append(
                {"entry": b["ref"], "signal": d.get("signal_type"), "distance": d.get("distance")}
            )
    out = []
    for p in posts:
        d, extra = p["detail"], lake.get(p["ref"], {})
        out.append(
            {"uid": p["ref"], "platform": d["platform"], "community": d.get("community"),
             "thread_id": d.get("thread_id"), "post_id": extra.get("post_id"),
             "location": extra.get("location"), "posted_at": d.get("created_at"),
             "linked_at": _iso(p["added_at"]), "role": d.get("role"),
             "campaign_id": d.get("campaign_id"), "flags": list(d.get("flags") or []),
             "media": media.get(p["ref"], []), "media_urls": extra.get("media_urls", []),
             "bank_matches": banks.get(p["ref"], [])}
        )  # fmt: skip
    return out


def _one_platform(items: list[dict[str, Any]]) -> str:
    """The platform a notice is addressed to when the case's posts are all on one."""
    on = {it["platform"] for it in items}
    return on.pop() if len(on) == 1 else "the service"


def _campaigns(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    camps: dict[str, dict[str, Any]] = {}
    for it in items:
        cid = it["campaign_id"]
        if not cid:
            continue
        c = camps.setdefault(cid, {"campaign_id": cid, "posts": 0, "first_seen": None,
                                   "last_seen": None, "roles": {}})  # fmt: skip
        c["posts"] += 1
        c["roles"][it["role"] or "unknown"] = c["roles"].get(it["role"] or "unknown", 0) + 1
        if it["posted_at"]:
            c["first_seen"] = min(filter(None, [c["first_seen"], it["posted_at"]]))
            c["last_seen"] = max(filter(None, [c["last_seen"], it["posted_at"]]))
    return sorted(camps.values(), key=lambda c: c["first_seen"] or "")


def build(
    store: Store,
    case_id: int,
    user: User,
    template: NoticeTemplate,
    laws: dict[str, Law],
    *,
    platform: str | None = None,
    sender: str | None = None,
    reveal: bool = False,
) -> dict[str, Any]:
    """The notice as data (render it with :mod:`.render`); refuses law from another jurisdiction."""
    check_jurisdiction(template, laws)
    posts, links = _content(store, case_id, template, platform)
    items = _items(store, posts, links)
    camps = _campaigns(items)
    requesters = requester_accounts(store.ws, posts) if "requesters" in template.includes else []
    times = sorted(t for t in (it["posted_at"] for it in items) if t)
    sender = (sender or "").strip() or DEFAULT_SENDER
    values = {
        "case_id": str(case_id), "platform": platform or _one_platform(items), "sender": sender,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"), "posts": str(len(items)),
        "media": str(sum(len(it["media"]) for it in items)), "campaigns": str(len(camps)),
        "first_seen": _when(times[0] if times else None),
        "last_seen": _when(times[-1] if times else None), "requesters": str(len(requesters)),
    }  # fmt: skip
    cited = [laws[c] for c in template.cites]
    warnings = []
    if any("minor_risk" in it["flags"] for it in items):
        warnings.append(
            "Some posts carry the minor_risk flag. Images of people under 18 are child sexual "
            "abuse material: report them to the authority for such material in your jurisdiction, "
            "not only with this notice."
        )
    on = sorted({it["platform"] for it in items})
    if len(on) > 1:
        warnings.append(
            f"The posts are on {len(on)} platforms ({', '.join(on)}): send each platform only "
            "its own posts (build one notice per platform)."
        )
    if any(not law.verified for law in cited):
        warnings.append(
            "The legal basis includes facts not verified in the law itself (see the annex)."
        )
    body: dict[str, Any] = {
        "format": FORMAT,
        "template": {
            "id": template.id,
            "jurisdiction": template.jurisdiction,
            "kind": template.kind,
            "title": template.title,
            "audience": template.audience,
            "last_reviewed": template.last_reviewed.isoformat(),
            "reviewed_by": template.reviewed_by,
            "counsel_review": template.counsel_review,
        },
        "case_id": case_id,
        "platform": platform,
        "sender": sender,
        "generated_at": datetime.now(UTC).isoformat(),
        "generated_by": user.name,
        "sections": [
            {"heading": s.heading, "text": " ".join(s.body.substitute(values).split())}
            for s in template.sections
        ],
        "legal_basis": [
            {
                "id": law.id,
                "citation": law.citation,
                "summary": law.summary,
                "in_force": law.in_force,
                "status": law.status,
            }
            for law in cited
        ],
        "content": items,
        "campaigns": camps if "campaigns" in template.includes else [],
        "requesters": requesters,
        "identities": {},  # filled only when the operator reveals them
        "warnings": warnings,
        "annex": [
            {
                "id": law.id,
                "citation": law.citation,
                "status": law.status,
                "note": law.note,
                "sources": [
                    {"url": s.url, "checked": s.checked.isoformat(), "what": s.what}
                    for s in law.sources
                ],
            }
            for law in cited
        ],
        "disclaimer": DISCLAIMER.format(
            case=case_id,
            template=template.id,
            reviewed=template.last_reviewed.isoformat(),
            by=template.reviewed_by,
            counsel=COUNSEL[template.counsel_review],
        ),
    }
    with store.begin() as conn:
        if reveal:
            body["identities"] = _reveal(conn, case_id, user, items)
        digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
        audit.record(
            conn, user.name, "case.notice", "case", case_id,
            {"template": template.id, "jurisdiction": template.jurisdiction, "kind": template.kind,
             "platform": platform or "all", "posts": len(items), "revealed": reveal,
             "sha256": digest},
        )  # fmt: skip
    return {**body, "sha256": digest}


def _reveal(
    conn: Any, case_id: int, user: User, items: list[dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """The clear identifiers behind the case's targets; audited with the pseudonyms, not values."""
    case = cases.get(conn, case_id)
    pseudonyms = [case.key] if case.kind == "target" else []
    uids = [it["uid"] for it in items]
    for chunk in (uids[i : i + 500] for i in range(0, len(uids), 500)):
        for (targets,) in conn.execute(
            select(queue_items.c.targets).where(queue_items.c.uid.in_(chunk))
        ):
            pseudonyms += [t for t in (targets or "").split(";") if t]
    ids = identities_for(conn, sorted(set(pseudonyms)))
    audit.record(
        conn,
        user.name,
        "identity.reveal",
        "case",
        case_id,
        {"pseudonyms": sorted(ids), "for": "notice"},
    )
    return ids
